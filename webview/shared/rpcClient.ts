import * as l10n from '@vscode/l10n';
// Types only from the contracts: their zod schemas stay in the extension host, which validates
// every request a view sends and builds every message it receives. Importing a schema here would
// put zod (three quarters of a view's bundle) into every webview.
import type { z } from 'zod';
import type { ErrorCode, ErrorInfo } from '../../src/contracts/errors';
import type { Reply, ViewProtocol } from '../../src/contracts/rpc';
import type { WebviewApi } from './webviewApi';

/** The params schema of each method a view may request. */
export type MethodSchemas = Record<string, z.ZodType>;
/** The schema of each method's successful reply value. */
export type ResultSchemas<M extends MethodSchemas> = { [K in keyof M]: z.ZodType };

/** The request a view sends for `M`, typed as the host's schema parses it (the view sends the params as given; the host applies defaults and trims). */
export type RequestMessage<M extends MethodSchemas> = {
  [K in keyof M & string]: { type: 'request'; id: string; method: K; params: z.output<M[K]> };
}[keyof M & string];

export type ReadyMessage = { type: 'ready' };

/** Everything the host sends that is not a reply: snapshots and other pushed updates. */
export type PushedMessage<In> = Exclude<In, Reply>;

export interface RpcClientOptions {
  /**
   * How long a request may wait for its reply. Generous: the host may be waiting on a
   * person (a confirmation, the password box) or on a slow provider.
   */
  timeoutMs?: number;
  /** Makes request ids; the default prefixes a per-page random part to a counter. */
  newId?: () => string;
  /** Told about each message that is not a message of the protocol; it is dropped either way. */
  onInvalidMessage?: (data: unknown, reason: string) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

/** A failed request: the host's `{ code, message }`, or one the client makes (timeout, cancelled). */
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
 * nothing waits forever. The types come from the view's contract; the checking is the host's:
 * it parses every request with the contract's schema and answers a bad one with
 * `invalid_input`, and what it sends was built to the contract. Here only the envelope is
 * checked, so garbage is dropped rather than mistaken for a reply.
 */
export class RpcClient<M extends MethodSchemas, R extends ResultSchemas<M>, Out, In> {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(message: PushedMessage<In>) => void>();
  private readonly timeoutMs: number;
  private readonly newId: () => string;
  private readonly onInvalidMessage: (data: unknown, reason: string) => void;
  private unsubscribe: (() => void) | undefined;
  /** Requests made before start(): sent after `ready`, so the host's snapshot comes before their replies. */
  private held: Out[] | undefined = [];

  constructor(
    private readonly api: ApiFor<M, Out>,
    options: RpcClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.newId = options.newId ?? counterIds();
    this.onInvalidMessage = options.onInvalidMessage ?? (() => undefined);
  }

  /** Starts listening and tells the host the view is ready for its snapshot; then sends the requests made before. */
  start(): void {
    if (!this.unsubscribe) {
      this.unsubscribe = this.api.onMessage((data) => this.receive(data));
    }
    this.post({ type: 'ready' } as ReadyMessage & Out);
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) this.send(message);
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

  /** Sends a request and resolves with the value of its reply; the host checks the params. */
  request<K extends keyof M & string>(method: K, params: z.input<M[K]>): Promise<z.output<R[K]>> {
    const id = this.newId();
    const message = { type: 'request', id, method, params } as RequestMessage<M>;
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
      if (this.held) this.held.push(message as RequestMessage<M> & Out);
      else this.send(message as RequestMessage<M> & Out);
    });
  }

  /** Posts a request; one that cannot be posted is rejected at once. */
  private send(message: Out): void {
    try {
      this.api.postMessage(message);
    } catch (error) {
      const { id } = message as { id: string };
      const pending = this.pending.get(id);
      if (!pending) return;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RpcError('internal', l10n.t('Could not send "{0}" to the extension host: {1}', pending.method, String(error))));
    }
  }

  /** Stops listening and rejects every request still waiting with `cancelled`. */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.held = undefined;
    this.listeners.clear();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RpcError('cancelled', l10n.t('"{0}" was cancelled because the view closed.', pending.method)));
    }
  }

  /** How many requests are waiting for a reply (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private receive(data: unknown): void {
    const problem = envelopeProblem(data);
    if (problem) {
      this.onInvalidMessage(data, problem);
      return;
    }
    const message = data as { type: string };
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
    if (reply.ok) {
      pending.resolve(reply.value);
    } else {
      pending.reject(new RpcError(reply.error.code, reply.error.message));
    }
  }
}

/** Any view's protocol (src/contracts/*View.ts exports one each). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bound of every protocol: each view's own types come in through P
type AnyProtocol = ViewProtocol<MethodSchemas, any, unknown, unknown>;

/** The client of a view's protocol. */
export type ClientOf<P extends AnyProtocol> = RpcClient<P['methods'], P['results'], P['fromView'], P['toView']>;

/**
 * The RPC client of a view, built from its protocol's types (`createClient<EditorProtocol>`):
 * one function for every view, bound to the view's contract by the type argument alone.
 */
export function createClient<P extends AnyProtocol>(api: ApiFor<P['methods'], P['fromView']>, options?: RpcClientOptions): ClientOf<P> {
  return new RpcClient(api, options);
}

function isReply(message: { type: string }): message is Reply {
  return message.type === 'reply';
}

/** Why `data` is not a message a host sends (an object with a type; a reply with its id and outcome), if it is not. */
function envelopeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return 'not an object with a type';
  const { type, id, ok, error } = data as { type: string; id?: unknown; ok?: unknown; error?: { code?: unknown; message?: unknown } | null };
  if (type !== 'reply') return undefined;
  if (typeof id !== 'string') return 'a reply without an id';
  if (ok === true) return undefined;
  if (ok !== false) return 'a reply that is neither ok nor failed';
  return typeof error?.code === 'string' && typeof error.message === 'string' ? undefined : 'a failed reply without a code and a message';
}

/** Request ids: a random part per page, so replies meant for a page before a reload never match. */
function counterIds(): () => string {
  const page = Math.random().toString(36).slice(2, 10);
  let next = 0;
  return () => `${page}-${++next}`;
}
