import * as l10n from '@vscode/l10n';
import { hash } from 'node:crypto';
import { AuditEntrySchema, type AuditEntry } from '../../contracts/agents';
import { safeJson, type Database, type Sql } from '../store/database';
import { SwitchboardError } from '../base/errors';
import { Emitter } from '../base/events';
import type { Clock } from '../base/ports';
import { readHead, writeHead } from '../store/auditHead';
import { Conditions, readPage } from '../store/paging';
import { TABLES } from '../store/storageKeys';

/** What a caller records; the log adds seq, time and the hash chain. Never a key. */
export type AuditEvent = Omit<AuditEntry, 'seq' | 'time' | 'prevHash' | 'hash'>;

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
 */
export class AuditLog {
  private readonly appended = new Emitter<void>();
  /** Fires after this window wrote an entry (the Audit tab reads its page again; other windows' entries show on Refresh). */
  readonly onDidAppend = this.appended.event;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async append(event: AuditEvent): Promise<AuditEntry> {
    const written = await this.db.write((sql) => {
      const head = readHead(sql) ?? { seq: 0, hash: GENESIS_HASH };
      const body = { ...event, seq: head.seq + 1, time: this.clock.now().toISOString(), prevHash: head.hash };
      const entry = AuditEntrySchema.parse({ ...body, hash: hashOf(body) });
      // The whole entry as JSON, so fields added to AuditEntry later are kept and hashed.
      sql.run(`INSERT INTO ${audit} (body) VALUES (?)`, JSON.stringify(entry));
      writeHead(sql, entry);
      return entry;
    });
    this.appended.fire();
    return written;
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
    const { rows, head } = this.db.read((sql) => ({ rows: allBodies(sql), head: readHead(sql) }));
    let prevHash = GENESIS_HASH;
    let seq = 0;
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
      if (hashOf(body) !== stated) return broken('its content does not match its hash (the entry was edited)');
      prevHash = stated;
      seq = entry.seq;
    }
    const headSeq = head?.seq ?? 0;
    const headHash = head?.hash ?? GENESIS_HASH;
    if (headSeq !== seq || headHash !== prevHash) {
      const reason =
        headSeq > seq
          ? `the log ends at entry ${seq} but its head says ${headSeq} were written (the last ${headSeq - seq} were removed)`
          : `the head record (entry ${headSeq}) does not match the last entry (${seq}) (the head was changed or removed)`;
      return { ok: false, entries: rows.length, broken: { line: rows.length + 1, reason } };
    }
    return { ok: true, entries: rows.length };
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

function isLink(value: unknown): value is { seq: number; prevHash: string; hash: string } & Record<string, unknown> {
  const entry = value as Record<string, unknown> | null;
  return typeof entry === 'object' && entry !== null && Number.isInteger(entry.seq) && typeof entry.prevHash === 'string' && typeof entry.hash === 'string' && typeof entry.kind === 'string' && typeof entry.time === 'string';
}

/** The sorted order of each set of keys seen: entries share a few sets, and sorting each anew dominated verify. */
const keyOrders = new Map<string, string[]>();

/**
 * sha256 over the entry's fields in a fixed (sorted, by localeCompare as 0.1.0 did, so its
 * entries still verify) order, so the hash does not depend on key order.
 */
function hashOf(body: Record<string, unknown>): string {
  const keys = Object.keys(body);
  const id = keys.join('\n');
  let order = keyOrders.get(id);
  if (!order) {
    order = [...keys].sort((a, b) => a.localeCompare(b));
    keyOrders.set(id, order);
  }
  const sorted: Record<string, unknown> = {};
  for (const key of order) if (body[key] !== undefined) sorted[key] = body[key];
  return hash('sha256', JSON.stringify(sorted));
}
