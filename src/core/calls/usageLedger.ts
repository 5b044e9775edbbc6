import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
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
import { SwitchboardError } from '../base/errors';
import { Emitter } from '../base/events';
import { systemClock, systemTimers, type Clock, type Disposable, type Timer, type Timers } from '../base/ports';
import type { Database, Sql } from '../store/database';
import { Conditions } from '../store/paging';
import { TABLES } from '../store/storageKeys';
import { costNano, type Price } from '../models/pricing';

const { usage: USAGE, usageTotals: TOTALS, usageDays: DAYS } = TABLES;
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

/** The running totals a recorded call moved, as they stand after it: by scope and period. */
export type MovedTotals = ReadonlyMap<string, RunningTotal>;

/** The key of a scope's period in MovedTotals. */
export function totalKey(scope: { kind: ScopeKind; id: string }, period: BudgetPeriod): string {
  return `${scope.kind}\u0000${scope.id}\u0000${period}`;
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
}

const MAX_KNOWN_TOTALS = 1_000;

/** A running totals row as the ledger's statements return it. */
type TotalRow = RunningTotal & { kind: ScopeKind; id: string; period: BudgetPeriod; start: string };
const TOTAL_COLUMNS = 'scope_kind AS kind, scope_id AS id, period_kind AS period, period_start AS start, calls, tokens, cost_nano AS costNano';

function totalOf(row: RunningTotal): RunningTotal {
  return { calls: Number(row.calls), tokens: Number(row.tokens), costNano: Number(row.costNano) };
}

function knownKey(scope: { kind: ScopeKind; id: string }, period: BudgetPeriod, start: string): string {
  return `${totalKey(scope, period)}\u0000${start}`;
}

/** The first day of `period` holding the local day `day` (YYYY-MM-DD). */
function periodStartOf(day: string, period: BudgetPeriod): string {
  return period === 'day' ? day : `${day.slice(0, 8)}01`;
}

