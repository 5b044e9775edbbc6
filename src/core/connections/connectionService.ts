import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import {
  ConnectionInputSchema,
  ConnectionPatchSchema,
  ConnectionSchema,
  hasCredentials,
  isInsecureForKeys,
  MAX_CREDENTIAL_HEADERS,
  originOf,
  type Connection,
  type TestResult,
} from '../../contracts/connections';
import type { ErrorCode } from '../../contracts/errors';
import type { ProviderDescriptor } from '../../contracts/providers';
import { BASE_URL_FIELD, CUSTOM_HEADERS_FIELD } from '../../contracts/vocabulary';
import { SwitchboardError, errorText } from '../base/errors';
import type { HttpClient } from '../http/httpClient';
import { boundOrigin } from '../keys/boundOrigin';
import type { KeyPath, Requester } from '../keys/keyPath';
import type { Clock, Disposable, Event, KeyValueStore, Logger, Settings } from '../base/ports';
import { describeIssues } from '../../contracts/issues';
import type { ProviderRegistry, RegisteredProvider } from '../providers/providerRegistry';
import { checkCredentialHeader } from '../providers/customHeaders';
import { StoredList } from '../store/storedList';
import { CONNECTIONS_KEY } from '../store/storageKeys';
import { WriteQueue } from '../base/writeQueue';

export interface ConnectionServiceDeps {
  store: KeyValueStore;
  keys: KeyPath;
  registry: ProviderRegistry;
  settings: Settings;
  clock: Clock;
  http: HttpClient;
  logger: Logger;
  /** Records connection create/update/delete (never a key). */
  audit?: { append(event: { kind: 'connection_created' | 'connection_updated' | 'connection_deleted'; connectionId: string; providerId: string }): Promise<unknown> };
  newId?: () => string;
}

/** A new connection's own fields, checked (ConnectionService.checkInput). */
export type NewConnectionFields = Pick<Connection, 'name' | 'providerId' | 'baseUrl' | 'options' | 'defaultModel'>;

/**
 * Where the person decided a keyed connection's key may go when its address moves to another
 * origin (asked in VS Code's modal by ConnectionActions): send it to `origin`, or remove it.
 */
