import * as l10n from '@vscode/l10n';
import { ErrorCodeSchema, type ErrorCode, type ErrorInfo } from '../../contracts/errors';

/**
 * What a failed HTTP exchange tells a retry (src/core/calls/retryPolicy.ts): the status, when
 * the server said to come back, and whether it failed before any of an answer arrived in a way
 * that another try may fix. Never a header value or a body.
 */
export interface FailureFacts {
  status?: number;
  /** `Retry-After` in seconds, or `retry-after-ms` / a provider's reset header, in milliseconds from the answer. */
  retryAfterMs?: number;
  /** `Retry-After` as an HTTP date (or a provider's reset time), in milliseconds since the epoch. */
  retryAt?: number;
  /** Nothing of an answer came and another try may fix it: a timeout to the first byte, a refused or reset connection. */
  transient?: boolean;
}

/**
 * The one error type core code throws. `message` is for people and never holds a key;
 * src/vscode may replace it with a localized text chosen by `code`.
 */
export class SwitchboardError extends Error {
  /**
   * The text a streamed answer had produced when it failed (a connection cut, an `error` event,
   * a malformed chunk, a timeout, a cancel), with any key blanked; absent when nothing had
   * arrived. A run keeps it as its partial output. Not part of `toInfo()`: it is output, not an
   * error message.
   */
  readonly partialOutput?: string;
  /** What the HTTP exchange told about the failure, for retries and fallbacks; absent for failures that are not HTTP's. */
  readonly facts?: FailureFacts;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; partialOutput?: string; facts?: FailureFacts },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SwitchboardError';
    if (options?.partialOutput) this.partialOutput = options.partialOutput;
    if (options?.facts) this.facts = options.facts;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/**
 * Any thrown value as an ErrorInfo; unknown errors become `internal` with their message. An
 * adapter contributed by another extension cannot construct a SwitchboardError, so an Error
 * carrying one of our codes (the public API's documented way) keeps its code.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof SwitchboardError) return error.toInfo();
  const code = ErrorCodeSchema.safeParse((error as { code?: unknown } | null)?.code);
  if (error instanceof Error && code.success) return { code: code.data, message: error.message };
  return { code: 'internal', message: l10n.t('Unexpected error: {0}', errorText(error)) };
}

/** What an error says, whatever was thrown: its message, or the value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `error` (a SwitchboardError) with `facts` added to what it had; anything else as it is. */
export function withFacts<E>(error: E, facts: FailureFacts): E | SwitchboardError {
  if (!(error instanceof SwitchboardError)) return error;
  return new SwitchboardError(error.code, error.message, {
    cause: error.cause,
    facts: { ...error.facts, ...facts },
    ...(error.partialOutput ? { partialOutput: error.partialOutput } : {}),
  });
}

/** The facts of `error` as options for the error that replaces it (a blanked message, a partial output). */
export function factsOf(error: unknown): { facts?: FailureFacts } {
  return error instanceof SwitchboardError && error.facts ? { facts: error.facts } : {};
}
