import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Usage } from '../../contracts/models';
import {
  MAX_USAGE_BUCKETS,
  MAX_USAGE_GROUPS,
  type PriceSource,
  type UsageDimension,
  type UsageFilter,
  type UsageGroup,
  type UsageRecord,
  type UsageReport,
  type UsageReportRequest,
  type UsageTotals,
} from '../../contracts/usage';
import { SwitchboardError, errorText } from '../base/errors';
import { Emitter } from '../base/events';
import { systemClock, systemTimers, type Clock, type Disposable, type Logger, type Timer, type Timers } from '../base/ports';
import type { Database, Sql } from '../store/database';
import { Conditions } from '../store/paging';
import { TABLES } from '../store/storageKeys';
import { costNano, type Price } from '../models/pricing';
import { totalKey, TOTAL_COLUMNS, writeLedger, type LedgerWrite, type LedgerWriterData, type LedgerWriterReply, type LedgerWritten, type MovedTotal, type WarningCheck } from './ledgerWrite';

export { totalKey, type WarningCheck } from './ledgerWrite';

const { usage: USAGE, usageTotals: TOTALS, usageDays: DAYS, usageWriters: WRITERS, tableVersions: TABLE_VERSIONS } = TABLES;
const DAY_MS = 86_400_000;
/** The Usage tab and the status bar hear of recorded calls at most once in this long. */
export const RECORDED_NOTICE_MS = 1_000;
/** How often a watch (`watchElsewhere`) looks for another window's commits and a new day. */
export const ELSEWHERE_CHECK_MS = 15_000;

/** What the ledger keeps running totals for: every call counts in its connection's, its agent's, its requester's, and `all`. */
export type ScopeKind = 'connection' | 'agent' | 'requester' | 'all';
export type BudgetPeriod = 'day' | 'month';

/** One model call as the caller knows it once it has returned (or failed after part of an answer). */
export interface CallFacts {
  runId?: string;
  chatId?: string;
  agentId?: string;
  requesterId: string;
  connectionId: string;
  providerId: string;
  modelRef: string;
  usage: Usage;
  price: Price;
}

/** A running total of one scope in one period. */
export interface RunningTotal {
  calls: number;
  tokens: number;
  costNano: number;
}

export interface UsageLedgerDeps {
  db: Database;
  clock?: Clock;
  /**
   * Minutes east of UTC of the person's time zone at an instant, so a budget's day and month
   * start at their midnight; the machine's zone unless given (tests fix it).
   */
  utcOffsetMinutes?(timeMs: number): number;
  /** The timers that space out `onDidRecord`; the system's unless given (tests fire them). */
  timers?: Timers;
  /**
   * The writer thread's script (dist/ledgerWriter.js): calls are then written on a connection of
   * its own, off this thread. Without it (tests of the ledger alone), or once the thread has
   * failed, they are written on this thread.
   */
  writerWorker?: string;
  /** Where a writer thread's failure is told. */
  logger?: Logger;
}

const MAX_KNOWN_TOTALS = 1_000;
/** The kinds of the rows the totals' read adds: this window's last call in the file, and the totals' version. */
const WRITER_ROW = 'writer';
const VERSION_ROW = 'version';

/** The writer thread, the calls it has not answered yet, and those not yet posted to it. */
interface LedgerWriterThread {
  worker: Worker;
  waiting: Map<number, { write: LedgerWrite; resolve(written: LedgerWritten): void; reject(error: unknown): void }>;
  batch: LedgerWrite[];
}


function totalOf(row: RunningTotal): RunningTotal {
  return { calls: Number(row.calls), tokens: Number(row.tokens), costNano: Number(row.costNano) };
}

function knownKey(scope: { kind: string; id: string }, period: BudgetPeriod, start: string): string {
  return `${totalKey(scope, period)}\u0000${start}`;
}

/** The first day of `period` holding the local day `day` (YYYY-MM-DD). */
function periodStartOf(day: string, period: BudgetPeriod): string {
  return period === 'day' ? day : `${day.slice(0, 8)}01`;
}

const EMPTY_TOTALS: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNano: 0, estimatedCalls: 0, unpricedCalls: 0 };

