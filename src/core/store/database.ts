import * as l10n from '@vscode/l10n';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { z } from 'zod';
import { SwitchboardError, errorText } from '../base/errors';
import { systemTimers, type Disposable, type Logger, type Timer, type Timers } from '../base/ports';
import { MIGRATIONS } from './schema';
import { Statements } from './statements';
import { enterGate, GATE_HOST, isLocked, leaveGate, newWriteGate, retryDelayMs } from './writeGate';
import { TABLES, type VersionedTable } from './storageKeys';

type SqliteModule = typeof import('node:sqlite');

/** Statements inside a transaction. Every call is synchronous: a transaction never awaits. */
export interface Sql {
  run(sql: string, ...params: SQLInputValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined;
  all<T>(sql: string, ...params: SQLInputValue[]): T[];
}

/** What Database.cachedRead keeps between calls; one per cached read, owned by its caller. */
export interface ReadCache<T> {
  version?: number;
  value?: T;
}

export interface DatabaseDeps {
  file: string;
  logger: Logger;
  /**
   * How long SQLite itself waits for another window's lock (its busy timeout), blocking the
   * thread: a few milliseconds. Longer waits are `lockWaitMs`, on timers.
   */
  busyTimeoutMs?: number;
  /** The most a write waits in all for another window's lock, retried from timers, before it fails (default 5 s). */
  lockWaitMs?: number;
  /** The timers a waiting write is retried from; real ones unless given (tests drive them). */
  timers?: Timers;
  /**
   * Runs in its own write transaction once the schema is current, at every open: moves what
   * an earlier version stored elsewhere. What it returns runs after that transaction is
   * committed (e.g. removing the moved globalState keys), never before.
   */
  afterMigrations?(sql: Sql): (() => Promise<void>) | undefined;
  /** For the test of a VS Code whose Node has no node:sqlite. */
  loadSqlite?(): SqliteModule;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5;
const DEFAULT_LOCK_WAIT_MS = 5_000;

/** A write made inside another's body, waiting for that one's transaction to end. */
interface JoinedWrite {
  resolve(): void;
  reject(error: unknown): void;
}

/** A write waiting for another window's lock. */
interface WaitingWrite {
  body: (sql: Sql) => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Switchboard's one SQLite database (node:sqlite, built into the extension host's Node: no
 * native module to ship). Opened at first use, never during activation. WAL lets windows read
 * while one writes; writes are `BEGIN IMMEDIATE` transactions, so two windows' read-modify-
 * write cycles (an audit append, a retention trim) are serialised by SQLite, not by a queue in
 * one process.
 *
 * A write that meets another window's lock waits without blocking the extension host: SQLite's
 * own busy wait (which blocks the thread) is a few milliseconds, then the write is tried again
 * from a timer, with growing pauses, for up to `lockWaitMs` in all; writes of this window that
 * come meanwhile wait behind it, in order. A write that is free to go runs at once, within the
 * call (so writes made inside another write's body join its transaction, and code that does not
 * await sees it done).
 */
export class Database implements Disposable {
  private db: DatabaseSync | undefined;
  private readonly statements = new Statements(() => this.open());
  private inTransaction = false;
  /** The writes that joined the open transaction, settled when it ends. */
  private joinedWrites: JoinedWrite[] = [];
  /** Writes waiting for another window's lock, oldest first; the timer of their next try, and how long they have waited. */
  private readonly waiting: WaitingWrite[] = [];
  private retry: Timer | undefined;
  private attempts = 0;
  private waitedMs = 0;
  private afterOpen: Promise<void> = Promise.resolve();
  private readonly sql: Sql = this.statements.sql;

  /**
   * Taken around each write of this connection; shared with the usage ledger's writer thread,
   * whose connection to the same file takes it too (writeGate.ts).
   */
  readonly writeGate = newWriteGate();

  constructor(private readonly deps: DatabaseDeps) {}

  get file(): string {
    return this.deps.file;
  }

