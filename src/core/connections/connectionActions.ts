import * as l10n from '@vscode/l10n';
import { ConnectionPatchSchema, hasCredentials, isInsecureForKeys, originOf, type Connection, type TestResult } from '../../contracts/connections';
import type { ConnectionService, KeyDestination } from './connectionService';
import { SwitchboardError } from '../base/errors';
import { boundOrigin } from '../keys/boundOrigin';
import type { Requester } from '../keys/keyPath';
import type { Interactions, Settings } from '../base/ports';

/**
 * The steps that involve the person (confirm, type a key, watch progress), shared by the
 * palette commands and the Connections view so both behave the same. Every question about where
 * a key may go is asked here, in VS Code's own modal, never in a webview.
 */
export class ConnectionActions {
  constructor(
    private readonly connections: ConnectionService,
    private readonly settings: Settings,
    private readonly interactions: Interactions,
    /** The names of the agents whose runs go to a connection, for the warning before it is deleted. */
    private readonly agentsOn: (connectionId: string) => readonly string[] = () => [],
  ) {}

  /**
   * Opens VS Code's password box; `stored: false` when the person cancels it, or declines to
   * let the key cross the network unencrypted to a plain-http address on another machine.
   */
  async setKey(id: string): Promise<{ stored: boolean; keyHint?: string }> {
    const connection = this.connections.require(id);
    const asked = await this.askSecret(connection, {
      title: l10n.t('API key for {0}', connection.name),
      prompt: l10n.t("The key is stored in VS Code's SecretStorage (your system keyring) and never shown again."),
    });
    if (!asked) return { stored: false };
    const { keyHint } = await this.connections.setKey(id, asked.secret, asked.transport);
    return { stored: true, keyHint };
  }

  /**
   * "Replace API Key": the new key in VS Code's password box, tested under a cancellable progress
   * before it replaces the old one (ConnectionService.replaceKey). `replaced: false` when the
   * person cancels; a failed test throws with the reason, and the old key stays.
   */
  async replaceKey(id: string, requester: Requester): Promise<{ replaced: boolean; keyHint?: string }> {
    const connection = this.connections.require(id);
    const asked = await this.askSecret(connection, {
      title: l10n.t('New API key for {0}', connection.name),
      prompt: l10n.t('It is tested first and replaces the current key only if the test passes. Neither key is shown.'),
    });
    if (!asked) return { replaced: false };
    const { keyHint } = await this.interactions.withProgress(l10n.t('Testing the new key of {0}…', connection.name), (signal) =>
      this.connections.replaceKey(id, asked.secret, requester, { ...asked.transport, signal }),
    );
    return { replaced: true, keyHint };
  }

  /**
   * Asks for a credential header's name, then its value in VS Code's password box; `stored:
   * false` when the person cancels either, or declines unencrypted use.
   */
  async setCredentialHeader(id: string): Promise<{ stored: boolean; name?: string }> {
    const connection = this.connections.require(id);
    const name = await this.interactions.inputText({
      title: l10n.t('Credential header for {0}', connection.name),
      prompt: l10n.t("The header's name, e.g. X-Api-Token or Ocp-Apim-Subscription-Key. Its value is asked next, in a password box."),
    });
    if (name === undefined || !name.trim()) return { stored: false };
    const asked = await this.askSecret(connection, {
      title: l10n.t('{0} for {1}', name.trim(), connection.name),
      prompt: l10n.t("The value is stored in VS Code's SecretStorage (your system keyring) and never shown again."),
    });
    if (!asked) return { stored: false };
    const updated = await this.connections.setCredentialHeader(id, name, asked.secret, asked.transport);
    return { stored: true, name: updated.credentialHeaders?.at(-1)?.name };
  }

  /**
   * A secret typed into VS Code's password box, and the person's answer on how it may travel:
   * every secret typed in meets the transport question before it is stored. Undefined when the
   * person cancels either.
   */
  private async askSecret(connection: Connection, box: { title: string; prompt: string }): Promise<{ secret: string; transport: { allowInsecure: boolean } } | undefined> {
    const secret = await this.interactions.inputSecret(box);
    if (secret === undefined) return undefined;
    const transport = await this.askTransport(connection);
    return transport && { secret, transport };
  }

  /**
   * For a connection on plain http to another machine, the person's allowance to send its
   * credentials unencrypted (undefined when they decline); for any other, no question.
   */
  private async askTransport(connection: Connection): Promise<{ allowInsecure: boolean } | undefined> {
    if (!isInsecureForKeys(connection.baseUrl)) return { allowInsecure: false };
    const allowed = await this.interactions.confirm({
      message: l10n.t('Send the credentials of "{0}" over unencrypted HTTP?', connection.name),
      detail: l10n.t(
        '{0} is another machine reached over plain http://: anyone on the network between could read them. Prefer an https:// address. The connection will be marked as insecure.',
        originOf(connection.baseUrl),
      ),
      confirmLabel: l10n.t('Allow Unencrypted'),
    });
    return allowed ? { allowInsecure: true } : undefined;
  }

