import * as l10n from '@vscode/l10n';
import * as z from 'zod';
import type { ChatRequest, ChatResult, ChatStreamPart, ConversationMessage, Modality, ModelListing, Usage } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../../contracts/vocabulary';
import { SwitchboardError } from '../base/errors';
import { commonErrorMessage, providerSaid, type ApiProfile, type ErrorResponse } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { geminiModalities } from './builtinModels';
import { checkImageSizes, GEMINI_IMAGE_LIMITS, imagesOf } from './images';
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
  toDiscoveredModels,
  tokens,
  withinDiscoveryBudget,
  type ModelDraft,
} from './shared';
import { budgetOnly, checkedReasoning } from './reasoning';
import { contentOf, eventJson, incompleteStream, isErrorEvent, newToolCallId, readChatStream, streamedError, streamedInBatches, toolArgumentsObject, toolNamesById, type StreamTranslator } from './streaming';

export const GEMINI_PROVIDER_ID = 'gemini';
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
/** Models per page of GET /v1beta/models (the API allows up to 1000). */
export const GEMINI_PAGE_SIZE = 100;

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function geminiDescriptor(): ProviderDescriptor {
  return {
    id: GEMINI_PROVIDER_ID,
    displayName: 'Google Gemini',
    source: 'core',
    fields: [
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: true, placeholder: 'AIza…', description: l10n.t('A Gemini API key from Google AI Studio. Stored in VS Code\'s secret storage and sent only in the x-goog-api-key header, never in the URL.') },
      { key: BASE_URL_FIELD, label: l10n.t('Base URL'), kind: 'url', required: false, default: GEMINI_DEFAULT_BASE_URL, description: l10n.t('Change it only for a gateway that serves the Gemini API; /v1beta is added.') },
    ],
    defaults: { baseUrl: GEMINI_DEFAULT_BASE_URL },
    capabilities: { test: true, discovery: true, chat: true },
  };
}

/**
 * Gemini's errors are google.rpc statuses: `{"error":{"code","message","status","details":[...]}}`.
 * A wrong key is a 400 whose details say API_KEY_INVALID, not a 401.
 */
export const geminiApi: ApiProfile = {
  name: 'Gemini',
  errorMessage: commonErrorMessage,
  classify(response, message) {
    const said = providerSaid('Gemini', message);
    const status = rpcStatus(response);
    if (response.status === 400 && status.reasons.includes('API_KEY_INVALID')) {
      return new SwitchboardError('auth_failed', l10n.t('{0} answered 400 (API_KEY_INVALID): the key was rejected. Check it in Google AI Studio, then set a new key with Switchboard: Set API Key.{1}', response.endpoint, said));
    }
    if (response.status === 400 && status.status === 'FAILED_PRECONDITION') {
      return new SwitchboardError('invalid_input', l10n.t('{0} answered 400 (FAILED_PRECONDITION): the Gemini API cannot serve this request for this project, e.g. the free tier is not available in this region. Enable billing for the project in Google AI Studio.{1}', response.endpoint, said));
    }
    return routeNotFound(response, message, geminiApi);
  },
};

function rpcStatus(response: ErrorResponse): { status: string | undefined; reasons: string[] } {
  try {
    const body = JSON.parse(response.bodyText) as { error?: { status?: unknown; details?: unknown } };
    const details = Array.isArray(body.error?.details) ? (body.error.details as { reason?: unknown }[]) : [];
    return {
      status: typeof body.error?.status === 'string' ? body.error.status : undefined,
      reasons: details.flatMap((detail) => (typeof detail?.reason === 'string' ? [detail.reason] : [])),
    };
  } catch {
    return { status: undefined, reasons: [] };
  }
}

/** Only this header carries the key; `?key=` would put it in logs and proxies. */
export function geminiHeaders(target: ConnectionTarget): Record<string, string> {
  return { 'x-goog-api-key': requireKey(target, 'Gemini') };
}

/** `<base>/v1beta`, also when the person typed the base URL with `/v1beta` already. */
export function geminiApiRoot(target: ConnectionTarget): string {
  return `${target.baseUrl.replace(/\/v1beta$/, '')}/v1beta`;
}

