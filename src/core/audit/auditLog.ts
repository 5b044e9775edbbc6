import * as l10n from '@vscode/l10n';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AuditEntrySchema, type AuditEntry } from '../../contracts/agents';
import { safeJson, type Database, type Sql } from '../store/database';
import { SwitchboardError, errorText } from '../base/errors';
import { Emitter } from '../base/events';
import type { Clock, KeyValueStore, Logger } from '../base/ports';
import { HeadMirror, VerifiedHeadMemory, type AuditChainKeys, type ChainKey } from './auditAnchor';
import { canonical, CHAIN_START, ChainWalk, checkEnds, GENESIS_HASH, Hmac, storedText, type AuditVerification } from './auditChain';
import { readStoredRows } from './storedRows';
import type { StretchResult, VerifiedHead, VerifyWorkerData, VerifyWorkerMessage, VerifyWorkerReply } from './auditVerifyProtocol';
import { readHead, writeHead, type AuditHead } from '../store/auditHead';
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

export { GENESIS_HASH, type AuditVerification } from './auditChain';

/** What else an audit log may be given. */
export interface AuditLogOptions {
  /** The verify worker's bundle (dist/auditVerify.js): a full verify runs there, off the extension host's thread. */
  verifyWorker?: string;
  /** How many workers a full verify may use (default: one per core, up to four). */
  verifyWorkers?: number;
  /** The fewest rows worth a worker of their own (default 10,000): a short log is one stretch. */
  minRowsPerWorker?: number;
}

