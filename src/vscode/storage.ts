import type * as vscode from 'vscode';
import type { KeyValueStore, SecretVault } from '../core/base/ports';

/**
 * globalState, one write at a time. VS Code's memento keeps all of an extension's keys in one
 * object, sends the whole object on each write, and replaces its copy with what the main thread
 * echoes back for that write. A write made while another is in flight, to any key, is undone by
 * the earlier write's echo: reads see the old value until its own echo comes, and when the echo
 * comes before the write is sent, the write is lost for good, though its promise resolves
 * (measured in the real extension host: four keys written at once read back stale 15% of the
 * time; microsoft/vscode#171827). So each write starts once the one before it has settled, when
 * no echo is left in flight, and a value waiting its turn is what reads of its key get.
 */
export function globalStateStore(memento: vscode.Memento): KeyValueStore {
  /** Per key, the last value given to update() and not yet written. */
  const waiting = new Map<string, { value: unknown }>();
  let last: Promise<unknown> = Promise.resolve();
  return {
    keys: () => {
      const keys = new Set(memento.keys());
      for (const [key, { value }] of waiting) {
        if (value === undefined) keys.delete(key);
        else keys.add(key);
      }
      return [...keys];
    },
    get: (key) => {
      const pending = waiting.get(key);
      return pending ? pending.value : memento.get<unknown>(key);
    },
    update: (key, value) => {
      const pending = { value };
      waiting.set(key, pending);
      const write = last.then(() => memento.update(key, value));
      const settled = write.finally(() => {
        if (waiting.get(key) === pending) waiting.delete(key);
      });
      last = settled.catch(() => undefined);
      return settled;
    },
  };
}

export function secretStorageVault(secrets: vscode.SecretStorage): SecretVault {
  return {
    get: async (name) => secrets.get(name),
    store: async (name, value) => secrets.store(name, value),
    delete: async (name) => secrets.delete(name),
  };
}
