import { hash } from 'node:crypto';
import { AuditEntrySchema, type AuditEntry } from '../contracts/agents';
import { safeJson, type Database, type Sql } from './database';
import type { Clock } from './ports';
import { TABLES } from './storageKeys';

/** What a caller records; the log adds seq, time and the hash chain. Never a key. */
export type AuditEvent = Omit<AuditEntry, 'seq' | 'time' | 'prevHash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry (1-based position) whose link is broken, and why. */
  broken?: { line: number; reason: string };
}

/** The last entry's link, kept in its own row so that removing the last entries is detected. */
interface Head {
  seq: number;
  hash: string;
}

const { audit, auditHead } = TABLES;

/**
 * An append-only chain in the database: each entry carries the hash of the one before, so an
 * edited, removed or reordered entry breaks the chain at that point, and the head row (the
 * last entry's seq and hash, written with it) shows a removed tail. Each append is one write
 * transaction: windows sharing the database take turns and continue one chain, and an entry
 * is either wholly written or not at all.
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async append(event: AuditEvent): Promise<AuditEntry> {
    return this.db.write((sql) => {
      const head = readHead(sql) ?? { seq: 0, hash: GENESIS_HASH };
      const body = { ...event, seq: head.seq + 1, time: this.clock.now().toISOString(), prevHash: head.hash };
      const entry = AuditEntrySchema.parse({ ...body, hash: hashOf(body) });
      // The whole entry as JSON, so fields added to AuditEntry later are kept and hashed.
      sql.run(`INSERT INTO ${audit} (body) VALUES (?)`, JSON.stringify(entry));
      writeHead(sql, entry);
      return entry;
    });
  }

  /** Every entry, newest first; rows that do not parse are skipped (verify reports them). */
  async read(): Promise<AuditEntry[]> {
    return this.rows()
      .flatMap((row) => {
        const parsed = AuditEntrySchema.safeParse(safeJson(row));
        return parsed.success ? [parsed.data] : [];
      })
      .reverse();
  }

  async verify(): Promise<AuditVerification> {
    const { rows, head } = this.db.read((sql) => ({ rows: allBodies(sql), head: readHead(sql) }));
    let prevHash = GENESIS_HASH;
    let seq = 0;
    for (const [index, row] of rows.entries()) {
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

function allBodies(sql: Sql): string[] {
  return sql.all<{ body: string }>(`SELECT body FROM ${audit} ORDER BY pos`).map((row) => row.body);
}

function readHead(sql: Sql): Head | undefined {
  return sql.get<Head>(`SELECT seq, hash FROM ${auditHead} WHERE id = 1`);
}

export function writeHead(sql: Sql, head: Head): void {
  sql.run(`INSERT INTO ${auditHead} (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, head.seq, head.hash);
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
