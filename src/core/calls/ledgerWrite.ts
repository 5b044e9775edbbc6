import type { SQLInputValue } from 'node:sqlite';
import type { Sql } from '../store/database';
import { TABLES } from '../store/storageKeys';

// What recording one call writes to the usage ledger, as one function of plain values: the
// extension host runs it in its own transaction when the ledger has no writer thread, and the
// ledger's writer thread (ledgerWriterWorker.ts, bundled as dist/ledgerWriter.js) runs the same
// on its own connection. Everything a write needs is worked out by the host before it is sent
// (the call's time, cost, day and periods), so both give the same rows. No l10n, no logger:
// the worker bundles this alone.

const { usage: USAGE, usageTotals: TOTALS, usageDays: DAYS, usageWriters: WRITERS, budgets: BUDGETS, tableVersions: VERSIONS } = TABLES;

/** A budget that matches the call, to be marked warned when the call takes it past its threshold. */
export interface WarningCheck {
  budgetId: string;
  /** Its scope's running total: `totalKey` of the scope and period. */
  total: string;
  /** Its limit in its unit: nano-dollars for `usd`, else tokens. */
  unit: 'usd' | 'tokens';
  limit: number;
  warnAtPercent: number;
  /** The first day of its current period (YYYY-MM-DD), which it is marked warned for. */
  periodStart: string;
}

/** One recorded call, ready to write. */
export interface LedgerWrite {
  /** The ledger (one per window) that sent it, and its number there: 1, 2, … in the order sent. */
  writerId: string;
  seq: number;
  /** The call's time (ms), which also dates the writer's row. */
  time: number;
  /** The call's row, in the order of `CALL_COLUMNS`. */
  call: SQLInputValue[];
  /** Per scope and period: kind, id, period, its start, tokens, cost (nano). */
  totals: [string, string, 'day' | 'month', string, number, number][];
  /** The daily sums: the offset from UTC they are counted in, the local day's number, and per dimension its key. */
  days: { offset: number; day: number; keys: [string, string][]; sums: number[] };
  warnings: readonly WarningCheck[];
}

/** A running total as it stands after the write. */
export interface MovedTotal {
  kind: string;
  id: string;
  period: 'day' | 'month';
  start: string;
  calls: number;
  tokens: number;
  costNano: number;
}

/** What a write did: the totals it moved and their version after it, and the budgets it marked warned with what they had used. */
export interface LedgerWritten {
  seq: number;
  moved: MovedTotal[];
  version: number;
  warned: { budgetId: string; used: number }[];
}

export const CALL_COLUMNS = [
  'id',
  'time',
  'run_id',
  'chat_id',
  'agent_id',
  'requester_id',
  'connection_id',
  'provider_id',
  'model_ref',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'estimated',
  'cost_nano',
  'price_source',
  'price_date',
] as const;

export const TOTAL_COLUMNS = 'scope_kind AS kind, scope_id AS id, period_kind AS period, period_start AS start, calls, tokens, cost_nano AS costNano';

/** A writer's row is kept this long after its last write, then removed by the next writer that starts. */
const WRITER_ROW_KEEP_MS = 7 * 86_400_000;

/**
 * Writes one call: its row, its running totals (returned as they now stand, with their version),
 * its daily sums, the writer's seq (so a reader knows which of a window's writes the file holds), and the
 * warnings it claims. Inside the caller's transaction.
 */
export function writeLedger(sql: Sql, write: LedgerWrite): LedgerWritten {
  sql.run(`INSERT INTO ${USAGE} (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`, ...write.call);
  // Every scope's day and month in one statement (prepared once per number of scopes), which
  // returns them as they now stand: the warnings need no read of their own.
  const moved = sql
    .all<MovedTotal>(
      `INSERT INTO ${TOTALS} (scope_kind, scope_id, period_kind, period_start, calls, tokens, cost_nano) VALUES ${Array(write.totals.length).fill('(?, ?, ?, ?, 1, ?, ?)').join(', ')}
       ON CONFLICT DO UPDATE SET calls = calls + 1, tokens = tokens + excluded.tokens, cost_nano = cost_nano + excluded.cost_nano
       RETURNING ${TOTAL_COLUMNS}`,
      ...write.totals.flat(),
    )
    .map((row) => ({ ...row, calls: Number(row.calls), tokens: Number(row.tokens), costNano: Number(row.costNano) }));
  const { days } = write;
  sql.run(
    `INSERT INTO ${DAYS} (offset_minutes, dimension, day, key, calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nano, estimated_calls, unpriced_calls)
     VALUES ${Array(days.keys.length).fill('(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT DO UPDATE SET calls = calls + 1, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
       cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
       reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_nano = cost_nano + excluded.cost_nano,
       estimated_calls = estimated_calls + excluded.estimated_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls`,
    ...days.keys.flatMap(([dimension, key]) => [days.offset, dimension, days.day, key, ...days.sums]),
  );
  const version = Number(sql.get<{ version: number }>(`UPDATE ${VERSIONS} SET version = version + 1 WHERE name = '${TOTALS}' RETURNING version`)?.version);
  if (write.seq === 1) sql.run(`DELETE FROM ${WRITERS} WHERE time < ?`, write.time - WRITER_ROW_KEEP_MS);
  sql.run(`INSERT INTO ${WRITERS} (writer_id, seq, time) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET seq = max(seq, excluded.seq), time = excluded.time`, write.writerId, write.seq, write.time);
  const warned: LedgerWritten['warned'] = [];
  for (const check of write.warnings) {
    const total = moved.find((row) => totalKeyOf(row) === check.total);
    if (!total) continue;
    const used = check.unit === 'usd' ? total.costNano : total.tokens;
    if (used * 100 < check.limit * check.warnAtPercent) continue;
    // Once per budget and period, across windows: the row whose mark this write changes wins.
    const claimed = sql.run(`UPDATE ${BUDGETS} SET warned_period = ? WHERE id = ? AND warned_period IS NOT ?`, check.periodStart, check.budgetId, check.periodStart);
    if (Number(claimed.changes) > 0) warned.push({ budgetId: check.budgetId, used });
  }
  return { seq: write.seq, moved, version, warned };
}

/** The key of a scope's period among the running totals. */
export function totalKey(scope: { kind: string; id: string }, period: 'day' | 'month'): string {
  return `${scope.kind}\u0000${scope.id}\u0000${period}`;
}

function totalKeyOf(row: MovedTotal): string {
  return totalKey(row, row.period);
}

// ---- The writer thread and the host: what they send each other ----

/** The frames of the write-ahead log not yet copied into the database at which the writer thread copies them, before its next write (SQLite's automatic checkpoint, which the host's connection keeps, is at 1,000). */
export const CHECKPOINT_AFTER_FRAMES = 500;

/** What the writer thread starts with. */
export interface LedgerWriterData {
  /** The database file; the host has opened it (and brought its schema up to date) first. */
  file: string;
  /** How long SQLite itself waits for another connection's lock (the host's busy timeout), blocking the writer thread. */
  busyTimeoutMs: number;
  /** How long a write waits in all for another window's lock, trying again from timers, before it fails. */
  lockWaitMs: number;
  /** The host connection's write gate (writeGate.ts), taken around each write. */
  gate: Int32Array;
}

/** From the host: the calls to write, in the order recorded. */
export type LedgerWriterMessage = LedgerWrite[];

/** From the writer thread: each write's outcome, in the order sent. */
export type LedgerWriterReply = { seq: number; written: LedgerWritten } | { seq: number; error: string };
