import * as l10n from '@vscode/l10n';
import * as z from 'zod';
import type { ChatRequest, ChatResult, ConversationMessage, DiscoveredModel, Modality, ModelListing, ToolCall, Usage } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../../contracts/vocabulary';
import { SwitchboardError } from '../base/errors';
import { commonErrorMessage, providerSaid, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { ANTHROPIC_BUILTIN, anthropicBuiltin } from './builtinModels';
import { ANTHROPIC_IMAGE_LIMITS, cacheBreakpoints, checkImageSizes, imagesOf } from './images';
import {
  collectPages,
  originLabel,
  parseChatRequest,
  positiveInt,
  requestOptions,
  requireConversation,
  requireKey,
  routeNotFound,
  splitSystem,
  everyModel,
  toDiscoveredModels,
  tokens,
  withinDiscoveryBudget,
  type ModelDraft,
} from './shared';
import { MAX_THINKING_BUDGET } from '../../contracts/modelFacts';
import { budgetOnly, checkedReasoning } from './reasoning';
import { eventJson, incompleteStream, parseToolArguments, readChatStream, STREAM_END, streamedError, streamedInBatches, toolArgumentsObject, type StreamTranslator } from './streaming';

export const ANTHROPIC_PROVIDER_ID = 'anthropic';
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The option that holds the `anthropic-version` header value. */
export const ANTHROPIC_API_VERSION_FIELD = 'apiVersion';
export const ANTHROPIC_DEFAULT_API_VERSION = '2023-06-01';
/**
 * From this version on the key goes in `Authorization: Bearer`, and `temperature`, `top_p` and
 * `top_k` are refused with a 400 (docs/providers.md section 3). Switchboard never sends them.
 */
export const ANTHROPIC_BEARER_VERSION = '2026-10-21';
/** Models per page of GET /v1/models (the API allows 1 to 1000). */
export const ANTHROPIC_PAGE_SIZE = 100;
/** `max_tokens` is required by /v1/messages; this is used when the request sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function anthropicDescriptor(): ProviderDescriptor {
  return {
    id: ANTHROPIC_PROVIDER_ID,
    displayName: 'Anthropic',
    source: 'core',
    fields: [
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: true, placeholder: 'sk-ant-…', description: l10n.t('Stored in VS Code\'s secret storage; sent as x-api-key (or as a Bearer token from API version 2026-10-21 on).') },
      { key: BASE_URL_FIELD, label: l10n.t('Base URL'), kind: 'url', required: false, default: ANTHROPIC_DEFAULT_BASE_URL, description: l10n.t('Change it only for a gateway that serves the Anthropic API.') },
      { key: ANTHROPIC_API_VERSION_FIELD, label: l10n.t('API version'), kind: 'text', required: false, default: ANTHROPIC_DEFAULT_API_VERSION, placeholder: ANTHROPIC_DEFAULT_API_VERSION, description: l10n.t('Sent as the anthropic-version header: 2023-06-01, or 2026-10-21.') },
    ],
    defaults: { baseUrl: ANTHROPIC_DEFAULT_BASE_URL },
    capabilities: { test: true, discovery: true, chat: true },
  };
}

/** Anthropic's errors: `{"type":"error","error":{"type","message"},"request_id"}`. */
export const anthropicApi: ApiProfile = {
  name: 'Anthropic',
  errorMessage: commonErrorMessage,
  classify(response, message) {
    const said = providerSaid('Anthropic', message);
    if (response.status === 402) {
      return new SwitchboardError('rate_limited', l10n.t('{0} answered 402: the account cannot pay for this request. Add credits or check billing in the Anthropic Console, then try again.{1}', response.endpoint, said));
    }
    if (response.status === 413) {
      return new SwitchboardError('invalid_input', l10n.t('{0} answered 413: the request is too large. Shorten the conversation and try again.{1}', response.endpoint, said));
    }
    return routeNotFound(response, message, anthropicApi);
  },
};

/** The `anthropic-version` in force for a connection; `invalid_input` when it is not a date. */
export function anthropicVersion(target: ConnectionTarget): string {
  const version = target.options[ANTHROPIC_API_VERSION_FIELD]?.trim() || ANTHROPIC_DEFAULT_API_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw new SwitchboardError('invalid_input', l10n.t("The Anthropic API version must be a date like {0}. Edit the connection's API version.", ANTHROPIC_DEFAULT_API_VERSION));
  }
  return version;
}

