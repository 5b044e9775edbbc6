import * as l10n from '@vscode/l10n';
import * as z from 'zod';
import { describeModelCount, type LeftOutModels, type ReasoningEffort } from '../../contracts/modelFacts';
import type { ChatRequest, ChatResult, ChatStreamPart, ConversationMessage, ImagePart, Tool, ToolCall, Usage } from '../../contracts/models';
import { SwitchboardError } from '../base/errors';
import { commonErrorMessage, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget } from './adapter';
import { checkImageSizes, dataUrl, imagesOf, OPENAI_IMAGE_LIMITS } from './images';
import { originLabel, parseChatRequest, requestOptions, routeNotFound, tokens, withinDiscoveryBudget } from './shared';
import { checkedReasoning, compatibleReasoning, effortOnly } from './reasoning';
import { answerParts, eventJson, incompleteStream, isErrorEvent, newToolCallId, parseToolArguments, readChatStream, STREAM_END, streamedError, type StreamTranslator } from './streaming';

/**
 * What OpenAI, Azure OpenAI and OpenAI-compatible servers share: `GET /models`, the chat
 * completions request and answer, and `{"error":{"message",...}}` bodies.
 */

/** `GET /models`. Only `id` is required: compatible servers leave out the rest. */
export const ModelListSchema = z.object({
  object: z.string().optional(),
  data: z.array(
    z.object({
      id: z.string(),
      owned_by: z.string().nullish(),
      // Some compatible servers say how long a context they serve (OpenRouter, vLLM).
      context_length: z.unknown().optional(),
      max_model_len: z.unknown().optional(),
    }),
  ),
});
export type ModelList = z.infer<typeof ModelListSchema>;

const ToolCallsSchema = z.array(
  z.object({
    id: z.string().nullish(),
    function: z.object({ name: z.string(), arguments: z.string().nullish() }),
  }),
);

const UsageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  // OpenAI caches long prompts by itself and says how much of the prompt it read from the cache.
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  // Reasoning models count their thinking here, within completion_tokens.
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
});

/** OpenAI's counts in the contract's terms. */
function usageOf(usage: z.infer<typeof UsageSchema> | null | undefined): Usage {
  const cached = tokens(usage?.prompt_tokens_details?.cached_tokens);
  const reasoning = tokens(usage?.completion_tokens_details?.reasoning_tokens);
  return {
    inputTokens: tokens(usage?.prompt_tokens),
    outputTokens: tokens(usage?.completion_tokens),
    ...(cached ? { cacheReadTokens: cached } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
  };
}

/** Where OpenAI-compatible servers put a reasoning model's thoughts beside the answer (OpenAI itself sends none). */
const reasoningFields = { reasoning_content: z.string().nullish(), reasoning: z.unknown().optional() };

export const ChatCompletionSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      message: z
        .object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: ToolCallsSchema.nullish(),
          ...reasoningFields,
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: UsageSchema.nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** Which field limits the answer's length: OpenAI deprecated `max_tokens`; servers that copy it still use it. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/**
 * The chat completions request. Streamed, it asks for the usage (`stream_options.include_usage`),
 * which then comes in a last chunk with no choices.
 */
export function chatCompletionBody(request: ChatRequest, model: string | undefined, maxField: MaxTokensField, stream = false): Record<string, unknown> {
  return {
    ...(model !== undefined ? { model } : {}),
    messages: openAiMessages(request.messages),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(request.maxTokens !== undefined ? { [maxField]: request.maxTokens } : {}),
    ...reasoningEffortField(request),
    ...(request.tools?.length ? { tools: request.tools.map(openAiTool), tool_choice: request.toolMode ?? 'auto' } : {}),
  };
}

/** `reasoning_effort` (OpenAI's reasoning models, Azure's, and the servers that copy it); a budget of tokens is refused. */
function reasoningEffortField(request: ChatRequest): Record<string, unknown> {
  const reasoning = checkedReasoning<{ effort: ReasoningEffort }>(request, checkChatCompletionsReasoning);
  return reasoning ? { reasoning_effort: reasoning.effort } : {};
}

/** What the chat completions API takes: an effort. */
export const checkChatCompletionsReasoning = effortOnly('The chat completions API');

/** A tool in OpenAI's function form, which Ollama's /api/chat takes too. */
export function openAiTool(tool: Tool): Record<string, unknown> {
  return { type: 'function', function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters } };
}

/**
 * The messages in order. A tool message takes only text, so the images of the results in a row
 * follow them in one user message, each after a line naming its call (what Copilot does too).
 */