/** A verification, and the last entry when it passed (what the next verify starts after). */
export interface Verified {
  result: AuditVerification;
  last?: VerifiedHead;
  /** The CPU time each verify worker's thread took, where Node says (for the bench). */
  workerCpuMs?: number[];
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

/** The most workers a full verify starts. */
const MAX_VERIFY_WORKERS = 4;
const MIN_ROWS_PER_WORKER = 10_000;

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
  private readonly verified: VerifiedHeadMemory;
  /** The key new entries are hashed with, once loaded; until then, the load under way. */
  private signing: ChainKey | undefined;
  private loading: Promise<ChainKey> | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly anchor: AuditAnchorDeps,
    private readonly options: AuditLogOptions = {},
  ) {
    this.verified = new VerifiedHeadMemory({ state: anchor.state, logger: anchor.logger });
    this.mirror = new HeadMirror({ state: anchor.state, logger: anchor.logger, ...(anchor.mirrorDelayMs !== undefined ? { delayMs: anchor.mirrorDelayMs } : {}) });
  }

  /**
   * Appends an entry. The head is mirrored once this returns, so inside another write
   * transaction (a batch), that transaction must commit.
   */
  async append(event: AuditEvent): Promise<AuditEntry> {
    // After the first append the key is at hand: no await before the write, so appends batched in
    // one transaction (called inside its body) join it at once.
    const signing = this.signing ?? (await this.signingKey());
    const entry = await this.db.write((sql) => {
      const head = readHead(sql) ?? { seq: 0, hash: GENESIS_HASH };
      const body = { ...event, seq: head.seq + 1, time: this.clock.now().toISOString(), prevHash: head.hash, chainKey: signing.id };
      const text = canonical(body);
      const entry = AuditEntrySchema.parse({ ...body, hash: new Hmac(signing.key).hex(text) });
      // The whole entry as JSON, so fields added to AuditEntry later are kept and hashed: the
      // text its hash was made over, with the hash at its end, so verify checks it as stored.
      const { hash, ...parsed } = entry;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; either stored form verifies to the same answer (the other one the long way, as rows of earlier versions do)
      sql.run(`INSERT INTO ${audit} (body) VALUES (?)`, canonical(parsed) === text ? storedText(text, hash) : JSON.stringify(entry));
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

  /**
   * Verifies the chain. By default only the entries written since the last entry a verify found
   * intact (remembered in memory and in globalState, not in the database), so opening the editor
   * costs what was written since; when that entry is no longer where it was, with the hash it had
   * (the log was rewritten, or the database replaced), the whole log is verified instead. `full`
   * verifies the whole log, and finds an edit anywhere in it: in the verify worker, off the
   * extension host's thread, when there is one.
   */
  async verify(options: { full?: boolean } = {}): Promise<AuditVerification> {
    // This window's last head goes out first, so the mirror is as recent as it can be.
    await this.mirror.flush();
    const mirrored = this.mirror.read();
    const from = options.full ? undefined : this.verified.read();
    const outcome = (from && (await this.verifySince(from, mirrored))) ?? (await this.verifyAll(mirrored));
    if (outcome.last) await this.verified.remember(outcome.last);
    else if (!outcome.result.ok) await this.verified.forget();
    return outcome.result;
  }

  /**
   * The entries after `from`, and `from` itself again (one entry: its hash still checks, so an
   * edit of it is found too); undefined when `from` is not in the log as it was verified.
   */
  private async verifySince(from: VerifiedHead, mirrored: AuditHead | undefined): Promise<Verified | undefined> {
    const log = this.db.read((sql) => ({
      from: sql.get<{ body: string }>(`SELECT body FROM ${audit} WHERE pos = ?`, from.pos)?.body,
      rows: readStoredRows(sql, from.pos - 1),
      head: readHead(sql),
    }));
    const anchor = log.from === undefined ? undefined : (safeJson(log.from) as { seq?: unknown; hash?: unknown; prevHash?: unknown } | undefined);
    if (anchor?.seq !== from.seq || anchor.hash !== from.hash || typeof anchor.prevHash !== 'string') {
      this.anchor.logger.info(`The audit entry verified last (${from.seq}) is not in the log as it was; verifying the whole log.`);
      return undefined;
    }
    // Before `from` the chain was verified: keyed or not, `from` says for itself (a plain entry has only plain ones before it).
    const before = from.seq - 1;
    const walk = new ChainWalk(log.rows, { seq: before, hash: anchor.prevHash, keyed: false }, mirrored?.seq);
    await this.walkHere(walk);
    const entries = before + walk.rowCount;
    if (walk.broken) return { result: { ok: false, entries, broken: { line: before + walk.broken.index + 1, reason: walk.broken.reason } } };
    // A mirrored head before `from` was among the entries verified then.
    const mirroredHash = mirrored && mirrored.seq < from.seq ? mirrored.hash : walk.mirroredHash;
    const ends = checkEnds({ entries, last: walk.link, head: log.head, mirrored, mirroredHash });
    // `from` itself was checked again, but it is not new.
    const result = ends.ok ? { ...ends, newSince: walk.rowCount - 1 } : ends;
    return { result, ...(result.ok ? { last: { pos: log.rows.at(-1)!.lastPos, seq: walk.link.seq, hash: walk.link.hash } } : {}) };
  }

  /** The whole log: in the verify worker when there is one (and it works), else here, a slice at a time. */
  private async verifyAll(mirrored: AuditHead | undefined): Promise<Verified> {
    if (this.options.verifyWorker) {
      try {
        return await this.verifyInWorkers(this.options.verifyWorker, mirrored);
      } catch (error) {
        this.anchor.logger.warn(`The audit verify worker failed (${errorText(error)}); verifying in the extension host instead.`);
      }
    }
    return this.verifyAllHere(mirrored);
  }

  /** The whole log on this thread: the answer the worker must give too. */
  async verifyAllHere(mirrored: AuditHead | undefined = this.mirror.read()): Promise<Verified> {
    const { rows, head } = this.db.read((sql) => ({ rows: readStoredRows(sql, 0), head: readHead(sql) }));
    const walk = new ChainWalk(rows, CHAIN_START, mirrored?.seq);
    await this.walkHere(walk);
    const entries = walk.rowCount;
    if (walk.broken) return { result: { ok: false, entries, broken: { line: walk.broken.index + 1, reason: walk.broken.reason } } };
    const result = checkEnds({ entries, last: walk.link, head, mirrored, mirroredHash: walk.mirroredHash });
    const lastPos = rows.at(-1)?.lastPos;
    return { result, ...(result.ok && lastPos !== undefined ? { last: { pos: lastPos, seq: walk.link.seq, hash: walk.link.hash } } : {}) };
  }

  /**
   * The whole log in verify workers, off this thread: the log is split into as many stretches
   * as the machine has cores (up to four; a short log is one), each walked by its own worker,
   * and their answers joined here: the first broken entry of the first stretch that has one,
   * else the ends checked as on this thread. A stretch starts from the entry before it; when that
   * one is broken, the stretch before says so first. The chain keys the workers ask for come from
   * SecretStorage here.
   */
  async verifyInWorkers(workerPath: string, mirrored: AuditHead | undefined = this.mirror.read()): Promise<Verified> {
    // How the log is split between workers changes only the speed: each stretch starts from the
    // entry before it, so any split gives the host's answer (tested with 1 and 3 stretches).
    // Stryker disable all: equivalent mutants of the split
    const wanted = Math.max(1, Math.min(MAX_VERIFY_WORKERS, this.options.verifyWorkers ?? availableParallelism()));
    const minRows = this.options.minRowsPerWorker ?? MIN_ROWS_PER_WORKER;
    // One snapshot for the plan and the head: rows appended later (by any window) lie past the last stretch.
    // The stretches split the positions of the rows, not the rows counted: the last position is
    // one lookup, where a count and an offset each read the whole table on this thread. A log's
    // positions have no gaps unless rows were removed, so the stretches come out even.
    const plan = this.db.read((sql) => {
      const lastPos = Number(sql.get<{ pos: number | null }>(`SELECT max(pos) AS pos FROM ${audit}`)?.pos ?? 0);
      const stretches = Math.max(1, Math.min(wanted, Math.floor(lastPos / minRows)));
      const bounds = [0];
      for (let i = 1; i < stretches; i++) bounds.push(Math.floor((lastPos * i) / stretches));
      bounds.push(lastPos);
      // Stryker restore all
      return { head: readHead(sql), bounds, lastPos };
    });
    const stretches = await Promise.all(
      plan.bounds.slice(1).map((toPos, i) =>
        this.walkInWorker(workerPath, { file: this.db.file, busyTimeoutMs: this.db.busyTimeoutMs, afterPos: plan.bounds[i]!, toPos, mirroredSeq: mirrored?.seq }),
      ),
    );
    const entries = stretches.reduce((sum, stretch) => sum + stretch.rows, 0);
    const workerCpuMs = stretches.flatMap((stretch) => stretch.cpuMs ?? []);
    let before = 0;
    for (const stretch of stretches) {
      if (stretch.broken) return { result: { ok: false, entries, broken: { line: before + stretch.broken.index + 1, reason: stretch.broken.reason } }, workerCpuMs };
      before += stretch.rows;
    }
    const last = stretches.at(-1)!.end;
    const mirroredHash = stretches.find((stretch) => stretch.mirroredHash !== undefined)?.mirroredHash;
    const result = checkEnds({ entries, last, head: plan.head, mirrored, mirroredHash });
    return { result, workerCpuMs, ...(result.ok && entries > 0 ? { last: { pos: plan.lastPos, seq: last.seq, hash: last.hash } } : {}) };
  }

  /** One stretch of the log in a verify worker. */
  private walkInWorker(workerPath: string, data: VerifyWorkerData): Promise<StretchResult> {
    return new Promise<StretchResult>((resolve, reject) => {
      // None of the host's Node flags: a loader or an inspector flag of the host's process would
      // load into each worker too, and its start is part of every full verify.
      const worker = new Worker(workerPath, { workerData: data, execArgv: [] });
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        done();
        void worker.terminate();
      };
      worker.on('message', (message: VerifyWorkerMessage) => {
        if (message.type === 'key') {
          this.anchor.keys.get(message.id).then(
            (key) => worker.postMessage({ type: 'key', id: message.id, key: key ?? null } satisfies VerifyWorkerReply),
            (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
          );
        } else if (message.type === 'done') {
          settle(() => resolve(message.stretch));
        } else {
          settle(() => reject(new Error(message.message)));
        }
      });
      // An uncaught error comes on another channel than the worker's messages, so it may arrive
      // before an answer the worker posted first; 'exit' follows it once every message has been
      // delivered, so the outcome is decided there: the answer if one came, else the error.
      let failure: Error | undefined;
      worker.on('error', (error) => (failure ??= error));
      worker.on('exit', (code) => settle(() => reject(failure ?? new Error(`the worker exited (${code}) before it answered`))));
    });
  }

  /** Walks on this thread, yielding between slices so the extension host (runs, chat, the other views) goes on meanwhile. */
  private async walkHere(walk: ChainWalk): Promise<void> {
    let sliceEnd = VERIFY_SLICE;
    for (;;) {
      const need = walk.walk(sliceEnd);
      if (need) {
        walk.giveKey(need.needKey, await this.anchor.keys.get(need.needKey));
        continue;
      }
      if (walk.done) return;
      sliceEnd += VERIFY_SLICE;
      await new Promise((resolve) => setImmediate(resolve));
    }
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
