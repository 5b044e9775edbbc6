import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { MAX_RECORDED_ATTEMPTS, type CallAttempt, type CallTarget } from '../../contracts/agents';
import type { ChatRecord } from '../../contracts/chatRecords';
import type { Connection } from '../../contracts/connections';
import { describeIssues } from '../../contracts/issues';
import { ChatRequestSchema, type ChatResult, type ChatStreamPart, type RegisteredModel } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import type { ChatRecordStore } from './chatRecordStore';
import type { ConnectionService } from '../connections/connectionService';
import { SwitchboardError, toErrorInfo, errorText } from '../base/errors';
import type { ModelCaller } from '../calls/modelCaller';
import type { ModelRegistry } from '../models/modelRegistry';
import type { Clock, Event, Logger } from '../base/ports';
import { imagesOf } from '../providers/images';
import type { ProviderRegistry } from '../providers/providerRegistry';

/** A model VS Code chat may use: an enabled registered model of a connection whose provider is here and chats. */
export interface ChatModel {
  /** `<connectionId>/<providerModelId>`: a connection id is a UUID, so the first `/` splits it. */
  id: string;
  connection: Connection;
  provider: ProviderDescriptor;
  model: RegisteredModel;
}

/** What VS Code chat asks for, in contract terms (src/vscode converts VS Code's messages and tools). */
export interface ChatServiceRequest {
  modelId: string;
  /** Who asked: VS Code chat, with the initiating extension when VS Code names it (`chatRequesterId`). */
  requesterId: string;
  messages: unknown;
  tools?: unknown;
  toolMode?: unknown;
}

export interface ChatServiceDeps {
  connections: ConnectionService;
  registry: ProviderRegistry;
  models: Pick<ModelRegistry, 'list' | 'onDidChange'>;
  modelCaller: Pick<ModelCaller, 'stream'>;
  records: Pick<ChatRecordStore, 'add'>;
  clock: Clock;
  logger: Logger;
  /** `switchboard.fallbacks`: where a request moves when its model fails with a retryable outcome before the first token. */
  fallbacks?(): readonly CallTarget[];
}

/**
 * Switchboard's models as VS Code chat sees them, and each chat request on the run path: routed
 * to the chosen connection and model, through ModelCaller (consent and audit for the key, the
 * per-connection limit, the timeouts, streaming), and recorded as a light chat record.
 */
export class ChatService {
  /** Anything that can change the list: connections, providers, models. */
  readonly changes: Event<void>[];

  constructor(private readonly deps: ChatServiceDeps) {
    this.changes = [deps.connections.onDidChange, deps.registry.onDidChange, deps.models.onDidChange];
  }

  /**
   * The models on offer: every enabled registered model of every connection whose provider is
   * here and chats, keyed or not. Listing reads no key and asks nothing; VS Code lists silently
   * (1.139 always does, `selectChatModels` too), so consent waits for the first request, which
   * goes through the key path like any other use (respond).
   */
  models(): ChatModel[] {
    const connections = new Map(this.deps.connections.list().map((connection) => [connection.id, connection]));
    const offered: ChatModel[] = [];
    for (const model of this.deps.models.list()) {
      const connection = connections.get(model.connectionId);
      const provider = connection && this.deps.registry.get(connection.providerId)?.descriptor;
      if (!model.enabled || !connection || !provider?.capabilities.chat) continue;
      offered.push({ id: `${connection.id}/${model.providerModelId}`, connection, provider, model });
    }
    return offered;
  }