/** `models/gemini-2.5-flash` (or a tuned model's name) for a model reference with or without the prefix. */
export function geminiModelPath(modelRef: string): string {
  const named = /^(models|tunedModels)\/([^/]+)$/.exec(modelRef);
  return named ? `${named[1]}/${encodeURIComponent(named[2])}` : `models/${encodeURIComponent(modelRef)}`;
}

const ModelSchema = z.object({
  name: z.string(),
  displayName: z.string().nullish(),
  version: z.string().nullish(),
  inputTokenLimit: z.number().nullish(),
  outputTokenLimit: z.number().nullish(),
  supportedGenerationMethods: z.array(z.string()).nullish(),
  thinking: z.boolean().nullish(),
});
type GeminiModel = z.infer<typeof ModelSchema>;

const ModelPageSchema = z.object({
  // An empty project answers `{}`.
  models: z.array(ModelSchema).nullish(),
  nextPageToken: z.string().nullish(),
});

const GenerateSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z
          .object({
            parts: z
              .array(
                z.object({
                  text: z.string().nullish(),
                  thought: z.boolean().nullish(),
                  functionCall: z.object({ id: z.string().nullish(), name: z.string(), args: z.unknown().optional() }).nullish(),
                  thoughtSignature: z.string().nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().nullish(),
      candidatesTokenCount: z.number().nullish(),
      thoughtsTokenCount: z.number().nullish(),
      cachedContentTokenCount: z.number().nullish(),
    })
    .nullish(),
  modelVersion: z.string().nullish(),
});
type Generated = z.infer<typeof GenerateSchema>;

/** The generateContent request, streamed or not. */
function generateBody(chat: ChatRequest): Record<string, unknown> {
  checkImageSizes(chat, GEMINI_IMAGE_LIMITS);
  const { system, rest } = splitSystem(chat.messages);
  requireConversation(rest, 'Gemini');
  return {
    contents: geminiContents(rest),
    ...(system !== undefined ? { systemInstruction: { parts: [{ text: system }] } } : {}),
    ...generationConfig(chat),
    ...(chat.tools?.length
      ? {
          // parametersJsonSchema takes JSON Schema as it is; `parameters` takes only Google's OpenAPI subset.
          tools: [{ functionDeclarations: chat.tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), parametersJsonSchema: tool.parameters })) }],
          toolConfig: { functionCallingConfig: { mode: chat.toolMode === 'required' ? 'ANY' : 'AUTO' } },
        }
      : {}),
  };
}

/** The largest thinking budget Gemini takes (2.5 Pro's; Flash takes up to 24,576, and 0 turns its thinking off). */
export const GEMINI_MAX_THINKING_BUDGET = 32_768;

/** Gemini takes a thinking budget in tokens. */
export const checkGeminiReasoning = budgetOnly('Gemini', 0, GEMINI_MAX_THINKING_BUDGET);

/**
 * The output limit and the thinking budget. With a budget, Gemini is asked for its thought
 * summaries too (`includeThoughts`), which come as `thought` parts kept apart from the answer.
 */
function generationConfig(chat: ChatRequest): Record<string, unknown> {
  const reasoning = checkedReasoning<{ budgetTokens: number }>(chat, checkGeminiReasoning);
  const config = {
    ...(chat.maxTokens !== undefined ? { maxOutputTokens: chat.maxTokens } : {}),
    ...(reasoning ? { thinkingConfig: { thinkingBudget: reasoning.budgetTokens, includeThoughts: reasoning.budgetTokens > 0 } } : {}),
  };
  return Object.keys(config).length ? { generationConfig: config } : {};
}

/**
 * Calls go back as `functionCall` parts of a `model` turn and results as `functionResponse`
 * parts of one `user` turn, named after their call (Gemini matches them by name and order).
 * Ids are not sent: most are Switchboard's own, which Gemini never gave. A call's thought
 * signature goes back beside it: thinking models refuse a call returned without its own.
 */
