import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { RunRecordSchema, type RunRecord } from '../../contracts/agents';
import { parseRow, type Database, type Sql } from '../store/database';
import { errorText } from '../base/errors';
import { Emitter } from '../base/events';
import { systemClock, type Clock, type Disposable, type Logger } from '../base/ports';
import { Conditions, readPage } from '../store/paging';
import { TABLES } from '../store/storageKeys';

const { runs, leases } = TABLES;
const ACTIVE = `status IN ('queued', 'running')`;
const FINISHED = `status NOT IN ('queued', 'running')`;

/** A lease not renewed for this long belongs to a window that is gone. */
export const LEASE_MS = 30_000;
/** How often a window renews its lease and looks for the runs of windows that are gone. */
export const HEARTBEAT_MS = 10_000;

export interface RunStoreDeps {
  db: Database;
  /** How many finished runs to keep. */
  retention(): number;
  /** The largest output stored, in KiB; a longer one is cut and marked `outputCut`. */
  outputMaxKiB(): number;
  logger: Logger;
  clock?: Clock;
  /** This window's lease; a new one per window unless given (tests). */
  owner?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  /**
   * Calls `beat` every `ms` until disposed: the lease's heartbeat. A real interval unless given;
   * tests beat by hand with the clock moved, never waiting for the wall clock (a beat's promise
   * settles once its write and what follows it are done).
   */
  every?: (ms: number, beat: () => Promise<void>) => Disposable;
}

/** `beat` every `ms` on a real timer that keeps no process alive on its own. */
function realInterval(ms: number, beat: () => Promise<void>): Disposable {
  const timer = setInterval(beat, ms);
  timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}

/** What a page of runs may be narrowed to; each field that is set must match. */
export interface RunFilter {
  agentId?: string;
  connectionId?: string;
  modelRef?: string;
  status?: RunRecord['status'];
  /** Found, case-insensitive, in the agent's name, the input, the output or the error message. */
  text?: string;
}

/** What JSON.stringify writes escaped: a quote, a backslash, a control character, a lone surrogate (code units, no `u` flag). */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const ESCAPED_IN_JSON = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The conditions of a filter; values are always bound, never spliced in. */
function conditionsOf(filter: RunFilter): Conditions {
  const field = (path: string) => `json_extract(body, '$.${path}')`;
  const where = new Conditions()
    .equal('status', filter.status)
    .equal(field('agentId'), filter.agentId)
    .equal(field('routing.connectionId'), filter.connectionId)
    .equal(field('routing.modelRef'), filter.modelRef);
  const text = filter.text?.trim();
  if (text) {
    // LIKE with our own escape character, so a % or _ a person types is matched as itself.
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const fields = ['agentName', 'input', 'output', 'error.message'].map((path) => `${field(path)} LIKE ? ESCAPE '\\'`);
    // Text that JSON writes as it is (see ESCAPED_IN_JSON) is in the stored body wherever it is
    // in a field, so the raw body is searched first and only its matches are parsed: a search
    // through 10,000 runs then parses the few that can match, not all of them.
    if (!ESCAPED_IN_JSON.test(text)) where.add(`body LIKE ? ESCAPE '\\'`, pattern);
    where.add(`(${fields.join(' OR ')})`, pattern, pattern, pattern, pattern);
  }
  return where;
}

/** One page of runs, newest first, and how many there are in all. */
export interface RunPage {
  runs: RunRecord[];
  total: number;
}

/**
 * What changed among the stored runs: one run (added, or changed), with the old runs its add
 * removed past the retention; or several at once (no `run`: a sweep, a long trim).
 */
export interface RunChange {
  run?: RunRecord;
  added?: boolean;
  removed?: string[];
}

/** A trim that removes more runs than this is told as a change of several, not by their ids. */
const MAX_REMOVED_IN_CHANGE = 100;

/**
 * Runs in the database, one row each, newest last. Every change is its own write transaction,
 * committed when the call resolves.
 *
 * - Retention counts finished runs only, and trims them in the transaction that adds a run: a
 *   queued or running run is never removed.
 * - Runs are leased by the window that runs them: the store renews its lease while it lives.
 *   At first use, and then at every heartbeat, a window marks interrupted the queued or running
 *   runs whose owner's lease has expired (that window closed or crashed), never those of a
 *   window still alive: a window already open sees another window's crash as a new one does.
 */
