import * as vscode from 'vscode';
import { OLLAMA_ASSUMED_DEFAULT_CONTEXT, outputLimitOf } from '../contracts/modelFacts';
import type { ConversationMessage, ImagePart, Tool } from '../contracts/models';
import { CACHE_CONTROL_MIME, imagePartOf, isImageMime } from '../core/chat/chatParts';
import type { ChatModel, ChatService } from '../core/chat/chatService';
import type { ChatRecordStore } from '../core/chat/chatRecordStore';
import { IMAGE_TOKENS_ESTIMATE, type TokenCounter } from '../core/chat/tokenCount';
import type { ConnectionService } from '../core/connections/connectionService';
import { toErrorInfo } from '../core/base/errors';
import { chatRequesterId } from '../core/keys/requesters';
import { describeRequester } from './consentPrompt';
import { registerCommandWithErrors } from './errorMessages';

/** The vendor other extensions select with `vscode.lm.selectChatModels({ vendor: 'switchboard' })`. */
export const CHAT_VENDOR = 'switchboard';

/** When the registry knows no context window: the smallest window Ollama gives a model (see OLLAMA_ASSUMED_DEFAULT_CONTEXT). */
const UNKNOWN_CONTEXT_TOKENS = OLLAMA_ASSUMED_DEFAULT_CONTEXT;
/** When the registry knows no output limit; VS Code wants one, so the answer may take up to this much of the context. */
const MAX_OUTPUT_TOKENS = 8192;

/**
 * VS Code 1.120+ lists a third-party model in the picker only with `isUserSelectable`; the
 * stable typings (1.104) do not have the field yet, and older versions ignore it.
 */
type ChatInformation = vscode.LanguageModelChatInformation & { readonly isUserSelectable: boolean };

/**
 * Switchboard's models in VS Code chat: each enabled registered model of each usable connection,
 * answered through ChatService (ModelCaller: consent, audit, limit, timeouts, streaming).
 */
export function registerChatProvider(chat: ChatService, tokens: TokenCounter): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  /** The provider of each model on offer, for its token counts: VS Code lists the models before it counts. */
  const providers = new Map<string, string>();
  const listeners = chat.changes.map((event) => event(() => changed.fire()));
  const provider: vscode.LanguageModelChatProvider<ChatInformation> = {
    onDidChangeLanguageModelChatInformation: changed.event,
    // Silent or not, the same list: listing reads no key, and the first request asks (ChatService.models).
    provideLanguageModelChatInformation: () =>
      chat.models().map((model) => {
        providers.set(model.id, model.connection.providerId);
        return information(model);
      }),
    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      // VS Code 1.139 says which extension sent the request (its id, or "core" for VS Code's own
      // chat); the 1.104 typings do not have the field, and an older VS Code leaves it out. The
      // consent question names it, and an "Always Allow" holds for it alone.
      const initiator = (options as { requestInitiator?: unknown }).requestInitiator;
      try {
        await chat.respond(
          {
            modelId: model.id,
            requesterId: chatRequesterId(initiator),
            messages: toConversation(messages),
            ...(options.tools?.length ? { tools: options.tools.map(toTool), toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto' } : {}),
          },
          controller.signal,
          // Reasoning never goes out as answer text: VS Code's part for it (LanguageModelThinkingPart)
          // is a proposed API in 1.139, not in the stable vscode.d.ts, so chat gets none of it.
          (part) => {
            if (part.type === 'text' && part.text) progress.report(new vscode.LanguageModelTextPart(part.text));
            else if (part.type === 'tool_call') progress.report(new vscode.LanguageModelToolCallPart(part.call.id, part.call.name, part.call.arguments));
          },
        );
      } catch (error) {
        throw languageModelError(error);
      } finally {
        cancel.dispose();
      }
    },
    // No network call: OpenAI's tokenizer for OpenAI's models, an estimate for the others (TokenCounter).
    async provideTokenCount(model, text) {
      const providerId = providers.get(model.id) ?? '';
      if (typeof text === 'string') return tokens.count(providerId, text);
      const { text: content, images } = messageContent(text);
      return (await tokens.count(providerId, content)) + images * IMAGE_TOKENS_ESTIMATE;
    },
  };
  return vscode.Disposable.from(vscode.lm.registerLanguageModelChatProvider(CHAT_VENDOR, provider), changed, ...listeners);
}

function information({ id, connection, provider, model }: ChatModel): ChatInformation {
  const context = model.contextWindow ?? UNKNOWN_CONTEXT_TOKENS;
  const maxOutputTokens = outputTokens(model, context);
  const family = model.metadata?.family;
  return {
    id,
    name: `${model.displayName} (${connection.name})`,
    family: typeof family === 'string' ? family : model.providerModelId,
    version: model.providerModelId,
    tooltip: `${provider.displayName} · ${connection.name} · ${model.providerModelId}`,
    detail: connection.name,
    maxInputTokens: context - maxOutputTokens,
    maxOutputTokens,
    capabilities: { imageInput: model.modalities.includes('vision'), toolCalling: model.modalities.includes('tools') },
    isUserSelectable: true,
  };
}

