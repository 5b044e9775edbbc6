import { randomUUID } from 'node:crypto';
import { StartAgentRunRequestSchema, type Agent, type RunRecord, type StartAgentRunRequest, type TraceStep } from '../contracts/agents';
import { ChatResultSchema, type Usage } from '../contracts/models';
import type { AgentHost, ModelInvocation } from './agentHost';
import type { AgentService } from './agentService';
import type { AuditLog } from './auditLog';
import { CallLimiter } from './callLimiter';
import type { ConnectionService } from './connectionService';
import type { ConsentService } from './consent';
import { SwitchboardError, toErrorInfo } from './errors';
import type { HttpClient } from './http/httpClient';
import type { Clock, Logger, Settings } from './ports';
import { describeIssue, type ProviderRegistry } from './providerRegistry';
import { resolveRouting } from './routing';
import type { RunStore } from './runStore';
import { withoutSecret } from './secrets';

export interface RunServiceDeps {
  agents: AgentService;
  connections: ConnectionService;
  registry: ProviderRegistry;
  consent: ConsentService;
  audit: AuditLog;
  runs: RunStore;
  agentHost: AgentHost;
  http: HttpClient;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  /** Whether the person disabled this model in the registry (an unregistered model is not disabled). */
  isModelDisabled?(connectionId: string, modelRef: string): boolean;
}

/**
 * Every run goes through here: validate the request, resolve routing, run the agent's steps in
 * the agent host, and make each model call the worker asks for (consent, key, adapter with the
 * timeout, audit). The run is stored with its effective routing whatever the outcome.
 */
export class RunService {
  private readonly cancels = new Map<string, AbortController>();
  /** Model calls under way per run, so a run is final only after its calls are audited. */
  private readonly calls = new Map<string, Set<Promise<unknown>>>();

  private readonly limiter: CallLimiter;

  constructor(private readonly deps: RunServiceDeps) {
    this.limiter = new CallLimiter(() => deps.settings.maxConcurrentRequestsPerConnection());
  }

  /**
   * Starts a run and resolves with its final record (succeeded, failed or cancelled). Only an
   * invalid request or an unknown agent throws, before anything is stored.
   */
  async start(request: unknown, requesterId: string, signal?: AbortSignal): Promise<RunRecord> {
    return (await this.launch(request, requesterId, signal)).finished;
  }

  /**
   * Like `start`, but resolves as soon as the run is stored as queued, with its id and a
   * promise of its final record: for views that show progress from snapshots.
   */
  async launch(request: unknown, requesterId: string, signal?: AbortSignal): Promise<{ runId: string; finished: Promise<RunRecord> }> {
    const parsed = StartAgentRunRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', `The run request is not valid: ${parsed.error.issues.map(describeIssue).join('; ')}.`);
    }
    const agent = this.deps.agents.require(parsed.data.agentId);
    const run: RunRecord = {
      id: randomUUID(),
      agentId: agent.id,
      agentName: agent.name,
      requesterId,
      status: 'queued',
      input: parsed.data.input,
      trace: [],
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.runs.add(run);
    return { runId: run.id, finished: this.execute(run, agent, parsed.data, signal) };
  }

  private async execute(run: RunRecord, agent: Agent, request: StartAgentRunRequest, signal?: AbortSignal): Promise<RunRecord> {
    const { deps } = this;
    const controller = new AbortController();
    this.cancels.set(run.id, controller);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // The caller may have cancelled while the run was being stored: that abort fired already.
    if (signal?.aborted) controller.abort();
    const started = performance.now();
    const trace: TraceStep[] = [];
    try {
      const routing = resolveRouting({
        request,
        agent,
        defaultConnectionId: deps.settings.defaultConnectionId(),
        findConnection: (id) => deps.connections.get(id),
        findProvider: (id) => deps.registry.get(id)?.descriptor,
      });
      await deps.runs.update(run.id, { status: 'running', routing });
      if (deps.isModelDisabled?.(routing.connectionId, routing.modelRef)) {
        throw new SwitchboardError('model_not_found', `The model "${routing.modelRef}" is disabled in the registry. Enable it in the Models tab, or run with another model.`);
      }
      const result = await deps.agentHost.run(
        {
          type: 'start',
          runId: run.id,
          agent: { name: agent.name, role: agent.role, soul: agent.soul, guardrails: agent.guardrails },
          input: request.input,
          routing: { connectionId: routing.connectionId, modelRef: routing.modelRef },
        },
        (step) => trace.push(step),
        controller.signal,
      );
      await this.finish(run.id, { status: 'succeeded', output: result.output, usage: result.usage, trace }, started);
    } catch (error) {
      const info = toErrorInfo(error);
      const status = info.code === 'cancelled' ? 'cancelled' : 'failed';
      await this.callsSettled(run.id);
      await this.finish(run.id, { status, error: info, trace }, started);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.cancels.delete(run.id);
      this.calls.delete(run.id);
    }
    return deps.runs.get(run.id) ?? run;
  }