function openAiMessages(messages: readonly ConversationMessage[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let toolImages: Record<string, unknown>[] = [];
  const flush = () => {
    if (toolImages.length) out.push({ role: 'user', content: toolImages });
    toolImages = [];
  };
  for (const message of messages) {
    if (message.role !== 'tool') flush();
    out.push(openAiMessage(message));
    const images = imagesOf(message);
    if (message.role === 'tool' && images.length) toolImages.push({ type: 'text', text: `Images from the result of tool call ${message.toolCallId}:` }, ...images.map(imageUrlPart));
  }
  flush();
  return out;
}

function imageUrlPart(image: ImagePart): Record<string, unknown> {
  return { type: 'image_url', image_url: { url: dataUrl(image) } };
}

/** Tool calls go back with their arguments as a JSON string, results as `tool` messages naming the call; a user's images make its content a list of parts. */
function openAiMessage(message: ConversationMessage): Record<string, unknown> {
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  if ('toolCalls' in message) {
    return {
      role: 'assistant',
      content: message.content || null,
      tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
    };
  }
  const images = imagesOf(message);
  if (images.length) return { role: message.role, content: [...(message.content ? [{ type: 'text', text: message.content }] : []), ...images.map(imageUrlPart)] };
  return { role: message.role, content: message.content };
}

export function chatCompletionResult(answer: ChatCompletion, requested: string, endpoint: string, provider: string): ChatResult {
  const choice = answer.choices[0];
  if (!choice) {
    throw new SwitchboardError('bad_response', l10n.t('{0} answered without any choice, so there is no reply to show. Try again; if it repeats, check the {1} service.', endpoint, provider));
  }
  const toolCalls: ToolCall[] = (choice.message?.tool_calls ?? []).map((call) => ({
    id: call.id || newToolCallId(),
    name: call.function.name,
    arguments: parseToolArguments(call.function.arguments ?? '', call.function.name, endpoint),
  }));
  const reasoning = compatibleReasoning(choice.message);
  return {
    content: choice.message?.content ?? choice.message?.refusal ?? '',
    ...(reasoning ? { reasoning } : {}),
    modelRef: answer.model || requested,
    usage: usageOf(answer.usage),
    ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

/** One `chat.completion.chunk`. `choices` is empty (Azure's first chunk, the usage chunk) or null on some servers. */
const ChunkSchema = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            ...reasoningFields,
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: UsageSchema.nullish(),
});

/**
 * Chat completions chunks as parts: content deltas as text, a compatible server's reasoning
 * deltas as reasoning; tool calls assembled by `index`
 * (the id and name come in a call's first fragment, its arguments in pieces) and given out whole
 * at the end; the usage chunk; `data: [DONE]` as the end. An `{"error":…}` chunk is the
 * provider's error.
 */
export function chatCompletionTranslator(api: ApiProfile, endpoint: string, requested: string): StreamTranslator {
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: ChatStreamPart | undefined;
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  return {
    event(event) {
      if (event.data === '[DONE]') return STREAM_END;
      const json = eventJson(event, endpoint, api.name);
      if (isErrorEvent(json)) throw streamedError(api, endpoint, undefined, event.data);
      const chunk = ChunkSchema.safeParse(json);
      if (!chunk.success) throw new SwitchboardError('bad_response', l10n.t('{0} sent a chunk that is not a chat completion chunk, so the answer stops here. Check that the base URL points at the {1} API.', endpoint, api.name));
      model ||= chunk.data.model ?? undefined;
      if (chunk.data.usage) {
        usage = { type: 'usage', usage: usageOf(chunk.data.usage) };
      }
      const choice = chunk.data.choices?.[0];
      if (!choice) return [];
      finishReason = choice.finish_reason || finishReason;
      for (const fragment of choice.delta?.tool_calls ?? []) {
        const call = calls.get(fragment.index) ?? { id: '', name: '', arguments: '' };
        call.id ||= fragment.id ?? '';
        call.name ||= fragment.function?.name ?? '';
        call.arguments += fragment.function?.arguments ?? '';
        calls.set(fragment.index, call);
      }
      const text = (choice.delta?.content ?? '') + (choice.delta?.refusal ?? '');
      const reasoning = compatibleReasoning(choice.delta);
      return [...(reasoning ? [{ type: 'reasoning', text: reasoning } as const] : []), ...(text ? [{ type: 'text', text } as const] : [])];
    },
    finish(sawEnd) {
      if (!sawEnd && !finishReason) throw incompleteStream(endpoint, api.name);
      const parts: ChatStreamPart[] = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, call]) => {
          if (!call.name) throw new SwitchboardError('bad_response', l10n.t("{0} streamed a tool call without the tool's name, so the call cannot be made. Try again.", endpoint));
          return { type: 'tool_call', call: { id: call.id || newToolCallId(), name: call.name, arguments: parseToolArguments(call.arguments, call.name, endpoint) } };
        });
      if (usage) parts.push(usage);
      parts.push({ type: 'finish', modelRef: model || requested, ...(finishReason ? { finishReason } : {}) });
      return parts;
    },
    whole(json) {
      const answer = ChatCompletionSchema.safeParse(json);
      if (!answer.success) throw new SwitchboardError('bad_response', l10n.t('{0} answered with JSON that is not a chat completion. Check that the base URL points at the {1} API.', endpoint, api.name));
      return answerParts(chatCompletionResult(answer.data, requested, endpoint, api.name));
    },
  };
}

