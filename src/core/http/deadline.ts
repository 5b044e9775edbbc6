import * as l10n from '@vscode/l10n';
import { SwitchboardError } from '../base/errors';
import { systemTimers, type Timer, type Timers } from '../base/ports';

/** The longest delay a timer keeps: Node fires a timer of more than 2^31−1 ms (about 24.8 days) at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * `timeoutMs` when a timer can keep it; `invalid_input` for 0 or less, a value that is not a
 * number, or one past {@link MAX_TIMEOUT_MS}, which would all end the work at once.
 */
export function checkTimeout(timeoutMs: number): number {
  if (Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS) return timeoutMs;
  throw new SwitchboardError('invalid_input', l10n.t('A timeout of {0} ms cannot be kept: it must be more than 0 and at most {1} ms (about 24 days). Nothing was sent; use a shorter timeout.', String(timeoutMs), MAX_TIMEOUT_MS));
}

/**
 * One timer and one AbortController for work the caller may also cancel: `signal` aborts when
 * the time runs out or when the caller's signal aborts, and `timedOut` tells the two apart.
 * Call `clear()` when the work is over, so neither the timer nor the listener on the caller's
 * signal outlives it.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: Timer;
  private expired = false;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    readonly timeoutMs: number,
    readonly callerSignal: AbortSignal | undefined,
    private readonly timers: Timers = systemTimers,
  ) {
    this.timer = this.startTimer(checkTimeout(timeoutMs));
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (callerSignal?.aborted) this.controller.abort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the time has run out, whether or not the caller cancelled as well. */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Gives the work `timeoutMs` from now instead of what was left (a stream's second phase). */
  protected restart(timeoutMs: number): void {
    this.timer.cancel();
    this.timer = this.startTimer(checkTimeout(timeoutMs));
  }

  /** Stops the clock until `restart`: time that is not the other side's to answer for. */
  protected pause(): void {
    this.timer.cancel();
  }

  private startTimer(timeoutMs: number): Timer {
    return this.timers.start(timeoutMs, () => {
      this.expired = true;
      this.controller.abort();
    });
  }

  clear(): void {
    this.timer.cancel();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
