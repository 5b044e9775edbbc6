import * as l10n from '@vscode/l10n';
import { ErrorCodeSchema, type ErrorCode, type ErrorInfo } from '../../contracts/errors';

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

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; partialOutput?: string },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SwitchboardError';
    if (options?.partialOutput) this.partialOutput = options.partialOutput;
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
