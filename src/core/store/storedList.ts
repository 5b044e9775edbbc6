import type { z } from 'zod';
import { Emitter } from '../base/events';
import type { KeyValueStore, Logger } from '../base/ports';
import { describeIssues } from '../../contracts/issues';
import { WriteQueue } from '../base/writeQueue';

/**
 * A list of records under one globalState key. Every read validates each record with its
 * schema; every change is a read-modify-write in one queue, so concurrent changes never lose a
 * record; and records that fail their schema are logged and kept in storage as they were, so a
 * bad record never costs a good one.
 */
export class StoredList<S extends z.ZodType> {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: KeyValueStore,
    readonly key: string,
    private readonly schema: S,
    private readonly logger: Logger,
    /** What a record is, for the log: "connection", "agent", ... */
    private readonly what: string,
    /** The queue writes go through; lists whose records depend on each other share one. */
    readonly queue: WriteQueue = new WriteQueue(),
  ) {}

  list(): z.output<S>[] {
    return this.raw().flatMap((entry) => {
      const parsed = this.schema.safeParse(entry);
      if (parsed.success) return [parsed.data];
      this.logger.warn(`Ignoring a stored ${this.what} that is not valid: ${describeIssues(parsed.error.issues)}`);
      return [];
    });
  }

  /**
   * Applies `change` to the valid records and writes the result; a throw in `change` writes
   * nothing. `after` runs in the same queued operation, once the write is done.
   */
  async mutate(change: (all: z.output<S>[]) => z.output<S>[], after?: () => Promise<void>): Promise<void> {
    await this.queue.run(() => this.write(change).then(after));
    this.changed.fire();
  }

  /** The write itself, outside the queue: only for a step that already runs inside it. */
  async write(change: (all: z.output<S>[]) => z.output<S>[]): Promise<void> {
    const invalid = this.raw().filter((entry) => !this.schema.safeParse(entry).success);
    await this.store.update(this.key, [...change(this.list()), ...invalid]);
  }

  private raw(): unknown[] {
    const value = this.store.get(this.key);
    return Array.isArray(value) ? value : [];
  }
}
