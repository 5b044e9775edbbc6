import type { z } from 'zod';
import { Emitter } from '../base/events';
import type { KeyValueStore, Logger } from '../base/ports';
import { describeIssues } from '../../contracts/issues';
import { WriteQueue } from '../base/writeQueue';

/**
 * A list of records under one globalState key. Each stored value is validated, record by
 * record, with its schema once; every change is a read-modify-write in one queue, so concurrent
 * changes never lose a record; and records that fail their schema are logged and kept in storage
 * as they were, so a bad record never costs a good one.
 */
export class StoredList<S extends z.ZodType> {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  /**
   * The last value read: its valid records, and the entries that fail the schema, kept as they
   * were. globalState gives the same value on every read until the key is written, here or in
   * another window, so a read of the same value is not validated again. The records are frozen:
   * one changed in place would change every later read.
   */
  private lastRead: { value: unknown; records: readonly z.output<S>[]; invalid: readonly unknown[] } | undefined;

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
    return [...this.read().records];
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
    const { records, invalid } = this.read();
    await this.store.update(this.key, [...change([...records]), ...invalid]);
  }

  /** The stored value's records, validated once per value (lastRead). */
  private read(): { records: readonly z.output<S>[]; invalid: readonly unknown[] } {
    const value = this.store.get(this.key);
    const last = this.lastRead;
    if (last && last.value === value) return last;
    const records: z.output<S>[] = [];
    const invalid: unknown[] = [];
    for (const entry of Array.isArray(value) ? value : []) {
      const parsed = this.schema.safeParse(entry);
      if (parsed.success) {
        records.push(deepFreeze(parsed.data));
      } else {
        invalid.push(entry);
        this.logger.warn(`Ignoring a stored ${this.what} that is not valid: ${describeIssues(parsed.error.issues)}`);
      }
    }
    this.lastRead = { value, records, invalid };
    return this.lastRead;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