/** Versions from 2026-10-21 on take the key as a Bearer token; earlier ones as x-api-key. */
export function anthropicUsesBearer(version: string): boolean {
  return version >= ANTHROPIC_BEARER_VERSION;
}

/** The version header, always explicit, and the key in the header that version expects. */
export function anthropicHeaders(target: ConnectionTarget): Record<string, string> {
  const key = requireKey(target, 'Anthropic');
  const version = anthropicVersion(target);
  return anthropicUsesBearer(version)
    ? { authorization: `Bearer ${key}`, 'anthropic-version': version }
    : { 'x-api-key': key, 'anthropic-version': version };
}

const ModelInfoSchema = z.object({
  id: z.string(),
  display_name: z.string().nullish(),
  max_input_tokens: z.number().nullish(),
  max_tokens: z.number().nullish(),
  capabilities: z.record(z.string(), z.unknown()).nullish(),
});
type ModelInfo = z.infer<typeof ModelInfoSchema>;

const ModelPageSchema = z.object({
  data: z.array(ModelInfoSchema),
  has_more: z.boolean().nullish(),
  first_id: z.string().nullish(),
  last_id: z.string().nullish(),
});

/** Anthropic's counts; the cache ones are prompt tokens beside `input_tokens`, not part of it. */
const AnthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
type AnthropicUsage = z.infer<typeof AnthropicUsageSchema>;

/** The cache counts Anthropic gave that say something: every answer carries them, 0 when nothing was cached. */
function cacheUsage(usage: AnthropicUsage | null | undefined): Pick<Usage, 'cacheReadTokens' | 'cacheWriteTokens'> {
  const read = tokens(usage?.cache_read_input_tokens);
  const written = tokens(usage?.cache_creation_input_tokens);
  return { ...(read ? { cacheReadTokens: read } : {}), ...(written ? { cacheWriteTokens: written } : {}) };
}

/**
 * The usage in the contract's terms, where `inputTokens` counts the whole prompt, the cached part
 * included, as OpenAI and Gemini count it: Anthropic's `input_tokens` leaves the cache reads and
 * writes out.
 */
function wholePrompt(usage: Usage): Usage {
  return { ...usage, inputTokens: usage.inputTokens + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0) };
}

const MessageSchema = z.object({
  model: z.string().nullish(),
  content: z.array(
    z.object({ type: z.string(), text: z.string().nullish(), id: z.string().nullish(), name: z.string().nullish(), input: z.unknown().optional(), thinking: z.string().nullish(), signature: z.string().nullish() }),
  ),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsageSchema.nullish(),
});

/** The status each error type of Anthropic's comes with (docs/providers.md section 3), so an `error` event maps as that status would. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * The Messages request, streamed or not. No temperature, top_p or top_k under any version:
 * 2026-10-21 refuses them.
 */
function messagesBody(chat: ChatRequest, stream: boolean): Record<string, unknown> {
  checkImageSizes(chat, ANTHROPIC_IMAGE_LIMITS);
  const marked = cacheBreakpoints(chat.messages);
  const { system, rest } = splitSystem(chat.messages);
  requireConversation(rest, 'Anthropic');
  const thinking = thinkingOf(chat, rest);
  return {
    model: chat.modelRef,
    max_tokens: chat.maxTokens ?? (thinking ? thinking.budget_tokens + ANTHROPIC_DEFAULT_MAX_TOKENS : ANTHROPIC_DEFAULT_MAX_TOKENS),
    ...(thinking ? { thinking } : {}),
    messages: anthropicMessages(rest, marked, thinking !== undefined),
    ...(system !== undefined ? { system: systemField(chat.messages, system, marked) } : {}),
    ...(stream ? { stream: true } : {}),
    ...(chat.tools?.length
      ? {
          tools: chat.tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.parameters })),
          tool_choice: { type: chat.toolMode === 'required' ? 'any' : 'auto' },
        }
      : {}),
  };
}