export class RunStore implements Disposable {
  private readonly changed = new Emitter<void>();
  /** Fires after any change to the stored runs. */
  readonly onDidChange = this.changed.event;
  private readonly runChanged = new Emitter<RunChange>();
  /** Fires with `onDidChange`: with the run when that one run was added or changed, without one when several were (a sweep, a trim). */
  readonly onDidChangeRun = this.runChanged.event;
  private readonly owner: string;
  private heartbeat: Disposable | undefined;
  /** The first use's lease, once taken or being taken; unset again when it failed, so the next use tries again. */
  private starting: Promise<void> | undefined;
  /** When this window last renewed its lease. */
  private renewedAt = 0;

  constructor(private readonly deps: RunStoreDeps) {
    this.owner = deps.owner ?? randomUUID();
  }

  get(id: string): RunRecord | undefined {
    this.use();
    const row = this.deps.db.read((sql) => sql.get<{ body: string }>(`SELECT body FROM ${runs} WHERE id = ?`, id));
    return row ? this.parse(row.body, id) : undefined;
  }

  /**
   * Runs newest first, `limit` from `offset`, with the total of those that match `filter`: a
   * view never reads them all, and the filter runs in SQL, not over a whole history in memory.
   */
  page(options: { offset?: number; limit: number; filter?: RunFilter }): RunPage {
    this.use();
    const { rows, total } = readPage<{ id: string; body: string }>(this.deps.db, { table: runs, columns: 'id, body', offset: options.offset ?? 0, limit: options.limit, where: conditionsOf(options.filter ?? {}) });
    return { runs: rows.flatMap((row) => this.parse(row.body, row.id) ?? []), total };
  }

  async add(run: RunRecord): Promise<void> {
    await this.start();
    const record = this.capped(RunRecordSchema.parse(run));
    const removed = await this.deps.db.write((sql) => {
      sql.run(`INSERT INTO ${runs} (id, status, owner, body) VALUES (?, ?, ?, ?)`, record.id, record.status, this.owner, JSON.stringify(record));
      const keep = Math.max(1, Math.floor(this.deps.retention()));
      // The span of positions bounds the number of rows and costs two index lookups: while it
      // is within the retention there is nothing to trim, and starting a run does not walk the
      // history.
      // (Two subqueries: SQLite answers a lone min() or max() from the index, both together by a scan.)
      const span = Number(sql.get<{ span: number }>(`SELECT (SELECT max(pos) FROM ${runs}) - (SELECT min(pos) FROM ${runs}) + 1 AS span`)?.span ?? 0);
      if (span <= keep) return [];
      return sql.all<{ id: string }>(`DELETE FROM ${runs} WHERE ${FINISHED} AND pos <= (SELECT pos FROM ${runs} WHERE ${FINISHED} ORDER BY pos DESC LIMIT 1 OFFSET ?) RETURNING id`, keep).map((row) => row.id);
    });
    this.fireChanged(removed.length > MAX_REMOVED_IN_CHANGE ? {} : { run: record, added: true, ...(removed.length ? { removed } : {}) });
  }

  /** Applies `patch` to the run if it is still stored (retention may have removed it once finished): the run as written, or undefined. */
  async update(id: string, patch: Partial<RunRecord>): Promise<RunRecord | undefined> {
    await this.start();
    const written = await this.deps.db.write((sql) => this.patch(sql, id, (run) => ({ ...run, ...patch })));
    if (written) this.fireChanged({ run: written });
    return written;
  }

  private fireChanged(change: RunChange): void {
    this.changed.fire();
    this.runChanged.fire(change);
  }

  dispose(): void {
    this.heartbeat?.dispose();
    this.heartbeat = undefined;
    this.changed.dispose();
    this.runChanged.dispose();
    if (!this.starting) return;
    // A window that closes cleanly gives up its lease: its unfinished runs are interrupted for
    // the next window at once, without waiting for the lease to expire.
    // At once when the database is free; if another window holds it, the lease simply expires.
    this.deps.db.write((sql) => sql.run(`DELETE FROM ${leases} WHERE owner = ?`, this.owner)).catch((error: unknown) => {
      this.deps.logger.warn(`Could not release this window's run lease: ${errorText(error)}`);
    });
  }

