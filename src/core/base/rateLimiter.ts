import * as l10n from '@vscode/l10n';
import { SwitchboardError } from './errors';
import type { Timer, Timers } from './ports';

/** Requests and tokens a minute for one key (a connection); 0 is no limit. */
export interface RateLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

const MINUTE_MS = 60_000;

interface Bucket {
  /** What is left of each allowance, refilled continuously up to a minute's worth. */
  requests: number;
  tokens: number;
  /** When the two were last refilled (ms on the clock). */
  at: number;
  /** Calls waiting their turn, oldest first. */
  waiting: Waiter[];
  timer?: Timer;
}

interface Waiter {
  tokens: number;
  start(): void;
  onWait?(ms: number): void;
  announced: boolean;
}

/**
 * Token buckets per key: at most `requestsPerMinute` requests and `tokensPerMinute` tokens a
 * minute, each refilled continuously. A call that does not fit waits its turn in order (a later
 * small call never overtakes an earlier large one) on the injected timers, and leaves the queue
 * with `cancelled` when its signal aborts. The tokens are an estimate before the call, corrected
 * once the provider reports its usage ({@link settle}).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: (key: string) => RateLimits,
    private readonly now: () => number,
    private readonly timers: Timers,
  ) {}

  /**
   * Takes one request and `tokens` from the key's buckets, waiting for them when they are short.
   * `onWait` is told once how long the wait is expected to be, when there is one.
   */
  async acquire(key: string, tokens: number, signal: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    const limits = this.limits(key);
    if (limits.requestsPerMinute <= 0 && limits.tokensPerMinute <= 0) return;
    const bucket = this.bucket(key, limits);
    // A call larger than a whole minute's allowance waits for a full bucket, then goes.
    const wanted = limits.tokensPerMinute > 0 ? Math.min(tokens, limits.tokensPerMinute) : 0;
    if (bucket.waiting.length === 0 && this.fits(bucket, limits, wanted)) {
      this.take(bucket, limits, wanted);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = bucket.waiting.indexOf(waiter);
        if (at >= 0) bucket.waiting.splice(at, 1);
        reject(new SwitchboardError('cancelled', l10n.t('The model call was cancelled while it waited for the rate limit.')));
        this.schedule(key);
      };
      const waiter: Waiter = {
        tokens: wanted,
        announced: false,
        ...(onWait ? { onWait } : {}),
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal.aborted) return onAbort();
      bucket.waiting.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      this.schedule(key);
    });
  }

  /** Corrects the key's token bucket once the call's real usage is known (a negative balance makes the next calls wait longer). */
  settle(key: string, estimated: number, actual: number): void {
    const bucket = this.buckets.get(key);
    const limits = this.limits(key);
    if (!bucket || limits.tokensPerMinute <= 0) return;
    this.refill(bucket, limits);
    bucket.tokens = Math.min(limits.tokensPerMinute, bucket.tokens - (actual - Math.min(estimated, limits.tokensPerMinute)));
  }

  /** Calls waiting for this key's rate limit, for tests and figures. */
  waiting(key: string): number {
    return this.buckets.get(key)?.waiting.length ?? 0;
  }

  private bucket(key: string, limits: RateLimits): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { requests: limits.requestsPerMinute, tokens: limits.tokensPerMinute, at: this.now(), waiting: [] };
      this.buckets.set(key, bucket);
    }
    this.refill(bucket, limits);
    return bucket;
  }

  private refill(bucket: Bucket, limits: RateLimits): void {
    const now = this.now();
    const elapsed = Math.max(0, now - bucket.at);
    bucket.at = now;
    if (limits.requestsPerMinute > 0) bucket.requests = Math.min(limits.requestsPerMinute, bucket.requests + (elapsed * limits.requestsPerMinute) / MINUTE_MS);
    if (limits.tokensPerMinute > 0) bucket.tokens = Math.min(limits.tokensPerMinute, bucket.tokens + (elapsed * limits.tokensPerMinute) / MINUTE_MS);
  }

  private fits(bucket: Bucket, limits: RateLimits, tokens: number): boolean {
    return (limits.requestsPerMinute <= 0 || bucket.requests >= 1) && (limits.tokensPerMinute <= 0 || bucket.tokens >= tokens);
  }

  private take(bucket: Bucket, limits: RateLimits, tokens: number): void {
    if (limits.requestsPerMinute > 0) bucket.requests -= 1;
    if (limits.tokensPerMinute > 0) bucket.tokens -= tokens;
  }

  /** Lets the waiters that fit go, in order, and sets a timer for when the first of the rest will. */
  private schedule(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    bucket.timer?.cancel();
    bucket.timer = undefined;
    const limits = this.limits(key);
    this.refill(bucket, limits);
    while (bucket.waiting.length > 0) {
      const head = bucket.waiting[0]!;
      if (!this.fits(bucket, limits, head.tokens)) {
        const ms = this.waitFor(bucket, limits, head.tokens);
        if (!head.announced) {
          head.announced = true;
          head.onWait?.(ms);
        }
        bucket.timer = this.timers.start(ms, () => this.schedule(key));
        return;
      }
      bucket.waiting.shift();
      this.take(bucket, limits, head.tokens);
      head.start();
    }
  }

  /** How long until both allowances hold what the call needs (at least 1 ms). */
  private waitFor(bucket: Bucket, limits: RateLimits, tokens: number): number {
    const requests = limits.requestsPerMinute > 0 ? ((1 - bucket.requests) * MINUTE_MS) / limits.requestsPerMinute : 0;
    const tokenWait = limits.tokensPerMinute > 0 ? ((tokens - bucket.tokens) * MINUTE_MS) / limits.tokensPerMinute : 0;
    return Math.max(1, Math.ceil(Math.max(requests, tokenWait)));
  }
}
