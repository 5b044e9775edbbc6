import * as l10n from '@vscode/l10n';
import * as z from 'zod';
import { describeModelCount, OLLAMA_ASSUMED_DEFAULT_CONTEXT, type LeftOutModels, type ReasoningEffort } from '../../contracts/modelFacts';
import type { ChatRequest, ChatResult, ChatStreamPart, Modality, ModelListing } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../../contracts/vocabulary';
import { SwitchboardError, factsOf } from '../base/errors';
import { commonErrorMessage, NetworkError, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { checkImageSizes, imagesOf, OLLAMA_IMAGE_LIMITS } from './images';
import { openAiTool } from './openaiShared';
import {
  mapLimit,
  originLabel,
  parseChatRequest,
  positiveInt,
  requestOptions,
  routeNotFound,
  toDiscoveredModels,
  tokens,
  withinDiscoveryBudget,
  type ModelDraft,
} from './shared';
import { checkedReasoning, effortOnly } from './reasoning';
import { contentOf, eventJson, incompleteStream, isErrorEvent, newToolCallId, readChatStream, streamedError, streamedInBatches, toolArgumentsObject, toolNamesById, type StreamTranslator } from './streaming';

export const OLLAMA_PROVIDER_ID = 'ollama';
export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434';
export const OLLAMA_DEFAULT_MODEL = 'llama3.2';
/** How many `/api/show` calls discovery keeps in flight at once. */
export const OLLAMA_SHOW_CONCURRENCY = 4;

/**
 * Where a local Ollama listens: OLLAMA_HOST as Ollama itself reads it (`127.0.0.1:11435`,
 * `https://host`, a bare host: without a scheme, http and port 11434; the listen-everywhere
 * `0.0.0.0` means this machine), else http://localhost:11434.
 */
export function ollamaBaseUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const host = env.OLLAMA_HOST?.trim();
  if (!host) return OLLAMA_DEFAULT_BASE_URL;
  try {
    // As Ollama reads it: with a scheme, that scheme's own default port; without one, http and 11434.
    const schemed = /^[a-z][a-z0-9+.-]*:\/\//i.test(host);
    const url = new URL(schemed ? host : `http://${host}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return OLLAMA_DEFAULT_BASE_URL;
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost';
    if (!schemed && !/:\d+$/.test(host.replace(/\/.*$/, ''))) url.port = '11434';
    return url.origin;
  } catch {
    return OLLAMA_DEFAULT_BASE_URL;
  }
}

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function ollamaDescriptor(env: Readonly<Record<string, string | undefined>> = process.env): ProviderDescriptor {
  const baseUrl = ollamaBaseUrl(env);
  return {
    id: OLLAMA_PROVIDER_ID,
    displayName: 'Ollama',
    source: 'core',
    fields: [
      { key: BASE_URL_FIELD, label: l10n.t('Base URL'), kind: 'url', required: true, default: baseUrl, description: l10n.t('Where Ollama listens; "ollama serve" uses http://localhost:11434, or OLLAMA_HOST when it is set.') },
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: false, description: l10n.t('Only for Ollama behind authentication, e.g. https://ollama.com. Sent as a Bearer token.') },
    ],
    defaults: { baseUrl, modelRef: OLLAMA_DEFAULT_MODEL },
    capabilities: { test: true, discovery: true, chat: true },
  };
}

/**
 * Ollama names a model `[host/][namespace/]model[:tag]` (`llama3.2:latest`,
 * `hf.co/org/repo:Q4_K_M`), never with a space: a name with one can only be a mistake, and is
 * refused before it is stored or sent.
 */
export function ollamaModelProblem(modelRef: string): string | undefined {
  if (!/\s/.test(modelRef.trim())) return undefined;
  return l10n.t('"{0}" is not an Ollama model name: Ollama model names have no spaces. Use the name "ollama list" shows, e.g. llama3.2:latest.', modelRef.trim());
}

/**
 * Ollama's errors: `{"error":"model 'foo' not found"}`. A 404 with that body is a missing model
 * (say how to pull it, when the name is one "ollama pull" takes); a 404 without one is Go's
 * "404 page not found", a wrong base URL.
 */
export const ollamaApi: ApiProfile = {
  name: 'Ollama',
  errorMessage: commonErrorMessage,
  classify(response, message) {
    const route = routeNotFound(response, message, ollamaApi);
    if (route || response.status !== 404 || !message || !/not found/i.test(message)) return route;
    const name = /model ['"]([^'"]{1,256})['"]/.exec(message)?.[1];
    if (name === undefined || ollamaModelProblem(name)) {
      return new SwitchboardError(
        'model_not_found',
        l10n.t('{0} answered 404: Ollama does not have this model. Pick one from the connection\'s model list. Ollama said: "{1}"', response.endpoint, message),
      );
    }
    return new SwitchboardError(
      'model_not_found',
      l10n.t(
        '{0} answered 404: Ollama does not have this model. Pull it with the command "ollama pull {1}", or pick one from the connection\'s model list. Ollama said: "{2}"',
        response.endpoint,
        name,
        message,
      ),
    );
  },
};

const DetailsSchema = z.object({
  family: z.string().nullish(),
  parameter_size: z.string().nullish(),
  quantization_level: z.string().nullish(),
  context_length: z.number().nullish(),
});

const VersionSchema = z.object({ version: z.string() });
const TagsSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      model: z.string().nullish(),
      details: DetailsSchema.nullish(),
      // Servers from v0.30.0 on send these in the list too.
      capabilities: z.array(z.string()).nullish(),
    }),
  ),
});
type Tag = z.infer<typeof TagsSchema>['models'][number];

const ShowSchema = z.object({
  /** The Modelfile's PARAMETER lines as text: `num_ctx                        8192`. */
  parameters: z.string().nullish(),
  details: DetailsSchema.nullish(),
  model_info: z.record(z.string(), z.unknown()).nullish(),
  capabilities: z.array(z.string()).nullish(),
});
type Show = z.infer<typeof ShowSchema>;

const ChatSchema = z.object({
  model: z.string().nullish(),
  message: z
    .object({
      role: z.string().nullish(),
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z.array(z.object({ id: z.string().nullish(), function: z.object({ name: z.string(), arguments: z.unknown().optional() }) })).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  // Every metric is omitempty: a count of 0 is absent.
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
  total_duration: z.number().nullish(),
});
type ChatAnswer = z.infer<typeof ChatSchema>;

/**
 * The /api/chat request, streamed (NDJSON) or not. Calls go back in `tool_calls` with their
 * arguments as an object, results as `tool` messages naming the function. Ollama has no way to
 * force a tool call, so `required` is refused rather than quietly ignored.
 */
function chatBody(chat: ChatRequest, stream: boolean): Record<string, unknown> {
  if (chat.toolMode === 'required') {
    throw new SwitchboardError('invalid_input', l10n.t('Ollama cannot be made to call a tool: it has no tool choice. Use the tool mode "auto".'));
  }
  checkImageSizes(chat, OLLAMA_IMAGE_LIMITS);
  const names = toolNamesById(chat.messages);
  // num_ctx only for the person's window: otherwise Ollama's own (the Modelfile's, or its default)
  // is the one the registry shows, and a different num_ctx would make Ollama load the model again.
  const options = {
    ...(chat.maxTokens !== undefined ? { num_predict: chat.maxTokens } : {}),
    ...(chat.contextWindow !== undefined ? { num_ctx: chat.contextWindow } : {}),
  };
  return {
    model: chat.modelRef,
    messages: chat.messages.map((message) => {
      // Ollama takes a message's images as bare base64 (no data: prefix), in any role's `images`.
      const images = imagesOf(message).map((image) => image.data);
      const withImages = images.length ? { images } : {};
      if (message.role === 'tool') return { role: 'tool', content: message.content, tool_name: names.get(message.toolCallId), ...withImages };
      if ('toolCalls' in message) return { role: 'assistant', content: message.content, tool_calls: message.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })) };
      return { role: message.role, content: message.content, ...withImages };
    }),
    stream,
    ...thinkField(chat),
    ...(Object.keys(options).length ? { options } : {}),
    ...(chat.tools?.length
      ? { tools: chat.tools.map(openAiTool) }
      : {}),
  };
}

/** Ollama takes an effort: `think` is on for any, and gpt-oss, which thinks at levels, gets the level itself. */
export const checkOllamaReasoning = effortOnly('Ollama');

/** `think` for the request's effort: the level for gpt-oss (which ignores `true`), `true` for other thinking models. */
function thinkField(chat: ChatRequest): Record<string, unknown> {
  const reasoning = checkedReasoning<{ effort: ReasoningEffort }>(chat, checkOllamaReasoning);
  if (!reasoning) return {};
  return { think: /^gpt-oss(:|$)/.test(chat.modelRef) ? reasoning.effort : true };
}

/** The reasoning, text and whole tool calls of one answer or one streamed line; Ollama gives calls no id, so each gets one. */
function messageParts(answer: ChatAnswer, endpoint: string): ChatStreamPart[] {
  const thinking: ChatStreamPart[] = answer.message?.thinking ? [{ type: 'reasoning', text: answer.message.thinking }] : [];
  const text: ChatStreamPart[] = answer.message?.content ? [{ type: 'text', text: answer.message.content }] : [];
  const calls = (answer.message?.tool_calls ?? []).map((call): ChatStreamPart => ({
    type: 'tool_call',
    call: { id: call.id || newToolCallId(), name: call.function.name, arguments: toolArgumentsObject(call.function.arguments, call.function.name, endpoint) },
  }));
  return [...thinking, ...text, ...calls];
}

function usageOf(answer: ChatAnswer) {
  return { inputTokens: tokens(answer.prompt_eval_count), outputTokens: tokens(answer.eval_count) };
}

/**
 * /api/chat's NDJSON as parts: each line's content and tool calls; the line with `done: true`
 * brings the finish reason and the counts. A line `{"error":…}` is Ollama failing mid-answer
 * (the status stays 200).
 */
function chatTranslator(endpoint: string, requested: string): StreamTranslator {
  let last: ChatAnswer | undefined;
  let model: string | undefined;
  const chunkParts = (json: unknown, data: string) => {
    // Nearly every line is a piece of text: read by hand, as the schema would, without its cost.
    const text = plainTextLine(json);
    if (text) {
      model ||= text.model ?? undefined;
      return text.content ? [{ type: 'text', text: text.content } as const] : [];
    }
    if (isErrorEvent(json)) throw streamedError(ollamaApi, endpoint, undefined, data);
    const parsed = ChatSchema.safeParse(json);
    if (!parsed.success) throw new SwitchboardError('bad_response', l10n.t('{0} sent a line that is not an Ollama chat chunk, so the answer stops here. Check that the base URL points at Ollama.', endpoint));
    model ||= parsed.data.model ?? undefined;
    if (parsed.data.done) last = parsed.data;
    return messageParts(parsed.data, endpoint);
  };
  const finish = (): ChatStreamPart[] => {
    if (!last) throw incompleteStream(endpoint, 'Ollama');
    return [
      { type: 'usage', usage: usageOf(last) },
      { type: 'finish', modelRef: model || requested, ...(last.done_reason ? { finishReason: last.done_reason } : {}) },
    ];
  };
  return {
    event: (event) => chunkParts(eventJson(event, endpoint, 'Ollama'), event.data),
    finish,
    // A whole answer is the last chunk of a stream with all of the message in it.
    whole: (json) => [...chunkParts(json, JSON.stringify(json)), ...finish()],
  };
}

/**
 * A streamed line that is only a piece of text, and so needs no schema: not done, with a message
 * whose content is a string and nothing else the schema reads (no thinking, tool calls, error or
 * counts). Its model and content, or undefined for any other line, which the schema then reads.
 */
function plainTextLine(json: unknown): { model: string | null | undefined; content: string } | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const line = json as Record<string, unknown>;
  const message = line.message as Record<string, unknown> | null | undefined;
  if (line.done !== false || typeof message !== 'object' || message === null || typeof message.content !== 'string') return undefined;
  const model = line.model;
  if (model != null && typeof model !== 'string') return undefined;
  if (message.role != null && typeof message.role !== 'string') return undefined;
  if (message.thinking != null || message.tool_calls != null || line.error !== undefined) return undefined;
  if (line.done_reason != null || line.prompt_eval_count != null || line.eval_count != null || line.total_duration != null) return undefined;
  return { model, content: message.content };
}

/** No header locally; a Bearer token when the connection has a key (Ollama's cloud). */
export function ollamaHeaders(target: ConnectionTarget): Record<string, string> {
  return target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
}

/** Ollama's capabilities in Switchboard's words: `vision` is image input, `thinking` is reasoning. */
const CAPABILITY_MODALITIES: Readonly<Record<string, Modality>> = {
  completion: 'text',
  vision: 'vision',
  tools: 'tools',
  thinking: 'reasoning',
  audio: 'audio',
  embedding: 'embedding',
};

export function ollamaModalities(capabilities: readonly string[]): Modality[] {
  return [...new Set(capabilities.flatMap((capability) => (Object.hasOwn(CAPABILITY_MODALITIES, capability) ? [CAPABILITY_MODALITIES[capability]] : [])))];
}

/** A model's context as Ollama gives it: the most it can take, and the window a run gets with where that figure came from. */
export interface OllamaContext {
  max?: number;
  window?: number;
  windowSource?: 'api' | 'default';
}

/**
 * The model's maximum is `model_info["<arch>.context_length"]` (else the list's
 * `details.context_length`). A run gets the Modelfile's `num_ctx` from `parameters`, else
 * Ollama's default, which the API does not report (OLLAMA_ASSUMED_DEFAULT_CONTEXT); Ollama cuts
 * either to the maximum. Without /api/show the parameters are unknown, and so is the window.
 */
export function ollamaContext(show: Pick<Show, 'parameters' | 'model_info'> | undefined, listedMax?: number): OllamaContext {
  const info = show?.model_info ?? {};
  const architecture = info['general.architecture'];
  const max = (typeof architecture === 'string' ? positiveInt(info[`${architecture}.context_length`]) : undefined) ?? positiveInt(listedMax);
  if (!show) return max === undefined ? {} : { max };
  const numCtx = positiveInt(Number(/^\s*num_ctx\s+(\d+)\s*$/m.exec(show.parameters ?? '')?.[1]));
  const [window, windowSource] = numCtx !== undefined ? [numCtx, 'api' as const] : [OLLAMA_ASSUMED_DEFAULT_CONTEXT, 'default' as const];
  return { ...(max !== undefined ? { max } : {}), window: max === undefined ? window : Math.min(window, max), windowSource };
}

/** A model Ollama serves that cannot chat: its capabilities are known and lack `completion` (embedding models). */
function cannotChat(capabilities: readonly string[] | null | undefined): capabilities is readonly string[] {
  return Boolean(capabilities) && !capabilities?.includes('completion');
}

/** The models left out for not chatting, the same count for Test (from the list) and Discover (from /api/show). */
function leftOutOf(capabilityLists: readonly (readonly string[] | null | undefined)[]): LeftOutModels[] {
  const left = capabilityLists.filter(cannotChat);
  const embedding = left.filter((capabilities) => capabilities.includes('embedding')).length;
  return [
    ...(embedding ? [{ count: embedding, kind: 'embedding model', why: 'cannot chat' }] : []),
    ...(left.length > embedding ? [{ count: left.length - embedding, kind: 'non-chat model', why: 'no "completion" capability' }] : []),
  ];
}

/** Failures that end discovery; any other failure of one /api/show keeps that model with what /api/tags said. */
const FATAL = new Set(['auth_failed', 'cancelled', 'timeout', 'endpoint_unreachable', 'rate_limited']);

export const ollamaAdapter: ProviderAdapter = {
  checkReasoning: checkOllamaReasoning,

  validateModelRef: ollamaModelProblem,

  testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    return explainRefused(target, async () => {
      const options = requestOptions(ollamaApi, ollamaHeaders(target), context);
      const { version } = await context.http.getJson(`${target.baseUrl}/api/version`, VersionSchema, options);
      const { models } = await context.http.getJson(`${target.baseUrl}/api/tags`, TagsSchema, options);
      // Servers before v0.30.0 list no capabilities: then only Discover (from /api/show) can tell how many chat.
      const leftOut = leftOutOf(models.map((tag) => tag.capabilities));
      const left = leftOut.reduce((sum, group) => sum + group.count, 0);
      return l10n.t('Ollama {0}, {1}', version, describeModelCount(models.length - left, leftOut, 'installed'));
    });
  },

  discoverModels(target: ConnectionTarget, context: CallContext): Promise<ModelListing> {
    return explainRefused(target, () =>
      withinDiscoveryBudget(context, originLabel(target.baseUrl), async (budget) => {
        const headers = ollamaHeaders(target);
        const { models } = await budget.http.getJson(`${target.baseUrl}/api/tags`, TagsSchema, requestOptions(ollamaApi, headers, budget));
        // One failure stops the calls still running instead of letting them finish for nothing.
        const stop = new AbortController();
        const onAbort = () => stop.abort();
        budget.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          const shown = await mapLimit(models, OLLAMA_SHOW_CONCURRENCY, async (tag) => {
            try {
              const show = await budget.http.postJson(`${target.baseUrl}/api/show`, { model: tag.name }, ShowSchema, requestOptions(ollamaApi, headers, { ...budget, signal: stop.signal }));
              return { tag, show };
            } catch (error) {
              if (error instanceof SwitchboardError && !FATAL.has(error.code)) return { tag, show: undefined };
              stop.abort();
              throw error;
            }
          });
          // mapLimit throws the first failure; the `cancelled` of the calls stopped after it are dropped.
          const capabilities = shown.map(({ tag, show }) => show?.capabilities ?? tag.capabilities);
          return {
            models: toDiscoveredModels(shown.filter((_, index) => !cannotChat(capabilities[index])).map(({ tag, show }) => draftOf(tag, show))),
            leftOut: leftOutOf(capabilities),
          };
        } finally {
          budget.signal?.removeEventListener('abort', onAbort);
        }
      }),
    );
  },

  chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    return explainRefused(target, async () => {
      const chat = parseChatRequest(request);
      const url = `${target.baseUrl}/api/chat`;
      const answer = await context.http.postJson(url, chatBody(chat, false), ChatSchema, requestOptions(ollamaApi, ollamaHeaders(target), context));
      return {
        ...contentOf(messageParts(answer, url)),
        modelRef: answer.model || chat.modelRef,
        usage: usageOf(answer),
        ...(answer.done_reason ? { finishReason: answer.done_reason } : {}),
      };
    });
  },

  ...streamedInBatches(async function* (target, request, context) {
    const chat = parseChatRequest(request);
    const url = `${target.baseUrl}/api/chat`;
    const call = { url, body: chatBody(chat, true), api: ollamaApi, headers: ollamaHeaders(target), framing: 'ndjson' } as const;
    try {
      yield* readChatStream(call, context, chatTranslator(url, chat.modelRef));
    } catch (error) {
      throw refusedHint(target, error);
    }
  }),
};

function draftOf(tag: Tag, show: Show | undefined): ModelDraft {
  const details = show?.details ?? tag.details;
  const capabilities = show?.capabilities ?? tag.capabilities;
  const context = ollamaContext(show, tag.details?.context_length ?? undefined);
  return {
    id: tag.name || tag.model || '',
    modalities: capabilities ? ollamaModalities(capabilities) : undefined,
    modalitiesSource: capabilities ? 'api' : undefined,
    contextWindow: context.window,
    contextSource: context.windowSource,
    maxContextWindow: context.max,
    metadata: {
      family: details?.family,
      parameter_size: details?.parameter_size,
      quantization_level: details?.quantization_level,
    },
  };
}

/** The usual cause locally is that Ollama is not started; say so in the words people know. */
async function explainRefused<T>(target: ConnectionTarget, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw refusedHint(target, error);
  }
}

function refusedHint(target: ConnectionTarget, error: unknown): unknown {
  if (error instanceof NetworkError && error.reason === 'refused') {
    // The same failure in Ollama's words: what it tells a retry stays with it.
    return new SwitchboardError('endpoint_unreachable', l10n.t('Ollama is not reachable at {0}. Is it running? Start it with the command "ollama serve".', target.baseUrl), factsOf(error));
  }
  return error;
}