  /** The run as written, or undefined when it is not stored. */
  private patch(sql: Sql, id: string, change: (run: RunRecord) => RunRecord): RunRecord | undefined {
    const row = sql.get<{ body: string }>(`SELECT body FROM ${runs} WHERE id = ?`, id);
    const current = row && this.parse(row.body, id);
    if (!current) return undefined;
    const next = this.capped(RunRecordSchema.parse(change(current)));
    sql.run(`UPDATE ${runs} SET status = ?, body = ? WHERE id = ?`, next.status, JSON.stringify(next), id);
    return next;
  }

  /**
   * The first use: take this window's lease, mark the runs of windows that are gone, and start
   * the heartbeat. Resolves once the lease is committed: at once when the database is free (so
   * a read after it sees the sweep), later when another window holds the lock (this window's
   * writes wait behind it, in order). A failed first use is tried again on the next.
   */
  private start(): Promise<void> {
    if (this.starting) return this.starting;
    this.heartbeat = (this.deps.every ?? realInterval)(this.deps.heartbeatMs ?? HEARTBEAT_MS, () =>
      this.renewAndSweep(false).catch((error: unknown) => {
        this.deps.logger.warn(`Could not renew this window's run lease: ${errorText(error)}`);
      }),
    );
    const starting = this.renewAndSweep(true).catch((error: unknown) => {
      if (this.starting === starting) {
        this.starting = undefined;
        this.heartbeat?.dispose();
        this.heartbeat = undefined;
      }
      throw error;
    });
    this.starting = starting;
    return starting;
  }

  /** `start` for a read, which does not wait for it: the read itself says when the database cannot be read. */
  private use(): void {
    this.start().catch(() => undefined);
  }

  /**
   * Renews this window's lease and marks interrupted the unfinished runs of windows whose lease
   * has expired. A heartbeat itself long overdue means this window, and likely the whole machine,
   * was asleep: the other windows slept too, so they get until the next heartbeat to renew
   * their leases before their runs are judged.
   */
  private async renewAndSweep(firstUse: boolean): Promise<void> {
    const leaseMs = this.deps.leaseMs ?? LEASE_MS;
    // Judged when the write runs (at once, unless another window holds the lock: then later).
    const interrupted = await this.deps.db.write((sql) => {
      const now = this.now();
      const woke = !firstUse && now - this.renewedAt > leaseMs;
      this.renewedAt = now;
      sql.run(`INSERT INTO ${leases} (owner, heartbeat_at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, this.owner, now);
      if (woke) return 0;
      const orphans = sql.all<{ id: string }>(
        `SELECT id FROM ${runs} WHERE ${ACTIVE} AND (owner IS NULL OR owner NOT IN (SELECT owner FROM ${leases} WHERE heartbeat_at >= ?))`,
        now - leaseMs,
      );
      const finishedAt = new Date(now).toISOString();
      const error = { code: 'internal' as const, message: l10n.t('The run was interrupted: the VS Code window running it closed, reloaded or crashed before it finished. Run the agent again.') };
      for (const { id } of orphans) this.patch(sql, id, (run) => ({ ...run, status: 'failed', error, finishedAt }));
      sql.run(`DELETE FROM ${leases} WHERE heartbeat_at < ?`, now - leaseMs);
      if (orphans.length) this.deps.logger.warn(`Marked ${orphans.length} run(s) as failed: the window running them closed or crashed before they finished.`);
      return orphans.length;
    });
    if (interrupted) this.fireChanged({});
  }

  private now(): number {
    return (this.deps.clock ?? systemClock).now().getTime();
  }

  /** An output, or a reasoning, over the limit is cut at a character boundary and marked. */
  private capped(run: RunRecord): RunRecord {
    const max = Math.max(1, Math.floor(this.deps.outputMaxKiB())) * 1024;
    const output = cutTo(run.output, max);
    const reasoning = cutTo(run.reasoning, max);
    if (!output && !reasoning) return run;
    return { ...run, ...(output ? { output, outputCut: true } : {}), ...(reasoning ? { reasoning, reasoningCut: true } : {}) };
  }

  private parse(body: string, id: string): RunRecord | undefined {
    return parseRow(RunRecordSchema, body, { what: 'run', id }, this.deps.logger);
  }
}

/** The text's first `max` bytes, cut at a character boundary, when it is longer; undefined when it fits. */
function cutTo(text: string | undefined, max: number): string | undefined {
  if (text === undefined || Buffer.byteLength(text) <= max) return undefined;
  return Buffer.from(text).subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}