/** YYYY-MM-DD of an instant, `offsetMinutes` east of UTC. */
export function localDay(timeMs: number, offsetMinutes: number): string {
  return new Date(timeMs + offsetMinutes * 60_000).toISOString().slice(0, 10);
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
   * while no other window has committed since (`knownAt`, the database's data version then).
   */
  private readonly known = new Map<string, RunningTotal>();
  private knownAt: number | undefined;
  private spacing: Timer | undefined;
  private readonly watchers = new Set<{ listener: () => void }>();
  private watchTimer: Timer | undefined;
  private watchedVersion: number | undefined;
  private watchedDay: string | undefined;
  private recordedMeanwhile = false;

  constructor(private readonly deps: UsageLedgerDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** The person's offset from UTC at `timeMs`, in minutes. */
  offsetAt(timeMs: number): number {
    return this.deps.utcOffsetMinutes ? this.deps.utcOffsetMinutes(timeMs) : -new Date(timeMs).getTimezoneOffset();
  }

  /** The start (YYYY-MM-DD) of the person's current day or month, and when it ends. */
  period(period: BudgetPeriod, timeMs = this.clock.now().getTime()): { start: string; endsAt: Date } {
    const offset = this.offsetAt(timeMs);
    const start = periodStartOf(localDay(timeMs, offset), period);
    const [year, month, day] = start.split('-').map(Number) as [number, number, number];
    const next = period === 'day' ? Date.UTC(year, month - 1, day + 1) : Date.UTC(year, month, 1);
    return { start, endsAt: new Date(next - this.offsetAt(next) * 60_000) };
  }

  /**
   * Records a call and moves its running totals, in one write transaction; `also` runs inside
   * it with the totals as the call left them (the budgets' warnings). Resolves with the stored record.
   */
  async record<T>(call: CallFacts, also?: (sql: Sql, moved: MovedTotals) => T): Promise<{ record: UsageRecord; also: T | undefined }> {
    const time = this.clock.now().getTime();
    const cost = costNano(call.usage, call.price);
    const record = toRecord(call, time, cost);
    const tokens = call.usage.inputTokens + call.usage.outputTokens;
    const day = localDay(time, this.offsetAt(time));
    const scopes: [ScopeKind, string][] = [
      ['all', ''],
      ['connection', call.connectionId],
      ['requester', call.requesterId],
      ...(call.agentId ? [['agent', call.agentId] as [ScopeKind, string]] : []),
    ];
    let moved: TotalRow[] = [];
    const result = await this.deps.db.write((sql) => {
      sql.run(
        `INSERT INTO ${USAGE} (id, time, run_id, chat_id, agent_id, requester_id, connection_id, provider_id, model_ref, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, estimated, cost_nano, price_source, price_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...[record.id, time, call.runId ?? null, call.chatId ?? null, call.agentId ?? null, call.requesterId, call.connectionId, call.providerId, call.modelRef],
        ...[call.usage.inputTokens, call.usage.outputTokens, call.usage.cacheReadTokens ?? null, call.usage.cacheWriteTokens ?? null, call.usage.reasoningTokens ?? null],
        ...[record.estimated ? 1 : 0, cost ?? null, call.price.source, call.price.date ?? null],
      );
      // Every scope's day and month in one statement (prepared once per number of scopes), which
      // returns them as they now stand: the budgets' warnings need no read of their own.
      const values = scopes.flatMap(([kind, id]) => (['day', 'month'] as const).flatMap((period) => [kind, id, period, periodStartOf(day, period), tokens, cost ?? 0]));
      moved = sql.all<TotalRow>(
        `INSERT INTO ${TOTALS} (scope_kind, scope_id, period_kind, period_start, calls, tokens, cost_nano) VALUES ${Array(scopes.length * 2).fill('(?, ?, ?, ?, 1, ?, ?)').join(', ')}
         ON CONFLICT DO UPDATE SET calls = calls + 1, tokens = tokens + excluded.tokens, cost_nano = cost_nano + excluded.cost_nano
         RETURNING ${TOTAL_COLUMNS}`,
        ...values,
      );
      // The day's sums per dimension, for the unfiltered report.
      const offset = this.offsetAt(time);
      const dayNumber = Math.floor((time + offset * 60_000) / DAY_MS);
      const { usage } = call;
      const sums = [usage.inputTokens, usage.outputTokens, usage.cacheReadTokens ?? 0, usage.cacheWriteTokens ?? 0, usage.reasoningTokens ?? 0, cost ?? 0, usage.estimated ? 1 : 0, cost === undefined ? 1 : 0];
      const keys: [UsageDimension, string][] = [['connection', call.connectionId], ['model', call.modelRef], ['agent', call.agentId ?? ''], ['requester', call.requesterId]];
      sql.run(
        `INSERT INTO ${DAYS} (offset_minutes, dimension, day, key, calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_nano, estimated_calls, unpriced_calls)
         VALUES ${Array(keys.length).fill('(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT DO UPDATE SET calls = calls + 1, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
           cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
           reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_nano = cost_nano + excluded.cost_nano,
           estimated_calls = estimated_calls + excluded.estimated_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls`,
        ...keys.flatMap(([dimension, key]) => [offset, dimension, dayNumber, key, ...sums]),
      );
      if (!also) return undefined;
      return also(sql, new Map(moved.map((row) => [totalKey(row, row.period), totalOf(row)])));
    });
    // Committed: as exact as a read now (another window's commit since is caught by the data version).
    for (const row of moved) this.known.set(knownKey(row, row.period, row.start), totalOf(row));
    this.tell();
    return { record, also: result };
  }

  /**
   * The running totals of scopes in their current periods, in the order asked (0 for a scope with
   * no calls): from what this window last read or recorded while no other window has committed
   * since, else read in one statement (consistent by itself, so no transaction).
   */
  currentTotals(asked: readonly { scope: { kind: ScopeKind; id: string }; period: BudgetPeriod }[]): RunningTotal[] {
    const version = this.deps.db.dataVersion();
    // A new period adds keys: a long session starts over now and then rather than grow.
    if (version !== this.knownAt || this.known.size > MAX_KNOWN_TOTALS) {
      this.known.clear();
      this.knownAt = version;
    }
    // Each period's start once, however many budgets ask for it.
    const starts = new Map<BudgetPeriod, string>();
    const startOf = (period: BudgetPeriod) => starts.get(period) ?? starts.set(period, this.period(period).start).get(period)!;
    const keys = asked.map(({ scope, period }) => ({ scope, period, start: startOf(period) }));
    const missing = keys.filter(({ scope, period, start }) => !this.known.has(knownKey(scope, period, start)));
    if (missing.length) {
      const rows = this.deps.db.readStatement((sql) =>
        sql.all<TotalRow>(
          `SELECT ${TOTAL_COLUMNS} FROM ${TOTALS} WHERE (period_start, period_kind, scope_kind, scope_id) IN (VALUES ${Array(missing.length).fill('(?, ?, ?, ?)').join(', ')})`,
          ...missing.flatMap(({ scope, period, start }) => [start, period, scope.kind, scope.id]),
        ),
      );
      for (const { scope, period, start } of missing) this.known.set(knownKey(scope, period, start), { calls: 0, tokens: 0, costNano: 0 });
      for (const row of rows) this.known.set(knownKey(row, row.period, row.start), totalOf(row));
    }
    return keys.map(({ scope, period, start }) => this.known.get(knownKey(scope, period, start))!);
  }

  /** The running total of a scope in a period (0 when it has no calls); inside a transaction when `sql` is given. */
  total(scope: { kind: ScopeKind; id: string }, period: BudgetPeriod, start: string, sql?: Sql): RunningTotal {
    const read = (s: Sql) =>
      s.get<RunningTotal>(`SELECT calls, tokens, cost_nano AS costNano FROM ${TOTALS} WHERE scope_kind = ? AND scope_id = ? AND period_kind = ? AND period_start = ?`, scope.kind, scope.id, period, start);
    const row = sql ? read(sql) : this.deps.db.read(read);
    return row ? { calls: Number(row.calls), tokens: Number(row.tokens), costNano: Number(row.costNano) } : { calls: 0, tokens: 0, costNano: 0 };
  }

  /** Today's calls, tokens and cost, across everything (the status bar). */
  today(): RunningTotal {
    return this.total({ kind: 'all', id: '' }, 'day', this.period('day').start);
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
   * window committed to the database, or a new day began (today's total starts over). Looked for
   * every ELSEWHERE_CHECK_MS on the ledger's timers, while any watch is open: one pragma read.
   */
  watchElsewhere(listener: () => void): Disposable {
    const watcher = { listener };
    this.watchers.add(watcher);
    if (this.watchers.size === 1) {
      this.watchedVersion = this.readDataVersion();
      this.watchedDay = this.period('day').start;
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
      const day = this.period('day').start;
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

  dispose(): void {
    this.watchTimer?.cancel();
    this.watchers.clear();
    this.spacing?.cancel();
    this.spacing = undefined;
    this.recorded.dispose();
  }

  /** Fires onDidRecord now, or once the current spacing ends if it fired within it. */
  private tell(): void {
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

function toRecord(call: CallFacts, time: number, cost: number | undefined): UsageRecord {
  const { usage, price } = call;
  return {
    id: randomUUID(),
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

