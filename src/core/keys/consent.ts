import { ConsentGrantSchema, type ConsentGrant } from '../../contracts/agents';
import type { Connection } from '../../contracts/connections';
import type { Clock, Event, KeyValueStore, Logger } from '../base/ports';
import { StoredList } from '../store/storedList';
import { CONSENTS_KEY } from '../store/storageKeys';


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
}

/** What a standing permission is bound to, besides the connection and the requester. */
export interface GrantBinding {
  keyId: string | undefined;
  origin: string;
}

/**
 * The person's answers about key use: standing permissions ("Always Allow") in globalState,
 * bound to the connection, the requester, the key and the origin, and the question itself,
 * asked once for concurrent uses that need the same answer. The key path (keyPath.ts) decides
 * when to ask and audits every use.
 */
export class ConsentService {
  private readonly records: StoredList<typeof ConsentGrantSchema>;
  private readonly pending = new Map<string, Promise<ConsentAnswer>>();
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
   * (connection, requester) at a time: uses waiting on it share the answer.
   */
  ask(connection: Connection, requesterId: string, binding: GrantBinding, extensionId?: string): Promise<ConsentAnswer> {
    const key = `${connection.id}\n${requesterId}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.deps.prompt
        .ask({
          connectionName: connection.name,
          requesterId,
          requesterLabel: this.deps.describeRequester(requesterId),
          destination: { origin: binding.origin, ...(extensionId ? { extensionId } : {}) },
        })
        .then(async (answer) => {
          if (answer === 'always') await this.grant(connection.id, requesterId, binding);
          return answer;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  async revoke(connectionId: string, requesterId: string): Promise<void> {
    await this.records.mutate((all) => all.filter((g) => !(g.connectionId === connectionId && g.requesterId === requesterId)));
  }

  /** Drops every grant of a deleted connection. */
  async revokeConnection(connectionId: string): Promise<void> {
    await this.records.mutate((all) => all.filter((g) => g.connectionId !== connectionId));
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