type Block = Record<string, unknown>;

/** Extended thinking's least budget (Anthropic's docs). */
export const ANTHROPIC_MIN_THINKING_BUDGET = 1024;

/** Anthropic takes a thinking budget: at least 1,024 tokens. */
export const checkAnthropicReasoning = budgetOnly('Anthropic', ANTHROPIC_MIN_THINKING_BUDGET, MAX_THINKING_BUDGET);

/**
 * Extended thinking for the request's budget. Anthropic wants the budget below `max_tokens`, so a
 * request's own limit at or under it is refused. A conversation whose last turn called tools
 * without the signed thinking that began it (VS Code chat keeps none) cannot be continued with
 * thinking on (Anthropic answers 400), so that request thinks no more: the answer still comes.
 * Temperature, top_p and top_k, which thinking restricts, are never sent.
 */
function thinkingOf(chat: ChatRequest, rest: readonly ConversationMessage[]): { type: 'enabled'; budget_tokens: number } | undefined {
  const reasoning = checkedReasoning<{ budgetTokens: number }>(chat, checkAnthropicReasoning);
  if (!reasoning) return undefined;
  if (chat.maxTokens !== undefined && chat.maxTokens <= reasoning.budgetTokens) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t('Anthropic needs the output limit ({0} tokens) above the thinking budget ({1} tokens). Raise the model\'s output limit or lower its thinking budget.', chat.maxTokens.toLocaleString('en'), reasoning.budgetTokens.toLocaleString('en')),
    );
  }
  const lastAssistant = [...rest].reverse().find((message) => message.role === 'assistant');
  if (lastAssistant && 'toolCalls' in lastAssistant && !lastAssistant.reasoning?.length) return undefined;
  return { type: 'enabled', budget_tokens: reasoning.budgetTokens };
}

/** The one kind of breakpoint Anthropic has (a five-minute cache). */
const EPHEMERAL = { type: 'ephemeral' } as const;

/** The system prompt as one text, or as text blocks when a system message marks a cache breakpoint. */
function systemField(messages: readonly ConversationMessage[], joined: string, marked: ReadonlySet<ConversationMessage>): string | Block[] {
  const systems = messages.filter((message) => message.role === 'system');
  if (!systems.some((message) => marked.has(message))) return joined;
  return systems.map((message) => ({ type: 'text', text: message.content || ' ', ...(marked.has(message) ? { cache_control: EPHEMERAL } : {}) }));
}

/** Anthropic's image block: the bytes inline, base64. */
function imageBlocks(message: ConversationMessage): Block[] {
  return imagesOf(message).map((image) => ({ type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.data } }));
}

/** A user message's blocks: its images first (Anthropic's advice), then its text. */
function userBlocks(message: ConversationMessage): Block[] {
  return [...imageBlocks(message), ...(message.content ? [{ type: 'text', text: message.content }] : [])];
}

/** The breakpoint on the last block; a message with no block gets a blank one to carry it, as Copilot does. */
function markLast(blocks: Block[]): Block[] {
  const last = blocks.at(-1);
  if (last) last.cache_control = EPHEMERAL;
  else blocks.push({ type: 'text', text: ' ', cache_control: EPHEMERAL });
  return blocks;
}

/**
 * Tool calls go back as `tool_use` blocks of the assistant's turn, results as `tool_result`
 * blocks of the next user turn (after the turn's signed thinking, when thinking is on): results in a row share one turn, and a user's text that follows
 * them joins it after them, as Anthropic requires. A result's images go inside its block. A
 * message that marks a cache breakpoint has `cache_control` on its last block.
 */
