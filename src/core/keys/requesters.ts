import type { Requester } from './keyPath';

/**
 * Switchboard's own requesters: who asked for a key use or a run. Other extensions are
 * requesters under their extension id. Each has its own standing permissions.
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
  /** VS Code's own chat, through the `switchboard` language model vendor; `<this>/<extension id>` when VS Code names the extension that asked. */
  vscodeChat: 'switchboard.vscodeChat',
  /** Agent sync to the AI gateway (`switchboard.gateway.url`): it sends each agent's key there. */
  gateway: 'switchboard.gateway',
} as const;

/** The person's own click in a Switchboard view or at the palette: consent for that one use. */
export const personAt = (id: typeof requesterIds.connectionsView | typeof requesterIds.palette | typeof requesterIds.editor): Requester => ({ id, byPerson: true });

/** A command called with an argument: not the person, so it needs consent like a run. */
export const commandArgument: Requester = { id: requesterIds.commandArgument, byPerson: false };

/** The gateway sync: never the person's click, so each key it sends needs consent naming the gateway. */
export const gatewayRequester: Requester = { id: requesterIds.gateway, byPerson: false };