function geminiContents(rest: readonly ConversationMessage[]): { role: string; parts: Record<string, unknown>[] }[] {
  const names = toolNamesById(rest);
  const contents: { role: string; parts: Record<string, unknown>[] }[] = [];
  let results: Record<string, unknown>[] | undefined;
  for (const message of rest) {
    if (message.role === 'tool') {
      const part = { functionResponse: { name: names.get(message.toolCallId), response: message.isError ? { error: message.content } : { output: message.content } } };
      // A result's images follow it in the same user turn: a functionResponse holds JSON only.
      const parts = [part, ...inlineImages(message)];
      if (results) results.push(...parts);
      else contents.push({ role: 'user', parts: (results = parts) });
      continue;
    }
    results = undefined;
    if ('toolCalls' in message) {
      const text = message.content ? [{ text: message.content }] : [];
      contents.push({ role: 'model', parts: [...text, ...message.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.arguments }, ...(call.signature ? { thoughtSignature: call.signature } : {}) }))] });
    } else {
      const images = inlineImages(message);
      contents.push({ role: message.role === 'assistant' ? 'model' : 'user', parts: images.length && !message.content ? images : [{ text: message.content }, ...images] });
    }
  }
  return contents;
}

/**
 * Gemini's inline image parts. The REST API reads proto JSON, which takes `inlineData` and
 * `inline_data` alike; the camelCase form matches every other field this adapter sends.
 */
function inlineImages(message: ConversationMessage): Record<string, unknown>[] {
  return imagesOf(message).map((image) => ({ inlineData: { mimeType: image.mimeType, data: image.data } }));
}

/** The answer's text and calls in one response (the whole answer, or one streamed chunk). Thought summaries are not the answer: they are reasoning. */
function responseParts(response: Generated, endpoint: string): ChatStreamPart[] {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.flatMap((part): ChatStreamPart[] => {
    if (part.functionCall) {
      const { id, name, args } = part.functionCall;
      const signature = part.thoughtSignature ? { signature: part.thoughtSignature } : {};
      return [{ type: 'tool_call', call: { id: id || newToolCallId(), name, arguments: toolArgumentsObject(args, name, endpoint), ...signature } }];
    }
    if (!part.text) return [];
    return [{ type: part.thought ? 'reasoning' : 'text', text: part.text }];
  });
}

/** Thinking is billed as output. */
function usageOf(response: Generated): Usage {
  const usage = response.usageMetadata;
  const cached = tokens(usage?.cachedContentTokenCount);
  const thoughts = tokens(usage?.thoughtsTokenCount);
  return {
    inputTokens: tokens(usage?.promptTokenCount),
    outputTokens: tokens(usage?.candidatesTokenCount) + tokens(usage?.thoughtsTokenCount),
    // Gemini caches by itself (implicit caching) and counts what it read from the cache within the prompt.
    ...(cached ? { cacheReadTokens: cached } : {}),
    ...(thoughts ? { reasoningTokens: thoughts } : {}),
  };
}

function blockedPrompt(response: Generated): SwitchboardError | undefined {
  const reason = response.promptFeedback?.blockReason;
  return reason ? new SwitchboardError('invalid_input', l10n.t('Gemini blocked the prompt ({0}) and gave no answer. Change the prompt and try again.', reason)) : undefined;
}

/**
 * streamGenerateContent's SSE: each event is a whole GenerateContentResponse holding the next
 * text and whole function calls; the usage comes with the last ones, and a finish reason says
 * the answer is over (there is no end marker). `{"error":…}` maps as its `code` would.
 */
function streamTranslator(endpoint: string, requested: string): StreamTranslator {
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  return {
    event(event) {
      const json = eventJson(event, endpoint, 'Gemini');
      if (isErrorEvent(json)) {
        const code = (json.error as { code?: unknown } | null)?.code;
        throw streamedError(geminiApi, endpoint, typeof code === 'number' ? code : undefined, event.data);
      }
      const parsed = GenerateSchema.safeParse(json);
      if (!parsed.success) throw new SwitchboardError('bad_response', l10n.t('{0} sent a chunk that is not a GenerateContentResponse, so the answer stops here. Check that the base URL points at the Gemini API.', endpoint));
      const response = parsed.data;
      if (!response.candidates?.length) {
        const blocked = blockedPrompt(response);
        if (blocked) throw blocked;
      }
      model ||= response.modelVersion ?? undefined;
      if (response.usageMetadata) usage = usageOf(response);
      finishReason = response.candidates?.[0]?.finishReason || finishReason;
      return responseParts(response, endpoint);
    },
    finish() {
      if (!finishReason) throw incompleteStream(endpoint, 'Gemini');
      return [...(usage ? [{ type: 'usage', usage } as const] : []), { type: 'finish', modelRef: model || requested, finishReason }];
    },
  };
}