/** The sums a report's query reads per row, in the order of UsageTotals. */
const SUMS = `count(*) AS calls, sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
  coalesce(sum(cache_read_tokens), 0) AS cacheReadTokens, coalesce(sum(cache_write_tokens), 0) AS cacheWriteTokens,
  coalesce(sum(reasoning_tokens), 0) AS reasoningTokens, coalesce(sum(cost_nano), 0) AS costNano,
  sum(estimated) AS estimatedCalls, sum(cost_nano IS NULL) AS unpricedCalls`;

const GROUP_COLUMNS: Record<UsageDimension, string> = {
  connection: 'connection_id',
  model: 'model_ref',
  agent: "coalesce(agent_id, '')",
  requester: 'requester_id',
};

/** A ledger row as stored. */
interface LedgerRow {
  id: string;
  time: number;
  run_id: string | null;
  chat_id: string | null;
  agent_id: string | null;
  requester_id: string;
  connection_id: string;
  provider_id: string;
  model_ref: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  estimated: number;
  cost_nano: number | null;
  price_source: string;
  price_date: string | null;
}

/**
 * The usage ledger: one row per model call that reached a provider, priced at the call's time,
 * with running totals per scope (connection, agent, requester, all) and period (the person's
 * day and month) kept in the same write transaction, so a budget check reads one row.
 * Every window writes the same SQLite file, so totals are shared at once.
 */
export class UsageLedger implements Disposable {
  private readonly recorded = new Emitter<void>();
  /**
   * Fires after calls are recorded (by this window): at once for the first, then at most once a
   * RECORDED_NOTICE_MS for those that follow, so a busy agent does not make the Usage tab read
   * its report again for every call.
   */
  readonly onDidRecord = this.recorded.event;
  private readonly clock: Clock;
  /**
   * The running totals this window last read or moved, by scope, period and its start: current
   * while the totals' version in the file is still `knownAt` (each call's write moves it by one).
   */
  private readonly known = new Map<string, RunningTotal>();
  private knownAt: number | undefined;
  private spacing: Timer | undefined;
  private readonly watchers = new Set<{ listener: () => void }>();
  private watchTimer: Timer | undefined;
  private watchedVersion: number | undefined;
  private watchedDay: string | undefined;
  private recordedMeanwhile = false;
  /** Names this window's writes in the file (its row in usage_writers). */
  private readonly writerId = randomUUID();
  /** How many calls this window has recorded: the seq of the last. */
  private sent = 0;
  /** What each recorded call not yet known to be in the file adds to the running totals, by seq. */
  private readonly pending = new Map<number, Map<string, RunningTotal>>();
  /** The writes not yet settled, by seq. */
  private readonly unsettled = new Map<number, Promise<unknown>>();
  private writer: LedgerWriterThread | undefined;
  private writerFailed = false;
  private disposed = false;
  private lastDay: { dayNumber: number; day: string; month: string } | undefined;

