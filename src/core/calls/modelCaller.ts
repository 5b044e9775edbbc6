import * as l10n from '@vscode/l10n';
import type { ChatResult, ChatStreamPart, ConversationMessage, Reasoning, Tool, ToolMode, Usage } from '../../contracts/models';
import type { AuditLog } from '../audit/auditLog';
import { CallLimiter } from '../base/callLimiter';
import { RateLimiter } from '../base/rateLimiter';
import type { ConnectionService } from '../connections/connectionService';
import { SwitchboardError, toErrorInfo, errorText } from '../base/errors';
import type { HttpClient } from '../http/httpClient';
import type { KeyPath, Requester } from '../keys/keyPath';
import { systemClock, systemTimers, type Clock, type Logger, type Settings, type Timers } from '../base/ports';
import type { CallAttempt, CallTarget } from '../../contracts/agents';
import { Cooldowns, targetKey } from './cooldowns';
import { backoffMs, judge } from './retryPolicy';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { collectBatches, streamChatBatches } from '../providers/streaming';
import type { Connection } from '../../contracts/connections';
import type { Price } from '../models/pricing';
import { estimateTokens, settleUsage } from './callUsage';
import type { Budget } from '../../contracts/usage';
import type { Budgets } from './budgets';
import type { UsageLedger } from './usageLedger';

/** One model call: where it goes was decided before (a run's routing, the model picked in VS Code chat). */
export interface ModelCall {
  /** The run it belongs to; absent for a VS Code chat request. */
  runId?: string;
  /** The run's agent, for the usage ledger and the agent's budgets. */
  agentId?: string;
  /** The VS Code chat record it belongs to, for the usage ledger. */
  chatId?: string;
  /** Who asked: the person's click (a run from a view or the palette) is their consent for the key. */
  requester: Requester;
  connectionId: string;
  modelRef: string;
  messages: ConversationMessage[];
  tools?: Tool[];
  toolMode?: ToolMode;
  /** A reasoning setting over the registered model's (an agent's own), for the primary target only: a fallback keeps its model's. */
  reasoning?: Reasoning;
  /** Where the call moves, in order, when its target fails with a retryable outcome before the first token. */
  fallbacks?: readonly CallTarget[];
  /** Told of each try as it ends (retries, fallbacks, skipped targets), for the run's or chat record's routing. */
  onAttempt?(attempt: CallAttempt): void;
  /** Told when the call must wait its turn for a connection's rate limit, with the expected wait. */
  onRateLimitWait?(ms: number): void;
}

export interface ModelCallerDeps {
  connections: ConnectionService;
  registry: ProviderRegistry;
  keys: KeyPath;
  audit: Pick<AuditLog, 'append'>;
  http: HttpClient;
  settings: Settings;
  logger: Logger;
  /**
   * The registry's context window of a model on a connection: a prompt far beyond it is refused
   * before it is sent, and a window the person set (`requested`) is asked of the provider.
   */
  contextWindow?(connectionId: string, modelRef: string): { tokens: number; requested: boolean } | undefined;
  /** What the person set for calls to a model of a connection in the registry: its reasoning setting and its output limit. */
  callSettings?(connectionId: string, modelRef: string): { reasoning?: Reasoning; maxTokens?: number };
  /** The back-off and `Retry-After` waits; the system's unless given (tests fire them). */
  timers?: Timers;
  /** Reads an HTTP-date `Retry-After` and times cool-downs; the system's unless given. */
  clock?: Clock;
  /** The back-off's jitter, uniform in [0, 1); Math.random unless given. */
  random?: () => number;
  /**
   * The usage ledger, the budgets and the price of a model: each call's usage is recorded and
   * priced, and a call a budget has no room for is refused before its key is read. Without it
   * (tests that need none) nothing is recorded or checked.
   */
  usage?: CallAccounting;
}

export interface CallAccounting {
  ledger: UsageLedger;
  budgets: Budgets;
  price(connection: Connection, modelRef: string): Price;
}

