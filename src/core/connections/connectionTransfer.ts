import * as l10n from '@vscode/l10n';
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import * as z from 'zod';
import { ConnectionInputSchema, hasCredentials, originOf, type Connection } from '../../contracts/connections';
import { describeIssues } from '../../contracts/issues';
import { checkKey, trimTrailingSlash, type ConnectionService } from './connectionService';
import { SwitchboardError, errorText, toErrorInfo } from '../base/errors';
import { boundOrigin } from '../keys/boundOrigin';
import type { Credentials, KeyPath, Requester } from '../keys/keyPath';
import type { ProviderRegistry } from '../providers/providerRegistry';

/**
 * The export file: `SWBX`, the format version, the scrypt cost (log2 N, r, p), a random salt and
 * a random nonce — the header, authenticated as AES-256-GCM's additional data, so changing any
 * of it fails the decryption — then the encrypted JSON and the 16-byte GCM tag.
 */
const MAGIC = Buffer.from('SWBX', 'ascii');
export const EXPORT_FORMAT_VERSION = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 4 + SALT_BYTES + NONCE_BYTES;
/**
 * 2^15 × 8 × 128 bytes = 32 MiB and about a tenth of a second: OWASP's scrypt floor. The only
 * cost a file may name: the header is read before anything in it can be trusted, so a file that
 * asked for more (2^20 × 32 × 4 is 1.5 GiB from a 60-byte file) would cost that much to refuse.
 */