/**
 * The output limit chat is told: the person's (it is what the call asks for), else the provider's,
 * else up to MAX_OUTPUT_TOKENS; never so much of the window that no prompt fits (the provider's
 * figure at most half of it, as the default).
 */
function outputTokens(model: ChatModel['model'], context: number): number {
  const limit = outputLimitOf(model);
  if (limit?.source === 'user') return Math.max(1, Math.min(limit.tokens, context - 1));
  return Math.max(1, Math.min(limit?.tokens ?? MAX_OUTPUT_TOKENS, Math.floor(context / 2)));
}

/** VS Code's LanguageModelDataPart (stable since 1.105; the 1.104 typings do not have it), told apart by its fields. */
interface DataPart {
  readonly mimeType: string;
  readonly data: Uint8Array;
}

function asDataPart(part: unknown): DataPart | undefined {
  if (typeof part !== 'object' || part === null) return undefined;
  const { mimeType, data } = part as { mimeType?: unknown; data?: unknown };
  return typeof mimeType === 'string' && data instanceof Uint8Array ? (part as DataPart) : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * VS Code's messages as the contract's: a tool result becomes a `tool` message (VS Code puts them
 * in a user message), an assistant's tool calls stay with its text, other parts are text. Image
 * data parts become the message's (or the tool result's) images, as base64; a `cache_control`
 * data part marks a cache breakpoint on what came just before it: the tool result it follows, or
 * else the message it is in. Other data parts (Copilot's own markers) mean nothing to a provider.
 */
function toConversation(messages: readonly vscode.LanguageModelChatRequestMessage[]): ConversationMessage[] {
  const conversation: Mutable<ConversationMessage>[] = [];
  for (const message of messages) {
    let text = '';
    const images: ImagePart[] = [];
    let cacheBreakpoint = false;
    let lastResult: Mutable<ConversationMessage> | undefined;
    const calls: { id: string; name: string; arguments: Record<string, unknown> }[] = [];
    for (const part of message.content) {
      const data = asDataPart(part);
      if (part instanceof vscode.LanguageModelTextPart) text += part.value;
      else if (part instanceof vscode.LanguageModelToolCallPart) calls.push({ id: part.callId, name: part.name, arguments: part.input as Record<string, unknown> });
      else if (part instanceof vscode.LanguageModelToolResultPart) conversation.push((lastResult = toolResult(part)));
      else if (data?.mimeType === CACHE_CONTROL_MIME) {
        if (lastResult) lastResult.cacheBreakpoint = true;
        else cacheBreakpoint = true;
        continue;
      } else if (data && isImageMime(data.mimeType)) images.push(imagePartOf(data.mimeType, data.data));
      else continue;
      if (!(part instanceof vscode.LanguageModelToolResultPart)) lastResult = undefined;
    }
    const extras = { ...(images.length ? { images } : {}), ...(cacheBreakpoint ? { cacheBreakpoint: true as const } : {}) };
    if (message.role === vscode.LanguageModelChatMessageRole.Assistant) {
      // A model's own turn never carries images to send back; only its breakpoint counts.
      const marked = cacheBreakpoint ? { cacheBreakpoint: true as const } : {};
      conversation.push(calls.length ? { role: 'assistant', content: text, toolCalls: calls, ...marked } : { role: 'assistant', content: text, ...marked });
    } else if (text || images.length || cacheBreakpoint || !conversation.length || conversation.at(-1)?.role !== 'tool') {
      // Role 3 is the proposed System role; the stable API has only User and Assistant.
      conversation.push({ role: (message.role as number) === 3 ? 'system' : 'user', content: text, ...extras });
    }
  }
  return conversation;
}

/** A tool result as a `tool` message: its text, its images, and a breakpoint when a `cache_control` part is among its content. */
function toolResult(part: vscode.LanguageModelToolResultPart): Mutable<ConversationMessage> {
  const images: ImagePart[] = [];
  let cacheBreakpoint = false;
  for (const item of part.content) {
    const data = asDataPart(item);
    if (data?.mimeType === CACHE_CONTROL_MIME) cacheBreakpoint = true;
    else if (data && isImageMime(data.mimeType)) images.push(imagePartOf(data.mimeType, data.data));
  }
  return { role: 'tool', toolCallId: part.callId, content: partsText(part.content), ...(images.length ? { images } : {}), ...(cacheBreakpoint ? { cacheBreakpoint: true } : {}) };
}

function toTool(tool: vscode.LanguageModelChatTool): Tool {
  const schema = tool.inputSchema as Record<string, unknown> | undefined;
  return { name: tool.name, description: tool.description, parameters: schema && schema.type === 'object' ? schema : { type: 'object', properties: {} } };
}

function partsText(parts: readonly unknown[]): string {
  return parts.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** What a message counts: its text, its tool calls and results as text, and how many images it holds (counted apart). */
function messageContent(message: vscode.LanguageModelChatRequestMessage): { text: string; images: number } {
  let images = 0;
  const isImage = (part: unknown) => {
    const data = asDataPart(part);
    return data !== undefined && isImageMime(data.mimeType);
  };
  const pieces = message.content.map((part) => {
    if (part instanceof vscode.LanguageModelTextPart) return part.value;
    if (part instanceof vscode.LanguageModelToolCallPart) return `${part.name}${JSON.stringify(part.input)}`;
    if (part instanceof vscode.LanguageModelToolResultPart) {
      images += part.content.filter(isImage).length;
      return partsText(part.content);
    }
    // A data part is never text to count: an image counts apart, a marker (cache_control…) counts nothing.
    if (isImage(part)) images++;
    return '';
  });
  return { text: pieces.join(''), images };
}

/** Core's error as the LanguageModelError chat shows, its message saying what to do. */
function languageModelError(error: unknown): Error {
  const info = toErrorInfo(error);
  switch (info.code) {
    case 'consent_denied':
      return vscode.LanguageModelError.NoPermissions(info.message);
    case 'missing_connection':
    case 'model_not_found':
      return vscode.LanguageModelError.NotFound(info.message);
    case 'cancelled':
      return new vscode.CancellationError();
    case 'rate_limited':
    case 'budget_exceeded':
      return vscode.LanguageModelError.Blocked(info.message);
    default:
      return new vscode.LanguageModelError(vscode.l10n.t('{0} (Switchboard: {1})', info.message, info.code));
  }
}

/** How many chat records Show Chat Requests lists. */
const CHAT_RECORDS_SHOWN = 500;

/**
 * Where Show Chat Requests shows them: a read-only virtual document (never an Untitled one that
 * asks to be saved when it is closed), drawn afresh each time the command runs.
 */
export const CHAT_RECORDS_URI = vscode.Uri.from({ scheme: 'switchboard', path: '/Switchboard Chat Requests.log' });

/** Switchboard: Show Chat Requests: the newest chat records, newest first, in a read-only document. */
export function registerChatRecordsCommand(records: ChatRecordStore, connections: ConnectionService): vscode.Disposable {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const render = () => {
    const { records: page, total } = records.page({ limit: CHAT_RECORDS_SHOWN });
    const names = new Map(connections.list().map((c) => [c.id, c.name]));
    const lines = page.map((r) =>
      [
        r.createdAt,
        r.status,
        vscode.l10n.t('connection {0}', names.get(r.connectionId) ?? r.connectionId),
        vscode.l10n.t('model {0}', r.modelRef),
        vscode.l10n.t('by {0}', describeRequester(r.requesterId)),
        r.usage && vscode.l10n.t('{0} in / {1} out tokens', r.usage.inputTokens, r.usage.outputTokens),
        r.usage?.cacheReadTokens && vscode.l10n.t('{0} read from the prompt cache', r.usage.cacheReadTokens),
        r.usage?.cacheWriteTokens && vscode.l10n.t('{0} written to the prompt cache', r.usage.cacheWriteTokens),
        r.toolCalls > 0 && vscode.l10n.t('{0} tool call(s)', r.toolCalls),
        r.firstTokenMs !== undefined && vscode.l10n.t('first token {0} ms', r.firstTokenMs),
        vscode.l10n.t('{0} ms', r.latencyMs),
        r.error && `${r.error.code}: ${r.error.message}`,
      ]
        .filter(Boolean)
        .join('  ·  '),
    );
    const text = lines.length
      ? `${vscode.l10n.t('Switchboard chat requests from VS Code chat, newest first ({0} of {1})', page.length, total)}\n\n${lines.join('\n')}\n`
      : `${vscode.l10n.t('No request from VS Code chat yet.')}\n`;
    return { page, text };
  };
  /** What the command drew last; a document restored after a reload draws its own. */
  let latest: string | undefined;
  const provider = vscode.workspace.registerTextDocumentContentProvider(CHAT_RECORDS_URI.scheme, {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => (uri.toString() === CHAT_RECORDS_URI.toString() ? (latest ?? render().text) : ''),
  });
  const command = registerCommandWithErrors('switchboard.showChatRecords', async () => {
    const { page, text } = render();
    latest = text;
    // An open document is drawn again with the records as they are now.
    changed.fire(CHAT_RECORDS_URI);
    const document = await vscode.workspace.openTextDocument(CHAT_RECORDS_URI);
    await vscode.window.showTextDocument(document, { preview: true });
    return page;
  });
  return vscode.Disposable.from(command, provider, changed);
}