export interface KeyDestination {
  origin: string;
  action: 'send' | 'remove';
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
      throw new SwitchboardError('missing_connection', l10n.t('That connection no longer exists. Choose another one in the Connections view.'));
    }
    return connection;
  }

  /**
   * A new connection's fields as create() stores them, or `invalid_input` (`not_found` for a
   * provider that is not available) saying what is wrong. The one check of a connection's input:
   * create() and an import, before it changes anything, both run it.
   */
  checkInput(input: unknown): NewConnectionFields {
    const parsed = parseOrThrow(ConnectionInputSchema, input, 'The connection');
    const provider = this.deps.registry.require(parsed.providerId);
    const descriptor = provider.descriptor;
    const baseUrl = parsed.baseUrl ?? defaultBaseUrl(descriptor);
    if (!baseUrl) {
      throw new SwitchboardError('invalid_input', l10n.t('{0} needs a base URL.', descriptor.displayName));
    }
    return { name: parsed.name, providerId: descriptor.id, baseUrl: trimTrailingSlash(baseUrl), options: checkOptions(provider, parsed.options), defaultModel: parsed.defaultModel || undefined };
  }

  /** `requesterId` names who asked, for the audit log (a view, the palette, a command's caller). */
  async create(input: unknown, requesterId?: string): Promise<Connection> {
    const fields = this.checkInput(input);
    const now = this.deps.clock.now().toISOString();
    const connection: Connection = ConnectionSchema.parse({
      id: (this.deps.newId ?? randomUUID)(),
      ...fields,
      status: 'unknown',
      createdAt: now,
      updatedAt: now,
    });
    await this.mutate((all) => {
      assertUniqueName(all, connection.name);
      return [...all, connection];
    });
    this.deps.logger.info(`Created connection "${connection.name}" (${connection.id}, ${connection.providerId}).`);
    await this.audit('connection_created', connection, requesterId);
    return connection;
  }

  /**
   * Applies an edit. Moving a keyed connection to another origin needs the person's decision
   * (`keyDestination`, for exactly that origin): without it the edit is refused and nothing
   * changes, so no view or command can send a key somewhere new on its own.
   */
  async update(id: string, patch: unknown, keyDestination?: KeyDestination, requesterId?: string): Promise<Connection> {
    const parsed = parseOrThrow(ConnectionPatchSchema, patch, 'The change');
    let updated: Connection | undefined;
    let removed: Connection | undefined;
    await this.mutate((all) => {
      const current = findOrThrow(all, id);
      const provider = this.deps.registry.require(current.providerId);
      if (parsed.name !== undefined) assertUniqueName(all.filter((c) => c.id !== id), parsed.name);
      const baseUrl = parsed.baseUrl !== undefined ? trimTrailingSlash(parsed.baseUrl) : current.baseUrl;
      const endpointChanged =
        baseUrl !== current.baseUrl || (parsed.options !== undefined && JSON.stringify(parsed.options) !== JSON.stringify(current.options));
      const keyFields = keyFieldsAfterMove(current, baseUrl, keyDestination);
      removed = hasCredentials(current) && !hasCredentials(keyFields) ? current : undefined;
      updated = ConnectionSchema.parse({
        ...current,
        ...keyFields,
        name: parsed.name ?? current.name,
        baseUrl,
        options: parsed.options !== undefined ? checkOptions(provider, parsed.options) : current.options,
        defaultModel: parsed.defaultModel !== undefined ? parsed.defaultModel || undefined : current.defaultModel,
        // A new address makes the last test meaningless.
        ...(endpointChanged ? { status: 'unknown', lastValidatedAt: undefined, lastTestMessage: undefined, lastLatencyMs: undefined } : {}),
        updatedAt: this.deps.clock.now().toISOString(),
      });
      return all.map((c) => (c.id === id ? updated! : c));
    });
    if (removed) await this.forgetCredentials(removed);
    this.deps.logger.info(`Updated connection "${updated!.name}" (${id}).`);
    await this.audit('connection_updated', updated!, requesterId);
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
  async delete(id: string, requesterId?: string): Promise<void> {
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
    await this.forgetCredentials(removed!);
    if (this.deps.settings.defaultConnectionId() === id) await this.deps.settings.setDefaultConnectionId('');
    this.deps.logger.info(`Deleted connection "${removed!.name}" (${id}).`);
    await this.audit('connection_deleted', removed!, requesterId);
  }

  /**
   * A way back to the connection as it is now, record and credentials, for a change that must be
   * undone (an import that failed midway). `headerNames` are credential headers the change may
   * add: they are removed again on the way back.
   */
  async restorePoint(id: string, headerNames: readonly string[]): Promise<() => Promise<void>> {
    const before = this.require(id);
    const names = new Set([...(before.credentialHeaders ?? []).map((header) => header.name), ...headerNames]);
    const restoreSecrets = await this.deps.keys.restorePoint(id, [...names]);
    return async () => {
      // The record claims no credential while they are put back, so none goes to the changed address meanwhile.
      await this.patchRecord(id, { keyHint: undefined, keyId: undefined, keyOrigin: undefined, credentialHeaders: undefined });
      await restoreSecrets();
      await this.mutate((all) => all.map((c) => (c.id === id ? before : c)));
      this.deps.logger.info(`Put connection "${before.name}" (${id}) back as it was.`);
      await this.audit('connection_updated', before, undefined);
    };
  }

  /**
   * Stores the key (the key path reads it back) for the connection's current origin. Plain http
   * to another machine keeps the key unusable unless `allowInsecure` says the person allowed it
   * in a modal. If the keyring fails, nothing is kept and the connection has no key.
   */
  async setKey(id: string, key: string, options: { allowInsecure?: boolean } = {}): Promise<{ keyHint: string }> {
    const connection = this.require(id);
    const trimmed = checkKey(key);
    let stored;
    try {
      stored = await this.deps.keys.store(connection, trimmed);
    } catch (error) {
      // A failed keyring may have dropped the old key on the way: the record no longer claims one.
      if (error instanceof SwitchboardError && error.code === 'secret_storage_failed') await this.patchRecord(id, { keyHint: undefined, keyId: undefined });
      throw error;
    }
    const allowInsecureKey = isInsecureForKeys(connection.baseUrl) && options.allowInsecure === true ? true : undefined;
    await this.patchRecord(id, { ...stored, allowInsecureKey, status: 'unknown' });
    this.deps.logger.info(`Stored a key for connection ${id} (${stored.keyHint}).`);
    return { keyHint: stored.keyHint };
  }

  /**
   * "Replace API Key": tests `key` with the provider's harmless call before it replaces the
   * stored one. On a failed test nothing changes, the old key stays, and the error says why. On
   * success the key is stored with a new key id, so standing permissions given for the old key
   * end. Neither key appears in a message (the key path blanks the new one out of errors).
   */
  async replaceKey(id: string, key: string, requester: Requester, options: { allowInsecure?: boolean; signal?: AbortSignal } = {}): Promise<{ keyHint: string; message: string }> {
    const connection = this.require(id);
    const trimmed = key.trim();
    if (!trimmed) throw new SwitchboardError('invalid_input', l10n.t('The new key is empty. Nothing was changed: the old key stays.'));
    const provider = this.deps.registry.require(connection.providerId);
    const candidate = isInsecureForKeys(connection.baseUrl) && options.allowInsecure === true ? { ...connection, allowInsecureKey: true } : connection;
    let message: string;
    try {
      const use = { connection: candidate, provider: provider.descriptor, requester, purpose: 'test' as const };
      const context = { http: this.deps.http, timeoutMs: this.deps.settings.requestTimeoutMs(), ...(options.signal ? { signal: options.signal } : {}) };
      message = String(await this.deps.keys.tryKey(use, trimmed, (target) => provider.adapter.testConnection(target, context)));
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === 'cancelled') throw error;
      const info = error instanceof SwitchboardError ? error.toInfo() : { code: 'internal' as const, message: errorText(error) };
      throw new SwitchboardError(info.code, l10n.t('The new key of "{0}" was not saved, because its test failed: {1} The old key stays in use.', connection.name, info.message));
    }
    const { keyHint } = await this.setKey(id, trimmed, options);
    await this.patchRecord(id, { status: 'valid', lastValidatedAt: this.deps.clock.now().toISOString(), lastTestMessage: message.slice(0, 1000) });
    this.deps.logger.info(`Replaced the key of connection ${id} after a passing test (${keyHint}).`);
    return { keyHint, message };
  }

  /**
   * Stores a header that carries a credential (its value from VS Code's password box) in
   * SecretStorage; the record keeps its name and a hint. Only providers that send custom headers
   * take them. The header goes with the connection's key, through the key path, to the same origin.
   */
  async setCredentialHeader(id: string, rawName: string, rawValue: string, options: { allowInsecure?: boolean } = {}): Promise<Connection> {
    const connection = this.require(id);
    const { name, value } = this.checkCredentialHeaders(connection, { [rawName]: rawValue })[0]!;
    const others = (connection.credentialHeaders ?? []).filter((header) => header.name !== name);
    const hint = await this.deps.keys.storeHeader(connection, name, value);
    const allowInsecureKey = isInsecureForKeys(connection.baseUrl) && options.allowInsecure === true ? true : connection.allowInsecureKey;
    let updated: Connection | undefined;
    await this.mutate((all) =>
      all.map((c) => {
        if (c.id !== id) return c;
        // Bound, like the credentials beside it (the key path checked they are bound here), to the origin the connection has now.
        updated = ConnectionSchema.parse({ ...c, credentialHeaders: [...others, { name, hint }], keyOrigin: boundOrigin({ ...c, credentialHeaders: others }), allowInsecureKey, status: 'unknown' });
        return updated;
      }),
    );
    this.deps.logger.info(`Stored the credential header "${name}" for connection ${id} (${hint}).`);
    return updated!;
  }

  /**
   * `headers` checked as setCredentialHeader stores them on `connection` (lower-case names), or
   * `invalid_input`: the provider must send custom headers, each name and value must be allowed,
   * and with the connection's other headers they must stay within MAX_CREDENTIAL_HEADERS.
   */
  checkCredentialHeaders(connection: Pick<Connection, 'name' | 'providerId' | 'credentialHeaders'>, headers: Record<string, string>): { name: string; value: string }[] {
    const provider = this.deps.registry.require(connection.providerId).descriptor;
    if (!provider.fields.some((field) => field.key === CUSTOM_HEADERS_FIELD)) {
      throw new SwitchboardError('invalid_input', l10n.t('{0} connections do not send custom headers.', provider.displayName));
    }
    const checked = Object.entries(headers).map(([name, value]) => checkCredentialHeader(name, value));
    const names = new Set([...(connection.credentialHeaders ?? []).map((header) => header.name), ...checked.map((header) => header.name)]);
    if (names.size > MAX_CREDENTIAL_HEADERS) {
      throw new SwitchboardError('invalid_input', l10n.t('"{0}" would have {1} credential headers; at most {2} are allowed. Remove one first.', connection.name, names.size, MAX_CREDENTIAL_HEADERS));
    }
    return checked;
  }

  async removeCredentialHeader(id: string, rawName: string): Promise<Connection> {
    const name = rawName.trim().toLowerCase();
    const connection = this.require(id);
    if (!connection.credentialHeaders?.some((header) => header.name === name)) {
      throw new SwitchboardError('not_found', l10n.t('"{0}" has no credential header "{1}".', connection.name, rawName.slice(0, 100)));
    }
    await this.patchRecord(id, { credentialHeaders: connection.credentialHeaders.filter((header) => header.name !== name) });
    await this.deps.keys.forgetHeader(id, name);
    return this.require(id);
  }

  /**
   * Tests the connection with its provider's harmless call and records the outcome. The key,
   * if any, is used through the key path for `requester`. A failure is a result (`invalid` with
   * the reason), not an exception; cancelling records nothing.
   */
  async test(id: string, requester: Requester, signal?: AbortSignal): Promise<TestResult> {
    const connection = this.require(id);
    const started = performance.now();
    let result: TestResult;
    try {
      const provider = this.deps.registry.require(connection.providerId);
      const use = { connection, provider: provider.descriptor, requester, purpose: 'test' as const };
      const message = await this.deps.keys.use(use, (target) =>
        provider.adapter.testConnection(target, {
          http: this.deps.http,
          timeoutMs: this.deps.settings.requestTimeoutMs(),
          ...(signal ? { signal } : {}),
        }),
      );
      result = { status: 'valid', message: String(message), latencyMs: elapsed(started) };
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === 'cancelled') throw error;
      // The key path has blanked the key out of the error: it is stored and shown as it is.
      const message = error instanceof SwitchboardError ? error.message : l10n.t('The test failed unexpectedly: {0}', errorText(error));
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

  /**
   * What a model call learned about the connection, so its status does not keep saying "valid"
   * after a run found it unreachable or its key refused: such a failure marks it invalid with
   * the reason, and a call that worked marks an invalid one valid again. Anything else writes
   * nothing, so the run path writes globalState only when the status shown would be wrong.
   */
  async noteCallOutcome(id: string, outcome: { ok: true } | { ok: false; code: ErrorCode; message: string }): Promise<void> {
    if (!outcome.ok && !CONNECTION_FAILURES.has(outcome.code)) return;
    // A success changes only an invalid status, a failure only one that is not invalid yet.
    const stale = (connection: Connection | undefined) => connection !== undefined && (outcome.ok ? connection.status === 'invalid' : connection.status !== 'invalid');
    // Read first: the usual call changes nothing, and then nothing is written.
    if (!stale(this.get(id))) return;
    const fields = outcome.ok
      ? { status: 'valid' as const, lastTestMessage: l10n.t('A model call succeeded.') }
      : { status: 'invalid' as const, lastTestMessage: l10n.t('A model call failed: {0}', outcome.message).slice(0, 1000) };
    const at = this.deps.clock.now().toISOString();
    await this.mutate((all) => all.map((c) => (c.id === id && stale(c) ? ConnectionSchema.parse({ ...c, ...fields, lastValidatedAt: at, lastLatencyMs: undefined }) : c)));
  }

  private async audit(kind: 'connection_created' | 'connection_updated' | 'connection_deleted', connection: Connection, requesterId: string | undefined): Promise<void> {
    const event = { kind, ...(requesterId ? { requesterId } : {}), connectionId: connection.id, connectionName: connection.name, providerId: connection.providerId };
    await this.deps.audit?.append(event).catch((error: unknown) => {
      this.deps.logger.error(`Could not write the audit log: ${errorText(error)}`);
    });
  }

  private forgetCredentials(connection: Connection): Promise<void> {
    return this.deps.keys.forget(connection.id, (connection.credentialHeaders ?? []).map((header) => header.name));
  }

  private patchRecord(id: string, fields: Partial<Connection>): Promise<void> {
    return this.mutate((all) => all.map((c) => (c.id === id ? ConnectionSchema.parse({ ...c, ...fields }) : c)));
  }

  private mutate(change: (all: Connection[]) => Connection[], after?: () => Promise<void>): Promise<void> {
    return this.records.mutate(change, after);
  }
}

