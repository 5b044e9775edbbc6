import * as l10n from '@vscode/l10n';
import type { ChatResult, ChatStreamPart, ConversationMessage, Tool, ToolMode, Usage } from '../../contracts/models';
import type { AuditLog } from '../audit/auditLog';
import { CallLimiter } from '../base/callLimiter';
import type { ConnectionService } from '../connections/connectionService';
import { SwitchboardError, toErrorInfo, errorText } from '../base/errors';
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
  /**
   * The registry's context window of a model on a connection: a prompt far beyond it is refused
   * before it is sent, and a window the person set (`requested`) is asked of the provider.
   */
  contextWindow?(connectionId: string, modelRef: string): { tokens: number; requested: boolean } | undefined;
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
    // Refused before the key is read or anything is sent: a request the provider cannot serve.
    const modelProblem = provider.adapter.validateModelRef?.(request.modelRef);
    if (modelProblem) throw new SwitchboardError('invalid_input', modelProblem);
    const window = deps.contextWindow?.(connection.id, request.modelRef);
    if (window) assertFitsWindow(request, window.tokens, connection.name);
    const started = performance.now();
    let outcome = 'ok';
    try {
      const use = { connection, provider: provider.descriptor, requester: request.requester, purpose: 'chat' as const, ...(request.runId ? { runId: request.runId } : {}) };
      const context = { http: deps.http, timeoutMs: deps.settings.requestTimeoutMs(), idleTimeoutMs: deps.settings.streamIdleTimeoutMs(), signal };
      // Queued per connection before the request starts, so the wait is not part of its timeout.
      // streamChat holds any adapter's parts to the contract and blanks the key in each of them.
      const chat = {
        modelRef: request.modelRef,
        messages: request.messages,
        ...(window?.requested ? { contextWindow: window.tokens } : {}),
        ...(request.tools?.length ? { tools: request.tools, ...(request.toolMode ? { toolMode: request.toolMode } : {}) } : {}),
      };
      const result = await deps.keys.use(use, (target) =>
        this.limiter.run(connection.id, () => collectChat(relay(streamChat(provider.adapter, target, chat, context), onPart)), signal),
      );
      await this.noteOutcome(connection.id, { ok: true });
      return result;
    } catch (error) {
      const info = toErrorInfo(error);
      outcome = info.code;
      await this.noteOutcome(connection.id, { ok: false, ...info });
      throw error;
    } finally {
      await deps.audit
        .append({
          kind: 'model_call',
          ...(request.runId ? { runId: request.runId } : {}),
          requesterId: request.requester.id,
          connectionId: connection.id,
          connectionName: connection.name,
          providerId: connection.providerId,
          modelRef: request.modelRef,
          outcome,
          latencyMs: Math.round(performance.now() - started),
        })
        .catch((error: unknown) => deps.logger.error(`Could not write the audit log: ${errorText(error)}`));
    }
  }

  /** Tells the connection what the call learned about it; a failure to record that never fails the call. */
  private async noteOutcome(connectionId: string, outcome: Parameters<ConnectionService['noteCallOutcome']>[1]): Promise<void> {
    await this.deps.connections
      .noteCallOutcome(connectionId, outcome)
      .catch((error: unknown) => this.deps.logger.warn(`Could not record the status of connection ${connectionId}: ${errorText(error)}`));
  }
}

/**
 * A cheap estimate of a prompt's tokens: about four characters a token, as in English text.
 * Code and most other languages take more tokens per character, so the estimate errs low and
 * refuses only what cannot fit.
 */
export function estimateTokens(messages: readonly ConversationMessage[]): { tokens: number; characters: number } {
  let characters = 0;
  for (const message of messages) {
    characters += message.content.length;
    if ('toolCalls' in message) characters += JSON.stringify(message.toolCalls).length;
  }
  return { tokens: Math.ceil(characters / 4), characters };
}

/**
 * Refuses a prompt larger than the model's context window before it is sent: Ollama would
 * silently keep only its end, and other providers refuse it after the upload.
 */
function assertFitsWindow(request: ModelCall, windowTokens: number, connectionName: string): void {
  const estimate = estimateTokens(request.messages);
  if (estimate.tokens <= windowTokens) return;
  throw new SwitchboardError(
    'invalid_input',
    l10n.t(
      'The prompt is about {0} tokens ({1} characters), more than the {2}-token context window of {3} on "{4}", so the model could not read all of it. Nothing was sent. Shorten the input, or choose a model with a larger window (the Models tab shows each window; where the model takes more, you can raise it there).',
      estimate.tokens.toLocaleString('en'),
      estimate.characters.toLocaleString('en'),
      windowTokens.toLocaleString('en'),
      request.modelRef,
      connectionName,
    ),
  );
}

/** The parts as they come, each also handed to `onPart` on its way. */
async function* relay(parts: AsyncIterable<ChatStreamPart>, onPart: (part: ChatStreamPart) => void): AsyncGenerator<ChatStreamPart, void, undefined> {
  for await (const part of parts) {
    onPart(part);
    yield part;
  }
}
