import * as z from 'zod';
import { ERROR_CODES } from './vocabulary';

/**
 * Every failure a person can see carries one of these codes. Core code throws them;
 * only src/vscode turns a code into words with an action to take.
 */
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The error shape that crosses every boundary: webview replies, API results, run records. */
export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
