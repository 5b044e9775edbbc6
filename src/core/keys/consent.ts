import { ConsentGrantSchema, type ConsentGrant } from '../../contracts/agents';
import type { Connection } from '../../contracts/connections';
import type { Clock, Event, KeyValueStore, Logger } from '../base/ports';
import { StoredList } from '../store/storedList';
import { CONSENTS_KEY, GATEWAY_TOKEN_ORIGIN_KEY } from '../store/storageKeys';

export type ConsentAnswer = 'once' | 'always' | 'deny';

/** Asks the person (a modal in VS Code) whether a requester may have a connection's key used. */
export interface ConsentPrompt {
  ask(request: {
    connectionName: string;
    requesterId: string;
    requesterLabel: string;
    /** Where the key goes: the origin, and the extension whose adapter receives it when the provider is contributed. */
    destination: { origin: string; extensionId?: string };
  }): Promise<ConsentAnswer>;
  /**
   * Asks whether the AI gateway token may be sent to the gateway at `to`: not the one it was set
   * for (`from`; undefined when it was set before any gateway, or by an older version). True
   * binds the token to `to`.
   */
  allowGatewayToken(request: { from: string | undefined; to: string }): Promise<boolean>;
}

/** What a standing permission is bound to, besides the connection and the requester. */
export interface GrantBinding {
  keyId: string | undefined;
  origin: string;
}

/**
 * The person's answers about key use: standing permissions ("Always Allow") in globalState,
 * bound to the connection, the requester, the key and the origin, the origin the gateway token
 * is bound to, and the questions themselves, each asked once for concurrent uses that need the
 * same answer. The key path (keyPath.ts) decides when to ask and audits every use.
 */
export class ConsentService {
  private readonly records: StoredList<typeof ConsentGrantSchema>;
  /** Questions still open, by what they are about: a use waiting on one shares its answer. */
  private readonly pending = new Map<string, Promise<unknown>>();
  readonly onDidChange: Event<void>;

  constructor(
    private readonly deps: {
      store: KeyValueStore;
      prompt: ConsentPrompt;
      clock: Clock;
      describeRequester(requesterId: string): string;
      logger: Logger;
    },
  ) {
    this.records = new StoredList(deps.store, CONSENTS_KEY, ConsentGrantSchema, deps.logger, 'consent grant');
    this.onDidChange = this.records.onDidChange;
  }

  grants(): ConsentGrant[] {
    return this.records.list();
  }

  describeRequester(requesterId: string): string {
    return this.deps.describeRequester(requesterId);
  }

  /** Whether a standing permission covers this requester, this connection, its current key and origin. */
  hasStandingGrant(connectionId: string, requesterId: string, binding: GrantBinding): boolean {
    return this.grants().some(
      (g) => g.connectionId === connectionId && g.requesterId === requesterId && g.keyId !== undefined && g.keyId === binding.keyId && g.origin === binding.origin,
    );
  }

  /**
   * Asks the person; an "Always Allow" is stored before the answer is returned. One prompt per
   * connection, requester, key and destination origin at a time: uses waiting on it share the
   * answer, and a use of the key for another destination gets its own question.
   */
  ask(connection: Connection, requesterId: string, binding: GrantBinding, extensionId?: string): Promise<ConsentAnswer> {
    return this.once(['key', connection.id, requesterId, binding.keyId ?? '', binding.origin], async () => {
      const answer = await this.deps.prompt.ask({
        connectionName: connection.name,
        requesterId,
        requesterLabel: this.deps.describeRequester(requesterId),
        destination: { origin: binding.origin, ...(extensionId ? { extensionId } : {}) },
      });
      if (answer === 'always') await this.grant(connection.id, requesterId, binding);
      return answer;
    });
  }

  /** The origin the gateway token may go to; undefined when it was set before any gateway. */
  gatewayTokenOrigin(): string | undefined {
    const origin = this.deps.store.get(GATEWAY_TOKEN_ORIGIN_KEY);
    return typeof origin === 'string' ? origin : undefined;
  }

  /** Binds the gateway token to `origin` (a new token is bound to the gateway it was set for), or unbinds it. */
  async bindGatewayToken(origin: string | undefined): Promise<void> {
    await this.deps.store.update(GATEWAY_TOKEN_ORIGIN_KEY, origin);
  }

  /**
   * Whether the gateway token may go to `origin`: yes when bound there, else the person is asked
   * (one question per destination at a time) and a yes binds it there before it is returned.
   */
  async allowGatewayToken(origin: string): Promise<boolean> {
    const from = this.gatewayTokenOrigin();
    if (from === origin) return true;
    return this.once(['gatewayToken', origin], async () => {
      const allowed = await this.deps.prompt.allowGatewayToken({ from, to: origin });
      if (allowed) await this.bindGatewayToken(origin);
      return allowed;
    });
  }

  async revoke(connectionId: string, requesterId: string): Promise<void> {
    await this.records.mutate((all) => all.filter((g) => !(g.connectionId === connectionId && g.requesterId === requesterId)));
  }

  /** Drops every grant of a deleted connection. */
  async revokeConnection(connectionId: string): Promise<void> {
    await this.records.mutate((all) => all.filter((g) => g.connectionId !== connectionId));
  }

  /** The open question about `about`, or a new one asked by `question`; it is forgotten once answered. */
  private once<T>(about: readonly string[], question: () => Promise<T>): Promise<T> {
    const key = about.join('\n');
    let pending = this.pending.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = question().finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** One grant per (connection, requester): a new one replaces one given for an older key or origin. */
  private async grant(connectionId: string, requesterId: string, binding: GrantBinding): Promise<void> {
    const grant: ConsentGrant = {
      connectionId,
      requesterId,
      ...(binding.keyId ? { keyId: binding.keyId } : {}),
      origin: binding.origin,
      grantedAt: this.deps.clock.now().toISOString(),
    };
    await this.records.mutate((all) => [...all.filter((g) => !(g.connectionId === connectionId && g.requesterId === requesterId)), grant]);
  }
}
