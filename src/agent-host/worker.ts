// The agent host: a worker thread that runs agents' steps. It knows IDs and texts only; every
// model call is a message to the extension host, which holds the keys and, when a step asks,
// passes the answer on as the run's output itself.
import { parentPort } from 'node:worker_threads';
import { FromAgentHostSchema, ToAgentHostSchema, type FromAgentHost, type StartRunMessage } from '../contracts/agentHost';
import type { ErrorInfo } from '../contracts/errors';
import type { Usage } from '../contracts/models';
import { runAgent } from './steps';

interface PendingCall {
  resolve(value: { output: string; usage: Usage }): void;
  reject(error: ErrorInfo): void;
  /** The step's own reader of the answer's pieces, when it asked for them. */
  onText?(text: string): void;
}

const port = parentPort;
if (!port) throw new Error('The agent host must run in a worker thread.');

const calls = new Map<string, PendingCall>();
let nextCallId = 1;

function send(message: FromAgentHost): void {
  port!.postMessage(FromAgentHostSchema.parse(message));
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

async function start(run: StartRunMessage): Promise<void> {
  const { runId } = run;
  try {
    const result = await runAgent(run, {
      invoke: (messages, stream) =>
        new Promise((resolve, reject) => {
          const callId = nextCallId++;
          const onText = typeof stream === 'function' ? stream : undefined;
          calls.set(`${runId}:${callId}`, { resolve, reject, ...(onText ? { onText } : {}) });
          send({ type: 'invoke', runId, callId, messages, ...(stream === undefined ? {} : { stream: onText ? 'worker' : 'output' }) });
        }),
      step: (step) => send({ type: 'step', runId, step }),
    });
    send({ type: 'done', runId, ...result });
  } catch (error) {
    const info: ErrorInfo = isErrorInfo(error) ? error : { code: 'internal', message: `The agent's steps failed: ${error instanceof Error ? error.message : String(error)}` };
    send({ type: 'failed', runId, error: info });
  }
}

port.on('message', (raw: unknown) => {
  const parsed = ToAgentHostSchema.safeParse(raw);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.type) {
    case 'start':
      void start(message);
      break;
    case 'invokeDelta':
      calls.get(`${message.runId}:${message.callId}`)?.onText?.(message.text);
      break;
    case 'invokeResult':
    case 'invokeError': {
      const key = `${message.runId}:${message.callId}`;
      const call = calls.get(key);
      calls.delete(key);
      if (message.type === 'invokeResult') call?.resolve({ output: message.output, usage: message.usage });
      else call?.reject(message.error);
      break;
    }
    case 'cancel':
      for (const [key, call] of calls) {
        if (key.startsWith(`${message.runId}:`)) {
          calls.delete(key);
          call.reject({ code: 'cancelled', message: 'The run was cancelled.' });
        }
      }
      break;
    case 'ping':
      send({ type: 'pong', nonce: message.nonce });
      break;
  }
});
