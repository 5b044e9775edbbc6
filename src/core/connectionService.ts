import { randomUUID } from 'node:crypto';
import {
  ConnectionInputSchema,
  ConnectionPatchSchema,
  ConnectionSchema,
  type Connection,
  type TestResult,
} from '../contracts/connections';
import { API_KEY_FIELD, BASE_URL_FIELD, type ProviderDescriptor } from '../contracts/providers';
import { SwitchboardError } from './errors';
import type { HttpClient } from './http/httpClient';
import type { Clock, Disposable, Event, KeyValueStore, Logger, SecretVault, Settings } from './ports';
import { describeIssue, type ProviderRegistry, type RegisteredProvider } from './providerRegistry';
import type { ConnectionTarget } from './providers/adapter';
import { blankSecret, keyHint, secretNames } from './secrets';
import { StoredList } from './storedList';
import { CONNECTIONS_KEY } from './storageKeys';
import { WriteQueue } from './writeQueue';


export interface ConnectionServiceDeps {
  store: KeyValueStore;
  vault: SecretVault;
  registry: ProviderRegistry;
  settings: Settings;
  clock: Clock;
  http: HttpClient;
  logger: Logger;
  /** Records connection create/update/delete (never a key). */
  audit?: { append(event: { kind: 'connection_created' | 'connection_updated' | 'connection_deleted'; connectionId: string; providerId: string }): Promise<unknown> };
  newId?: () => string;
}

/**
 * Connections: create, read, update, delete, their keys and their test. Records live in one
 * globalState list; every read validates each record, every write goes through one queue.
 */
export class ConnectionService {
  /**
   * The queue every connection write goes through. Stores whose records belong to a
   * connection (registered models) write through it too, so a delete and its cascade are one
   * queued operation that no other write can come between.
   */
  readonly writes = new WriteQueue();
  private readonly records: StoredList<typeof ConnectionSchema>;
  readonly onDidChange: Event<void>;
  private readonly deleteSteps = new Set<(connectionId: string) => Promise<void>>();

  constructor(private readonly deps: ConnectionServiceDeps) {
    this.records = new StoredList(deps.store, CONNECTIONS_KEY, ConnectionSchema, deps.logger, 'connection', this.writes);
    this.onDidChange = this.records.onDidChange;
  }

  /** Every valid stored connection. A record that fails its schema is logged and left in storage untouched. */
  list(): Connection[] {
    return this.records.list();
  }

  get(id: string): Connection | undefined {
    return this.list().find((connection) => connection.id === id);
  }

  require(id: string): Connection {
    const connection = this.get(id);
    if (!connection) {
      throw new SwitchboardError('missing_connection', 'That connection no longer exists. Choose another one in the Connections view.');
    }
    return connection;
  }

  async create(input: unknown): Promise<Connection> {
    const parsed = parseOrThrow(ConnectionInputSchema, input, 'The connection');
    const provider = this.deps.registry.require(parsed.providerId);
    const descriptor = provider.descriptor;
    const baseUrl = parsed.baseUrl ?? defaultBaseUrl(descriptor);
    if (!baseUrl) {
      throw new SwitchboardError('invalid_input', `${descriptor.displayName} needs a base URL.`);
    }
    const options = checkOptions(provider, parsed.options);
    const now = this.deps.clock.now().toISOString();
    const connection: Connection = ConnectionSchema.parse({
      id: (this.deps.newId ?? randomUUID)(),
      name: parsed.name,
      providerId: descriptor.id,
      baseUrl: trimTrailingSlash(baseUrl),
      options,
      defaultModel: parsed.defaultModel || undefined,
      status: 'unknown',
      createdAt: now,
      updatedAt: now,
    });
    await this.mutate((all) => {
      assertUniqueName(all, connection.name);
      return [...all, connection];
    });
    this.deps.logger.info(`Created connection "${connection.name}" (${connection.id}, ${descriptor.id}).`);
    await this.audit('connection_created', connection);
    return connection;
  }

