import type { ChatResult, ChatStreamPart, ConversationMessage, Tool, ToolMode, Usage } from '../../contracts/models';
import type { AuditLog } from '../audit/auditLog';
import { CallLimiter } from '../base/callLimiter';
import type { ConnectionService } from '../connections/connectionService';
import { toErrorInfo, errorText } from '../base/errors';
import type { HttpClient } from '../http/httpClient';
import type { KeyPath, Requester } from '../keys/keyPath';
import type { Logger, Settings } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { collectChat, streamChat } from '../providers/streaming';

/** One model call: where it goes was decided before (a run's routing, the model picked in VS Code chat). */
export interface ModelCall {
  /** The run it belongs to; absent for a VS Code chat request. */
  runId?: string;
  /** Who asked: the person's click (a run from a view or the palette) is their consent for the key. */
  requester: Requester;
  connectionId: string;
  modelRef: string;
  messages: ConversationMessage[];
  tools?: Tool[];
  toolMode?: ToolMode;
}

export interface ModelCallerDeps {
  connections: ConnectionService;
  registry: ProviderRegistry;
  keys: KeyPath;
  audit: Pick<AuditLog, 'append'>;
  http: HttpClient;
  settings: Settings;
  logger: Logger;
  /** The context window the person set for a model (the registry's), which the call asks the provider for. */
  requestedContextWindow?(connectionId: string, modelRef: string): number | undefined;
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

  /** Makes the call, streaming: `onText` gets each piece of the answer (keys blanked) as it arrives. */
  async call(request: ModelCall, signal: AbortSignal, onText: (text: string) => void = () => undefined): Promise<{ output: string; usage: Usage }> {
    const result = await this.stream(request, signal, (part) => part.type === 'text' && part.text && onText(part.text));
    return { output: result.content, usage: result.usage };
  }

  /**
   * Makes the call, streaming every part (text, tool calls, usage; keys blanked) to `onPart` as
   * it arrives, and resolves with the whole answer.
   */
  async stream(request: ModelCall, signal: AbortSignal, onPart: (part: ChatStreamPart) => void): Promise<ChatResult> {
    const { deps } = this;
    const connection = deps.connections.require(request.connectionId);
    const provider = deps.registry.require(connection.providerId);
    const started = performance.now();
    let outcome = 'ok';
    try {
      const use = { connection, provider: provider.descriptor, requester: request.requester, purpose: 'chat' as const, ...(request.runId ? { runId: request.runId } : {}) };
      const context = { http: deps.http, timeoutMs: deps.settings.requestTimeoutMs(), idleTimeoutMs: deps.settings.streamIdleTimeoutMs(), signal };
      // Queued per connection before the request starts, so the wait is not part of its timeout.
      // streamChat holds any adapter's parts to the contract and blanks the key in each of them.
      const contextWindow = deps.requestedContextWindow?.(connection.id, request.modelRef);
      const chat = {
        modelRef: request.modelRef,
        messages: request.messages,
        ...(contextWindow !== undefined ? { contextWindow } : {}),
        ...(request.tools?.length ? { tools: request.tools, ...(request.toolMode ? { toolMode: request.toolMode } : {}) } : {}),
      };
      return await deps.keys.use(use, (target) =>
        this.limiter.run(connection.id, () => collectChat(relay(streamChat(provider.adapter, target, chat, context), onPart)), signal),
      );
    } catch (error) {
      outcome = toErrorInfo(error).code;
      throw error;
    } finally {
      await deps.audit
        .append({
          kind: 'model_call',
          ...(request.runId ? { runId: request.runId } : {}),
          requesterId: request.requester.id,
          connectionId: connection.id,
          providerId: connection.providerId,
          modelRef: request.modelRef,
          outcome,
          latencyMs: Math.round(performance.now() - started),
        })
        .catch((error: unknown) => deps.logger.error(`Could not write the audit log: ${errorText(error)}`));
    }
  }
}

/** The parts as they come, each also handed to `onPart` on its way. */
async function* relay(parts: AsyncIterable<ChatStreamPart>, onPart: (part: ChatStreamPart) => void): AsyncGenerator<ChatStreamPart, void, undefined> {
  for await (const part of parts) {
    onPart(part);
    yield part;
  }
}
