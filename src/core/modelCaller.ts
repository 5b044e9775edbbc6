import { ChatResultSchema, type ChatMessage, type Usage } from '../contracts/models';
import type { AuditLog } from './auditLog';
import { CallLimiter } from './callLimiter';
import type { ConnectionService } from './connectionService';
import { SwitchboardError, toErrorInfo } from './errors';
import type { HttpClient } from './http/httpClient';
import type { KeyPath } from './keyPath';
import type { Logger, Settings } from './ports';
import type { ProviderRegistry } from './providerRegistry';

/** One model call of a run: where it goes was decided when the run was routed. */
export interface ModelCall {
  runId: string;
  requesterId: string;
  connectionId: string;
  modelRef: string;
  messages: ChatMessage[];
}

export interface ModelCallerDeps {
  connections: ConnectionService;
  registry: ProviderRegistry;
  keys: KeyPath;
  audit: Pick<AuditLog, 'append'>;
  http: HttpClient;
  settings: Settings;
  logger: Logger;
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

  constructor(private readonly deps: ModelCallerDeps) {
    this.limiter = new CallLimiter(() => deps.settings.maxConcurrentRequestsPerConnection());
  }

  async call(request: ModelCall, signal: AbortSignal): Promise<{ output: string; usage: Usage }> {
    const { deps } = this;
    const connection = deps.connections.require(request.connectionId);
    const provider = deps.registry.require(connection.providerId);
    const started = performance.now();
    let outcome = 'ok';
    try {
      const chat = provider.adapter.chat?.bind(provider.adapter);
      if (!chat) {
        throw new SwitchboardError('invalid_input', `${provider.descriptor.displayName} cannot run chats.`);
      }
      // A run is never the person's own click: its key use needs consent (or a standing permission).
      const use = { connection, provider: provider.descriptor, requester: { id: request.requesterId, byPerson: false }, purpose: 'chat' as const, runId: request.runId };
      // Queued per connection before the request starts, so the wait is not part of its timeout.
      const result = await deps.keys.use(use, (target) =>
        this.limiter.run(
          connection.id,
          () => chat(target, { modelRef: request.modelRef, messages: request.messages }, { http: deps.http, timeoutMs: deps.settings.requestTimeoutMs(), signal }),
          signal,
        ),
      );
      // Adapters may come from other extensions: their answer is held to the contract.
      const checked = ChatResultSchema.safeParse(result);
      if (!checked.success) {
        throw new SwitchboardError('bad_response', `${provider.descriptor.displayName} gave an answer that is not a valid chat result (at ${checked.error.issues.slice(0, 3).map((issue) => issue.path.map(String).join('.') || '(root)').join(', ')}).`);
      }
      return { output: checked.data.content, usage: checked.data.usage };
    } catch (error) {
      outcome = toErrorInfo(error).code;
      throw error;
    } finally {
      await deps.audit
        .append({
          kind: 'model_call',
          runId: request.runId,
          requesterId: request.requesterId,
          connectionId: connection.id,
          providerId: connection.providerId,
          modelRef: request.modelRef,
          outcome,
          latencyMs: Math.round(performance.now() - started),
        })
        .catch((error: unknown) => deps.logger.error(`Could not write the audit log: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