  async update(id: string, patch: unknown): Promise<Connection> {
    const parsed = parseOrThrow(ConnectionPatchSchema, patch, 'The change');
    let updated: Connection | undefined;
    await this.mutate((all) => {
      const current = findOrThrow(all, id);
      const provider = this.deps.registry.require(current.providerId);
      if (parsed.name !== undefined) assertUniqueName(all.filter((c) => c.id !== id), parsed.name);
      const endpointChanged =
        (parsed.baseUrl !== undefined && trimTrailingSlash(parsed.baseUrl) !== current.baseUrl) ||
        (parsed.options !== undefined && JSON.stringify(parsed.options) !== JSON.stringify(current.options));
      updated = ConnectionSchema.parse({
        ...current,
        name: parsed.name ?? current.name,
        baseUrl: parsed.baseUrl !== undefined ? trimTrailingSlash(parsed.baseUrl) : current.baseUrl,
        options: parsed.options !== undefined ? checkOptions(provider, parsed.options) : current.options,
        defaultModel: parsed.defaultModel !== undefined ? parsed.defaultModel || undefined : current.defaultModel,
        // A new address makes the last test meaningless.
        ...(endpointChanged ? { status: 'unknown', lastValidatedAt: undefined, lastTestMessage: undefined, lastLatencyMs: undefined } : {}),
        updatedAt: this.deps.clock.now().toISOString(),
      });
      return all.map((c) => (c.id === id ? updated! : c));
    });
    this.deps.logger.info(`Updated connection "${updated!.name}" (${id}).`);
    await this.audit('connection_updated', updated!);
    return updated!;
  }

  /**
   * Adds a step to every delete, e.g. removing the connection's models. Steps run inside the
   * queued delete, after the record is written, so they must write directly, never through
   * `writes` (that would wait for itself). A failing step is logged; the delete stands.
   */
  onDeleting(step: (connectionId: string) => Promise<void>): Disposable {
    this.deleteSteps.add(step);
    return { dispose: () => this.deleteSteps.delete(step) };
  }

  /** Deletes the record and its key; clears the default setting if it pointed here. */
  async delete(id: string): Promise<void> {
    let removed: Connection | undefined;
    await this.mutate(
      (all) => {
        removed = findOrThrow(all, id);
        return all.filter((c) => c.id !== id);
      },
      // The record goes first: if the window dies between the two writes, what is left
      // belongs to no connection and readers hide it.
      async () => {
        for (const step of [...this.deleteSteps]) {
          await step(id).catch((error: unknown) => this.deps.logger.warn(`Deleting connection ${id}: a cleanup step failed: ${errorText(error)}`));
        }
      },
    );
    await this.deps.vault.delete(secretNames.connectionKey(id)).catch((error: unknown) => {
      this.deps.logger.warn(`Could not delete the key of connection ${id} from SecretStorage: ${errorText(error)}`);
    });
    if (this.deps.settings.defaultConnectionId() === id) await this.deps.settings.setDefaultConnectionId('');
    this.deps.logger.info(`Deleted connection "${removed!.name}" (${id}).`);
    await this.audit('connection_deleted', removed!);
  }

  /**
   * Stores the key in SecretStorage and reads it back. If the store throws or the value does
   * not come back (Linux without a keyring), nothing is kept and the connection has no key.
   */
  async setKey(id: string, key: string): Promise<{ keyHint: string }> {
    this.require(id);
    const trimmed = key.trim();
    if (!trimmed) throw new SwitchboardError('invalid_input', 'The key is empty. Paste the key your provider gave you.');
    const name = secretNames.connectionKey(id);
    let readBack: string | undefined;
    try {
      await this.deps.vault.store(name, trimmed);
      readBack = await this.deps.vault.get(name);
    } catch (error) {
      await this.forgetKey(id);
      throw secretStorageFailed(errorText(error));
    }
    if (readBack !== trimmed) {
      await this.forgetKey(id);
      throw secretStorageFailed('the stored key could not be read back');
    }
    const hint = keyHint(trimmed);
    await this.patchRecord(id, { keyHint: hint, status: 'unknown' });
    this.deps.logger.info(`Stored a key for connection ${id} (${hint}).`);
    return { keyHint: hint };
  }

  /**
   * The key of a connection, for the host's own calls only. Never pass it to a webview, a
   * worker, a log line or an error.
   */
  async readKey(id: string): Promise<string | undefined> {
    try {
      return await this.deps.vault.get(secretNames.connectionKey(id));
    } catch (error) {
      throw secretStorageFailed(errorText(error));
    }
  }

  /** What an adapter needs to reach the connection, key included. */
  async target(connection: Connection): Promise<ConnectionTarget> {
    const apiKey = connection.keyHint ? await this.readKey(connection.id) : undefined;
    return { baseUrl: connection.baseUrl, options: connection.options, ...(apiKey ? { apiKey } : {}) };
  }

