import * as l10n from '@vscode/l10n';
import { createHmac, hash } from 'node:crypto';
import { AuditEntrySchema, type AuditEntry } from '../../contracts/agents';
import { safeJson, type Database, type Sql } from '../store/database';
import { SwitchboardError } from '../base/errors';
import { Emitter } from '../base/events';
import type { Clock, KeyValueStore, Logger } from '../base/ports';
import { HeadMirror, type AuditChainKeys, type ChainKey } from './auditAnchor';
import { readHead, writeHead } from '../store/auditHead';
import { Conditions, readPage } from '../store/paging';
import { TABLES } from '../store/storageKeys';

/** What a caller records; the log adds seq, time and the hash chain. Never a key. */
export type AuditEvent = Omit<AuditEntry, 'seq' | 'time' | 'prevHash' | 'chainKey' | 'hash'>;

/** What anchors the chain outside the database (auditAnchor.ts). */
export interface AuditAnchorDeps {
  /** The chain's HMAC keys, in SecretStorage. */
  keys: AuditChainKeys;
  /** globalState, where the head is mirrored. */
  state: KeyValueStore;
  logger: Logger;
  /** How long a new head waits before it is mirrored (default 2 s); Infinity leaves it to `flush`. */
  mirrorDelayMs?: number;
}

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry (1-based position) whose link is broken, and why. */
  broken?: { line: number; reason: string };
}

/** What a page of the log may be narrowed to; each field that is set must match. */
export interface AuditQuery {
  kind?: AuditEntry['kind'];
  connectionId?: string;
  /** The start of a run id, case-insensitive. */
  runPrefix?: string;
  /** Only the entries of these requesters; an empty list matches none. */
  requesterIds?: readonly string[];
}

/** One page of entries, newest first, and how many match in all. */
export interface AuditPage {
  entries: AuditEntry[];
  total: number;
}

/** Entries verify hashes between two turns of the event loop (a few milliseconds' work). */
const VERIFY_SLICE = 2000;

/** Rows read at a time by an export, so the log is never held twice over. */
const EXPORT_CHUNK = 1000;

const { audit } = TABLES;

/**
 * An append-only chain in the database: each entry carries the hash of the one before, so an
 * edited, removed or reordered entry breaks the chain at that point, and the head row (the
 * last entry's seq and hash, written with it) shows a removed tail. Each append is one write
 * transaction: windows sharing the database take turns and continue one chain, and an entry
 * is either wholly written or not at all.
 *
 * The chain is anchored outside the database: each hash is an HMAC under a key in SecretStorage
 * (so a chain recomputed without it does not verify), and the head is mirrored in globalState (so
 * a wiped or replaced database, or a removed tail with its head row, does not verify). Entries of
 * earlier versions keep their plain sha256 hashes; the keyed chain goes on from them.
 */
