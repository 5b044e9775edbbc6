import * as l10n from '@vscode/l10n';
import { Worker } from 'node:worker_threads';
import { FromAgentHostSchema, type StartRunMessage, type ToAgentHost } from '../../contracts/agentHost';
import type { TraceStep } from '../../contracts/agents';
import type { ChatMessage, Usage } from '../../contracts/models';
import { SwitchboardError, toErrorInfo } from '../base/errors';
import { systemTimers, type Disposable, type Logger, type Timer, type Timers } from '../base/ports';

/** What one run needs from the extension host: its trace, its output as it streams, and model calls on its routing. */
export interface RunHooks {
  onStep(step: TraceStep): void;
  /** A piece of the run's output: a model call's answer as it streams in, when the worker's step asked for it as the output. */
  onOutput(text: string): void;
  /** A model call; `onText` gets the answer piece by piece as it streams in. */
  callModel(messages: ChatMessage[], signal: AbortSignal, onText: (text: string) => void): Promise<{ output: string; usage: Usage }>;
}

export interface AgentHostOptions {
  /** The worker's script: dist/agentHost.js in the extension, the TypeScript source under tsx in tests. */
  workerPath: string;
  execArgv?: string[];
  /** How long the worker may stay silent on a run (while no model call is under way) before it counts as hung. */
  silenceLimitMs(): number;
  logger: Logger;
  /** Sees every message to and from the worker (tests check that no key is ever among them). */
  tap?(direction: 'toWorker' | 'fromWorker', message: unknown): void;
  /** The timers of the watchdog and the ping; the system's unless given (tests fire them). */
  timers?: Timers;
}

/** How long a worker that let a run fall silent has to answer a ping before it is ended. */
const PING_LIMIT_MS = 2_000;

interface ActiveRun {
  start: StartRunMessage;
  hooks: RunHooks;
  resolve(value: { output: string; usage: Usage }): void;
  reject(error: SwitchboardError): void;
  calls: Map<number, AbortController>;
  watchdog?: Timer;
}

/**
 * The extension host's side of the agent host. One worker serves all runs; it gets IDs and
 * texts, asks for model calls by message, and never sees a key. A worker that crashes fails
 * its runs and is replaced on the next run; a run the worker stops answering fails with
 * `timeout`, and a worker that does not answer a ping then is ended.
 */
export class AgentHost implements Disposable {
  private worker: Worker | undefined;
  private readonly runs = new Map<string, ActiveRun>();

  private readonly timers: Timers;

