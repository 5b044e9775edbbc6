import * as l10n from '@vscode/l10n';
import { SwitchboardError } from '../base/errors';
import { isExtensionId } from '../../contracts/vocabulary';
import type { Requester } from './keyPath';

/**
 * The namespace of Switchboard's own requester ids. No extension is a requester under an id in
 * it ({@link extensionRequesterId}), so none can be taken for one of Switchboard's own.
 */
export const OWN_REQUESTER_NAMESPACE = 'switchboard.';

/**
 * Switchboard's own requesters: who asked for a key use or a run, each under
 * {@link OWN_REQUESTER_NAMESPACE}. Other extensions are requesters under their extension id.
 * Each has its own standing permissions.
 */
export const requesterIds = {
  connectionsView: 'switchboard.connectionsView',
  agentsView: 'switchboard.agentsView',
  /** The Switchboard editor: a run's Re-run in its Runs tab, and Discover on a connection in its Models tab (the person's click). */
  editor: 'switchboard.editor',
  /** The person at the command palette, picking with quick picks. */
  palette: 'switchboard.palette',
  /**
   * A command whose target arrives as its argument: any extension, task or keybinding can do
   * that and VS Code does not say which, so it is kept apart from the palette and never counts
   * as the person's own action.
   */
  commandArgument: 'switchboard.commandArgument',
  /** VS Code's own chat, through the `switchboard` language model vendor; `<this>/<extension id>` when VS Code names the extension that asked (chatRequesterId). */
  vscodeChat: 'switchboard.vscodeChat',
  /** Agent sync to the AI gateway (`switchboard.gateway.url`): it sends each agent's key there. */
  gateway: 'switchboard.gateway',
} as const;

/** Where the person clicks: Switchboard's views and the palette. */
type PersonPlace = typeof requesterIds.connectionsView | typeof requesterIds.agentsView | typeof requesterIds.editor | typeof requesterIds.palette;

/**
 * The person's own click in a Switchboard view or at the palette (Test, Discover, Run, Re-run):
 * their consent for that one action.
 */
export const personAt = (id: PersonPlace): Requester => ({ id, byPerson: true });

/** A command called with an argument: not the person, so it needs consent like a run. */
export const commandArgument: Requester = { id: requesterIds.commandArgument, byPerson: false };

/**
 * Who acts for a palette command: the person when they picked its target with quick picks,
 * or, when the target came as the command's argument (another extension, a task, a
 * keybinding), a requester that needs consent. The one rule for every command.
 */
export function commandRequester(arg: unknown): Requester {
  return arg === undefined ? personAt(requesterIds.palette) : commandArgument;
}

/** The gateway sync: never the person's click, so each key it sends needs consent naming the gateway. */
export const gatewayRequester: Requester = { id: requesterIds.gateway, byPerson: false };

/**
 * The requester id of an extension: its id in lower case, as VS Code compares extension ids.
 * An id in Switchboard's own namespace (`switchboard.palette`, `switchboard.editor`, …) is
 * refused with `invalid_input`: that extension would use the standing permissions the person
 * gave Switchboard's own views and commands, and be named as them.
 */
export function extensionRequesterId(extensionId: string): string {
  const id = extensionId.toLowerCase();
  if (id.startsWith(OWN_REQUESTER_NAMESPACE)) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t('The extension {0} cannot use Switchboard\'s API: ids that begin with "{1}" name Switchboard\'s own views and commands, and no extension may act as one of them.', extensionId, OWN_REQUESTER_NAMESPACE),
    );
  }
  return id;
}

/**
 * The requester of a VS Code chat request: VS Code chat for the extension that sent it (VS Code
 * 1.139 names it; "core" for VS Code's own chat, and older versions say nothing, both plain VS
 * Code chat). The one rule: consent is asked, granted and found under this id, so "Always Allow"
 * holds for later requests of the same extension and of no other.
 */
export function chatRequesterId(initiator: unknown): string {
  return typeof initiator === 'string' && isExtensionId(initiator) ? `${requesterIds.vscodeChat}/${initiator.toLowerCase()}` : requesterIds.vscodeChat;
}

/** The extension a chat requester id names (chatRequesterId), or undefined for any other requester. */
export function chatInitiator(requesterId: string): string | undefined {
  const prefix = `${requesterIds.vscodeChat}/`;
  return requesterId.startsWith(prefix) ? requesterId.slice(prefix.length) : undefined;
}