function anthropicMessages(rest: readonly ConversationMessage[], marked: ReadonlySet<ConversationMessage>, thinking: boolean): { role: string; content: string | Block[] }[] {
  const out: { role: string; content: string | Block[] }[] = [];
  const openUserTurn = () => {
    const last = out.at(-1);
    return last?.role === 'user' && Array.isArray(last.content) ? last.content : undefined;
  };
  for (const message of rest) {
    const cached = marked.has(message);
    if (message.role === 'tool') {
      const images = imageBlocks(message);
      const content = images.length ? [...(message.content ? [{ type: 'text', text: message.content }] : []), ...images] : message.content;
      const block = { type: 'tool_result', tool_use_id: message.toolCallId, content, ...(message.isError ? { is_error: true } : {}), ...(cached ? { cache_control: EPHEMERAL } : {}) };
      const turn = openUserTurn();
      if (turn) turn.push(block);
      else out.push({ role: 'user', content: [block] });
    } else if ('toolCalls' in message) {
      const text = message.content ? [{ type: 'text', text: message.content }] : [];
      // With thinking on, the turn's signed thinking goes back first, as Anthropic requires.
      const thoughts = thinking ? (message.reasoning ?? []).map((block) => ({ type: 'thinking', thinking: block.text, signature: block.signature })) : [];
      const blocks: Block[] = [...thoughts, ...text, ...message.toolCalls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments }))];
      out.push({ role: 'assistant', content: cached ? markLast(blocks) : blocks });
    } else if (message.role === 'user' && openUserTurn()) {
      const blocks = userBlocks(message);
      openUserTurn()!.push(...(cached ? markLast(blocks) : blocks));
    } else if (cached || imagesOf(message).length) {
      const blocks = userBlocks(message);
      out.push({ role: message.role, content: cached ? markLast(blocks) : blocks });
    } else {
      out.push({ role: message.role, content: message.content });
    }
  }
  return out;
}

const StreamEventSchema = z.object({
  type: z.string(),
  index: z.number().int().nullish(),
  message: z.object({ model: z.string().nullish(), usage: AnthropicUsageSchema.nullish() }).nullish(),
  content_block: z.object({ type: z.string(), text: z.string().nullish(), id: z.string().nullish(), name: z.string().nullish(), thinking: z.string().nullish() }).nullish(),
  delta: z
    .object({ type: z.string().nullish(), text: z.string().nullish(), partial_json: z.string().nullish(), stop_reason: z.string().nullish(), thinking: z.string().nullish(), signature: z.string().nullish() })
    .nullish(),
  usage: AnthropicUsageSchema.nullish(),
  error: z.object({ type: z.string().nullish() }).nullish(),
});

/**
 * Messages SSE as parts: text deltas; thinking deltas as reasoning, their block's signature as a
 * reasoning part that closes it; a `tool_use` block's `input_json_delta` fragments joined
 * and given out as one call at its `content_block_stop`; the usage of `message_start` and
 * `message_delta`; `message_stop` as the end. `ping` and event types Anthropic may add later
 * are skipped; an `error` event maps as its status would.
 */