  /** Streams the answer's parts to `onPart` and resolves with it; records the request whatever the outcome. */
  async respond(request: ChatServiceRequest, signal: AbortSignal, onPart: (part: ChatStreamPart) => void): Promise<ChatResult> {
    const started = performance.now();
    const { connection, modelRef, model } = this.route(request.modelId);
    const parsed = ChatRequestSchema.safeParse({
      modelRef,
      messages: request.messages,
      ...(request.tools !== undefined ? { tools: request.tools } : {}),
      ...(request.toolMode !== undefined ? { toolMode: request.toolMode } : {}),
    });
    if (!parsed.success) throw new SwitchboardError('invalid_input', l10n.t('The chat request is not valid: {0}.', describeIssues(parsed.error.issues)));
    let firstTokenMs: number | undefined;
    let toolCalls = 0;
    const withImages = parsed.data.messages.some((message) => imagesOf(message).length > 0);
    const fallbacks = this.fallbacksFor(connection.id, modelRef, withImages);
    const attempts: CallAttempt[] = [];
    let answeredBy: CallTarget | undefined;
    const onAttempt = (attempt: CallAttempt) => {
      attempts.push(attempt);
      if (attempt.outcome === 'ok' && (attempt.connectionId !== connection.id || attempt.modelRef !== modelRef)) answeredBy = { connectionId: attempt.connectionId, modelRef: attempt.modelRef };
    };
    const chatId = randomUUID();
    const record = (fields: Pick<ChatRecord, 'status'> & Partial<ChatRecord>) =>
      this.store({
        id: chatId,
        requesterId: request.requesterId,
        connectionId: connection.id,
        providerId: connection.providerId,
        modelRef,
        toolCalls,
        latencyMs: Math.round(performance.now() - started),
        ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
        ...(attempts.length > 1 ? { attempts: attempts.slice(-MAX_RECORDED_ATTEMPTS) } : {}),
        ...(answeredBy ? { answeredBy } : {}),
        createdAt: this.deps.clock.now().toISOString(),
        ...fields,
      });
    try {
      // VS Code offers an image only to a model announced with imageInput, but another extension
      // may send one to any model: it is refused in words, never dropped without a word.
      if (!model.modalities.includes('vision') && withImages) {
        throw new SwitchboardError('invalid_input', l10n.t('The model "{0}" ({1}) cannot read images, so the request was not sent. Pick a model that reads images, or ask again without the image. If this model does read images, say so with Switchboard: Set Model Capabilities.', model.displayName, connection.name));
      }
      const result = await this.deps.modelCaller.stream(
        // VS Code chat is never the person's click in Switchboard: its key use asks, or finds the initiator's standing permission.
        { requester: { id: request.requesterId, byPerson: false }, chatId, connectionId: connection.id, modelRef, messages: parsed.data.messages, ...(parsed.data.tools ? { tools: parsed.data.tools } : {}), ...(parsed.data.toolMode ? { toolMode: parsed.data.toolMode } : {}), fallbacks, onAttempt },
        signal,
        (part) => {
          if (part.type === 'text' || part.type === 'tool_call') firstTokenMs ??= Math.round(performance.now() - started);
          if (part.type === 'tool_call') toolCalls++;
          onPart(part);
        },
      );
      record({ status: 'succeeded', usage: result.usage });
      return result;
    } catch (error) {
      const info = toErrorInfo(error);
      record({ status: info.code === 'cancelled' ? 'cancelled' : 'failed', error: info });
      throw error;
    }
  }

  /** The connection and model of a chat model id, or the error that says why it cannot be used now. */
  private route(modelId: string): { connection: Connection; modelRef: string; model: RegisteredModel } {
    const slash = modelId.indexOf('/');
    const connection = slash > 0 ? this.deps.connections.get(modelId.slice(0, slash)) : undefined;
    if (!connection) throw new SwitchboardError('missing_connection', l10n.t('The Switchboard connection of this model no longer exists. Pick another model, or add the connection again in Switchboard.'));
    const modelRef = modelId.slice(slash + 1);
    if (!this.deps.registry.get(connection.providerId)) {
      throw new SwitchboardError('missing_connection', l10n.t('The provider "{0}" of "{1}" is not available. Is the extension that contributes it installed and enabled?', connection.providerId, connection.name));
    }
    const model = this.deps.models.list().find((m) => m.connectionId === connection.id && m.providerModelId === modelRef);
    if (!model?.enabled) {
      throw new SwitchboardError('model_not_found', l10n.t('The model "{0}" is not enabled in Switchboard\'s registry for "{1}". Enable it in the Models tab, or pick another model.', modelRef, connection.name));
    }
    return { connection, modelRef, model };
  }

  /**
   * The setting's fallbacks that chat may use now (an enabled registered model of a connection
   * that exists), without the request's own target; for a request with images, only those that
   * read images, as the request's own model must.
   */
  private fallbacksFor(connectionId: string, modelRef: string, withImages: boolean): CallTarget[] {
    const chain = this.deps.fallbacks?.() ?? [];
    if (!chain.length) return [];
    const usable = this.models().filter(({ model }) => !withImages || model.modalities.includes('vision'));
    const enabled = new Set(usable.map((model) => `${model.connection.id}/${model.model.providerModelId}`));
    return chain.filter((target) => (target.connectionId !== connectionId || target.modelRef !== modelRef) && enabled.has(`${target.connectionId}/${target.modelRef}`));
  }

  /**
   * A record that cannot be stored is logged, never the reason a chat answer fails, nor what it
   * waits for: stored at once when the database is free, later when another window holds it.
   */
  private store(record: ChatRecord): void {
    const logged = (error: unknown) => this.deps.logger.warn(`Could not store the chat record: ${errorText(error)}`);
    try {
      this.deps.records.add(record).catch(logged);
    } catch (error) {
      logged(error);
    }
  }
}
