import type { ErrorCode } from '../../contracts/errors';
import { SwitchboardError, toErrorInfo } from '../base/errors';

/** The statuses another try may fix: too many requests, the server's failures, a gateway's and Anthropic's "overloaded". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 529]);

/** The first back-off, before jitter; each next one doubles, up to {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 10_000;

/** What a failed try means for the call. */
export interface Verdict {
  code: ErrorCode;
  /** The HTTP status, when an answer came. */
  status?: number;
  /**
   * `retry`: another try (here or on the next target) may succeed (429, 5xx, a timeout to the
   * first byte, a refused or reset connection). `final`: no try can fix it (a rejected key, a bad
   * request, a model that does not exist, a cancel), so the call fails with it.
   */
  kind: 'retry' | 'final';
  /** When the server said to come back, in milliseconds from `now`; absent when it did not say. */
  retryAfterMs?: number;
}

/** Classifies a failed try. `now` reads an HTTP-date `Retry-After` against the injected clock. */
export function judge(error: unknown, now: number): Verdict {
  const { code } = toErrorInfo(error);
  const facts = error instanceof SwitchboardError ? error.facts : undefined;
  const status = facts?.status;
  const retryable = code !== 'cancelled' && (status !== undefined ? RETRYABLE_STATUSES.has(status) : facts?.transient === true);
  const verdict: Verdict = { code, kind: retryable ? 'retry' : 'final', ...(status !== undefined ? { status } : {}) };
  if (facts?.retryAfterMs !== undefined) verdict.retryAfterMs = Math.max(0, facts.retryAfterMs);
  else if (facts?.retryAt !== undefined) verdict.retryAfterMs = Math.max(0, facts.retryAt - now);
  return verdict;
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential back-off with full
 * jitter (a uniform draw between 0 and `min(MAX, BASE · 2^(retry−1))`), so calls that failed
 * together do not come back together.
 */
export function backoffMs(retry: number, random: () => number): number {
  return Math.floor(random() * backoffCeilingMs(retry));
}

/** The largest back-off before retry number `retry`. */
export function backoffCeilingMs(retry: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, retry - 1));
}
