import * as z from 'zod';

/**
 * Every failure a person can see carries one of these codes. Core code throws them;
 * only src/vscode turns a code into words with an action to take.
 */
export const ErrorCodeSchema = z.enum([
  'missing_connection',
  'consent_denied',
  'endpoint_unreachable',
  'auth_failed',
  'model_not_found',
  'rate_limited',
  'timeout',
  'cancelled',
  'bad_response',
  'invalid_input',
  'not_found',
  'conflict',
  'secret_storage_failed',
  /** The database could not be opened (node:sqlite missing, the file unreadable, or written by a newer version). */
  'storage_unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The error shape that crosses every boundary: webview replies, API results, run records. */
export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