  /** How long SQLite itself waits for another connection's lock, in ms. */
  get busyTimeoutMs(): number {
    return Math.round(this.deps.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  }

  /** How long a write waits in all for another window's lock, in ms. */
  get lockWaitMs(): number {
    return this.deps.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  }

  /** The files SQLite keeps the data in: the database and its write-ahead log. */
  get files(): string[] {
    return [this.deps.file, `${this.deps.file}-wal`];
  }

  /** A consistent read: one snapshot across its statements. */
  read<T>(body: (sql: Sql) => T): T {
    return this.transaction('BEGIN', body);
  }

  /**
   * A number that changes when another connection (another window) commits to the file, and not
   * for this connection's own commits (`PRAGMA data_version`): what this window keeps from an
   * earlier read is current while it stays the same.
   */
  dataVersion(): number {
    return Number(this.statements.get('PRAGMA data_version').get()?.data_version);
  }

  /**
   * A read of ONE statement, which SQLite makes consistent by itself: no transaction is opened
   * (BEGIN and COMMIT cost more than a point read). Inside a write, it sees that write's changes.
   */
  readStatement<T>(body: (sql: Sql) => T): T {
    this.open();
    return body(this.sql);
  }

  /**
   * `read` of `table`, answered from `cache` while the table's version (moved by every change
   * to it, by this window or another) is the one the cache was filled at: one point read
   * instead of the whole read, and writes to other tables (a run, an audit entry) keep it.
   * For a read many callers repeat between changes, such as the registry that routing and
   * every view's snapshot list. The cached value is shared: callers must not change it.
   */
  cachedRead<T>(cache: ReadCache<T>, table: VersionedTable, body: (sql: Sql) => T): T {
    // Inside another transaction, a write of its own may not be committed yet: read it.
    if (this.inTransaction) return body(this.sql);
    // One statement outside a transaction is a consistent read by itself.
    if ('value' in cache && cache.version === this.tableVersion(table)) return cache.value as T;
    return this.read((sql) => {
      const version = this.tableVersion(table);
      if (cache.version !== version || !('value' in cache)) {
        cache.value = body(sql);
        cache.version = version;
      }
      return cache.value as T;
    });
  }

  private tableVersion(table: VersionedTable): number | undefined {
    return this.sql.get<{ version: number }>(`SELECT version FROM ${TABLES.tableVersions} WHERE name = ?`, table)?.version;
  }

  /**
   * A write transaction; a throw in `body` rolls everything in it back and rejects. Runs at once
   * when the database is free; when another window holds the lock, waits on timers (see the
   * class) and fails with `storage_unavailable` after `lockWaitMs`.
   *
   * Called inside another write's body, it joins that transaction at once, in a savepoint of
   * its own: a throw in its body undoes its part alone and throws there (so the outer write
   * rolls back whole unless it goes on), and its promise settles with the outer transaction,
   * resolving once that commits and rejecting if it rolls back. So writes of separate parts
   * can share one transaction, each whole or not at all.
   */
  write<T>(body: (sql: Sql) => T): Promise<T> {
    if (this.inTransaction) return this.joined(body);
    if (this.waiting.length === 0) {
      const now = this.tryWrite(body);
      if (now) return now;
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ body, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleRetry();
    });
  }

  /**
   * A write transaction now, on this thread: if another window holds the lock it waits only for
   * SQLite's busy timeout, then throws. For what cannot wait on a timer: the first open's
   * migrations, and tests and benches that set up a file.
   */
  writeNow<T>(body: (sql: Sql) => T): T {
    return this.transaction('BEGIN IMMEDIATE', body);
  }

  private joined<T>(body: (sql: Sql) => T): Promise<T> {
    const db = this.open();
    db.exec('SAVEPOINT joined');
    let value: T;
    try {
      value = body(this.sql);
    } catch (error) {
      db.exec('ROLLBACK TO joined');
      db.exec('RELEASE joined');
      throw error;
    }
    db.exec('RELEASE joined');
    return new Promise<T>((resolve, reject) => this.joinedWrites.push({ resolve: () => resolve(value), reject }));
  }

  /** How many of this window's writes are waiting for another window's lock. */
  get waitingWrites(): number {
    return this.waiting.length;
  }