/**
 * The one unit that makes a model call: the key through the key path (consent, audit, blanking),
 * the provider's adapter with the request timeout, the answer held to the contract, and a
 * `model_call` audit entry whatever the outcome. The run service gives each run's agent host a
 * call bound to that run's routing, so the worker names only its messages.
 */
export class ModelCaller {
  /** At most `maxConcurrentRequestsPerConnection` calls in flight per connection; the rest wait in order. */
  private readonly limiter: CallLimiter;
  /** Targets that failed too often lately, skipped while a call has somewhere else to go. */
  readonly cooldowns: Cooldowns;
  /** The requests and tokens a minute of each connection (`switchboard.rateLimit.*`). */
  private readonly rates: RateLimiter;
  private readonly timers: Timers;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly deps: ModelCallerDeps) {
    this.limiter = new CallLimiter(() => deps.settings.maxConcurrentRequestsPerConnection());
    this.timers = deps.timers ?? systemTimers;
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.rates = new RateLimiter((connectionId) => deps.settings.rateLimits(connectionId), () => this.clock.now().getTime(), this.timers);
    this.cooldowns = new Cooldowns(() => deps.settings.cooldown(), () => this.clock.now().getTime());
  }

  /**
   * Makes the call, streaming: `onText` gets each piece of the answer (keys blanked) as it
   * arrives, `onReasoning` each piece of the model's reasoning, which is never the answer.
   */
  async call(request: ModelCall, signal: AbortSignal, onText: (text: string) => void = () => undefined, onReasoning: (text: string) => void = () => undefined): Promise<{ output: string; usage: Usage }> {
    const result = await this.stream(request, signal, (part) => {
      if (part.type === 'text' && part.text) onText(part.text);
      else if (part.type === 'reasoning' && part.text) onReasoning(part.text);
    });
    return { output: result.content, usage: result.usage };
  }

  /**
   * Makes the call, streaming every part (text, tool calls, usage; keys blanked) to `onPart` as
   * it arrives, and resolves with the whole answer.
   *
   * A try that fails before anything of the answer was given out, with an outcome another try may
   * fix (judge: 429, 5xx, no first byte in time, a refused or reset connection), is tried again on
   * the same target up to `switchboard.retry.maxAttempts` times, after a back-off with full jitter
   * or the server's `Retry-After`, as long as the call's waits fit `switchboard.retry.maxWaitSeconds`;
   * then the call moves to the next of `request.fallbacks`. Any other outcome ends the call, and a
   * call that gave out any part is never replayed. A fallback target that cannot be tried (its key
   * denied, its connection gone, the prompt too large for it) is skipped; a target cooling down is
   * skipped while another is not. Every try is one `model_call` audit entry and one `onAttempt`.
   */
  async stream(request: ModelCall, signal: AbortSignal, onPart: (part: ChatStreamPart) => void): Promise<ChatResult> {
    const targets = chainOf(request);
    if (targets.length === 1) {
      // The common case: one target, tried again in place.
      try {
        return await this.onTarget(request, targets[0]!, true, signal, onPart, { waitedMs: 0, emitted: false });
      } catch (error) {
        throw error instanceof MoveOn || error instanceof Skip ? error.cause : error;
      }
    }
    const state = { waitedMs: 0, emitted: false };
    const cooling = targets.map((target) => this.cooldowns.coolingUntil(targetKey(target)) !== undefined);
    const skipCooling = cooling.some((c) => !c);
    let failure: unknown;
    let skipped: unknown;
    for (const [index, target] of targets.entries()) {
      if (skipCooling && cooling[index]) {
        await this.record(request, target, { outcome: 'cooling_down', latencyMs: 0, waitMs: 0 });
        continue;
      }
      try {
        return await this.onTarget(request, target, index === 0, signal, onPart, state);
      } catch (error) {
        if (error instanceof MoveOn) failure = error.cause;
        else if (error instanceof Skip) skipped ??= error.cause;
        else throw error;
      }
    }
    throw failure ?? skipped ?? new SwitchboardError('endpoint_unreachable', l10n.t('Every target of the call is cooling down after repeated failures. Try again in a minute.'));
  }

  /**
   * The tries on one target: its answer, or the error that ends the call, or MoveOn (a retryable
   * failure, tries or time used up here) or Skip (a fallback that could not be tried) for the chain.
   */
  private async onTarget(request: ModelCall, target: CallTarget, primary: boolean, signal: AbortSignal, onPart: (part: ChatStreamPart) => void, state: { waitedMs: number; emitted: boolean }): Promise<ChatResult> {
    const retry = this.deps.settings.retry();
    let waitMs = 0;
    for (let tryNumber = 1; ; tryNumber++) {
      const sent = { value: false };
      try {
        const result = await this.attempt(request, target, waitMs, sent, signal, (part) => {
          state.emitted = true;
          onPart(part);
        });
        this.cooldowns.noteSuccess(targetKey(target));
        return result;
      } catch (error) {
        // The person saw part of this answer: another try would repeat it, so the call fails here.
        if (state.emitted || signal.aborted) throw error;
        if (!sent.value) {
          if (primary || toErrorInfo(error).code === 'cancelled') throw error;
          throw new Skip(error);
        }
        const verdict = judge(error, this.clock.now().getTime());
        if (verdict.kind === 'final') throw error;
        this.cooldowns.noteFailure(targetKey(target));
        if (tryNumber >= retry.maxAttempts) throw new MoveOn(error);
        const wait = verdict.retryAfterMs ?? backoffMs(tryNumber, this.random);
        // A wait that does not fit what is left of the call's time moves on at once.
        if (state.waitedMs + wait > retry.maxWaitMs) throw new MoveOn(error);
        await this.sleep(wait, signal);
        state.waitedMs += wait;
        waitMs = wait;
      }
    }
  }

  /** One try on one target, recorded and audited whatever its outcome. `sent` turns true once the key is granted and the request may leave. */
  private async attempt(request: ModelCall, target: CallTarget, waitMs: number, sent: { value: boolean }, signal: AbortSignal, onPart: (part: ChatStreamPart) => void): Promise<ChatResult> {
    const { deps } = this;
    // Refused before the key is read or anything is sent, and so no model call: a connection that
    // is gone, or a request the provider cannot serve.
    const connection = deps.connections.require(target.connectionId);
    const provider = deps.registry.require(connection.providerId);
    const modelProblem = provider.adapter.validateModelRef?.(target.modelRef);
    if (modelProblem) throw new SwitchboardError('invalid_input', modelProblem);
    const window = deps.contextWindow?.(connection.id, target.modelRef);
    if (window) assertFitsWindow(request, target.modelRef, window.tokens, connection.name);
    // A budget with no room left refuses the call before the key is read (a fallback target so
    // refused is skipped, as one whose key was denied).
    const budgets = await this.checkBudgets(request, target, connection, waitMs);
    // Waits its turn for the connection's rate limit before anything is asked or sent.
    const estimate = estimateTokens(request.messages).tokens;
    await this.rates.acquire(connection.id, estimate, signal, request.onRateLimitWait && ((ms) => request.onRateLimitWait?.(ms)));
    const started = performance.now();
    let outcome = 'ok';
    let status: number | undefined;
    /** What the try spent, recorded with its audit entry. */
    let spent: Usage | undefined;
    try {
      const use = { connection, provider: provider.descriptor, requester: request.requester, purpose: 'chat' as const, ...(request.runId ? { runId: request.runId } : {}) };
      const context = { http: deps.http, timeoutMs: deps.settings.requestTimeoutMs(), idleTimeoutMs: deps.settings.streamIdleTimeoutMs(), signal };
      // Queued per connection before the request starts, so the wait is not part of its timeout.
      // streamChatBatches holds any adapter's parts to the contract and blanks the key in each of them.
      const chat = {
        modelRef: target.modelRef,
        messages: request.messages,
        ...this.settingsFor(request, target, provider.adapter.checkReasoning !== undefined),
        ...(window?.requested ? { contextWindow: window.tokens } : {}),
        ...(request.tools?.length ? { tools: request.tools, ...(request.toolMode ? { toolMode: request.toolMode } : {}) } : {}),
      };
      const id = connection.id;
      const result = await deps.keys.use(use, (reached) => {
        sent.value = true;
        return this.limiter.run(id, () => collectBatches(streamChatBatches(provider.adapter, reached, chat, context), onPart), signal);
      });
      const usage = (spent = settleUsage(result.usage, request.messages, result.content));
      this.rates.settle(id, estimate, usage.inputTokens + usage.outputTokens);
      await this.noteOutcome(id, { ok: true });
      return { ...result, usage };
    } catch (error) {
      // The provider answered in part before the call failed: what it spent is recorded, estimated.
      const partial = error instanceof SwitchboardError ? error.partialOutput : undefined;
      if (sent.value && partial) spent = settleUsage(undefined, request.messages, partial);
      const info = toErrorInfo(error);
      outcome = info.code;
      status = error instanceof SwitchboardError ? error.facts?.status : undefined;
      await this.noteOutcome(connection.id, { ok: false, ...info });
      throw error;
    } finally {
      await this.record(request, target, { outcome, latencyMs: Math.round(performance.now() - started), waitMs, ...(status !== undefined ? { status } : {}) }, connection, spent && { usage: spent, budgets });
    }
  }

  /**
   * The person's output limit and reasoning setting for the target's model; the call's own
   * reasoning setting (an agent's) wins on its primary target. An adapter without a reasoning
   * setting (a contributed one) never gets one: its provider took none when it was set.
   */
  private settingsFor(request: ModelCall, target: CallTarget, takesReasoning: boolean): { maxTokens?: number; reasoning?: Reasoning } {
    const settings = this.deps.callSettings?.(target.connectionId, target.modelRef) ?? {};
    const primary = target.connectionId === request.connectionId && target.modelRef === request.modelRef;
    const reasoning = takesReasoning ? ((primary ? request.reasoning : undefined) ?? settings.reasoning) : undefined;
    return { ...(settings.maxTokens !== undefined ? { maxTokens: settings.maxTokens } : {}), ...(reasoning ? { reasoning } : {}) };
  }

  /** Refuses the try when a budget of its connection, agent or requester has no room left (the try is told as refused); the budgets that match it. */
  private async checkBudgets(request: ModelCall, target: CallTarget, connection: Connection, waitMs: number): Promise<Budget[]> {
    const budgets = this.deps.usage?.budgets;
    if (!budgets) return [];
    try {
      return await budgets.check({
        connectionId: connection.id,
        connectionName: connection.name,
        requesterId: request.requester.id,
        modelRef: target.modelRef,
        ...(request.agentId ? { agentId: request.agentId } : {}),
        ...(request.runId ? { runId: request.runId } : {}),
      });
    } catch (error) {
      const attempt: CallAttempt = { connectionId: target.connectionId, modelRef: target.modelRef, outcome: toErrorInfo(error).code, latencyMs: 0, waitMs };
      try {
        request.onAttempt?.(attempt);
      } catch (failure) {
        this.deps.logger.warn(`Could not note a model call's try: ${errorText(failure)}`);
      }
      throw error;
    }
  }

  /**
   * Writes the call's usage to the ledger, priced, and tells of the `budgets` (those that matched
   * it when it was checked) it took past their warning; a failure to record is logged, never the
   * call's failure.
   */
  private async recordUsage(accounting: CallAccounting, request: ModelCall, target: CallTarget, connection: Connection, { usage, budgets }: Spent): Promise<void> {
    try {
      const call = {
        requesterId: request.requester.id,
        connectionId: connection.id,
        providerId: connection.providerId,
        modelRef: target.modelRef,
        ...(request.runId ? { runId: request.runId } : {}),
        ...(request.chatId ? { chatId: request.chatId } : {}),
        ...(request.agentId ? { agentId: request.agentId } : {}),
      };
      const { warned } = await accounting.ledger.record({ ...call, usage, price: accounting.price(connection, target.modelRef) }, accounting.budgets.warningChecks(budgets));
      if (warned.length) accounting.budgets.tell(accounting.budgets.warnings(budgets, warned));
    } catch (error) {
      this.deps.logger.error(`Could not record the usage of a model call: ${errorText(error)}`);
    }
  }

  /**
   * Tells the caller of the try and writes its `model_call` audit entry, and records what it
   * `spent` in the usage ledger: counted by the budgets at once, written by the ledger's writer
   * thread, and not waited for (`usageWritten` is, where a reader must find it). A failure to
   * audit or record is logged, never the call's failure.
   */
  private async record(request: ModelCall, target: CallTarget, fields: Omit<CallAttempt, 'connectionId' | 'modelRef'>, connection = this.deps.connections.get(target.connectionId), spent?: Spent): Promise<void> {
    const attempt: CallAttempt = { connectionId: target.connectionId, modelRef: target.modelRef, ...fields };
    try {
      request.onAttempt?.(attempt);
    } catch (error) {
      this.deps.logger.warn(`Could not note a model call's try: ${errorText(error)}`);
    }
    const accounting = this.deps.usage;
    if (spent && accounting && connection) void this.recordUsage(accounting, request, target, connection, spent);
    await this.deps.audit
      .append({
        kind: 'model_call',
        ...(request.runId ? { runId: request.runId } : {}),
        requesterId: request.requester.id,
        connectionId: target.connectionId,
        ...(connection ? { connectionName: connection.name, providerId: connection.providerId } : {}),
        modelRef: target.modelRef,
        outcome: attempt.outcome,
        latencyMs: attempt.latencyMs,
      })
      .catch((error: unknown) => this.deps.logger.error(`Could not write the audit log: ${errorText(error)}`));
  }

  /** Resolves once the usage of every call made so far is in the ledger (or failed to be written). */
  usageWritten(): Promise<void> {
    return this.deps.usage?.ledger.flushed() ?? Promise.resolve();
  }

  /** Waits `ms` on the injected timers; a cancel ends the wait at once with `cancelled`. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        timer.cancel();
        reject(new SwitchboardError('cancelled', l10n.t('The model call was cancelled while it waited to try again.')));
      };
      const timer = this.timers.start(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Tells the connection what the call learned about it; a failure to record that never fails the call. */
  private async noteOutcome(connectionId: string, outcome: Parameters<ConnectionService['noteCallOutcome']>[1]): Promise<void> {
    await this.deps.connections
      .noteCallOutcome(connectionId, outcome)
      .catch((error: unknown) => this.deps.logger.warn(`Could not record the status of connection ${connectionId}: ${errorText(error)}`));
  }
}