export class AuditLog {
  private readonly appended = new Emitter<void>();
  /** Fires after this window wrote an entry (the Audit tab reads its page again; other windows' entries show on Refresh). */
  readonly onDidAppend = this.appended.event;
  private readonly mirror: HeadMirror;
  /** The key new entries are hashed with, once loaded; until then, the load under way. */
  private signing: ChainKey | undefined;
  private loading: Promise<ChainKey> | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly anchor: AuditAnchorDeps,
  ) {
    this.mirror = new HeadMirror({ state: anchor.state, logger: anchor.logger, ...(anchor.mirrorDelayMs !== undefined ? { delayMs: anchor.mirrorDelayMs } : {}) });
  }

  /**
   * Appends an entry. The head is mirrored once this returns, so inside another write
   * transaction (a batch), that transaction must commit.
   */
  async append(event: AuditEvent): Promise<AuditEntry> {
    // After the first append the key is at hand: no await, so appends batched in one transaction stay in it.
    const signing = this.signing ?? (await this.signingKey());
    const entry = this.db.write((sql) => {
      const head = readHead(sql) ?? { seq: 0, hash: GENESIS_HASH };
      const body = { ...event, seq: head.seq + 1, time: this.clock.now().toISOString(), prevHash: head.hash, chainKey: signing.id };
      const entry = AuditEntrySchema.parse({ ...body, hash: keyedHash(signing.key, body) });
      // The whole entry as JSON, so fields added to AuditEntry later are kept and hashed.
      sql.run(`INSERT INTO ${audit} (body) VALUES (?)`, JSON.stringify(entry));
      writeHead(sql, entry);
      return entry;
    });
    this.mirror.advance(entry);
    this.appended.fire();
    return entry;
  }

  /** Mirrors the head now, for a clean shutdown; resolves when it is written. */
  flush(): Promise<void> {
    return this.mirror.flush();
  }

  /** Every entry, newest first; rows that do not parse are skipped (verify reports them). */
  async read(): Promise<AuditEntry[]> {
    return this.rows()
      .flatMap((row) => parseEntry(row) ?? [])
      .reverse();
  }

  /**
   * Entries newest first, `limit` from `offset`, with the total of those that match: filtered
   * in SQL on the indexed columns of migration 3, so a view never reads the whole log. A row
   * that is not a valid entry is skipped but counted, so pages stay where they are; verify
   * reports it.
   */
  page(options: { offset: number; limit: number; query?: AuditQuery }): AuditPage {
    const { offset, limit } = options;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1) {
      throw new SwitchboardError('invalid_input', l10n.t('An audit page needs a whole offset of 0 or more and a whole limit of 1 or more (got {0} and {1}).', String(offset), String(limit)));
    }
    const query = options.query ?? {};
    if (query.requesterIds?.length === 0) return { entries: [], total: 0 };
    const where = new Conditions().equal('kind', query.kind).equal('connection_id', query.connectionId);
    // GLOB, not LIKE, so SQLite narrows the run_id index to the prefix (run_id is lower case).
    if (query.runPrefix) where.add('run_id GLOB ?', `${globLiteral(query.runPrefix.toLowerCase())}*`);
    // One bound JSON array, so the statement is the same however many requesters match.
    if (query.requesterIds) where.add('requester_id IN (SELECT value FROM json_each(?))', JSON.stringify(query.requesterIds));
    const { rows, total } = readPage<{ body: string }>(this.db, { table: audit, columns: 'body', offset, limit, where });
    return { entries: rows.flatMap((row) => parseEntry(row.body) ?? []), total };
  }

  /**
   * The name each of these connections had in its newest entry that records one: a deleted
   * connection is still named by its own entries (entries written before names were recorded have none).
   */
  recordedConnectionNames(connectionIds: readonly string[]): Map<string, string> {
    if (!connectionIds.length) return new Map();
    return this.db.read((sql) => {
      // max(pos) makes SQLite take the name from each connection's newest entry that has one.
      const rows = sql.all<{ id: string; name: unknown }>(
        `SELECT connection_id AS id, json_extract(body, '$.connectionName') AS name, max(pos) FROM ${audit}
         WHERE connection_id IN (SELECT value FROM json_each(?)) AND name IS NOT NULL GROUP BY connection_id`,
        JSON.stringify(connectionIds),
      );
      return new Map(rows.flatMap((row) => (typeof row.name === 'string' ? [[row.id, row.name] as const] : [])));
    });
  }

  /** Every requester that has an entry: a handful (views, commands, a few extensions), read from the index. */
  requesterIds(): string[] {
    return this.db.read((sql) => sql.all<{ id: string }>(`SELECT DISTINCT requester_id AS id FROM ${audit} WHERE requester_id IS NOT NULL`).map((row) => row.id));
  }

  /**
   * Every valid entry as JSON lines, oldest first, as stored (so fields a newer version added
   * are kept and each line still verifies). Read in chunks of one snapshot: the text is built
   * as it goes, without a second copy of the log beside it.
   */
  exportLines(): { text: string; entries: number } {
    return this.db.read((sql) => {
      let text = '';
      let entries = 0;
      for (let after = 0; ; ) {
        const rows = sql.all<{ pos: number; body: string }>(`SELECT pos, body FROM ${audit} WHERE pos > ? ORDER BY pos LIMIT ?`, after, EXPORT_CHUNK);
        for (const row of rows) {
          if (!parseEntry(row.body)) continue;
          text += `${row.body}\n`;
          entries++;
        }
        if (rows.length < EXPORT_CHUNK) return { text, entries };
        after = rows.at(-1)!.pos;
      }
    });
  }

  async verify(): Promise<AuditVerification> {
    // This window's last head goes out first, so the mirror is as recent as it can be.
    await this.mirror.flush();
    const mirrored = this.mirror.read();
    const { rows, head } = this.db.read((sql) => ({ rows: allBodies(sql), head: readHead(sql) }));
    const keys = new Map<string, Buffer | undefined>();
    let prevHash = GENESIS_HASH;
    let seq = 0;
    let keyed = false;
    let mirroredHash: string | undefined;
    for (const [index, row] of rows.entries()) {
      // A long log is hashed a slice at a time, so the extension host (runs, chat, the other
      // views) goes on between slices instead of waiting for the whole chain.
      if (index > 0 && index % VERIFY_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const broken = (reason: string): AuditVerification => ({ ok: false, entries: rows.length, broken: { line: index + 1, reason } });
      // Only the chain's own fields are checked here, not the whole schema (read() does that):
      // verify walks every entry, and the hash already covers all the others.
      const entry = safeJson(row);
      if (!isLink(entry)) return broken('the entry is not a valid audit entry');
      if (entry.prevHash !== prevHash) return broken('it does not point to the entry before it (an entry was removed, added or reordered)');
      if (entry.seq !== seq + 1) return broken(`its sequence number is ${entry.seq}, expected ${seq + 1}`);
      // Hashed as stored, not as parsed: fields a newer version added (another window) count too.
      const { hash: stated, ...body } = entry;
      if (entry.chainKey !== undefined) {
        if (!keys.has(entry.chainKey)) keys.set(entry.chainKey, await this.anchor.keys.get(entry.chainKey));
        const key = keys.get(entry.chainKey);
        if (!key) return broken('its hash was made with an audit key that SecretStorage does not have (the key was removed, or the entry was forged)');
        if (keyedHash(key, body) !== stated) return broken('its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)');
        keyed = true;
      } else {
        // Plain hashes are those of earlier versions, before the keyed chain starts, never after.
        if (keyed) return broken('it has a plain hash after keyed entries (the chain was recomputed without the key)');
        if (plainHash(body) !== stated) return broken('its content does not match its hash (the entry was edited)');
      }
      if (entry.seq === mirrored?.seq) mirroredHash = stated;
      prevHash = stated;
      seq = entry.seq;
    }
    const end = (reason: string): AuditVerification => ({ ok: false, entries: rows.length, broken: { line: rows.length + 1, reason } });
    const headSeq = head?.seq ?? 0;
    const headHash = head?.hash ?? GENESIS_HASH;
    if (headSeq !== seq || headHash !== prevHash) {
      return end(
        headSeq > seq
          ? `the log ends at entry ${seq} but its head says ${headSeq} were written (the last ${headSeq - seq} were removed)`
          : `the head record (entry ${headSeq}) does not match the last entry (${seq}) (the head was changed or removed)`,
      );
    }
    if (mirrored && mirrored.seq > seq) {
      return end(`the log ends at entry ${seq}, but ${mirrored.seq} were written, as recorded outside the database (entries were removed with the head, or the database was wiped or replaced)`);
    }
    if (mirrored && mirroredHash !== mirrored.hash) {
      return { ok: false, entries: rows.length, broken: { line: mirrored.seq, reason: `entry ${mirrored.seq} is not the one recorded outside the database (the log was rewritten)` } };
    }
    return { ok: true, entries: rows.length };
  }

  /** The key new entries are hashed with, loaded once (a failed load is tried again at the next append: the keyring may be unlocked by then). */
  private signingKey(): Promise<ChainKey> {
    this.loading ??= this.loadSigningKey().then(
      (signing) => (this.signing = signing),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /** The key of the newest entry, so windows share one; a new one when that entry has none, or SecretStorage lost it. */
  private async loadSigningKey(): Promise<ChainKey> {
    const newest = this.db.read((sql) => sql.get<{ body: string }>(`SELECT body FROM ${audit} ORDER BY pos DESC LIMIT 1`));
    const id = (safeJson(newest?.body ?? '') as { chainKey?: unknown } | undefined)?.chainKey;
    const key = typeof id === 'string' ? await this.anchor.keys.get(id) : undefined;
    return key ? { id: id as string, key } : this.anchor.keys.create();
  }

  private rows(): string[] {
    return this.db.read(allBodies);
  }
}

/** A GLOB pattern that matches `text` itself: each of its wildcard characters in brackets. */
function globLiteral(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}

function parseEntry(body: string): AuditEntry | undefined {
  const parsed = AuditEntrySchema.safeParse(safeJson(body));
  return parsed.success ? parsed.data : undefined;
}

function allBodies(sql: Sql): string[] {
  return sql.all<{ body: string }>(`SELECT body FROM ${audit} ORDER BY pos`).map((row) => row.body);
}

function isLink(value: unknown): value is { seq: number; prevHash: string; chainKey?: string; hash: string } & Record<string, unknown> {
  const entry = value as Record<string, unknown> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    Number.isInteger(entry.seq) &&
    typeof entry.prevHash === 'string' &&
    typeof entry.hash === 'string' &&
    typeof entry.kind === 'string' &&
    typeof entry.time === 'string' &&
    (entry.chainKey === undefined || typeof entry.chainKey === 'string')
  );
}

/** The sorted order of each set of keys seen: entries share a few sets, and sorting each anew dominated verify. */
const keyOrders = new Map<string, string[]>();

/**
 * The entry's fields as JSON in a fixed (sorted, by localeCompare as 0.1.0 did, so its entries
 * still verify) order, so the hash does not depend on key order.
 */
function canonical(body: Record<string, unknown>): string {
  const keys = Object.keys(body);
  const id = keys.join('\n');
  let order = keyOrders.get(id);
  if (!order) {
    order = [...keys].sort((a, b) => a.localeCompare(b));
    keyOrders.set(id, order);
  }
  const sorted: Record<string, unknown> = {};
  for (const key of order) if (body[key] !== undefined) sorted[key] = body[key];
  return JSON.stringify(sorted);
}

/** The hash of entries written before the chain was keyed: sha256, which anyone can recompute. */
function plainHash(body: Record<string, unknown>): string {
  return hash('sha256', canonical(body));
}

/** The hash of a keyed entry: HMAC-SHA256 under the chain key it names. */
function keyedHash(key: Buffer, body: Record<string, unknown>): string {
  return createHmac('sha256', key).update(canonical(body)).digest('hex');
}
