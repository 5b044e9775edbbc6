import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { MAX_RECORDED_ATTEMPTS, StartAgentRunRequestSchema, type Agent, type CallAttempt, type CallTarget, type Routing, type RunRecord, type StartAgentRunRequest, type TraceStep } from '../../contracts/agents';
import type { ChatMessage } from '../../contracts/models';
import type { AgentHost } from './agentHost';
import type { AgentService } from './agentService';
import type { ConnectionService } from '../connections/connectionService';
import { SwitchboardError, toErrorInfo, errorText } from '../base/errors';
import type { ErrorInfo } from '../../contracts/errors';
import { Emitter } from '../base/events';
import type { ModelCaller } from '../calls/modelCaller';
import type { Requester } from '../keys/keyPath';
import type { Clock, Logger, Settings, Timers } from '../base/ports';
import { describeIssues } from '../../contracts/issues';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { NO_REGISTERED_MODELS, type RegisteredChoices } from '../../contracts/routing';
import { resolveRouting } from '../calls/routing';
import type { RunStore } from './runStore';
import { StreamedOutput } from './streamedOutput';

export interface RunServiceDeps {
  agents: AgentService;
  connections: ConnectionService;
  registry: ProviderRegistry;
  /** Makes each model call: key path, adapter with the timeout, audit. */
  modelCaller: ModelCaller;
  runs: RunStore;
  agentHost: AgentHost;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  /** The timers of a run's streamed output's writes; the system's unless given. */
  timers?: Timers;
  /** Whether the person disabled this model in the registry (an unregistered model is not disabled). */
  isModelDisabled?(connectionId: string, modelRef: string): boolean;
  /** The connection's registered models, for routing a run that names no model (RoutingInputs). */
  registeredModels?(connectionId: string): RegisteredChoices;
}

/**
 * Every run goes through here: validate the request, resolve routing, run the agent's steps in
 * the agent host, and give it the model calls of that routing (ModelCaller: consent, key, adapter
 * with the timeout, audit). The run is stored with its effective routing whatever the outcome.
 */
export class RunService {
  private readonly cancels = new Map<string, AbortController>();
  /** Model calls under way per run, so a run is final only after its calls are audited. */
  private readonly calls = new Map<string, Set<Promise<unknown>>>();
  private readonly finished = new Emitter<RunRecord>();
  /** Every run's final record, once it is stored: the public API tells each extension of its own. */
  readonly onDidFinishRun = this.finished.event;
  private readonly rateWaits = new Emitter<{ runId: string; ms: number }>();
  /** A run's call waits its turn for a connection's rate limit, about `ms` long: progress says so. */
  readonly onDidWaitForRateLimit = this.rateWaits.event;

  constructor(private readonly deps: RunServiceDeps) {}

  /**
   * Starts a run and resolves with its final record (succeeded, failed or cancelled). Only an
   * invalid request or an unknown agent throws, before anything is stored.
   */
  async start(request: unknown, requester: Requester | string, signal?: AbortSignal): Promise<RunRecord> {
    return (await this.launch(request, requester, signal)).finished;
  }