/** What a try spent, and the budgets that matched it when it was checked. */
interface Spent {
  usage: Usage;
  budgets: Budget[];
}

/** A retryable failure after the last try on a target: the chain moves on. */
class MoveOn extends Error {
  constructor(override readonly cause: unknown) {
    super('move on');
  }
}

/** A fallback target that could not be tried (nothing was sent): the chain moves on. */
class Skip extends Error {
  constructor(override readonly cause: unknown) {
    super('skip');
  }
}

/** The call's primary target and then its fallbacks, each once, in order. */
function chainOf(request: ModelCall): CallTarget[] {
  const targets: CallTarget[] = [{ connectionId: request.connectionId, modelRef: request.modelRef }];
  for (const target of request.fallbacks ?? []) {
    if (!targets.some((t) => t.connectionId === target.connectionId && t.modelRef === target.modelRef)) targets.push(target);
  }
  return targets;
}

/**
 * Refuses a prompt larger than the model's context window before it is sent: Ollama would
 * silently keep only its end, and other providers refuse it after the upload.
 */
function assertFitsWindow(request: ModelCall, modelRef: string, windowTokens: number, connectionName: string): void {
  const estimate = estimateTokens(request.messages);
  if (estimate.tokens <= windowTokens) return;
  throw new SwitchboardError(
    'invalid_input',
    l10n.t(
      'The prompt is about {0} tokens ({1} characters), more than the {2}-token context window of {3} on "{4}", so the model could not read all of it. Nothing was sent. Shorten the input, or choose a model with a larger window (the Models tab shows each window; where the model takes more, you can raise it there).',
      estimate.tokens.toLocaleString('en'),
      estimate.characters.toLocaleString('en'),
      windowTokens.toLocaleString('en'),
      modelRef,
      connectionName,
    ),
  );
}