  constructor(private readonly options: AgentHostOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  run(start: StartRunMessage, hooks: RunHooks, signal?: AbortSignal): Promise<{ output: string; usage: Usage }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const active: ActiveRun = { start, hooks, resolve, reject, calls: new Map() };
      this.runs.set(start.runId, active);
      signal?.addEventListener('abort', () => this.cancel(start.runId), { once: true });
      this.armWatchdog(active);
      this.post({ ...start });
    });
  }

  private cancel(runId: string): void {
    const active = this.runs.get(runId);
    if (!active) return;
    this.post({ type: 'cancel', runId });
    this.finish(runId, (run) => run.reject(cancelled()));
  }

  private post(message: ToAgentHost): void {
    this.options.tap?.('toWorker', message);
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerPath, { execArgv: this.options.execArgv ?? [], env: {} });
    worker.on('message', (raw: unknown) => this.onMessage(raw));
    worker.on('error', (error) => this.onWorkerGone(worker, `it failed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `it exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onWorkerGone(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.runs.size) this.options.logger.error(`The agent host stopped: ${why}. Its ${this.runs.size} run(s) failed.`);
    for (const runId of [...this.runs.keys()]) {
      this.finish(runId, (run) => run.reject(new SwitchboardError('internal', l10n.t('The agent host stopped unexpectedly ({0}). Run the agent again.', why))));
    }
  }

  private onMessage(raw: unknown): void {
    this.options.tap?.('fromWorker', raw);
    const parsed = FromAgentHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.options.logger.warn('The agent host sent a message that does not match its protocol; ignored.');
      return;
    }
    const message = parsed.data;
    if (message.type === 'pong') {
      this.pongs.get(message.nonce)?.();
      return;
    }
    const active = this.runs.get(message.runId);
    if (!active) return;
    this.armWatchdog(active);
    switch (message.type) {
      case 'step':
        active.hooks.onStep(message.step);
        break;
      case 'done':
        this.finish(message.runId, (run) => run.resolve({ output: message.output, usage: message.usage }));
        break;
      case 'failed':
        this.finish(message.runId, (run) => run.reject(new SwitchboardError(message.error.code, message.error.message)));
        break;
      case 'invoke':
        void this.invoke(active, message.callId, message.messages, message.stream);
        break;
    }
  }

  /**
   * Makes the worker's model call on the run's routing: the worker names only the messages, and
   * where the answer streams (`stream`). A run's end aborts its call (finish), so no piece
   * follows it.
   */
  private async invoke(active: ActiveRun, callId: number, messages: ChatMessage[], stream: 'output' | 'worker' | undefined): Promise<void> {
    const { runId } = active.start;
    const isOn = () => this.runs.get(runId) === active;
    const controller = new AbortController();
    active.calls.set(callId, controller);
    active.watchdog?.cancel();
    // To the worker: the pieces that arrive in one turn of the event loop go as one message, so
    // a fast model costs few messages.
    let pending = '';
    const relay = () => {
      if (pending && isOn()) this.post({ type: 'invokeDelta', runId, callId, text: pending });
      pending = '';
    };
    const onText =
      stream === 'output'
        ? (text: string) => active.hooks.onOutput(text)
        : stream === 'worker'
          ? (text: string) => {
              if (!pending) setImmediate(relay);
              pending += text;
            }
          : () => undefined;
    try {
      const result = await active.hooks.callModel(messages, controller.signal, onText);
      relay();
      if (isOn()) this.post({ type: 'invokeResult', runId, callId, ok: true, ...result });
    } catch (error) {
      if (isOn()) this.post({ type: 'invokeError', runId, callId, error: toErrorInfo(error) });
    } finally {
      active.calls.delete(callId);
      if (isOn()) this.armWatchdog(active);
    }
  }

  private armWatchdog(active: ActiveRun): void {
    active.watchdog?.cancel();
    if (active.calls.size) return;
    const limit = this.options.silenceLimitMs();
    active.watchdog = this.timers.start(limit, () => void this.onSilence(active, limit));
  }

  private readonly pongs = new Map<number, () => void>();
  private nextPing = 1;

  /** The worker said nothing about a run for too long: fail the run, and end the worker if it is stuck. */
  private async onSilence(active: ActiveRun, limit: number): Promise<void> {
    const { runId } = active.start;
    this.post({ type: 'cancel', runId });
    this.finish(runId, (run) => run.reject(new SwitchboardError('timeout', l10n.t('The agent host did not answer within {0} s. Run the agent again.', Math.round(limit / 1000)))));
    const worker = this.worker;
    if (!worker) return;
    const nonce = this.nextPing++;
    const answered = await new Promise<boolean>((resolve) => {
      const timer = this.timers.start(PING_LIMIT_MS, () => resolve(false));
      this.pongs.set(nonce, () => {
        timer.cancel();
        resolve(true);
      });
      const ping: ToAgentHost = { type: 'ping', nonce };
      this.options.tap?.('toWorker', ping);
      worker.postMessage(ping);
    });
    this.pongs.delete(nonce);
    if (!answered && this.worker === worker) {
      this.options.logger.error('The agent host stopped answering; it was ended and will be restarted with the next run.');
      void worker.terminate();
    }
  }

  private finish(runId: string, settle: (run: ActiveRun) => void): void {
    const active = this.runs.get(runId);
    if (!active) return;
    this.runs.delete(runId);
    active.watchdog?.cancel();
    // Nobody is left to read the answer of a model call under way (the run was cancelled, or its
    // worker ended it or stopped): stop the call, so the run ends now and hears no more of it.
    for (const call of active.calls.values()) call.abort();
    settle(active);
  }

  dispose(): void {
    for (const runId of [...this.runs.keys()]) this.cancel(runId);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

function cancelled(): SwitchboardError {
  return new SwitchboardError('cancelled', l10n.t('The run was cancelled.'));
}
