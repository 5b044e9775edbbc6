import { RunRecordSchema, type RunRecord } from '../contracts/agents';
import { Emitter } from './events';
import { systemClock, type Clock, type KeyValueStore, type Logger } from './ports';

/** Each run is its own globalState entry, so a status change writes one small record, not the history. */
export const RUN_KEY_PREFIX = 'switchboard.run.';
export const runKey = (id: string) => `${RUN_KEY_PREFIX}${id}`;

type Change = { kind: 'add'; run: RunRecord } | { kind: 'update'; id: string; patch: Partial<RunRecord> };

interface Pending {
  change: Change;
  done(): void;
  failed(error: unknown): void;
}

/**
 * Runs in globalState, oldest first, bounded by the retention setting. Stored runs are parsed
 * once per session and kept in memory. Changes that arrive while a write is under way are
 * applied together in the next round of writes, so a thousand runs finishing at once cost a few
 * rounds and lose nothing.
 */
export class RunStore {
  private runs: RunRecord[] | undefined;
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: { store: KeyValueStore; retention: () => number; logger: Logger; clock?: Clock }) {}

  list(): RunRecord[] {
    return [...this.loaded()];
  }

  get(id: string): RunRecord | undefined {
    return this.loaded().find((run) => run.id === id);
  }

  add(run: RunRecord): Promise<void> {
    return this.enqueue({ kind: 'add', run });
  }

  /** Applies `patch` to the run if it is still stored (retention may have dropped it). */
  update(id: string, patch: Partial<RunRecord>): Promise<void> {
    return this.enqueue({ kind: 'update', id, patch });
  }

  /** Resolves when every change made so far is written. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private enqueue(change: Change): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.pending.push({ change, done, failed });
      this.writing ??= this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        await this.writeBatch(batch);
        this.changed.fire();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let runs = this.loaded();
    const dirty = new Set<string>();
    const applied: Pending[] = [];
    for (const item of batch) {
      // One bad change fails alone; the rest of the batch is still written.
      try {
        runs = apply(runs, item.change);
        dirty.add(item.change.kind === 'add' ? item.change.run.id : item.change.id);
        applied.push(item);
      } catch (error) {
        item.failed(error);
      }
    }
    const limit = Math.max(1, Math.floor(this.deps.retention()));
    const dropped = runs.length > limit ? runs.slice(0, runs.length - limit) : [];
    if (dropped.length) runs = runs.slice(dropped.length);
    const kept = new Map(runs.map((run) => [run.id, run]));
    try {
      await Promise.all([
        ...[...dirty].filter((id) => kept.has(id)).map((id) => this.deps.store.update(runKey(id), kept.get(id))),
        ...dropped.map((run) => this.deps.store.update(runKey(run.id), undefined)),
      ]);
      this.runs = runs;
      for (const item of applied) item.done();
    } catch (error) {
      this.deps.logger.error(`Could not store runs: ${error instanceof Error ? error.message : String(error)}`);
      // What is in memory must match what may be on disk: read it again on next use.
      this.runs = undefined;
      for (const item of applied) item.failed(error);
    }
  }

  private loaded(): RunRecord[] {
    if (!this.runs) {
      const runs: RunRecord[] = [];
      for (const key of this.deps.store.keys()) {
        if (!key.startsWith(RUN_KEY_PREFIX)) continue;
        const parsed = RunRecordSchema.safeParse(this.deps.store.get(key));
        if (parsed.success) runs.push(parsed.data);
        else this.deps.logger.warn(`Ignoring the stored run ${key.slice(RUN_KEY_PREFIX.length)}: it is not valid.`);
      }
      this.runs = runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      this.failInterrupted(this.runs);
    }
    return this.runs;
  }

  /**
   * Runs read at the first load are from an earlier session (this one adds its runs after that
   * load), so any still queued or running were cut off by a window that closed or reloaded:
   * they are failed, lazily here rather than during activation.
   */
  private failInterrupted(loaded: RunRecord[]): void {
    const stale = loaded.filter((run) => run.status === 'queued' || run.status === 'running');
    if (!stale.length) return;
    const finishedAt = (this.deps.clock ?? systemClock).now().toISOString();
    const error = { code: 'internal' as const, message: 'The run was interrupted: VS Code closed or reloaded the window before it finished. Run the agent again.' };
    for (const run of stale) {
      this.update(run.id, { status: 'failed', error, finishedAt }).catch((reason: unknown) =>
        this.deps.logger.error(`Could not mark the interrupted run ${run.id} as failed: ${reason instanceof Error ? reason.message : String(reason)}`),
      );
    }
    this.deps.logger.warn(`Marked ${stale.length} run(s) interrupted by the last window reload or close as failed.`);
  }
}

function apply(runs: RunRecord[], change: Change): RunRecord[] {
  if (change.kind === 'add') return [...runs, RunRecordSchema.parse(change.run)];
  return runs.map((run) => (run.id === change.id ? RunRecordSchema.parse({ ...run, ...change.patch }) : run));
}
