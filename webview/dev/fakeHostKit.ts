/**
 * What the dev fake hosts (fakeHost.ts for Connections, agentsFakeHost.ts for Agents) share:
 * the part of VS Code between the view and its host. Each host keeps its own data and answers.
 */
import type { ErrorInfo } from '../../src/contracts/errors';

/** A reply without its envelope: the host adds `type`, `id`. */
export type Answer = { ok: true; value: unknown } | { ok: false; error: ErrorInfo };

type ViewMessage = { type: 'ready' } | { type: 'request'; id: string; method: string };

/** What every fake host lets a test or the preview drive (`window.switchboard…FakeHost`). */
export interface FakeHostControlBase<Snapshot, Method extends string> {
  /** Everything the view posted, in order. */
  posted: unknown[];
  snapshot: Snapshot;
  /** Sends the current snapshot, as the host does after every change. */
  sendSnapshot(): void;
  /** Sends anything, e.g. an invalid message, to see the view ignore it. */
  send(message: unknown): void;
  /** Makes the next request of `method` fail with this error. */
  failNext(method: Method, error: ErrorInfo): void;
  /** Whether the "confirmation" of a delete says yes. */
  confirmDelete: boolean;
}

declare global {
  interface Window {
    acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };
  }
}

/** Sends a message to the view as VS Code does: asynchronously, and cloned. */
export function sendToView(message: unknown): void {
  setTimeout(() => window.postMessage(structuredClone(message), '*'), 0);
}

/** A v4 UUID; crypto.randomUUID exists only in secure contexts, and a preview may be served over http. */
export function uuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface FakeVsCodeApiOptions<Message extends ViewMessage> {
  /** The view's outgoing schema (From…ViewSchema). */
  schema: { safeParse(data: unknown): { success: true; data: Message } | { success: false; error: { message: string } } };
  /** The host's control: every posted message is recorded in `posted`; `sendSnapshot` answers `ready`. */
  control: { posted: unknown[]; sendSnapshot(): void };
  /** The next request of a method fails with its error (the control's failNext fills it). */
  failures: Map<string, ErrorInfo>;
  answer(request: Extract<Message, { type: 'request' }>): Answer | Promise<Answer>;
  /** What getState() returns until the view calls setState(). */
  state: unknown;
}

/**
 * Defines `acquireVsCodeApi()` the way the host behaves: a message that does not match the
 * view's schema is answered with invalid_input (when it has an id), `ready` with a snapshot,
 * and a request with exactly one reply, followed by a snapshot when it succeeded.
 */
export function installFakeVsCodeApi<Message extends ViewMessage>({ schema, control, failures, answer, state: initialState }: FakeVsCodeApiOptions<Message>): void {
  let state = initialState;
  const reply = async (request: Extract<Message, { type: 'request' }>): Promise<Answer> => {
    const failure = failures.get(request.method);
    if (failure) {
      failures.delete(request.method);
      return { ok: false, error: failure };
    }
    return answer(request);
  };
  const api = {
    postMessage: (data: unknown) => {
      control.posted.push(structuredClone(data));
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        const id = (data as { id?: unknown } | null)?.id;
        if (typeof id === 'string') sendToView({ type: 'reply', id, ok: false, error: { code: 'invalid_input', message: parsed.error.message } });
        return;
      }
      const message = parsed.data;
      if (message.type === 'ready') {
        control.sendSnapshot();
        return;
      }
      const request = message as Extract<Message, { type: 'request' }>;
      void reply(request).then((body) => {
        sendToView({ type: 'reply', id: request.id, ...body });
        if (body.ok) control.sendSnapshot();
      });
    },
    getState: () => state,
    setState: (next: unknown) => {
      state = next;
    },
  };
  window.acquireVsCodeApi = () => api;
}
