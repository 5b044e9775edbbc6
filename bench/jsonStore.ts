import type { KeyValueStore } from '../src/core/ports';

/**
 * What globalState does with a value: each write serialises it to JSON after yielding (the
 * extension host sends it to the main process), each read parses it back. The unit tests'
 * MemoryStore copies with structuredClone instead, which would misstate these costs.
 */
export class JsonStore implements KeyValueStore {
  private readonly data = new Map<string, string>();
  updates = 0;

  keys(): readonly string[] {
    return [...this.data.keys()];
  }

  get(key: string): unknown {
    const text = this.data.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async update(key: string, value: unknown): Promise<void> {
    this.updates++;
    await new Promise((resolve) => setImmediate(resolve));
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
  }

  /** Stores `value` as if written in an earlier session; returns its size in bytes. */
  seed(key: string, value: unknown): number {
    const text = JSON.stringify(value);
    this.data.set(key, text);
    return Buffer.byteLength(text);
  }

  bytes(key: string): number {
    return Buffer.byteLength(this.data.get(key) ?? '');
  }
}
