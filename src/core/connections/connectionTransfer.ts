import * as l10n from '@vscode/l10n';
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import * as z from 'zod';
import { ConnectionInputSchema, hasCredentials, originOf, type Connection } from '../../contracts/connections';
import { describeIssues } from '../../contracts/issues';
import { trimTrailingSlash, type ConnectionService } from './connectionService';
import { SwitchboardError } from '../base/errors';
import { boundOrigin } from '../keys/boundOrigin';
import type { KeyPath, Requester } from '../keys/keyPath';
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
/** 2^15 × 8 × 128 bytes = 32 MiB and about a tenth of a second: OWASP's scrypt floor. */
const COST = { logN: 15, r: 8, p: 1 };
/** A file may ask for more work, but not for so much that opening it exhausts memory. */
const MAX_LOG_N = 20;
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
 * connection refuse it whole.
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

  /** Decrypts and checks the whole file; throws `invalid_input` saying why it cannot be imported. */
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
    return parsed.data;
  }

  /** What importing `file` would add, and change (a connection of the same name). */
  plan(file: ExportFile): ImportPlan {
    const plan: ImportPlan = { add: [], change: [] };
    // One read of the connections for the whole file (each read validates every record); the first of a name wins, as a search would find it.
    const byName = new Map<string, Connection>();
    for (const connection of this.deps.connections.list()) {
      const name = connection.name.toLocaleLowerCase();
      if (!byName.has(name)) byName.set(name, connection);
    }
    for (const incoming of file.connections) {
      const existing = byName.get(incoming.name.toLocaleLowerCase());
      if (!existing) {
        plan.add.push(incoming);
        continue;
      }
      const differences = [
        existing.providerId !== incoming.providerId && 'provider',
        incoming.baseUrl !== undefined && existing.baseUrl !== trimTrailingSlash(incoming.baseUrl) && 'address',
        JSON.stringify(existing.options) !== JSON.stringify(incoming.options) && 'options',
        (existing.defaultModel ?? '') !== (incoming.defaultModel ?? '') && 'default model',
        incoming.apiKey !== undefined && 'key',
        incoming.credentialHeaders !== undefined && 'credential headers',
      ].filter((d): d is string => !!d);
      if (differences.length) plan.change.push({ existing, incoming, differences });
    }
    return plan;
  }

  /**
   * Applies the plan the person saw: adds the new connections, and changes existing ones only
   * when `replaceExisting` (a connection of another provider is never changed into this one).
   */
  async apply(plan: ImportPlan, options: { replaceExisting: boolean; requesterId?: string }): Promise<{ added: number; changed: number }> {
    const { connections } = this.deps;
    let added = 0;
    let changed = 0;
    for (const incoming of plan.add) {
      const { apiKey, credentialHeaders, ...input } = incoming;
      const created = await connections.create(input, options.requesterId);
      await this.storeCredentials(created.id, apiKey, credentialHeaders);
      added++;
    }
    if (!options.replaceExisting) return { added, changed };
    for (const { existing, incoming } of plan.change) {
      if (existing.providerId !== incoming.providerId) continue;
      const { apiKey, credentialHeaders, providerId: _p, name: _n, ...patch } = incoming;
      // A key entered for the old address does not follow it to a new one on its own.
      const moves = patch.baseUrl !== undefined && hasCredentials(existing) && originOf(patch.baseUrl) !== boundOrigin(existing);
      await connections.update(existing.id, patch, moves ? { origin: originOf(patch.baseUrl!), action: 'remove' } : undefined, options.requesterId);
      await this.storeCredentials(existing.id, apiKey, credentialHeaders);
      changed++;
    }
    return { added, changed };
  }

  private async storeCredentials(id: string, apiKey: string | undefined, headers: Record<string, string> | undefined): Promise<void> {
    // A file's key for plain http to another machine stays unusable until the person allows it (Set API Key asks).
    if (apiKey) await this.deps.connections.setKey(id, apiKey);
    for (const [name, value] of Object.entries(headers ?? {})) await this.deps.connections.setCredentialHeader(id, name, value);
  }
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new SwitchboardError('invalid_input', l10n.t('The passphrase must have at least {0} characters.', MIN_PASSPHRASE_LENGTH));
}

/** Encrypts `plain` under a key derived from the passphrase; the header is authenticated. */
export async function seal(plain: Buffer, passphrase: string): Promise<Uint8Array> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const header = Buffer.concat([MAGIC, Buffer.from([EXPORT_FORMAT_VERSION, COST.logN, COST.r, COST.p]), salt, nonce]);
  const key = await deriveKey(passphrase, salt, COST);
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
  if (version !== EXPORT_FORMAT_VERSION || logN! < COST.logN || logN! > MAX_LOG_N || r! < 1 || r! > 32 || p! < 1 || p! > 4) {
    throw new SwitchboardError('invalid_input', l10n.t('The file\'s header is damaged. Nothing was imported.'));
  }
  const header = file.subarray(0, HEADER_BYTES);
  const salt = header.subarray(MAGIC.length + 4, MAGIC.length + 4 + SALT_BYTES);
  const nonce = header.subarray(MAGIC.length + 4 + SALT_BYTES);
  const key = await deriveKey(passphrase, salt, { logN: logN!, r: r!, p: p! });
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

function deriveKey(passphrase: string, salt: Buffer, cost: { logN: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** cost.logN;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r * cost.p }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
