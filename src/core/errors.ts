import type { ErrorCode, ErrorInfo } from '../contracts/errors';

/**
 * The one error type core code throws. `message` is for people and never holds a key;
 * src/vscode may replace it with a localized text chosen by `code`.
 */
export class SwitchboardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SwitchboardError';
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Any thrown value as an ErrorInfo; unknown errors become `internal` with their message. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof SwitchboardError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Unexpected error: ${message}` };
}
