import * as z from 'zod';
import { CallAttemptSchema, CallTargetSchema, MAX_RECORDED_ATTEMPTS } from './agents';
import { ErrorInfoSchema } from './errors';
import { UsageSchema } from './models';

/**
 * One request from VS Code's chat (the `switchboard` language model vendor): lighter than a run,
 * with no agent, no input or output text, only where it went, what it cost and how it ended.
 */
export const ChatRecordSchema = z.object({
  id: z.string().uuid(),
  /** `switchboard.vscodeChat`, or `switchboard.vscodeChat/<extension id>` when VS Code names the extension that asked. */
  requesterId: z.string().max(300),
  connectionId: z.string().uuid(),
  providerId: z.string().max(200),
  modelRef: z.string().max(256),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: ErrorInfoSchema.optional(),
  usage: UsageSchema.optional(),
  /** How many tool calls the answer made. */
  toolCalls: z.number().int().nonnegative(),
  /** Milliseconds from the request to the first part of the answer, and to its end. */
  firstTokenMs: z.number().nonnegative().optional(),
  latencyMs: z.number().nonnegative(),
  /** Every try of the request (retries, fallbacks), when there was more than one. */
  attempts: z.array(CallAttemptSchema).max(MAX_RECORDED_ATTEMPTS).optional(),
  /** The target that answered, when it was not the one VS Code chose. */
  answeredBy: CallTargetSchema.optional(),
  createdAt: z.string().datetime(),
});
export type ChatRecord = z.infer<typeof ChatRecordSchema>;