const COST = { logN: 15, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 8;

const ExportedConnectionSchema = ConnectionInputSchema.extend({
  /** Present only when the person chose to include keys. */
  apiKey: z.string().min(1).max(8192).optional(),
  credentialHeaders: z.record(z.string().min(1).max(100), z.string().min(1).max(8192)).optional(),
}).strict();
export type ExportedConnection = z.infer<typeof ExportedConnectionSchema>;

const ExportFileSchema = z
  .object({
    format: z.literal('switchboard.connections'),
    exportedAt: z.string().datetime(),
    connections: z.array(ExportedConnectionSchema).max(1000),
  })
  .strict();
export type ExportFile = z.infer<typeof ExportFileSchema>;

/** What an import would do: connections to add, and existing ones (same name) it would change. */
export interface ImportPlan {
  add: ExportedConnection[];
  change: { existing: Connection; incoming: ExportedConnection; differences: string[] }[];
}

/**
 * "Export Connections" and "Import Connections". An export carries keys only when the person
 * chose so, and each connection's key then leaves through the key path (purpose `export`,
 * consent, one audit entry). An import reads and checks the whole file before it changes
 * anything: a wrong passphrase, a flipped byte, a cut file, a newer format or an invalid
 * connection refuse it whole. Applying it is all or nothing.
 */
export class ConnectionTransfer {
  constructor(private readonly deps: { connections: ConnectionService; registry: ProviderRegistry; keys: KeyPath }) {}

  async export(options: { passphrase: string; includeKeys: boolean; requester: Requester }): Promise<Uint8Array> {
    checkPassphrase(options.passphrase);
    const all = this.deps.connections.list();
    const plain = (connection: Connection): ExportedConnection => ({
      name: connection.name,
      providerId: connection.providerId,
      baseUrl: connection.baseUrl,
      options: connection.options,
      ...(connection.defaultModel ? { defaultModel: connection.defaultModel } : {}),
    });
    // Each key is handed over inside its own key use, and the file is sealed inside the
    // innermost one: the keys never leave the key path as plain values.
    const collect = async (index: number, done: ExportedConnection[]): Promise<Uint8Array> => {
      if (index === all.length) return seal(Buffer.from(JSON.stringify({ format: 'switchboard.connections', exportedAt: new Date().toISOString(), connections: done })), options.passphrase);
      const connection = all[index]!;
      if (!options.includeKeys || !hasCredentials(connection)) return collect(index + 1, [...done, plain(connection)]);
      const provider = this.deps.registry.require(connection.providerId).descriptor;
      return this.deps.keys.use({ connection, provider, requester: options.requester, purpose: 'export' }, (target) =>
        collect(index + 1, [
          ...done,
          { ...plain(connection), ...(target.apiKey ? { apiKey: target.apiKey } : {}), ...(target.credentialHeaders ? { credentialHeaders: target.credentialHeaders } : {}) },
        ]),
      );
    };
    return collect(0, []);
  }

  /**
   * Decrypts and checks the whole file, every connection as creating it would check it (provider,
   * address, options, key, credential headers); throws `invalid_input` saying why it cannot be
   * imported. The connections come back as they would be stored (header names in lower case).
   */
  async read(file: Uint8Array, passphrase: string): Promise<ExportFile> {
    const text = (await open(Buffer.from(file), passphrase)).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SwitchboardError('invalid_input', l10n.t('The file decrypted, but its content is not a Switchboard export. Nothing was imported.'));
    }
    const parsed = ExportFileSchema.safeParse(json);
    if (!parsed.success) throw new SwitchboardError('invalid_input', l10n.t('The file is not a valid Switchboard export ({0}). Nothing was imported.', describeIssues(parsed.error.issues)));
    const unknown = parsed.data.connections.filter((c) => !this.deps.registry.get(c.providerId));
    if (unknown.length) {
      throw new SwitchboardError('invalid_input', l10n.t('The file has connections of providers that are not available here ({0}). Install the extensions that provide them, then import again. Nothing was imported.', [...new Set(unknown.map((c) => c.providerId))].join(', ')));
    }
    const names = parsed.data.connections.map((c) => c.name.toLocaleLowerCase());
    if (new Set(names).size !== names.length) throw new SwitchboardError('invalid_input', l10n.t('The file names two connections the same. Nothing was imported.'));
    return { ...parsed.data, connections: parsed.data.connections.map((incoming) => this.check(incoming)) };
  }

  /**
   * What importing `file` would add, and change (a connection of the same name). A key or header
   * equal to the one stored is no change: it keeps its key id, and so its standing permissions.
   */
  async plan(file: ExportFile): Promise<ImportPlan> {
    const plan: ImportPlan = { add: [], change: [] };
    const byName = this.byName();
    for (const incoming of file.connections) {
      const existing = byName.get(incoming.name.toLocaleLowerCase());
      if (!existing) {
        plan.add.push(incoming);
        continue;
      }
      const sameProvider = existing.providerId === incoming.providerId;
      const credentials = sameProvider ? await this.changedCredentials(existing, this.check(incoming, existing)) : {};
      const differences = [
        !sameProvider && 'provider',
        incoming.baseUrl !== undefined && existing.baseUrl !== trimTrailingSlash(incoming.baseUrl) && 'address',
        JSON.stringify(existing.options) !== JSON.stringify(incoming.options) && 'options',
        (existing.defaultModel ?? '') !== (incoming.defaultModel ?? '') && 'default model',
        credentials.apiKey !== undefined && 'key',
        credentials.credentialHeaders !== undefined && 'credential headers',
      ].filter((d): d is string => !!d);
      if (differences.length) plan.change.push({ existing, incoming, differences });
    }
    return plan;
  }

  /**
   * Applies the plan the person saw, all or nothing: adds the new connections, and changes
   * existing ones only when `replaceExisting` (a connection of another provider is never changed
   * into this one). Every connection is checked again first, against the connections as they are
   * now; if a step still fails (the keyring, storage), what was applied before it is undone.
   */
  async apply(plan: ImportPlan, options: { replaceExisting: boolean; requesterId?: string }): Promise<{ added: number; changed: number }> {
    const { connections } = this.deps;
    const byName = this.byName();
    const adds = plan.add.map((incoming) => {
      const checked = this.check(incoming);
      if (byName.has(checked.name.toLocaleLowerCase())) {
        throw new SwitchboardError('conflict', l10n.t('A connection named "{0}" was created while the import waited. Import the file again. Nothing was imported.', checked.name));
      }
      return checked;
    });
    const changes = (options.replaceExisting ? plan.change : []).flatMap(({ existing: seen, incoming }) => {
      const existing = connections.get(seen.id);
      if (!existing) throw new SwitchboardError('missing_connection', l10n.t('The connection "{0}" was deleted while the import waited. Import the file again. Nothing was imported.', seen.name));
      return existing.providerId === incoming.providerId ? [{ existing, incoming: this.check(incoming, existing) }] : [];
    });
    const undo: (() => Promise<void>)[] = [];
    let step = '';
    try {
      for (const incoming of adds) {
        step = incoming.name;
        const { apiKey, credentialHeaders, ...input } = incoming;
        const created = await connections.create(input, options.requesterId);
        undo.push(() => connections.delete(created.id, options.requesterId));
        await this.storeCredentials(created.id, { apiKey, credentialHeaders });
      }
      for (const { existing, incoming } of changes) {
        step = existing.name;
        const { apiKey: _k, credentialHeaders, providerId: _p, name: _n, ...patch } = incoming;
        const credentials = await this.changedCredentials(existing, incoming);
        undo.push(await connections.restorePoint(existing.id, Object.keys(credentialHeaders ?? {})));
        // A key entered for the old address does not follow it to a new one on its own.
        await connections.update(existing.id, patch, movesKey(existing, incoming) ? { origin: originOf(patch.baseUrl!), action: 'remove' } : undefined, options.requesterId);
        await this.storeCredentials(existing.id, credentials);
      }
    } catch (error) {
      const failed = await undoAll(undo);
      const info = toErrorInfo(error);
      throw new SwitchboardError(
        info.code,
        failed.length
          ? l10n.t('Importing "{0}" failed: {1} Undoing the import failed too ({2}): check the connections in the Connections view.', step, info.message, failed.join('; '))
          : l10n.t('Importing "{0}" failed: {1} The import was undone: nothing changed.', step, info.message),
        { cause: error },
      );
    }
    return { added: adds.length, changed: changes.length };
  }

  /**
   * `incoming` as importing it would store it, checked as creating it would check it and, with
   * `existing` (the connection it changes), its credential headers together with those that
   * connection keeps; `invalid_input` naming the connection otherwise.
   */
  private check(incoming: ExportedConnection, existing?: Connection): ExportedConnection {
    const { connections } = this.deps;
    try {
      const { apiKey, credentialHeaders, ...input } = incoming;
      const fields = connections.checkInput(input);
      const kept = existing && !movesKey(existing, incoming) ? existing.credentialHeaders : undefined;
      const headers = credentialHeaders && connections.checkCredentialHeaders({ ...fields, credentialHeaders: kept }, credentialHeaders);
      return {
        ...incoming,
        ...(apiKey !== undefined ? { apiKey: checkKey(apiKey) } : {}),
        ...(headers ? { credentialHeaders: Object.fromEntries(headers.map(({ name, value }) => [name, value])) } : {}),
      };
    } catch (error) {
      if (!(error instanceof SwitchboardError)) throw error;
      throw new SwitchboardError('invalid_input', l10n.t('The connection "{0}" in the file cannot be imported: {1} Nothing was imported.', incoming.name, error.message), { cause: error });
    }
  }

  /** The connections by lower-case name, read once (each read validates every record); the first of a name wins, as a search would find it. */
  private byName(): Map<string, Connection> {
    const byName = new Map<string, Connection>();
    for (const connection of this.deps.connections.list()) {
      const name = connection.name.toLocaleLowerCase();
      if (!byName.has(name)) byName.set(name, connection);
    }
    return byName;
  }

  /**
   * The credentials of `incoming` that differ from what `existing` stores, compared inside the
   * key path; all of them when the import moves `existing` to another origin (its key is removed).
   */
  private async changedCredentials(existing: Connection, incoming: ExportedConnection): Promise<Credentials> {
    const { apiKey, credentialHeaders } = incoming;
    const differing = movesKey(existing, incoming)
      ? { apiKey: apiKey !== undefined, headers: Object.keys(credentialHeaders ?? {}) }
      : await this.deps.keys.differingCredentials(existing, { ...(apiKey !== undefined ? { apiKey } : {}), ...(credentialHeaders ? { credentialHeaders } : {}) });
    return {
      ...(differing.apiKey ? { apiKey } : {}),
      ...(differing.headers.length ? { credentialHeaders: Object.fromEntries(differing.headers.map((name) => [name, credentialHeaders![name]!])) } : {}),
    };
  }

  private async storeCredentials(id: string, { apiKey, credentialHeaders }: Credentials): Promise<void> {
    // A file's key for plain http to another machine stays unusable until the person allows it (Set API Key asks).
    if (apiKey) await this.deps.connections.setKey(id, apiKey);
    for (const [name, value] of Object.entries(credentialHeaders ?? {})) await this.deps.connections.setCredentialHeader(id, name, value);
  }
}

