import * as z from 'zod';
import { TraceStepSchema } from './agents';
import { ErrorInfoSchema } from './errors';
import { ChatMessageSchema, UsageSchema } from './models';

/**
 * The protocol between the extension host and the agent host (a worker thread). It carries
 * IDs, texts and outputs only: never a key, a header or a URL.
 */
const runId = z.string().uuid();

export const StartRunMessageSchema = z.object({
  type: z.literal('start'),
  runId,
  agent: z.object({ name: z.string(), role: z.string(), soul: z.string(), guardrails: z.string() }),
  input: z.string(),
  /** The model the run was routed to, for the trace; the host holds the rest of the routing. */
  modelRef: z.string(),
});
export type StartRunMessage = z.infer<typeof StartRunMessageSchema>;

export const ToAgentHostSchema = z.discriminatedUnion('type', [
  StartRunMessageSchema,
  /** A piece of the model's answer as it streams in, to a call that asked for `stream: 'worker'`; `invokeResult` still carries the whole of it. */
  z.object({ type: z.literal('invokeDelta'), runId, callId: z.number().int(), text: z.string() }),
  z.object({ type: z.literal('invokeResult'), runId, callId: z.number().int(), ok: z.literal(true), output: z.string(), usage: UsageSchema }),
  z.object({ type: z.literal('invokeError'), runId, callId: z.number().int(), error: ErrorInfoSchema }),
  z.object({ type: z.literal('cancel'), runId }),
  z.object({ type: z.literal('ping'), nonce: z.number() }),
]);
export type ToAgentHost = z.infer<typeof ToAgentHostSchema>;

export const FromAgentHostSchema = z.discriminatedUnion('type', [
  /**
   * The worker needs the run's model: the host makes the call on the run's routing (consent, key,
   * audit). Where the answer goes as it streams: `output`, on as the run's output by the host
   * itself, so its first piece waits for no message to the worker and back; `worker`, to the
   * worker piece by piece (`invokeDelta`); neither, only whole in `invokeResult`.
   */
  z.object({ type: z.literal('invoke'), runId, callId: z.number().int(), messages: z.array(ChatMessageSchema).min(1), stream: z.enum(['output', 'worker']).optional() }).strict(),
  z.object({ type: z.literal('step'), runId, step: TraceStepSchema }),
  z.object({ type: z.literal('done'), runId, output: z.string(), usage: UsageSchema }),
  z.object({ type: z.literal('failed'), runId, error: ErrorInfoSchema }),
  z.object({ type: z.literal('pong'), nonce: z.number() }),
]);
export type FromAgentHost = z.infer<typeof FromAgentHostSchema>;