function messagesTranslator(endpoint: string, requested: string): StreamTranslator {
  let model: string | undefined;
  let stopReason: string | undefined;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const toolBlocks = new Map<number, { id: string; name: string; json: string }>();
  return {
    event(event) {
      const json = eventJson(event, endpoint, 'Anthropic');
      const parsed = StreamEventSchema.safeParse(json);
      if (!parsed.success) throw new SwitchboardError('bad_response', l10n.t('{0} sent an event that is not a Messages stream event, so the answer stops here. Check that the base URL points at the Anthropic API.', endpoint));
      const data = parsed.data;
      const index = data.index ?? 0;
      switch (data.type) {
        case 'message_start':
          model = data.message?.model ?? undefined;
          usage = { inputTokens: tokens(data.message?.usage?.input_tokens), outputTokens: tokens(data.message?.usage?.output_tokens), ...cacheUsage(data.message?.usage) };
          return [];
        case 'content_block_start':
          if (data.content_block?.type === 'tool_use') {
            toolBlocks.set(index, { id: data.content_block.id ?? '', name: data.content_block.name ?? '', json: '' });
            return [];
          }
          if (data.content_block?.type === 'thinking') return data.content_block.thinking ? [{ type: 'reasoning', text: data.content_block.thinking }] : [];
          return data.content_block?.type === 'text' && data.content_block.text ? [{ type: 'text', text: data.content_block.text }] : [];
        case 'content_block_delta':
          if (data.delta?.type === 'text_delta' && data.delta.text) return [{ type: 'text', text: data.delta.text }];
          if (data.delta?.type === 'thinking_delta' && data.delta.thinking) return [{ type: 'reasoning', text: data.delta.thinking }];
          // The signature closes the thinking block; it goes back with a turn that called tools.
          if (data.delta?.type === 'signature_delta' && data.delta.signature) return [{ type: 'reasoning', text: '', signature: data.delta.signature }];
          if (data.delta?.type === 'input_json_delta') {
            const block = toolBlocks.get(index);
            if (block) block.json += data.delta.partial_json ?? '';
          }
          // Citations are not the answer.
          return [];
        case 'content_block_stop': {
          const block = toolBlocks.get(index);
          if (!block) return [];
          toolBlocks.delete(index);
          if (!block.id || !block.name) throw new SwitchboardError('bad_response', l10n.t('{0} streamed a tool_use block without its id or name, so the call cannot be made. Try again.', endpoint));
          return [{ type: 'tool_call', call: { id: block.id, name: block.name, arguments: parseToolArguments(block.json, block.name, endpoint) } }];
        }
        case 'message_delta':
          stopReason = data.delta?.stop_reason ?? stopReason;
          // message_delta's counts are running totals for the whole message.
          if (data.usage?.output_tokens != null) usage.outputTokens = tokens(data.usage.output_tokens);
          if (data.usage?.input_tokens != null) usage.inputTokens = tokens(data.usage.input_tokens);
          usage = { ...usage, ...cacheUsage(data.usage) };
          return [];
        case 'message_stop':
          return STREAM_END;
        case 'error':
          throw streamedError(anthropicApi, endpoint, ERROR_STATUS[data.error?.type ?? ''], event.data);
        default:
          return [];
      }
    },
    finish(sawEnd) {
      if (!sawEnd) throw incompleteStream(endpoint, 'Anthropic');
      return [
        { type: 'usage', usage: wholePrompt(usage) },
        { type: 'finish', modelRef: model || requested, ...(stopReason ? { finishReason: stopReason } : {}) },
      ];
    },
  };
}