export const geminiAdapter: ProviderAdapter = {
  checkReasoning: checkGeminiReasoning,

  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    await context.http.getJson(`${geminiApiRoot(target)}/models?pageSize=1`, ModelPageSchema, requestOptions(geminiApi, geminiHeaders(target), context));
    return l10n.t('Connected to the Gemini API');
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<ModelListing> {
    const headers = geminiHeaders(target);
    const endpoint = `${geminiApiRoot(target)}/models`;
    return withinDiscoveryBudget(context, originLabel(target.baseUrl), async (budget) => {
      const models = await collectPages(endpoint, 'Gemini', async (pageToken) => {
        const query = new URLSearchParams({ pageSize: String(GEMINI_PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
        const page = await budget.http.getJson(`${endpoint}?${query}`, ModelPageSchema, requestOptions(geminiApi, headers, budget));
        return { items: page.models ?? [], next: page.nextPageToken || undefined };
      });
      const chat = models.filter((model) => model.supportedGenerationMethods?.includes('generateContent'));
      const left = models.length - chat.length;
      return {
        models: toDiscoveredModels(chat.map(draftOf)),
        leftOut: left ? [{ count: left, kind: 'non-chat model', why: 'no generateContent method' }] : [],
      };
    });
  },

  async chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    const chat = parseChatRequest(request);
    const headers = geminiHeaders(target);
    const body = generateBody(chat);
    const url = `${geminiApiRoot(target)}/${geminiModelPath(chat.modelRef)}:generateContent`;
    const answer = await context.http.postJson(url, body, GenerateSchema, { ...requestOptions(geminiApi, headers, context), notFound: 'model_not_found' });
    const candidate = answer.candidates?.[0];
    if (!candidate) {
      throw blockedPrompt(answer) ?? new SwitchboardError('bad_response', l10n.t('{0} answered without any candidate, so there is no reply to show. Try again.', url.replace(/\?.*$/, '')));
    }
    return {
      ...contentOf(responseParts(answer, url)),
      modelRef: answer.modelVersion || chat.modelRef,
      usage: usageOf(answer),
      ...(candidate.finishReason ? { finishReason: candidate.finishReason } : {}),
    };
  },

  ...streamedInBatches(async function* (target, request, context) {
    const chat = parseChatRequest(request);
    const headers = geminiHeaders(target);
    const endpoint = `${geminiApiRoot(target)}/${geminiModelPath(chat.modelRef)}:streamGenerateContent`;
    const call = { url: `${endpoint}?alt=sse`, body: generateBody(chat), api: geminiApi, headers, framing: 'sse', notFound: 'model_not_found' } as const;
    yield* readChatStream(call, context, streamTranslator(endpoint, chat.modelRef));
  }),
};

function draftOf(model: GeminiModel): ModelDraft {
  const id = model.name.replace(/^models\//, '');
  const table = geminiModalities(id);
  let modalities: Modality[] | undefined = table ? [...table] : undefined;
  // The API's own `thinking` flag wins over the table.
  if (model.thinking === true) modalities = [...(modalities ?? ['text']), 'reasoning'];
  if (model.thinking === false && modalities) modalities = modalities.filter((modality) => modality !== 'reasoning');
  return {
    id,
    displayName: model.displayName ?? undefined,
    modalities,
    modalitiesSource: table ? 'builtin' : model.thinking !== undefined && model.thinking !== null ? 'api' : undefined,
    contextWindow: positiveInt(model.inputTokenLimit),
    contextSource: 'api',
    maxOutputTokens: positiveInt(model.outputTokenLimit),
    metadata: { version: model.version },
  };
}
