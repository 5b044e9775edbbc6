import { ConsentGrantSchema, type ConsentGrant } from '../contracts/agents';
import type { Connection } from '../contracts/connections';
import type { AuditLog } from './auditLog';
import { SwitchboardError } from './errors';
import type { Clock, Event, KeyValueStore, Logger } from './ports';
import { StoredList } from './storedList';
import { CONSENTS_KEY } from './storageKeys';


export type ConsentAnswer = 'once' | 'always' | 'deny';

/** Asks the person (a modal in VS Code) whether a requester may have a connection's key used. */
export interface ConsentPrompt {
  ask(request: { connectionName: string; requesterId: string; requesterLabel: string }): Promise<ConsentAnswer>;
}

/**
 * A key is read only with consent for that (connection, requester). Standing grants live in
 * globalState and can be revoked; every read, granted or denied, is audited. Concurrent runs
 * that need the same answer share one prompt.
 */
export class ConsentService {
  private readonly records: StoredList<typeof ConsentGrantSchema>;
  private readonly pending = new Map<string, Promise<ConsentAnswer>>();
  readonly onDidChange: Event<void>;

  constructor(
    private readonly deps: {
      store: KeyValueStore;
      prompt: ConsentPrompt;
      audit: AuditLog;
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

  /**
   * Resolves when the key of `connection` may be read for `requesterId`, and audits the read;
   * throws `consent_denied` otherwise. `context` is recorded with the audit entry.
   */
  async authorizeKeyRead(connection: Connection, requesterId: string, context: { runId?: string } = {}): Promise<void> {
    const granted = this.grants().some((g) => g.connectionId === connection.id && g.requesterId === requesterId);
    const answer = granted ? 'always' : await this.askOnce(connection, requesterId);
    const outcome = answer === 'deny' ? 'denied' : granted ? 'granted (standing)' : `granted (${answer})`;
    await this.deps.audit.append({ kind: 'key_read', requesterId, connectionId: connection.id, providerId: connection.providerId, outcome, ...context });
    if (answer === 'deny') {
      throw new SwitchboardError(
        'consent_denied',
        `The key of "${connection.name}" was not used: you denied it to ${this.deps.describeRequester(requesterId)}. Run again and allow it, or choose a connection without a key.`,
      );
    }
    if (answer === 'always' && !granted) await this.grant(connection.id, requesterId);
  }

  async revoke(connectionId: string, requesterId: string): Promise<void> {
    await this.mutate((all) => all.filter((g) => !(g.connectionId === connectionId && g.requesterId === requesterId)));
  }

  /** Drops every grant of a deleted connection. */
  async revokeConnection(connectionId: string): Promise<void> {
    await this.mutate((all) => all.filter((g) => g.connectionId !== connectionId));
  }

  private async grant(connectionId: string, requesterId: string): Promise<void> {
    await this.mutate((all) =>
      all.some((g) => g.connectionId === connectionId && g.requesterId === requesterId)
        ? all
        : [...all, { connectionId, requesterId, grantedAt: this.deps.clock.now().toISOString() }],
    );
  }

  /** One prompt per (connection, requester) at a time; runs waiting on it share the answer. */
  private askOnce(connection: Connection, requesterId: string): Promise<ConsentAnswer> {
    const key = `${connection.id}\n${requesterId}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.deps.prompt
        .ask({ connectionName: connection.name, requesterId, requesterLabel: this.deps.describeRequester(requesterId) })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private mutate(change: (all: ConsentGrant[]) => ConsentGrant[]): Promise<void> {
    return this.records.mutate(change);
  }
}