  /** Cancels a run under way: aborts its model call and tells the worker. */
  cancel(runId: string): boolean {
    const controller = this.cancels.get(runId);
    controller?.abort();
    return controller !== undefined;
  }

  /**
   * A model call the worker asked for. Held to the run's routing by the agent host; here the
   * key is read with consent, the adapter called with the timeout, and the call audited.
   */
  invoke(runId: string, invocation: ModelInvocation, signal: AbortSignal): Promise<{ output: string; usage: Usage }> {
    // Queued per connection before the call starts, so the wait is not part of its timeout.
    const call = this.limiter.run(invocation.connectionId, () => this.callModel(runId, invocation, signal), signal);
    const calls = this.calls.get(runId) ?? new Set();
    this.calls.set(runId, calls);
    calls.add(call);
    void call.catch(() => undefined).finally(() => calls.delete(call));
    return call;
  }

  private async callsSettled(runId: string): Promise<void> {
    await Promise.allSettled([...(this.calls.get(runId) ?? [])]);
  }

  private async callModel(runId: string, invocation: ModelInvocation, signal: AbortSignal): Promise<{ output: string; usage: Usage }> {
    const { deps } = this;
    const run = deps.runs.get(runId);
    if (!run) throw new SwitchboardError('not_found', 'The run is no longer stored.');
    const connection = deps.connections.require(invocation.connectionId);
    const provider = deps.registry.require(connection.providerId);
    const started = performance.now();
    let outcome = 'ok';
    let apiKey: string | undefined;
    try {
      if (!provider.adapter.chat) {
        throw new SwitchboardError('invalid_input', `${provider.descriptor.displayName} cannot run chats.`);
      }
      if (connection.keyHint) await deps.consent.authorizeKeyRead(connection, run.requesterId, { runId });
      const target = await deps.connections.target(connection);
      apiKey = target.apiKey;
      const result = await provider.adapter.chat(
        target,
        { modelRef: invocation.modelRef, messages: invocation.messages },
        { http: deps.http, timeoutMs: deps.settings.requestTimeoutMs(), signal },
      );
      // Adapters may come from other extensions: their answer is held to the contract.
      const checked = ChatResultSchema.safeParse(result);
      if (!checked.success) {
        throw new SwitchboardError('bad_response', `${provider.descriptor.displayName} gave an answer that is not a valid chat result (at ${checked.error.issues.slice(0, 3).map((issue) => issue.path.map(String).join('.') || '(root)').join(', ')}).`);
      }
      return { output: checked.data.content, usage: checked.data.usage };
    } catch (error) {
      outcome = toErrorInfo(error).code;
      // The error goes to the worker and into the run record: never with the key in it.
      throw withoutSecret(error, apiKey);
    } finally {
      await deps.audit
        .append({
          kind: 'model_call',
          runId,
          requesterId: run.requesterId,
          connectionId: connection.id,
          providerId: connection.providerId,
          modelRef: invocation.modelRef,
          outcome,
          latencyMs: Math.round(performance.now() - started),
        })
        .catch((error: unknown) => deps.logger.error(`Could not write the audit log: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private async finish(runId: string, fields: Partial<RunRecord>, started: number): Promise<void> {
    await this.deps.runs.update(runId, {
      ...fields,
      latencyMs: Math.round(performance.now() - started),
      finishedAt: this.deps.clock.now().toISOString(),
    });
  }
}
