import type { z } from 'zod';
import type { Reply } from '../../contracts/rpc';
import { SwitchboardError, toErrorInfo } from '../base/errors';
import type { Disposable, Event, Logger } from '../base/ports';
import { describeIssues } from '../../contracts/issues';

interface Request {
  type: 'request';
  id: string;
  method: string;
}

export interface ViewHostOptions<R extends Request, S, N = never> {
  /** The view's name, for messages: "Connections", "Agents". */
  name: string;
  /** Everything the webview may send: `{ type: 'ready' }` or one of its requests. */
  schema: z.ZodType<{ type: 'ready' } | R>;
  dispatch(request: R): Promise<unknown>;
  snapshot(): S;
  post(message: S | N | Reply): void;
  logger: Logger;
  /** Events after which the view gets a new snapshot. */
  changes: Event<void>[];
  /** Events after which the view gets a notice (something it pages changed), once it is ready. */
  notices?: { event: Event<void>; notice: N }[];
  /** What the controller keeps for the view besides (its own subscriptions), disposed with it. */
  disposables?: Disposable[];
  /** Told when a new page of the view says it is ready, before its first snapshot: it has nothing yet. */
  onReady?(): void;
}

/**
 * The host side of a view's protocol. Everything from the webview arrives as `unknown` and
 * must pass the contract's schema; a request always gets exactly one reply, and a malformed
 * message gets `invalid_input` and changes nothing. Snapshots are whole, and sent only after
 * the webview says it is ready.
 */
export class ViewHost<R extends Request, S, N = never> implements Disposable {
  private ready = false;
  private readonly subscriptions: Disposable[];

  constructor(private readonly options: ViewHostOptions<R, S, N>) {
    this.subscriptions = [
      ...options.changes.map((event) => event(() => this.pushSnapshot())),
      ...(options.notices ?? []).map(({ event, notice }) => event(() => this.ready && options.post(notice))),
    ];
  }

  /** Whether the view's page has said it is ready (and has not been thrown away since). */
  get isReady(): boolean {
    return this.ready;
  }

  pushSnapshot(): void {
    if (this.ready) this.options.post(this.options.snapshot());
  }

  /** Posts a change the view applies to its snapshot; dropped before `ready` (the snapshot then sent has it). */
  postChange(message: N): void {
    if (this.ready) this.options.post(message);
  }

  /** The webview was hidden and its document thrown away: wait for its next `ready`. */
  reset(): void {
    this.ready = false;
  }

  async handle(raw: unknown): Promise<void> {
    const { options } = this;
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) {
      const id = requestIdOf(raw);
      const message = `The ${options.name} view sent a message the host does not accept: ${describeIssues(parsed.error.issues)}.`;
      options.logger.warn(message);
      if (id) options.post({ type: 'reply', id, ok: false, error: { code: 'invalid_input', message } });
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = true;
      options.onReady?.();
      this.pushSnapshot();
      return;
    }
    try {
      const value = await options.dispatch(message);
      options.post({ type: 'reply', id: message.id, ok: true, value });
    } catch (error) {
      const info = toErrorInfo(error);
      if (!(error instanceof SwitchboardError)) options.logger.error(`${message.method} failed: ${info.message}`);
      options.post({ type: 'reply', id: message.id, ok: false, error: info });
    }
  }

  dispose(): void {
    for (const subscription of [...this.subscriptions, ...(this.options.disposables ?? [])]) subscription.dispose();
  }
}

/** The id of a request that failed validation, so it still gets its one reply. */
function requestIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  // An empty id is falsy, and gets no reply either.
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