export const anthropicAdapter: ProviderAdapter = {
  checkReasoning: checkAnthropicReasoning,

  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    const headers = anthropicHeaders(target);
    const page = await context.http.getJson(`${target.baseUrl}/v1/models?limit=1`, ModelPageSchema, requestOptions(anthropicApi, headers, context));
    const newest = page.data[0];
    const version = headers['anthropic-version'] ?? '';
    return newest
      ? l10n.t('Connected to Anthropic (API version {0}), newest model {1}', version, newest.display_name || newest.id)
      : l10n.t('Connected to Anthropic (API version {0})', version);
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<ModelListing> {
    const headers = anthropicHeaders(target);
    const endpoint = `${target.baseUrl}/v1/models`;
    return withinDiscoveryBudget(context, originLabel(target.baseUrl), async (budget) => {
      let infos: ModelInfo[];
      let pagesRead = 0;
      try {
        infos = await collectPages(endpoint, 'Anthropic', async (afterId) => {
          const query = new URLSearchParams({ limit: String(ANTHROPIC_PAGE_SIZE), ...(afterId ? { after_id: afterId } : {}) });
          const page = await budget.http.getJson(`${endpoint}?${query}`, ModelPageSchema, requestOptions(anthropicApi, headers, budget));
          if (page.has_more && !page.last_id) {
            throw new SwitchboardError('bad_response', l10n.t('{0} said there are more models but gave no last_id to ask for them. Check that the base URL points at the Anthropic API.', endpoint));
          }
          pagesRead++;
          return { items: page.data, next: page.has_more ? page.last_id ?? undefined : undefined };
        });
      } catch (error) {
        // A gateway without the models endpoint: the built-in list is all there is.
        if (error instanceof SwitchboardError && error.code === 'not_found' && pagesRead === 0) return everyModel(builtinList());
        throw error;
      }
      return everyModel(toDiscoveredModels(infos.map(draftOf)));
    });
  },

  async chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    const chat = parseChatRequest(request);
    const headers = anthropicHeaders(target);
    const url = `${target.baseUrl}/v1/messages`;
    const answer = await context.http.postJson(url, messagesBody(chat, false), MessageSchema, {
      ...requestOptions(anthropicApi, headers, context),
      notFound: 'model_not_found',
    });
    const toolCalls: ToolCall[] = answer.content.flatMap((block) =>
      block.type === 'tool_use' && block.id && block.name ? [{ id: block.id, name: block.name, arguments: toolArgumentsObject(block.input, block.name, url) }] : [],
    );
    const thoughts = answer.content.flatMap((block) => (block.type === 'thinking' && block.signature ? [{ text: block.thinking ?? '', signature: block.signature }] : []));
    const reasoning = thoughts.map((block) => block.text).join('');
    return {
      content: answer.content.flatMap((block) => (block.type === 'text' && block.text ? [block.text] : [])).join(''),
      ...(reasoning ? { reasoning } : {}),
      ...(thoughts.length ? { reasoningBlocks: thoughts } : {}),
      modelRef: answer.model || chat.modelRef,
      usage: wholePrompt({ inputTokens: tokens(answer.usage?.input_tokens), outputTokens: tokens(answer.usage?.output_tokens), ...cacheUsage(answer.usage) }),
      ...(answer.stop_reason ? { finishReason: answer.stop_reason } : {}),
      ...(toolCalls.length ? { toolCalls } : {}),
    };
  },

  ...streamedInBatches(async function* (target, request, context) {
    const chat = parseChatRequest(request);
    const url = `${target.baseUrl}/v1/messages`;
    const call = { url, body: messagesBody(chat, true), api: anthropicApi, headers: anthropicHeaders(target), framing: 'sse', notFound: 'model_not_found' } as const;
    yield* readChatStream(call, context, messagesTranslator(url, chat.modelRef));
  }),
};

function supported(capabilities: Record<string, unknown>, name: string): boolean {
  const capability = capabilities[name];
  return typeof capability === 'object' && capability !== null && (capability as { supported?: unknown }).supported === true;
}

function draftOf(info: ModelInfo): ModelDraft {
  const facts = anthropicBuiltin(info.id);
  // The capabilities object has no tool-use entry because the Messages API takes `tools` for
  // every model it lists; so a model the API describes calls tools by the API's own word.
  const fromApi = info.capabilities
    ? (['text', ...(supported(info.capabilities, 'image_input') ? ['vision'] : []), 'tools', ...(supported(info.capabilities, 'thinking') ? ['reasoning'] : [])] as Modality[])
    : undefined;
  const apiContext = positiveInt(info.max_input_tokens);
  return {
    id: info.id,
    displayName: info.display_name ?? undefined,
    modalities: fromApi ?? facts?.modalities,
    modalitiesSource: fromApi ? 'api' : facts?.modalities ? 'builtin' : undefined,
    contextWindow: apiContext ?? facts?.contextWindow,
    contextSource: apiContext ? 'api' : 'builtin',
    inputCostPer1k: facts?.inputCostPer1k,
    outputCostPer1k: facts?.outputCostPer1k,
    maxOutputTokens: positiveInt(info.max_tokens),
  };
}

function builtinList(): DiscoveredModel[] {
  return toDiscoveredModels(
    ANTHROPIC_BUILTIN.map((model) => ({
      id: model.id,
      displayName: model.displayName,
      modalities: model.modalities,
      modalitiesSource: 'builtin',
      contextWindow: model.contextWindow,
      contextSource: 'builtin',
      inputCostPer1k: model.inputCostPer1k,
      outputCostPer1k: model.outputCostPer1k,
    })),
  );
}