/** The failures of a model call that say the connection itself is broken, not the model or the request. */
const CONNECTION_FAILURES: ReadonlySet<ErrorCode> = new Set(['endpoint_unreachable', 'auth_failed']);

function parseOrThrow<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new SwitchboardError('invalid_input', l10n.t('{0} is not valid: {1}.', what, describeIssues(parsed.error.issues)));
  }
  return parsed.data;
}

function findOrThrow(all: Connection[], id: string): Connection {
  const found = all.find((c) => c.id === id);
  if (!found) throw new SwitchboardError('missing_connection', l10n.t('That connection no longer exists. Choose another one in the Connections view.'));
  return found;
}

function assertUniqueName(all: Connection[], name: string): void {
  const wanted = name.trim().toLocaleLowerCase();
  if (all.some((c) => c.name.toLocaleLowerCase() === wanted)) {
    throw new SwitchboardError('conflict', l10n.t('A connection named "{0}" already exists. Choose another name.', name.trim()));
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
    throw new SwitchboardError('invalid_input', l10n.t('{0} has no field {1}.', descriptor.displayName, unknown.map((k) => `"${k}"`).join(', ')));
  }
  const result: Record<string, string> = {};
  for (const field of optionFields) {
    const value = (options[field.key] ?? '').trim();
    if (field.required && !value) throw new SwitchboardError('invalid_input', l10n.t('{0} is required for {1}.', field.label, descriptor.displayName));
    if (value) result[field.key] = value;
  }
  const problem = adapter.validateOptions?.(result);
  if (problem) throw new SwitchboardError('invalid_input', problem);
  return result;
}