  /** The write's outcome, or undefined when another window holds the lock. */
  private tryWrite<T>(body: (sql: Sql) => T): Promise<T> | undefined {
    try {
      return Promise.resolve(this.transaction('BEGIN IMMEDIATE', body));
    } catch (error) {
      if (error instanceof LockedError) return undefined;
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    const delayMs = retryDelayMs(this.attempts++);
    this.retry = (this.deps.timers ?? systemTimers).start(delayMs, () => {
      this.retry = undefined;
      this.waitedMs += delayMs;
      this.drain();
    });
  }

  /** Tries the waiting writes in order until one finds the lock still held. */
  private drain(): void {
    while (this.waiting.length) {
      const next = this.waiting[0]!;
      const outcome = this.tryWrite(next.body);
      if (!outcome) {
        if (this.waitedMs < this.lockWaitMs) return this.scheduleRetry();
        // Every waiting write has waited as long: they fail together, and the next write tries afresh.
        const failure = new SwitchboardError(
          'storage_unavailable',
          l10n.t(
            "Switchboard could not write to its database: another VS Code window kept it locked for more than {0} seconds. Nothing was written. Try again; if it keeps happening, close or reload Switchboard's other windows.",
            String(Math.round(this.lockWaitMs / 100) / 10),
          ),
        );
        this.deps.logger.error(failure.message);
        this.settleWaiting(failure);
        return;
      }
      this.waiting.shift();
      this.attempts = 0;
      this.waitedMs = 0;
      outcome.then(next.resolve, next.reject);
    }
  }

  /** Fails every waiting write with `error`, and stops their retries. */
  private settleWaiting(error: Error): void {
    this.retry?.cancel();
    this.retry = undefined;
    this.attempts = 0;
    this.waitedMs = 0;
    for (const write of this.waiting.splice(0)) write.reject(error);
  }

  /** Resolves when the work after the first open (removing moved globalState keys) is done. */
  settled(): Promise<void> {
    return this.afterOpen;
  }

  dispose(): void {
    if (this.waiting.length) this.settleWaiting(new SwitchboardError('storage_unavailable', l10n.t("Switchboard's database was closed before a write could be made.")));
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }

  private transaction<T>(begin: string, body: (sql: Sql) => T): T {
    const db = this.open();
    if (this.inTransaction) return body(this.sql);
    // A write waits at the gate for the ledger's writer thread's write, not in SQLite's busy sleep.
    const gated = begin !== 'BEGIN' && enterGate(this.writeGate, GATE_HOST);
    try {
      try {
        db.exec(begin);
      } catch (error) {
        throw isLocked(error) ? new LockedError(error) : error;
      }
      this.inTransaction = true;
      const joined: JoinedWrite[] = (this.joinedWrites = []);
      try {
        const result = body(this.sql);
        db.exec('COMMIT');
        for (const write of joined) write.resolve();
        return result;
      } catch (error) {
        // SQLite may have rolled back already (e.g. SQLITE_FULL); then this one has nothing to do.
        try {
          db.exec('ROLLBACK');
        } catch {
          /* no transaction left */
        }
        for (const write of joined) write.reject(error);
        throw error;
      } finally {
        this.inTransaction = false;
      }
    } finally {
      if (gated) leaveGate(this.writeGate);
    }
  }

  private open(): DatabaseSync {
    if (this.db) return this.db;
    const sqlite = this.load();
    let db: DatabaseSync | undefined;
    let after: (() => Promise<void>) | undefined;
    try {
      mkdirSync(dirname(this.deps.file), { recursive: true });
      db = new sqlite.DatabaseSync(this.deps.file);
      db.exec(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
      const opened = db;
      this.db = db;
      // Two windows opening a new file at once: switching it to WAL and migrating it can meet
      // the other's lock in a way SQLite does not hand to the busy handler, so that step waits
      // and tries again itself, for as long as a write may wait. On this thread: every read and
      // write needs the schema first. Only a first open that meets another window's migration or
      // move waits here.
      after = whileLocked(Math.max(this.busyTimeoutMs, this.lockWaitMs), () => {
        // WAL: readers never block the writer. NORMAL is durable across a crash of the process
        // (the WAL is fsynced at checkpoints); only a power loss may drop the last commits.
        opened.exec('PRAGMA journal_mode = WAL');
        opened.exec('PRAGMA synchronous = NORMAL');
        this.migrate();
        // Inside the try: if the move from an earlier version fails, the database is closed and
        // every use says so (and tries again), rather than showing a registry without its models.
        return this.writeNow((sql) => this.deps.afterMigrations?.(sql));
      });
    } catch (error) {
      this.statements.clear();
      db?.close();
      this.db = undefined;
      const failure =
        error instanceof SwitchboardError
          ? error
          : new SwitchboardError(
              'storage_unavailable',
              l10n.t('Switchboard could not open its database ({0}): {1}. Close other VS Code windows and try again. Nothing stored earlier was removed.', this.deps.file, errorText(error)),
              { cause: error },
            );
      this.deps.logger.error(failure.message);
      throw failure;
    }
    if (after) {
      this.afterOpen = after().catch((error: unknown) => this.deps.logger.error(`After opening the database: ${errorText(error)}`));
    }
    return db;
  }

  private load(): SqliteModule {
    try {
      // Loaded here, not imported at the top, so that a VS Code without it still activates
      // and says what is wrong when the data is first needed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return this.deps.loadSqlite ? this.deps.loadSqlite() : (require('node:sqlite') as SqliteModule);
    } catch (error) {
      const message = l10n.t(
        'Switchboard cannot store models, runs or the audit log: the Node.js of this VS Code ({0}) has no node:sqlite. Update VS Code to 1.104 or later. Your registered models, runs and audit log from earlier versions are left as they were.',
        process.version,
      );
      this.deps.logger.error(`${message} (${errorText(error)})`);
      throw new SwitchboardError('storage_unavailable', message, { cause: error });
    }
  }

  /** Applies the migrations this file has not had yet, in one transaction with the version. */
  private migrate(): void {
    this.writeNow((sql) => {
      const current = Number(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0);
      if (current > MIGRATIONS.length) {
        throw new SwitchboardError(
          'storage_unavailable',
          l10n.t("Switchboard's database was written by a newer version of Switchboard (schema {0}, this one knows {1}). Update the Switchboard extension.", current, MIGRATIONS.length),
        );
      }
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        this.db!.exec(MIGRATIONS[version - 1]!);
        this.db!.exec(`PRAGMA user_version = ${version}`);
      }
      if (current < MIGRATIONS.length) this.deps.logger.info(`Database schema ${current} → ${MIGRATIONS.length} (${this.deps.file}).`);
    });
  }
}

/** Runs `step`, again after a short pause while SQLite says the database is locked, for at most `limitMs`. */
function whileLocked<T>(limitMs: number, step: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + limitMs;
  for (;;) {
    try {
      return step();
    } catch (error) {
      const locked = error instanceof LockedError || isLocked(error);
      if (!locked || performance.now() >= deadline) throw error instanceof LockedError ? error.cause : error;
      // A synchronous sleep: the database API is synchronous, as SQLite's own busy wait is.
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}


/** A write that could not begin because another connection holds the lock. */
class LockedError extends Error {
  constructor(override readonly cause: unknown) {
    super(errorText(cause));
  }
}

/** JSON.parse that gives `undefined` for a body that is not JSON (a torn or hand-edited record). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A stored row's JSON body as `schema` reads it, or undefined when it does not pass: the row is
 * then skipped with a warning that names it, and kept in the database as it is, so a bad row
 * never costs a good one.
 */
export function parseRow<S extends z.ZodType>(schema: S, body: string, row: { what: string; id: string }, logger: Logger): z.output<S> | undefined {
  const parsed = schema.safeParse(safeJson(body));
  if (parsed.success) return parsed.data;
  logger.warn(`Ignoring the stored ${row.what} ${row.id}: it is not valid (kept in the database as it is).`);
  return undefined;
}
