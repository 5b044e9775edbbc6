import * as l10n from '@vscode/l10n';
import type { z } from 'zod';
import type { ErrorCode, ErrorInfo } from '../../src/contracts/errors';
import { describeIssues } from '../../src/contracts/issues';
import type { Reply } from '../../src/contracts/rpc';
import type { WebviewApi } from './webviewApi';

/** The params schema of each method a view may request. */
export type MethodSchemas = Record<string, z.ZodType>;
/** The schema of each method's successful reply value. */
export type ResultSchemas<M extends MethodSchemas> = { [K in keyof M]: z.ZodType };

/** The request a view sends for `M`, as the host's request schema parses it. */
export type RequestMessage<M extends MethodSchemas> = {
  [K in keyof M & string]: { type: 'request'; id: string; method: K; params: z.output<M[K]> };
}[keyof M & string];

export type ReadyMessage = { type: 'ready' };

/** Everything the host sends that is not a reply: snapshots and other pushed updates. */
export type PushedMessage<In> = Exclude<In, Reply>;

/** The contract of one view: its methods and their results, and what the host may send it. */
export interface ViewProtocol<M extends MethodSchemas, R extends ResultSchemas<M>, In> {
  methods: M;
  results: R;
  /** Validates every incoming message; it must accept the reply envelope (ReplySchema). */
  incoming: z.ZodType<In>;
}

export interface RpcClientOptions {
  /**
   * How long a request may wait for its reply. Generous: the host may be waiting on a
   * person (a confirmation, the password box) or on a slow provider.
   */
  timeoutMs?: number;
  /** Makes request ids; the default prefixes a per-page random part to a counter. */
  newId?: () => string;
  /** Told about each message that fails validation; the message is dropped either way. */
  onInvalidMessage?: (data: unknown, error: z.ZodError) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

/** A failed request: the host's `{ code, message }`, or one the client makes (timeout, bad reply). */
export class RpcError extends Error implements ErrorInfo {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * `Out` must contain every request of `M` and `{ type: 'ready' }`; this is checked where the
 * client is made, so `request()` can never send a message outside the view's union.
 */
type ApiFor<M extends MethodSchemas, Out> = [RequestMessage<M> | ReadyMessage] extends [Out] ? WebviewApi<Out> : never;

/**
 * The typed request/reply client of a view, shared by every view. Each request carries an
 * id; the promise settles on the one reply with that id, or rejects after the timeout, so
 * nothing waits forever. Everything that arrives is validated with the view's schema first.
 */
export class RpcClient<M extends MethodSchemas, R extends ResultSchemas<M>, Out, In> {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(message: PushedMessage<In>) => void>();
  private readonly timeoutMs: number;
  private readonly newId: () => string;
  private readonly onInvalidMessage: (data: unknown, error: z.ZodError) => void;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly api: ApiFor<M, Out>,
    private readonly protocol: ViewProtocol<M, R, In>,
    options: RpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.newId = options.newId ?? counterIds();
    this.onInvalidMessage = options.onInvalidMessage ?? (() => undefined);
  }

  /** Starts listening and tells the host the view is ready for its snapshot. */
  start(): void {
    if (!this.unsubscribe) {
      this.unsubscribe = this.api.onMessage((data) => this.receive(data));
    }
    this.post({ type: 'ready' } as ReadyMessage & Out);
  }

  /** Sends a message of the view's outgoing union as it is. */
  post(message: Out): void {
    this.api.postMessage(message);
  }

  /** Listens to everything the host pushes that is not a reply. Returns an unsubscribe function. */
  onPush(listener: (message: PushedMessage<In>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends a request and resolves with its validated result. Params are checked against the
   * contract first: invalid params reject with `invalid_input` without reaching the host.
   */
  request<K extends keyof M & string>(method: K, params: z.input<M[K]>): Promise<z.output<R[K]>> {
    const parsed = this.protocol.methods[method].safeParse(params);
    if (!parsed.success) {
      return Promise.reject(new RpcError('invalid_input', describeIssues(parsed.error.issues)));
    }
    const id = this.newId();
    const message = { type: 'request', id, method, params: parsed.data } as RequestMessage<M>;
    return new Promise<z.output<R[K]>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new RpcError(
            'timeout',
            l10n.t('The extension host did not answer "{0}" within {1} s. Try again, or reload the window if it keeps happening.', method, Math.round(this.timeoutMs / 1000)),
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.api.postMessage(message as RequestMessage<M> & Out);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RpcError('internal', l10n.t('Could not send "{0}" to the extension host: {1}', method, String(error))));
      }
    });
  }

  /** Stops listening and rejects every request still waiting with `cancelled`. */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.listeners.clear();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RpcError('cancelled', `"${pending.method}" was cancelled because the view closed.`));
    }
  }

  /** How many requests are waiting for a reply (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private receive(data: unknown): void {
    const parsed = this.protocol.incoming.safeParse(data);
    if (!parsed.success) {
      this.onInvalidMessage(data, parsed.error);
      return;
    }
    const message = parsed.data;
    if (isReply(message)) {
      this.settle(message);
      return;
    }
    for (const listener of [...this.listeners]) {
      listener(message as PushedMessage<In>);
    }
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) {
      return; // a reply to a request this page did not send, or one that already timed out
    }
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (!reply.ok) {
      pending.reject(new RpcError(reply.error.code, reply.error.message));
      return;
    }
    const schema = this.protocol.results[pending.method as keyof M];
    const value = schema.safeParse(reply.value);
    if (value.success) {
      pending.resolve(value.data);
    } else {
      pending.reject(
        new RpcError('bad_response', l10n.t('The extension host answered "{0}" with an unexpected value: {1}', pending.method, describeIssues(value.error.issues))),
      );
    }
  }
}

function isReply(message: unknown): message is Reply {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'reply';
}

/** Request ids: a random part per page, so replies meant for a page before a reload never match. */
function counterIds(): () => string {
  const page = Math.random().toString(36).slice(2, 10);
  let next = 0;
  return () => `${page}-${++next}`;
}