/** The key as it is stored (trimmed), or `invalid_input` when nothing is left. */
export function checkKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed) throw new SwitchboardError('invalid_input', l10n.t('The key is empty. Paste the key your provider gave you.'));
  return trimmed;
}

function defaultBaseUrl(descriptor: ProviderDescriptor): string | undefined {
  return descriptor.defaults.baseUrl ?? descriptor.fields.find((f) => f.key === BASE_URL_FIELD)?.default;
}

/**
 * The key fields of a connection whose address becomes `baseUrl`. Within the key's origin
 * nothing changes; to another origin, only with the person's decision for exactly that origin.
 */
function keyFieldsAfterMove(current: Connection, baseUrl: string, decision: KeyDestination | undefined): Partial<Connection> {
  const keyFields = { keyHint: current.keyHint, keyId: current.keyId, keyOrigin: current.keyOrigin, allowInsecureKey: current.allowInsecureKey, credentialHeaders: current.credentialHeaders };
  if (!hasCredentials(current)) return keyFields;
  const boundTo = boundOrigin(current);
  const origin = originOf(baseUrl);
  if (origin === boundTo) return { ...keyFields, keyOrigin: boundTo };
  if (decision?.origin !== origin) {
    throw new SwitchboardError(
      'consent_denied',
      l10n.t('Moving "{0}" to {1} would send its key there. Confirm it in VS Code\'s dialog (Switchboard: Edit Connection), or remove the key first. Nothing was changed.', current.name, origin),
    );
  }
  if (decision.action === 'remove') return { keyHint: undefined, keyId: undefined, keyOrigin: undefined, allowInsecureKey: undefined, credentialHeaders: undefined };
  // The person confirmed this origin, in a dialog that named plain http when it was.
  return { ...keyFields, keyOrigin: origin, allowInsecureKey: isInsecureForKeys(baseUrl) ? true : undefined };
}

/** A base URL as it is stored: trimmed, without trailing slashes. */
export function trimTrailingSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
