import * as vscode from 'vscode';
import type { ConsentAnswer, ConsentPrompt } from '../core/consent';
import type { Prompter } from './prompter';

/**
 * The consent question, as a modal: allow once, always allow this requester for this
 * connection, or deny (also what closing the dialog means). In Test mode a queued answer
 * ('once' | 'always' | 'deny') replaces the dialog.
 */
export function consentPrompt(prompter: Prompter): ConsentPrompt {
  return {
    async ask({ connectionName, requesterLabel }) {
      const scripted = prompter.takeScripted();
      if (scripted.taken) return scripted.answer === 'once' || scripted.answer === 'always' ? scripted.answer : 'deny';
      const once = vscode.l10n.t('Allow Once');
      const always = vscode.l10n.t('Always Allow');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} wants to use the API key of "{1}".', capitalize(requesterLabel), connectionName),
        {
          modal: true,
          detail: vscode.l10n.t('The key stays in VS Code: Switchboard makes the call and records it in the audit log. "Always Allow" lasts until you revoke it with Switchboard: Manage Key Consents.'),
        },
        once,
        always,
      );
      const answer: ConsentAnswer = choice === once ? 'once' : choice === always ? 'always' : 'deny';
      return answer;
    },
  };
}

/** How a requester id reads in the middle of a sentence: "the Agents view", "the extension …". */
export function describeRequester(requesterId: string): string {
  switch (requesterId) {
    case 'switchboard.agentsView':
      return vscode.l10n.t('the Agents view');
    case 'switchboard.palette':
      return vscode.l10n.t('the Run Agent command');
    case 'switchboard.commandArgument':
      return vscode.l10n.t('a script or another extension calling the Run Agent command');
    default: {
      const extension = vscode.extensions.getExtension(requesterId);
      const name = (extension?.packageJSON as { displayName?: string } | undefined)?.displayName;
      return name ? vscode.l10n.t('the extension "{0}" ({1})', name, requesterId) : vscode.l10n.t('the extension {0}', requesterId);
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}