  /**
   * Like `start`, but resolves as soon as the run is stored (running, or failed when it cannot
   * be routed), with its id and a promise of its final record: for views that show progress from
   * snapshots, and for callers that read the output as it streams (`onOutput`, keys already
   * blanked).
   *
   * `requester` is who asked: the person's click in a view or at the palette (personAt,
   * commandRequester) is their consent for the run's key use; an id alone (another extension,
   * a script) is not the person, and its key use asks.
   */
  async launch(request: unknown, requester: Requester | string, signal?: AbortSignal, onOutput?: (text: string) => void): Promise<{ runId: string; finished: Promise<RunRecord> }> {
    const who: Requester = typeof requester === 'string' ? { id: requester, byPerson: false } : requester;
    const parsed = StartAgentRunRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('The run request is not valid: {0}.', describeIssues(parsed.error.issues)));
    }
    const agent = this.deps.agents.require(parsed.data.agentId);
    const run: RunRecord = {
      id: randomUUID(),
      agentId: agent.id,
      agentName: agent.name,
      requesterId: who.id,
      status: 'running',
      input: parsed.data.input,
      trace: [],
      createdAt: this.deps.clock.now().toISOString(),
    };
    // Routing is known before the run is stored, so the run is written once: running with its
    // routing, or failed when it cannot be routed (a missing connection, no model to use).
    let plan: RunPlan | { error: ErrorInfo };
    try {
      plan = this.plan(agent, parsed.data);
    } catch (error) {
      plan = { error: toErrorInfo(error) };
    }
    let finished: Promise<RunRecord>;
    if ('error' in plan) {
      const failed: RunRecord = { ...run, status: 'failed', error: plan.error, latencyMs: 0, finishedAt: this.deps.clock.now().toISOString() };
      await this.deps.runs.add(failed);
      finished = Promise.resolve(failed);
    } else {
      await this.deps.runs.add({ ...run, routing: routingOf(plan, [], undefined) });
      finished = this.execute(run, who, agent, plan, signal, onOutput);
    }
    void finished.then((record) => this.finished.fire(record));
    return { runId: run.id, finished };
  }

  /** Where the run's calls go: its routing, and the fallbacks to try after it. */
  private plan(agent: Agent, request: StartAgentRunRequest): RunPlan {
    const { deps } = this;
    const routing = resolveRouting({
      request,
      agent,
      defaultConnectionId: deps.settings.defaultConnectionId(),
      findConnection: (id) => deps.connections.get(id),
      listConnections: () => deps.connections.list(),
      findProvider: (id) => deps.registry.get(id)?.descriptor,
      registeredModels: (connectionId) => deps.registeredModels?.(connectionId) ?? NO_REGISTERED_MODELS,
    });
    // The agent's fallbacks, else the setting's; never the run's own target again.
    const chain = agent.fallbacks?.length ? agent.fallbacks : deps.settings.defaultFallbacks();
    // A model disabled in the registry since the list was saved is never tried.
    const fallbacks = chain.filter((target) => (target.connectionId !== routing.connectionId || target.modelRef !== routing.modelRef) && !deps.isModelDisabled?.(target.connectionId, target.modelRef));
    return { routing, fallbacks };
  }

  private async execute(run: RunRecord, requester: Requester, agent: Agent, plan: RunPlan, signal?: AbortSignal, onOutput?: (text: string) => void): Promise<RunRecord> {
    const { deps } = this;
    const controller = new AbortController();
    this.cancels.set(run.id, controller);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // The caller may have cancelled while the run was being stored: that abort fired already.
    if (signal?.aborted) controller.abort();
    const started = performance.now();
    const trace: TraceStep[] = [];
    const streamed = new StreamedOutput((fields) => deps.runs.update(run.id, fields), started, deps.logger, deps.timers);
    // The model's reasoning, kept apart from the output (keys already blanked), stored with the run's end.
    let thoughts = '';
    const reasoningField = (): Partial<RunRecord> => (thoughts ? { reasoning: thoughts } : {});
    const { routing, fallbacks } = plan;
    const attempts: CallAttempt[] = [];
    let answeredBy: CallTarget | undefined;
    // The routing with the tries of the run's calls.
    const routedFields = (): Partial<RunRecord> => ({ routing: routingOf(plan, attempts, answeredBy) });
    let final: RunRecord | undefined;
    try {
      const onAttempt = (attempt: CallAttempt) => {
        attempts.push(attempt);
        if (attempt.outcome !== 'ok') return;
        const primary = attempt.connectionId === routing.connectionId && attempt.modelRef === routing.modelRef;
        answeredBy = primary ? undefined : { connectionId: attempt.connectionId, modelRef: attempt.modelRef };
      };
      // A wait for a connection's rate limit is a step of the run, shown while it lasts.
      const onRateLimitWait = (ms: number) => {
        trace.push({ name: 'wait for the rate limit', startedAt: deps.clock.now().toISOString(), durationMs: ms, detail: l10n.t('waiting for the rate limit of the connection, about {0} s', Math.ceil(ms / 1000)) });
        void deps.runs.update(run.id, { trace: [...trace] }).catch((error: unknown) => deps.logger.warn(`Could not store a run's step: ${errorText(error)}`));
        this.rateWaits.fire({ runId: run.id, ms });
      };
      if (deps.isModelDisabled?.(routing.connectionId, routing.modelRef)) {
        throw new SwitchboardError('model_not_found', l10n.t('The model "{0}" is disabled in the registry. Enable it in the Models tab, or run with another model.', routing.modelRef));
      }
      // The worker names only its messages; where they go is this run's routing.
      // The agent's reasoning setting goes with its own model; one the run was sent elsewhere names is the model's.
      const reasoning = agent.reasoning && agent.connectionId === routing.connectionId && agent.modelRef === routing.modelRef ? { reasoning: agent.reasoning } : {};
      const callModel = (messages: ChatMessage[], callSignal: AbortSignal, onText: (text: string) => void) =>
        this.track(
          run.id,
          deps.modelCaller.call({ runId: run.id, agentId: agent.id, requester, connectionId: routing.connectionId, modelRef: routing.modelRef, messages, fallbacks, onAttempt, onRateLimitWait, ...reasoning }, callSignal, onText, (text) => {
            thoughts += text;
          }),
        );
      const result = await deps.agentHost.run(
        {
          type: 'start',
          runId: run.id,
          agent: { name: agent.name, role: agent.role, soul: agent.soul, guardrails: agent.guardrails },
          input: run.input,
          modelRef: routing.modelRef,
        },
        { onStep: (step) => trace.push(step), onOutput: (text) => (streamed.append(text), onOutput?.(text)), callModel },
        controller.signal,
      );
      await streamed.settle();
      final = await this.finish(run.id, { status: 'succeeded', output: result.output, usage: result.usage, trace, ...reasoningField(), ...streamed.timing(), ...routedFields() }, started);
    } catch (error) {
      const info = toErrorInfo(error);
      const status = info.code === 'cancelled' ? 'cancelled' : 'failed';
      await this.callsSettled(run.id);
      await streamed.settle();
      // What streamed in before the failure stays, marked as partial.
      const partial = streamed.text ? { output: streamed.text, outputPartial: true, ...streamed.timing() } : {};
      final = await this.finish(run.id, { status, error: info, trace, ...partial, ...reasoningField(), ...routedFields() }, started);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.cancels.delete(run.id);
      this.calls.delete(run.id);
    }
    // As written at its end; read again only when that write found it gone.
    return final ?? deps.runs.get(run.id) ?? run;
  }

  /** Cancels a run under way: aborts its model call and tells the worker. */
  cancel(runId: string): boolean {
    const controller = this.cancels.get(runId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Keeps a run's model call until it settles, so the run is final only after its calls are audited. */
  private track<T>(runId: string, call: Promise<T>): Promise<T> {
    const calls = this.calls.get(runId) ?? new Set();
    this.calls.set(runId, calls);
    calls.add(call);
    void call.catch(() => undefined).finally(() => calls.delete(call));
    return call;
  }

  private async callsSettled(runId: string): Promise<void> {
    await Promise.allSettled([...(this.calls.get(runId) ?? [])]);
  }

  /** Stores the run's end, once its calls' usage is in the ledger: whoever hears of the end finds it there. */
  private async finish(runId: string, fields: Partial<RunRecord>, started: number): Promise<RunRecord | undefined> {
    await this.deps.modelCaller.usageWritten();
    return this.deps.runs.update(runId, {
      ...fields,
      latencyMs: Math.round(performance.now() - started),
      finishedAt: this.deps.clock.now().toISOString(),
    });
  }
}

/** Where a run's calls go, known before it is stored. */
interface RunPlan {
  routing: Routing;
  fallbacks: CallTarget[];
}

/** The run's stored routing: its plan, and the tries of its calls so far (the last ones) with the target that answered, if not its own. */
function routingOf(plan: RunPlan, attempts: readonly CallAttempt[], answeredBy: CallTarget | undefined): Routing {
  return {
    ...plan.routing,
    ...(plan.fallbacks.length ? { fallbacks: plan.fallbacks } : {}),
    ...(attempts.length ? { attempts: attempts.slice(-MAX_RECORDED_ATTEMPTS) } : {}),
    ...(answeredBy ? { answeredBy } : {}),
  };
}
