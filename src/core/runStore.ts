import { RunRecordSchema, type RunRecord } from '../contracts/agents';
import { Emitter } from './events';
import type { KeyValueStore, Logger } from './ports';

export const RUNS_KEY = 'switchboard.runs';

type Change = (runs: RunRecord[]) => RunRecord[];

/**
 * Runs in globalState, newest last, bounded by the retention setting. Stored runs are parsed
 * once and kept in memory; changes that arrive while a write is under way are applied together
 * in the next write, so a thousand runs finishing at once cost a few writes and lose nothing.
 */
export class RunStore {
  private runs: RunRecord[] | undefined;
  private pending: { change: Change; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly deps: { store: KeyValueStore; retention: () => number; logger: Logger },
  ) {}

  list(): RunRecord[] {
    return [...this.loaded()];
  }

  get(id: string): RunRecord | undefined {
    return this.loaded().find((run) => run.id === id);
  }

  add(run: RunRecord): Promise<void> {
    return this.change((runs) => [...runs, RunRecordSchema.parse(run)]);
  }

  /** Applies `patch` to the run if it is still stored (retention may have dropped it). */
  update(id: string, patch: Partial<RunRecord>): Promise<void> {
    return this.change((runs) => runs.map((run) => (run.id === id ? RunRecordSchema.parse({ ...run, ...patch }) : run)));
  }

  /** Resolves when every change made so far is written. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private change(change: Change): Promise<void> {
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
        let next = this.loaded();
        const applied: typeof batch = [];
        for (const item of batch) {
          // One bad change fails alone; the rest of the batch is still written.
          try {
            next = item.change(next);
            applied.push(item);
          } catch (error) {
            item.failed(error);
          }
        }
        const limit = Math.max(1, this.deps.retention());
        if (next.length > limit) next = next.slice(next.length - limit);
        try {
          await this.deps.store.update(RUNS_KEY, next);
          this.runs = next;
          for (const item of applied) item.done();
        } catch (error) {
          this.deps.logger.error(`Could not store runs: ${error instanceof Error ? error.message : String(error)}`);
          for (const item of applied) item.failed(error);
        }
        this.changed.fire();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private loaded(): RunRecord[] {
    if (!this.runs) {
      const raw = this.deps.store.get(RUNS_KEY);
      this.runs = (Array.isArray(raw) ? raw : []).flatMap((entry) => {
        const parsed = RunRecordSchema.safeParse(entry);
        if (parsed.success) return [parsed.data];
        this.deps.logger.warn('Ignoring a stored run that is not valid.');
        return [];
      });
    }
    return this.runs;
  }
}