  constructor(private readonly deps: UsageLedgerDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** The person's offset from UTC at `timeMs`, in minutes. */
  offsetAt(timeMs: number): number {
    return this.deps.utcOffsetMinutes ? this.deps.utcOffsetMinutes(timeMs) : -new Date(timeMs).getTimezoneOffset();
  }

  /** The person's local day holding an instant: its number since 1970-01-01, its date and its month's first date (both YYYY-MM-DD). */
  private localDate(timeMs: number): { offset: number; dayNumber: number; day: string; month: string } {
    const offset = this.offsetAt(timeMs);
    const dayNumber = Math.floor((timeMs + offset * 60_000) / DAY_MS);
    // The dates of the last day asked for, kept: every call and check of the day asks for them.
    let dates = this.lastDay;
    if (dates?.dayNumber !== dayNumber) {
      const day = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
      this.lastDay = dates = { dayNumber, day, month: periodStartOf(day, 'month') };
    }
    return { offset, ...dates };
  }

  /** The first day (YYYY-MM-DD) of the person's current day or month. */
  periodStart(period: BudgetPeriod, timeMs = this.clock.now().getTime()): string {
    const dates = this.localDate(timeMs);
    return period === 'day' ? dates.day : dates.month;
  }

  /** The start (YYYY-MM-DD) of the person's current day or month, and when it ends. */
  period(period: BudgetPeriod, timeMs = this.clock.now().getTime()): { start: string; endsAt: Date } {
    const start = this.periodStart(period, timeMs);
    const [year, month, day] = start.split('-').map(Number) as [number, number, number];
    const next = period === 'day' ? Date.UTC(year, month - 1, day + 1) : Date.UTC(year, month, 1);
    return { start, endsAt: new Date(next - this.offsetAt(next) * 60_000) };
  }

  /**
   * Records a call: its row, its running totals and daily sums, and the budgets of `warnings` it
   * takes past their threshold, marked warned (in one transaction). Counts in `currentTotals` at
   * once; written by the writer thread when there is one, else here. Resolves once written, with
   * the stored record and the budgets this write marked warned.
   */
  record(call: CallFacts, warnings: readonly WarningCheck[] = []): Promise<{ record: UsageRecord; warned: LedgerWritten['warned'] }> {
    const time = this.clock.now().getTime();
    const cost = costNano(call.usage, call.price);
    const id = randomUUID();
    const { usage } = call;
    const tokens = usage.inputTokens + usage.outputTokens;
    const { offset, dayNumber, day, month } = this.localDate(time);
    const scopes: [ScopeKind, string][] = [['all', ''], ['connection', call.connectionId], ['requester', call.requesterId], ...(call.agentId ? [['agent', call.agentId] as [ScopeKind, string]] : [])];
    const totals = scopes.flatMap(([kind, scopeId]): LedgerWrite['totals'] => [
      [kind, scopeId, 'day', day, tokens, cost ?? 0],
      [kind, scopeId, 'month', month, tokens, cost ?? 0],
    ]);
    const write: LedgerWrite = {
      writerId: this.writerId,
      seq: ++this.sent,
      time,
      // In the order of CALL_COLUMNS.
      call: [
        ...[id, time, call.runId ?? null, call.chatId ?? null, call.agentId ?? null, call.requesterId, call.connectionId, call.providerId, call.modelRef],
        ...[usage.inputTokens, usage.outputTokens, usage.cacheReadTokens ?? null, usage.cacheWriteTokens ?? null, usage.reasoningTokens ?? null],
        ...[usage.estimated === true ? 1 : 0, cost ?? null, call.price.source, call.price.date ?? null],
      ],
      totals,
      days: {
        offset,
        day: dayNumber,
        // The day's sums per dimension, for the unfiltered report.
        keys: [['connection', call.connectionId], ['model', call.modelRef], ['agent', call.agentId ?? ''], ['requester', call.requesterId]],
        sums: [usage.inputTokens, usage.outputTokens, usage.cacheReadTokens ?? 0, usage.cacheWriteTokens ?? 0, usage.reasoningTokens ?? 0, cost ?? 0, usage.estimated ? 1 : 0, cost === undefined ? 1 : 0],
      },
      warnings,
    };
    // Counted by budget checks from now until a read finds it in the file.
    this.pending.set(write.seq, new Map(totals.map(([kind, id, period, start]) => [knownKey({ kind, id }, period, start), { calls: 1, tokens, costNano: cost ?? 0 }])));
    const written = this.send(write).then(
      (done) => {
        this.settled(write.seq);
        // The write that followed what this window knows, and no other: what it moved is now known.
        if (this.knownAt !== undefined && done.version === this.knownAt + 1) {
          for (const row of done.moved) this.known.set(knownKey(row, row.period, row.start), totalOf(row));
          this.knownAt = done.version;
        }
        this.tell();
        // The record as stored, made here rather than on the call's path.
        return { record: toRecord(call, id, time, cost), warned: done.warned };
      },
      (error: unknown) => {
        this.settled(write.seq);
        throw error;
      },
    );
    this.unsettled.set(write.seq, written);
    return written;
  }

  /** A write has ended: its call counts no longer as not yet written (if written, the totals have it). */
  private settled(seq: number): void {
    this.pending.delete(seq);
    this.unsettled.delete(seq);
  }

  /** Where this window's calls are written: by the writer thread while it runs, else on the host's thread. */
  get writtenBy(): 'writer thread' | 'host thread' {
    return this.writer ? 'writer thread' : 'host thread';
  }

  /** Resolves once every call recorded so far is written (or has failed to be); not those recorded meanwhile. */
  async flushed(): Promise<void> {
    if (this.unsettled.size) await Promise.allSettled(this.unsettled.values());
  }

  /** Writes the remaining calls, then ends the writer thread. */
  async close(): Promise<void> {
    while (this.unsettled.size) await this.flushed();
    const writer = this.writer;
    this.writer = undefined;
    this.writerFailed = true;
    await writer?.worker.terminate();
  }

  private send(write: LedgerWrite): Promise<LedgerWritten> {
    const writer = this.writerWorker();
    if (!writer) return this.writeHere(write);
    return new Promise<LedgerWritten>((resolve, reject) => {
      writer.waiting.set(write.seq, { write, resolve, reject });
      // The calls recorded in one turn of the event loop go to the writer in one message, after
      // the turn: posting wakes the thread and copies the message, the larger part of the hand-over.
      if (writer.batch.push(write) === 1) setImmediate(() => this.post(writer));
    });
  }

  private post(writer: LedgerWriterThread): void {
    // A writer that stopped meanwhile has none left: writerStopped wrote them here.
    if (!writer.batch.length) return;
    writer.worker.postMessage(writer.batch);
    writer.batch = [];
  }

  /** Writes on this thread's connection. */
  private writeHere(write: LedgerWrite): Promise<LedgerWritten> {
    return this.deps.db.write((sql) => writeLedger(sql, write));
  }

  /** The writer thread, started at the first call; undefined when there is none. */
  private writerWorker(): LedgerWriterThread | undefined {
    if (this.writer || this.writerFailed || !this.deps.writerWorker) return this.writer;
    try {
      // The schema is brought up to date by this thread's first open, before the writer's.
      this.deps.db.dataVersion();
      const data: LedgerWriterData = { file: this.deps.db.file, busyTimeoutMs: this.deps.db.busyTimeoutMs, lockWaitMs: this.deps.db.lockWaitMs, gate: this.deps.db.writeGate };
      const worker = new Worker(this.deps.writerWorker, { workerData: data, execArgv: [] });
      // Never what keeps a process alive: close() writes what is left.
      worker.unref();
      const writer: LedgerWriterThread = { worker, waiting: new Map(), batch: [] };
      worker.on('message', (replies: LedgerWriterReply[]) => {
        for (const reply of replies) {
          const waiting = writer.waiting.get(reply.seq);
          writer.waiting.delete(reply.seq);
          if ('error' in reply) waiting?.reject(new SwitchboardError('storage_unavailable', reply.error));
          else waiting?.resolve(reply.written);
        }
      });
      worker.on('error', (error) => this.writerStopped(writer, error));
      worker.on('exit', (code) => this.writerStopped(writer, new Error(`the thread ended (code ${code})`)));
      this.writer = writer;
    } catch (error) {
      this.writerFailed = true;
      this.deps.logger?.warn(`The usage ledger writes on the extension host's thread: its writer thread could not start (${errorText(error)}).`);
    }
    return this.writer;
  }

  /**
   * The writer thread failed or ended: from now on calls are written here. Its unanswered calls
   * that the file holds (up to the writer's seq there) were written; the rest are written here.
   */
  private writerStopped(writer: LedgerWriterThread, reason: unknown): void {
    if (this.writer !== writer) return;
    this.writer = undefined;
    this.writerFailed = true;
    this.deps.logger?.warn(`The usage ledger's writer thread stopped (${errorText(reason)}); calls are now written on the extension host's thread.`);
    let applied = 0;
    try {
      applied = this.appliedSeq();
    } catch {
      /* not readable now: every unanswered call is written again below */
    }
    for (const [seq, { write, resolve, reject }] of [...writer.waiting].sort(([a], [b]) => a - b)) {
      if (seq <= applied) resolve({ seq, moved: [], version: Number.NaN, warned: [] });
      else this.writeHere(write).then(resolve, reject);
    }
    writer.waiting.clear();
    writer.batch = [];
  }

  /** The last of this window's calls the file holds. */
  private appliedSeq(): number {
    return Number(this.deps.db.readStatement((sql) => sql.get<{ seq: number }>(`SELECT seq FROM ${WRITERS} WHERE writer_id = ?`, this.writerId))?.seq ?? 0);
  }

  /**
   * The running totals of scopes in their current periods, in the order asked (0 for a scope with
   * no calls), this window's calls not yet written included: from what this window keeps while
   * the totals' version in the file is the one it was kept at (one point read), else read in one
   * statement (consistent by itself, so no transaction).
   */
  currentTotals(asked: readonly { scope: { kind: ScopeKind; id: string }; period: BudgetPeriod }[]): RunningTotal[] {
    const version = this.deps.db.readStatement((sql) => sql.get<{ version: number }>(`SELECT version FROM ${TABLE_VERSIONS} WHERE name = '${TOTALS}'`))?.version;
    // A new period adds keys: a long session starts over now and then rather than grow.
    if (version !== this.knownAt || this.known.size > MAX_KNOWN_TOTALS) {
      this.known.clear();
      this.knownAt = undefined;
    }
    // Each period's start once, however many budgets ask for it.
    const starts = new Map<BudgetPeriod, string>();
    const startOf = (period: BudgetPeriod) => starts.get(period) ?? starts.set(period, this.periodStart(period)).get(period)!;
    const keys = asked.map(({ scope, period }) => knownKey(scope, period, startOf(period)));
    const missing = asked.filter((_, index) => !this.known.has(keys[index]!));
    if (missing.length) {
      // With, in the same statement, the totals' version and this window's last call in the file:
      // the calls up to it are in the totals read, so they no longer count as not yet written.
      const rows = this.deps.db.readStatement((sql) =>
        sql.all<MovedTotal>(
          `SELECT ${TOTAL_COLUMNS} FROM ${TOTALS} WHERE (period_start, period_kind, scope_kind, scope_id) IN (VALUES ${Array(missing.length).fill('(?, ?, ?, ?)').join(', ')})
           UNION ALL SELECT '${WRITER_ROW}', '', '', '', seq, 0, 0 FROM ${WRITERS} WHERE writer_id = ?
           UNION ALL SELECT '${VERSION_ROW}', '', '', '', version, 0, 0 FROM ${TABLE_VERSIONS} WHERE name = '${TOTALS}'`,
          ...missing.flatMap(({ scope, period }) => [startOf(period), period, scope.kind, scope.id]),
          this.writerId,
        ),
      );
      for (const { scope, period } of missing) this.known.set(knownKey(scope, period, startOf(period)), { calls: 0, tokens: 0, costNano: 0 });
      let readAt: number | undefined;
      for (const row of rows) {
        if (row.kind === WRITER_ROW) this.forgetWritten(Number(row.calls));
        else if (row.kind === VERSION_ROW) readAt = Number(row.calls);
        else this.known.set(knownKey(row, row.period, row.start), totalOf(row));
      }
      // A write between the point read and this read: the totals kept from before are of the
      // version before it, so all are read again, together.
      if (readAt !== version && missing.length < asked.length) {
        this.known.clear();
        this.knownAt = undefined;
        return this.currentTotals(asked);
      }
      this.knownAt = readAt;
    }
    return keys.map((key) => {
      const total = { ...this.known.get(key)! };
      for (const contributions of this.pending.values()) {
        const more = contributions.get(key);
        if (!more) continue;
        total.calls += more.calls;
        total.tokens += more.tokens;
        total.costNano += more.costNano;
      }
      return total;
    });
  }

  /** This window's calls up to `seq` are in what was read: they no longer count as not yet written. */
  private forgetWritten(seq: number): void {
    for (const written of this.pending.keys()) if (written <= seq) this.pending.delete(written);
  }

  /** The running total of a scope in a period as the file holds it (0 when it has no calls). */
  total(scope: { kind: ScopeKind; id: string }, period: BudgetPeriod, start: string): RunningTotal {
    const row = this.deps.db.readStatement((sql) =>
      sql.get<RunningTotal>(`SELECT calls, tokens, cost_nano AS costNano FROM ${TOTALS} WHERE scope_kind = ? AND scope_id = ? AND period_kind = ? AND period_start = ?`, scope.kind, scope.id, period, start),
    );
    return row ? { calls: Number(row.calls), tokens: Number(row.tokens), costNano: Number(row.costNano) } : { calls: 0, tokens: 0, costNano: 0 };
  }

  /** Today's calls, tokens and cost, across everything (the status bar). */
  today(): RunningTotal {
    return this.total({ kind: 'all', id: '' }, 'day', this.periodStart('day'));
  }

  /**
   * A report: per period and group, the sums, grouped in SQL. The largest MAX_USAGE_GROUPS groups
   * by cost, then tokens, are kept; the rest are summed as `other`. `label` names a group's key.
   */
  report(request: UsageReportRequest, label: (dimension: UsageDimension, key: string) => string): UsageReport {
    const range = rangeOf(request);
    const periods = periodsOf(request);
    const where = conditionsOf(request.filter, range);
    // Grouped by the person's day as a whole number (integer arithmetic per row, no date
    // functions): at most MAX_USAGE_BUCKETS days per group come back, folded into weeks or months
    // here. The offset is cast: node:sqlite binds a number as a REAL, and a REAL division would
    // put every call in a group of its own.
    const offsetMs = request.utcOffsetMinutes * 60_000;
    const rows = this.deps.db.read(
      (sql) =>
        this.fromDays(sql, request, range) ??
        sql.all<UsageTotals & { day: number; grp: string }>(`SELECT (time + CAST(? AS INTEGER)) / ${DAY_MS} AS day, ${GROUP_COLUMNS[request.groupBy]} AS grp, ${SUMS} FROM ${USAGE}${where.clause} GROUP BY day, grp`, offsetMs, ...where.args),
    );
    const periodOfDay = new Map<number, string>();
    const byGroup = new Map<string, { totals: UsageTotals; cells: Map<string, UsageTotals> }>();
    for (const row of rows) {
      const totals = numbers(row);
      const day = Number(row.day);
      let period = periodOfDay.get(day);
      if (period === undefined) periodOfDay.set(day, (period = periodStart(day, request.period)));
      let group = byGroup.get(row.grp);
      if (!group) byGroup.set(row.grp, (group = { totals: { ...EMPTY_TOTALS }, cells: new Map() }));
      addInto(group.totals, totals);
      const cell = group.cells.get(period);
      if (cell) addInto(cell, totals);
      else group.cells.set(period, totals);
    }
    const ranked = [...byGroup.entries()].sort(([, a], [, b]) => b.totals.costNano - a.totals.costNano || b.totals.inputTokens + b.totals.outputTokens - (a.totals.inputTokens + a.totals.outputTokens));
    const kept = ranked.slice(0, MAX_USAGE_GROUPS);
    const rest = ranked.slice(MAX_USAGE_GROUPS);
    const groups: UsageGroup[] = kept.map(([key, group]) => ({ key, label: label(request.groupBy, key).slice(0, 300), totals: group.totals }));
    const cells = kept.map(([, group]) => periods.map((period) => group.cells.get(period) ?? { ...EMPTY_TOTALS }));
    if (rest.length) {
      const other = { ...EMPTY_TOTALS };
      const otherCells = periods.map(() => ({ ...EMPTY_TOTALS }));
      for (const [, group] of rest) {
        addInto(other, group.totals);
        periods.forEach((period, index) => {
          const cell = group.cells.get(period);
          if (cell) addInto(otherCells[index]!, cell);
        });
      }
      groups.push({ key: 'other', label: l10n.t('Other ({0})', rest.length), totals: other });
      cells.push(otherCells);
    }
    const totals = { ...EMPTY_TOTALS };
    for (const group of groups) addInto(totals, group.totals);
    return { periods, groups, cells, totals };
  }

  /**
   * An unfiltered report's rows from the daily sums, when every call of its range was counted in
   * the report's offset from UTC; undefined otherwise (a filter, or days counted in another
   * offset: the calls are read instead).
   */
  private fromDays(sql: Sql, request: UsageReportRequest, range: { fromMs: number; toMs: number }): (UsageTotals & { day: number; grp: string })[] | undefined {
    if (Object.values(request.filter).some((value) => value !== undefined)) return undefined;
    const offsetMs = request.utcOffsetMinutes * 60_000;
    const firstDay = Math.floor((range.fromMs + offsetMs) / DAY_MS);
    const lastDay = Math.floor((range.toMs + offsetMs) / DAY_MS) - 1;
    const elsewhere = sql.get<{ found: number }>(
      `SELECT 1 AS found FROM ${DAYS} WHERE offset_minutes <> CAST(? AS INTEGER) AND dimension = ? AND day BETWEEN ? - 1 AND ? + 1 LIMIT 1`,
      request.utcOffsetMinutes,
      request.groupBy,
      firstDay,
      lastDay,
    );
    if (elsewhere) return undefined;
    return sql.all<UsageTotals & { day: number; grp: string }>(
      `SELECT day, key AS grp, calls, input_tokens AS inputTokens, output_tokens AS outputTokens, cache_read_tokens AS cacheReadTokens, cache_write_tokens AS cacheWriteTokens,
         reasoning_tokens AS reasoningTokens, cost_nano AS costNano, estimated_calls AS estimatedCalls, unpriced_calls AS unpricedCalls
       FROM ${DAYS} WHERE offset_minutes = CAST(? AS INTEGER) AND dimension = ? AND day BETWEEN ? AND ?`,
      request.utcOffsetMinutes,
      request.groupBy,
      firstDay,
      lastDay,
    );
  }

  /** The calls of a report's range and filter, oldest first (the CSV export). */
  calls(request: Pick<UsageReportRequest, 'from' | 'to' | 'utcOffsetMinutes' | 'filter'>): UsageRecord[] {
    const where = conditionsOf(request.filter, rangeOf(request));
    const rows = this.deps.db.read((sql) => sql.all<LedgerRow>(`SELECT * FROM ${USAGE}${where.clause} ORDER BY time, pos`, ...where.args));
    return rows.map(fromRow);
  }

  /**
   * Calls `listener` when the ledger may have changed without this window recording: another
   * connection committed to the database (another window; also this window's writer thread, so a
   * listener may hear of its own calls once more, at most once a check), or a new day began
   * (today's total starts over). Looked for every ELSEWHERE_CHECK_MS on the ledger's timers,
   * while any watch is open: one pragma read.
   */
  watchElsewhere(listener: () => void): Disposable {
    const watcher = { listener };
    this.watchers.add(watcher);
    if (this.watchers.size === 1) {
      this.watchedVersion = this.readDataVersion();
      this.watchedDay = this.periodStart('day');
      this.scheduleWatch();
    }
    return {
      dispose: () => {
        this.watchers.delete(watcher);
        if (this.watchers.size === 0) {
          this.watchTimer?.cancel();
          this.watchTimer = undefined;
        }
      },
    };
  }

  private scheduleWatch(): void {
    this.watchTimer = (this.deps.timers ?? systemTimers).start(ELSEWHERE_CHECK_MS, () => {
      const version = this.readDataVersion();
      const day = this.periodStart('day');
      const changed = (version !== undefined && version !== this.watchedVersion) || day !== this.watchedDay;
      if (version !== undefined) this.watchedVersion = version;
      this.watchedDay = day;
      this.scheduleWatch();
      if (changed) for (const { listener } of [...this.watchers]) listener();
    });
  }

  /** The database's data version, or undefined when it cannot be read now (the next look tries again). */
  private readDataVersion(): number | undefined {
    try {
      return this.deps.db.dataVersion();
    } catch {
      return undefined;
    }
  }

  /** Ends the watches and notices; the calls not yet written are written, then the writer thread ends. */
  dispose(): void {
    this.disposed = true;
    void this.close();
    this.watchTimer?.cancel();
    this.watchers.clear();
    this.spacing?.cancel();
    this.spacing = undefined;
    this.recorded.dispose();
  }

  /** Fires onDidRecord now, or once the current spacing ends if it fired within it. */
  private tell(): void {
    if (this.disposed) return;
    if (this.spacing) {
      this.recordedMeanwhile = true;
      return;
    }
    this.recorded.fire();
    this.spacing = (this.deps.timers ?? systemTimers).start(RECORDED_NOTICE_MS, () => {
      this.spacing = undefined;
      if (!this.recordedMeanwhile) return;
      this.recordedMeanwhile = false;
      this.tell();
    });
  }
}

function toRecord(call: CallFacts, id: string, time: number, cost: number | undefined): UsageRecord {
  const { usage, price } = call;
  return {
    id,
    time: new Date(time).toISOString(),
    ...(call.runId ? { runId: call.runId } : {}),
    ...(call.chatId ? { chatId: call.chatId } : {}),
    ...(call.agentId ? { agentId: call.agentId } : {}),
    requesterId: call.requesterId,
    connectionId: call.connectionId,
    providerId: call.providerId,
    modelRef: call.modelRef,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...(usage.cacheReadTokens !== undefined ? { cacheReadTokens: usage.cacheReadTokens } : {}),
    ...(usage.cacheWriteTokens !== undefined ? { cacheWriteTokens: usage.cacheWriteTokens } : {}),
    ...(usage.reasoningTokens !== undefined ? { reasoningTokens: usage.reasoningTokens } : {}),
    estimated: usage.estimated === true,
    ...(cost !== undefined ? { costNano: cost } : {}),
    priceSource: price.source,
    ...(price.date ? { priceDate: price.date } : {}),
  };
}

function fromRow(row: LedgerRow): UsageRecord {
  const optional = (value: number | null) => (value === null ? undefined : Number(value));
  const record: UsageRecord = {
    id: row.id,
    time: new Date(Number(row.time)).toISOString(),
    requesterId: row.requester_id,
    connectionId: row.connection_id,
    providerId: row.provider_id,
    modelRef: row.model_ref,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    estimated: Number(row.estimated) === 1,
    priceSource: row.price_source as PriceSource,
  };
  if (row.run_id) record.runId = row.run_id;
  if (row.chat_id) record.chatId = row.chat_id;
  if (row.agent_id) record.agentId = row.agent_id;
  const cacheRead = optional(row.cache_read_tokens);
  if (cacheRead !== undefined) record.cacheReadTokens = cacheRead;
  const cacheWrite = optional(row.cache_write_tokens);
  if (cacheWrite !== undefined) record.cacheWriteTokens = cacheWrite;
  const reasoning = optional(row.reasoning_tokens);
  if (reasoning !== undefined) record.reasoningTokens = reasoning;
  const cost = optional(row.cost_nano);
  if (cost !== undefined) record.costNano = cost;
  if (row.price_date) record.priceDate = row.price_date;
  return record;
}

function numbers(row: UsageTotals): UsageTotals {
  const totals = { ...EMPTY_TOTALS };
  for (const key of Object.keys(EMPTY_TOTALS) as (keyof UsageTotals)[]) totals[key] = Number(row[key] ?? 0);
  return totals;
}

function addInto(into: UsageTotals, more: UsageTotals): void {
  for (const key of Object.keys(EMPTY_TOTALS) as (keyof UsageTotals)[]) into[key] += more[key];
}

/** Midnight UTC of a YYYY-MM-DD day, in ms. */
function utcMidnight(day: string): number {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time)) throw new SwitchboardError('invalid_input', l10n.t('"{0}" is not a date. Nothing was read.', day));
  return time;
}