  /**
   * Applies an edit from the view or the palette. When it would move a keyed connection to
   * another origin, the person decides in a modal first: send the key there, or remove it.
   * Cancelling changes nothing.
   */
  async update(id: string, patch: unknown, requesterId?: string): Promise<Connection> {
    const current = this.connections.require(id);
    const parsed = ConnectionPatchSchema.safeParse(patch);
    // An invalid patch gets its precise message from the service.
    if (!parsed.success || parsed.data.baseUrl === undefined || !hasCredentials(current)) return this.connections.update(id, patch, undefined, requesterId);
    const boundTo = boundOrigin(current);
    const origin = originOf(parsed.data.baseUrl);
    if (origin === boundTo) return this.connections.update(id, patch, undefined, requesterId);
    const sendKey = l10n.t('Send Key to the New Address');
    const choice = await this.interactions.choose({
      message: l10n.t('Send the key of "{0}" to {1}?', current.name, origin),
      detail: isInsecureForKeys(parsed.data.baseUrl)
        ? l10n.t(
            'The key was entered for {0}. Switchboard sends a key only to the address it was meant for. {1} uses plain http:// to another machine: the key would cross the network unencrypted, and the connection will be marked as insecure. Remove the key to move the connection without it.',
            boundTo,
            origin,
          )
        : l10n.t('The key was entered for {0}. Switchboard sends a key only to the address it was meant for. Remove the key to move the connection without it.', boundTo),
      choices: [sendKey, l10n.t('Remove the Key')],
    });
    if (!choice) throw new SwitchboardError('cancelled', l10n.t('Nothing was changed: "{0}" still points to {1}.', current.name, current.baseUrl));
    const decision: KeyDestination = { origin, action: choice === sendKey ? 'send' : 'remove' };
    return this.connections.update(id, patch, decision, requesterId);
  }

  /**
   * Asks first, naming the agents that run on the connection and the secrets that go with it;
   * `deleted: false` when the person says no.
   */
  async delete(id: string, requesterId?: string): Promise<{ deleted: boolean }> {
    const connection = this.connections.require(id);
    const agents = this.agentsOn(id).map((name) => `"${name}"`);
    const hasKey = connection.keyHint !== undefined;
    const hasHeaders = (connection.credentialHeaders?.length ?? 0) > 0;
    const detail = [
      agents.length === 1 ? l10n.t('The agent {0} runs on it: its runs will fail until you choose another connection for it.', agents[0]!) : '',
      agents.length > 1 ? l10n.t('The agents {0} run on it: their runs will fail until you choose another connection for them.', agents.join(', ')) : '',
      hasKey && hasHeaders ? l10n.t('Its API key and credential headers are removed from SecretStorage too.') : '',
      hasKey && !hasHeaders ? l10n.t('Its API key is removed from SecretStorage too.') : '',
      !hasKey && hasHeaders ? l10n.t('Its credential headers are removed from SecretStorage too.') : '',
      l10n.t('This cannot be undone.'),
    ];
    const confirmed = await this.interactions.confirm({
      message: agents.length ? l10n.t('Delete the connection "{0}"? Agents use it.', connection.name) : l10n.t('Delete the connection "{0}"?', connection.name),
      detail: detail.filter(Boolean).join(' '),
      confirmLabel: l10n.t('Delete'),
    });
    if (!confirmed) return { deleted: false };
    await this.connections.delete(id, requesterId);
    return { deleted: true };
  }

  /** Runs the test under a cancellable progress notification, using the key for `requester`. */
  test(id: string, requester: Requester): Promise<TestResult> {
    const connection = this.connections.require(id);
    return this.interactions.withProgress(l10n.t('Testing {0}…', connection.name), (signal) => this.connections.test(id, requester, signal));
  }

  /**
   * Creates a connection, for the view and the palette alike. The first connection a person adds
   * becomes the default when there is none (unset, or naming a deleted connection), so runs work
   * without a further step; a notification says so and offers Undo.
   */
  async create(input: unknown, requesterId?: string): Promise<Connection> {
    const created = await this.connections.create(input, requesterId);
    const current = this.settings.defaultConnectionId();
    if (current && this.connections.get(current)) return created;
    await this.settings.setDefaultConnectionId(created.id);
    const undo = l10n.t('Undo');
    void this.interactions
      .notify({ message: l10n.t('"{0}" is now the default connection, since there was none: runs that name no connection use it.', created.name), actions: [undo] })
      .then(async (choice) => {
        // Undo only what this did: a default the person set meanwhile stays.
        if (choice === undo && this.settings.defaultConnectionId() === created.id) await this.settings.setDefaultConnectionId(current);
      });
    return created;
  }

  async setDefault(id: string): Promise<{ defaultConnectionId: string }> {
    const connection: Connection = this.connections.require(id);
    await this.settings.setDefaultConnectionId(connection.id);
    return { defaultConnectionId: connection.id };
  }
}
