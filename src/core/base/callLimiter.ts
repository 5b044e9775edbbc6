import * as l10n from '@vscode/l10n';
import { SwitchboardError } from './errors';

interface Waiter {
  start(): void;
}

/**
 * At most `limit()` calls in flight per key (a connection); the others wait in order. A call
 * starts its own clock (its request timeout) only when it leaves the queue, so a long queue
 * never times a call out. A caller that aborts while waiting leaves the queue with `cancelled`.
 */
export class CallLimiter {
  private readonly slots = new Map<string, { running: number; waiting: Waiter[] }>();

  constructor(private readonly limit: () => number) {}

  async run<T>(key: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const slot = this.slots.get(key) ?? { running: 0, waiting: [] };
    this.slots.set(key, slot);
    // A waiter is handed the slot of the call that ends (running stays as it is), so a call
    // arriving in between cannot take it and exceed the limit.
    if (slot.running >= Math.max(1, Math.floor(this.limit()))) await this.wait(slot, signal);
    else slot.running++;
    try {
      return await call();
    } finally {
      const next = slot.waiting.shift();
      if (next) next.start();
      else if (--slot.running === 0) this.slots.delete(key);
    }
  }

  /** Calls in flight and waiting for this key, for tests and figures. */
  load(key: string): { running: number; waiting: number } {
    const slot = this.slots.get(key);
    return { running: slot?.running ?? 0, waiting: slot?.waiting.length ?? 0 };
  }

  private wait(slot: { waiting: Waiter[] }, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = slot.waiting.indexOf(waiter);
        if (at >= 0) slot.waiting.splice(at, 1);
        reject(new SwitchboardError('cancelled', l10n.t('The model call was cancelled while it waited for its turn.')));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal?.aborted) return onAbort();
      slot.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