/** The report's instants: from the person's midnight starting `from` to the one ending `to`. */
function rangeOf(request: Pick<UsageReportRequest, 'from' | 'to' | 'utcOffsetMinutes'>): { fromMs: number; toMs: number } {
  const offsetMs = request.utcOffsetMinutes * 60_000;
  const fromMs = utcMidnight(request.from) - offsetMs;
  const toMs = utcMidnight(request.to) + DAY_MS - offsetMs;
  if (toMs <= fromMs) throw new SwitchboardError('invalid_input', l10n.t('The report ends ({0}) before it starts ({1}). Nothing was read.', request.to, request.from));
  return { fromMs, toMs };
}

function conditionsOf(filter: UsageFilter, range: { fromMs: number; toMs: number }): Conditions {
  return new Conditions()
    .add('time >= ? AND time < ?', range.fromMs, range.toMs)
    .equal('connection_id', filter.connectionId)
    .equal('model_ref', filter.modelRef)
    .equal('agent_id', filter.agentId)
    .equal('requester_id', filter.requesterId);
}

/** The first day (YYYY-MM-DD) of the period holding a local day, counted from 1970-01-01; weeks start on Monday. */
function periodStart(day: number, period: UsageReportRequest['period']): string {
  const date = new Date(day * DAY_MS);
  // 1970-01-01 was a Thursday: getUTCDay() is 0 on Sunday.
  if (period === 'week') date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  if (period === 'month') date.setUTCDate(1);
  return date.toISOString().slice(0, 10);
}

/** Every period's first day across the report's range, oldest first. */
function periodsOf(request: UsageReportRequest): string[] {
  const from = utcMidnight(request.from);
  const to = utcMidnight(request.to);
  const first = new Date(from);
  if (request.period === 'week') first.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
  if (request.period === 'month') first.setUTCDate(1);
  const periods: string[] = [];
  for (const at = first; at.getTime() <= to; ) {
    if (periods.length >= MAX_USAGE_BUCKETS) {
      throw new SwitchboardError('invalid_input', l10n.t('The report spans more than {0} periods. Choose a shorter range or a longer period.', MAX_USAGE_BUCKETS));
    }
    periods.push(at.toISOString().slice(0, 10));
    if (request.period === 'day') at.setUTCDate(at.getUTCDate() + 1);
    else if (request.period === 'week') at.setUTCDate(at.getUTCDate() + 7);
    else at.setUTCMonth(at.getUTCMonth() + 1);
  }
  return periods;
}