  /**
   * Tests the connection with its provider's harmless call and records the outcome.
   * A failure is a result (`invalid` with the reason), not an exception; cancelling records nothing.
   */
  async test(id: string, signal?: AbortSignal): Promise<TestResult> {
    const connection = this.require(id);
    const started = performance.now();
    let result: TestResult;
    let apiKey: string | undefined;
    try {
      const provider = this.deps.registry.require(connection.providerId);
      const keyField = provider.descriptor.fields.find((field) => field.key === API_KEY_FIELD);
      if (keyField?.required && !connection.keyHint) {
        throw new SwitchboardError('auth_failed', `${provider.descriptor.displayName} needs an API key. Set one with "Set key" (Switchboard: Set API Key).`);
      }
      const target = await this.target(connection);
      apiKey = target.apiKey;
      const message = await provider.adapter.testConnection(target, {
        http: this.deps.http,
        timeoutMs: this.deps.settings.requestTimeoutMs(),
        ...(signal ? { signal } : {}),
      });
      result = { status: 'valid', message: blankSecret(String(message), apiKey), latencyMs: elapsed(started) };
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === 'cancelled') throw error;
      // The adapter may be another extension's: its words are stored and shown, so never with the key.
      const message = blankSecret(error instanceof SwitchboardError ? error.message : `The test failed unexpectedly: ${errorText(error)}`, apiKey);
      const code = error instanceof SwitchboardError ? error.code : 'internal';
      result = { status: 'invalid', message, latencyMs: elapsed(started), code };
    }
    await this.patchRecord(id, {
      status: result.status,
      lastValidatedAt: this.deps.clock.now().toISOString(),
      lastTestMessage: result.message.slice(0, 1000),
      lastLatencyMs: result.latencyMs,
    });
    this.deps.logger.info(`Tested connection ${id}: ${result.status} in ${result.latencyMs} ms. ${result.message}`);
    return result;
  }

  private async audit(kind: 'connection_created' | 'connection_updated' | 'connection_deleted', connection: Connection): Promise<void> {
    await this.deps.audit?.append({ kind, connectionId: connection.id, providerId: connection.providerId }).catch((error: unknown) => {
      this.deps.logger.error(`Could not write the audit log: ${errorText(error)}`);
    });
  }

  private async forgetKey(id: string): Promise<void> {
    await this.deps.vault.delete(secretNames.connectionKey(id)).catch(() => undefined);
    await this.patchRecord(id, { keyHint: undefined });
  }

  private patchRecord(id: string, fields: Partial<Connection>): Promise<void> {
    return this.mutate((all) => all.map((c) => (c.id === id ? ConnectionSchema.parse({ ...c, ...fields }) : c)));
  }

  private mutate(change: (all: Connection[]) => Connection[], after?: () => Promise<void>): Promise<void> {
    return this.records.mutate(change, after);
  }
}

function parseOrThrow<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new SwitchboardError('invalid_input', `${what} is not valid: ${parsed.error.issues.map(describeIssue).join('; ')}.`);
  }
  return parsed.data;
}

function findOrThrow(all: Connection[], id: string): Connection {
  const found = all.find((c) => c.id === id);
  if (!found) throw new SwitchboardError('missing_connection', 'That connection no longer exists. Choose another one in the Connections view.');
  return found;
}

function assertUniqueName(all: Connection[], name: string): void {
  const wanted = name.trim().toLocaleLowerCase();
  if (all.some((c) => c.name.toLocaleLowerCase() === wanted)) {
    throw new SwitchboardError('conflict', `A connection named "${name.trim()}" already exists. Choose another name.`);
  }
}

/**
 * Keeps only the descriptor's non-secret option fields, checks the required ones are filled,
 * and lets the adapter check their values (custom headers, say) before anything is saved.
 */
function checkOptions({ descriptor, adapter }: RegisteredProvider, options: Record<string, string>): Record<string, string> {
  const optionFields = descriptor.fields.filter((f) => f.kind !== 'secret' && f.key !== BASE_URL_FIELD);
  const unknown = Object.keys(options).filter((key) => !optionFields.some((f) => f.key === key));
  if (unknown.length) {
    throw new SwitchboardError('invalid_input', `${descriptor.displayName} has no field ${unknown.map((k) => `"${k}"`).join(', ')}.`);
  }
  const result: Record<string, string> = {};
  for (const field of optionFields) {
    const value = (options[field.key] ?? '').trim();
    if (field.required && !value) throw new SwitchboardError('invalid_input', `${field.label} is required for ${descriptor.displayName}.`);
    if (value) result[field.key] = value;
  }
  const problem = adapter.validateOptions?.(result);
  if (problem) throw new SwitchboardError('invalid_input', problem);
  return result;
}

function defaultBaseUrl(descriptor: ProviderDescriptor): string | undefined {
  return descriptor.defaults.baseUrl ?? descriptor.fields.find((f) => f.key === BASE_URL_FIELD)?.default;
}

function trimTrailingSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function secretStorageFailed(reason: string): SwitchboardError {
  return new SwitchboardError(
    'secret_storage_failed',
    `VS Code could not keep the key in the system keyring (${reason}). Nothing was saved. ` +
      'On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with ' +
      '--password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then set the key again.',
  );
}
