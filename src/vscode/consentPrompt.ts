import * as vscode from 'vscode';
import type { ConsentAnswer, ConsentPrompt } from '../core/keys/consent';
import { chatInitiator, requesterIds } from '../core/keys/requesters';
import type { Prompter } from './prompter';

/**
 * The consent question, as a modal: allow once, always allow this requester for this
 * connection, or deny (also what closing the dialog means). In Test mode a queued answer
 * ('once' | 'always' | 'deny') replaces the dialog.
 */
export function consentPrompt(prompter: Prompter): ConsentPrompt {
  return {
    async ask({ connectionName, requesterId, requesterLabel, destination }) {
      const question = vscode.l10n.t('{0} wants to use the API key of "{1}".', capitalize(requesterLabel), connectionName);
      const scripted = prompter.takeScripted(question);
      if (scripted.taken) return scripted.answer === 'once' || scripted.answer === 'always' ? scripted.answer : 'deny';
      const once = vscode.l10n.t('Allow Once');
      const always = vscode.l10n.t('Always Allow');
      const choice = await vscode.window.showWarningMessage(
        question,
        {
          modal: true,
          detail: consentDetail(requesterId, destination),
        },
        once,
        always,
      );
      const answer: ConsentAnswer = choice === once ? 'once' : choice === always ? 'always' : 'deny';
      return answer;
    },

    async allowGatewayToken({ from, to }) {
      const question = vscode.l10n.t('Send the AI gateway token to {0}?', to);
      const scripted = prompter.takeScripted(question);
      if (scripted.taken) return scripted.answer === true;
      const send = vscode.l10n.t('Send Token');
      const choice = await vscode.window.showWarningMessage(
        question,
        {
          modal: true,
          detail: from
            ? vscode.l10n.t(
                'The token was set for the gateway at {0}, and switchboard.gateway.url now points to {1}. Switchboard sends the token ("Authorization: Bearer …") only to the gateway it is bound to. Send binds it to {1}; Cancel sends nothing.',
                from,
                to,
              )
            : vscode.l10n.t(
                'The token is not bound to a gateway yet (it was set before switchboard.gateway.url, or by an older version). Switchboard sends the token ("Authorization: Bearer …") only to the gateway it is bound to. Send binds it to {0}; Cancel sends nothing.',
                to,
              ),
        },
        send,
      );
      return choice === send;
    },
  };
}

/** Where the key goes, in the dialog's words: to the AI gateway, to another extension's adapter, or only from VS Code to the provider. */
function consentDetail(requesterId: string, destination: { origin: string; extensionId?: string }): string {
  if (requesterId === requesterIds.gateway) {
    return vscode.l10n.t(
      'The key leaves VS Code: Switchboard sends it to the AI gateway at {0}, which keeps it to call the provider for your agents. Switchboard records each send in the audit log. "Always Allow" lasts for this key and this gateway until you revoke it in the Connections view or with Switchboard: Manage Key Consents.',
      destination.origin,
    );
  }
  if (destination.extensionId) {
    return vscode.l10n.t(
      'The key is handed to the extension {0}, which provides this connection, to call {1}. Switchboard records the use in the audit log. "Always Allow" lasts for this key and address until you revoke it in the Connections view or with Switchboard: Manage Key Consents.',
      destination.extensionId,
      destination.origin,
    );
  }
  return vscode.l10n.t(
    'The key stays in VS Code: Switchboard calls {0} with it and records the use in the audit log. "Always Allow" lasts for this key and address until you revoke it in the Connections view or with Switchboard: Manage Key Consents.',
    destination.origin,
  );
}

/** How a requester id reads in the middle of a sentence: "the Agents view", "the extension …". */
export function describeRequester(requesterId: string): string {
  switch (requesterId) {
    case requesterIds.agentsView:
      return vscode.l10n.t('the Agents view');
    case requesterIds.connectionsView:
      return vscode.l10n.t('the Connections view');
    case requesterIds.editor:
      return vscode.l10n.t('the Switchboard editor');
    case requesterIds.palette:
      return vscode.l10n.t('a Switchboard command at the palette');
    case requesterIds.commandArgument:
      return vscode.l10n.t('a script or another extension calling a Switchboard command');
    case requesterIds.vscodeChat:
      return vscode.l10n.t('VS Code chat');
    case requesterIds.gateway:
      return vscode.l10n.t('the AI gateway sync');
    default: {
      // The initiator VS Code names is always an extension, even one whose id looks like ours.
      const initiator = chatInitiator(requesterId);
      if (initiator) return vscode.l10n.t('VS Code chat, for {0}', describeExtension(initiator));
      return describeExtension(requesterId);
    }
  }
}

function describeExtension(extensionId: string): string {
  const extension = vscode.extensions.getExtension(extensionId);
  const name = (extension?.packageJSON as { displayName?: string } | undefined)?.displayName;
  return name ? vscode.l10n.t('the extension "{0}" ({1})', name, extensionId) : vscode.l10n.t('the extension {0}', extensionId);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}