/** An OpenAI-shaped profile: the provider's message, and a 404 without one (or "Invalid URL") is a wrong base URL. */
export function openAiStyleApi(name: string): ApiProfile {
  const api: ApiProfile = {
    name,
    errorMessage: commonErrorMessage,
    classify: (response, message) => routeNotFound(response, message, api),
  };
  return api;
}

/**
 * What sets apart two providers that serve OpenAI's routes right under their base URL (OpenAI,
 * OpenAI-compatible servers). Azure puts the deployment in the path and does not use these.
 */
export interface OpenAiStyleProvider {
  api: ApiProfile;
  /** Built for every request, after the request is checked, so a bad request is reported before a missing key or header. */
  headers(target: ConnectionTarget): Record<string, string>;
  maxTokensField: MaxTokensField;
  /** Which listed models can chat, when the list mixes in others (OpenAI's embedding, speech, image models), and what to call the rest; every model when absent. */
  chatModels?: { isChat(id: string): boolean; others: Omit<LeftOutModels, 'count'> };
}

/** The listed models discovery offers, and the others by reason: what Test counts and Discover lists. */
export function chatEntries<T extends { id: string }>(provider: OpenAiStyleProvider, entries: readonly T[]): { kept: T[]; leftOut: LeftOutModels[] } {
  if (!provider.chatModels) return { kept: [...entries], leftOut: [] };
  const kept = entries.filter((entry) => provider.chatModels!.isChat(entry.id));
  const left = entries.length - kept.length;
  return { kept, leftOut: left ? [{ count: left, ...provider.chatModels.others }] : [] };
}

/** `GET {base}/models`: listing models is free and harmless, and proves both the endpoint and the key. */
export async function testByListingModels(provider: OpenAiStyleProvider, target: ConnectionTarget, context: CallContext): Promise<string> {
  const list = await context.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(provider.api, provider.headers(target), context));
  const { kept, leftOut } = chatEntries(provider, list.data);
  return l10n.t('Connected: {0}', describeModelCount(kept.length, leftOut, 'available'));
}

/** `GET {base}/models` within the discovery budget; which models to keep, and what they are, is the caller's. */
export async function listModels(provider: OpenAiStyleProvider, target: ConnectionTarget, context: CallContext): Promise<ModelList> {
  const headers = provider.headers(target);
  return withinDiscoveryBudget(context, originLabel(target.baseUrl), (budget) =>
    budget.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(provider.api, headers, budget)),
  );
}

/** `POST {base}/chat/completions` with the model in the body, so a 404 there is the model (unless the profile says it is the route). */
export async function postChatCompletion(provider: OpenAiStyleProvider, target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  const chat = parseChatRequest(request);
  checkImageSizes(chat, { provider: provider.api.name, ...OPENAI_IMAGE_LIMITS });
  const url = `${target.baseUrl}/chat/completions`;
  const answer = await context.http.postJson(url, chatCompletionBody(chat, chat.modelRef, provider.maxTokensField), ChatCompletionSchema, {
    ...requestOptions(provider.api, provider.headers(target), context),
    notFound: 'model_not_found',
  });
  return chatCompletionResult(answer, chat.modelRef, url, provider.api.name);
}

/** The same call, streamed over SSE. */
export async function* streamChatCompletion(provider: OpenAiStyleProvider, target: ConnectionTarget, request: ChatRequest, context: CallContext): AsyncGenerator<ChatStreamPart[], void, undefined> {
  const chat = parseChatRequest(request);
  checkImageSizes(chat, { provider: provider.api.name, ...OPENAI_IMAGE_LIMITS });
  const url = `${target.baseUrl}/chat/completions`;
  const call = { url, body: chatCompletionBody(chat, chat.modelRef, provider.maxTokensField, true), api: provider.api, headers: provider.headers(target), framing: 'sse', notFound: 'model_not_found' } as const;
  yield* readChatStream(call, context, chatCompletionTranslator(provider.api, url, chat.modelRef));
}