/** Whether importing `incoming` moves `existing`, which holds credentials, to another origin. */
function movesKey(existing: Connection, incoming: ExportedConnection): boolean {
  return incoming.baseUrl !== undefined && hasCredentials(existing) && originOf(trimTrailingSlash(incoming.baseUrl)) !== boundOrigin(existing);
}

/** Runs each undo step, the last first, and returns why those that failed did. */
async function undoAll(steps: readonly (() => Promise<void>)[]): Promise<string[]> {
  const failures: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await step();
    } catch (error) {
      failures.push(errorText(error));
    }
  }
  return failures;
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new SwitchboardError('invalid_input', l10n.t('The passphrase must have at least {0} characters.', MIN_PASSPHRASE_LENGTH));
}

/** Encrypts `plain` under a key derived from the passphrase; the header is authenticated. */
export async function seal(plain: Buffer, passphrase: string): Promise<Uint8Array> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const header = Buffer.concat([MAGIC, Buffer.from([EXPORT_FORMAT_VERSION, COST.logN, COST.r, COST.p]), salt, nonce]);
  const key = await deriveKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Decrypts a sealed file, or says why not; nothing in it is trusted before the tag checks. */
export async function open(file: Buffer, passphrase: string): Promise<Buffer> {
  if (file.length < HEADER_BYTES + TAG_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SwitchboardError('invalid_input', l10n.t('This is not a Switchboard connections export, or it is cut short. Nothing was imported.'));
  }
  const [version, logN, r, p] = file.subarray(MAGIC.length, MAGIC.length + 4);
  if (version! > EXPORT_FORMAT_VERSION) {
    throw new SwitchboardError('invalid_input', l10n.t('The file was written by a newer Switchboard (format {0}; this one reads up to {1}). Update Switchboard, then import again. Nothing was imported.', version, EXPORT_FORMAT_VERSION));
  }
  if (version !== EXPORT_FORMAT_VERSION) throw new SwitchboardError('invalid_input', l10n.t('The file\'s header is damaged. Nothing was imported.'));
  // Refused before any key is derived: the cost is the file's word, not yet authenticated.
  if (logN !== COST.logN || r !== COST.r || p !== COST.p) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t(
        'The file asks for a key derivation cost (scrypt N=2^{0}, r={1}, p={2}) that Switchboard never writes (it writes N=2^{3}, r={4}, p={5}): it was not exported by Switchboard, or it was changed. Nothing was imported.',
        logN!,
        r!,
        p!,
        COST.logN,
        COST.r,
        COST.p,
      ),
    );
  }
  const header = file.subarray(0, HEADER_BYTES);
  const salt = header.subarray(MAGIC.length + 4, MAGIC.length + 4 + SALT_BYTES);
  const nonce = header.subarray(MAGIC.length + 4 + SALT_BYTES);
  const key = await deriveKey(passphrase, salt);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(header);
  decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(file.subarray(HEADER_BYTES, file.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // GCM cannot tell the two apart, and should not: both mean "do not trust this".
    throw new SwitchboardError('invalid_input', l10n.t('The passphrase is wrong, or the file was changed or cut after it was written. Nothing was imported.'));
  }
}

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  const N = 2 ** COST.logN;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N, r: COST.r, p: COST.p, maxmem: 256 * N * COST.r * COST.p }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
