import { z } from 'zod';
import type { ChatRequest, ChatResult, DiscoveredModel, Modality } from '../../contracts/models';
import { API_KEY_FIELD, BASE_URL_FIELD, type ProviderDescriptor } from '../../contracts/providers';
import { SwitchboardError } from '../errors';
import { commonErrorMessage, providerSaid, type ApiProfile, type ErrorResponse } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { geminiModalities } from './builtinModels';
import {
  collectPages,
  originOf,
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

export const GEMINI_PROVIDER_ID = 'gemini';
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
/** Models per page of GET /v1beta/models (the API allows up to 1000). */
export const GEMINI_PAGE_SIZE = 100;

export const geminiDescriptor: ProviderDescriptor = {
  id: GEMINI_PROVIDER_ID,
  displayName: 'Google Gemini',
  source: 'core',
  fields: [
    { key: API_KEY_FIELD, label: 'API key', kind: 'secret', required: true, placeholder: 'AIza…', description: 'A Gemini API key from Google AI Studio. Stored in VS Code\'s secret storage and sent only in the x-goog-api-key header, never in the URL.' },
    { key: BASE_URL_FIELD, label: 'Base URL', kind: 'url', required: false, default: GEMINI_DEFAULT_BASE_URL, description: 'Change it only for a gateway that serves the Gemini API; /v1beta is added.' },
  ],
  defaults: { baseUrl: GEMINI_DEFAULT_BASE_URL },
  capabilities: { test: true, discovery: true, chat: true },
};

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
      return new SwitchboardError('auth_failed', `${response.endpoint} answered 400 (API_KEY_INVALID): the key was rejected. Check it in Google AI Studio, then set a new key with Switchboard: Set API Key.${said}`);
    }
    if (response.status === 400 && status.status === 'FAILED_PRECONDITION') {
      return new SwitchboardError('invalid_input', `${response.endpoint} answered 400 (FAILED_PRECONDITION): the Gemini API cannot serve this request for this project, e.g. the free tier is not available in this region. Enable billing for the project in Google AI Studio.${said}`);
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
        content: z.object({ parts: z.array(z.object({ text: z.string().nullish(), thought: z.boolean().nullish() })).nullish() }).nullish(),
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
    })
    .nullish(),
  modelVersion: z.string().nullish(),
});

export const geminiAdapter: ProviderAdapter = {
  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    await context.http.getJson(`${geminiApiRoot(target)}/models?pageSize=1`, ModelPageSchema, requestOptions(geminiApi, geminiHeaders(target), context));
    return 'Connected to the Gemini API';
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<DiscoveredModel[]> {
    const headers = geminiHeaders(target);
    const endpoint = `${geminiApiRoot(target)}/models`;
    return withinDiscoveryBudget(context, originOf(target.baseUrl), async (budget) => {
      const models = await collectPages(endpoint, 'Gemini', async (pageToken) => {
        const query = new URLSearchParams({ pageSize: String(GEMINI_PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
        const page = await budget.http.getJson(`${endpoint}?${query}`, ModelPageSchema, requestOptions(geminiApi, headers, budget));
        return { items: page.models ?? [], next: page.nextPageToken || undefined };
      });
      return toDiscoveredModels(models.filter((model) => model.supportedGenerationMethods?.includes('generateContent')).map(draftOf));
    });
  },

  async chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    const chat = parseChatRequest(request);
    const headers = geminiHeaders(target);
    const { system, rest } = splitSystem(chat.messages);
    requireConversation(rest, 'Gemini');
    const body = {
      contents: rest.map(({ role, content }) => ({ role: role === 'assistant' ? 'model' : 'user', parts: [{ text: content }] })),
      ...(system !== undefined ? { systemInstruction: { parts: [{ text: system }] } } : {}),
      ...(chat.maxTokens !== undefined ? { generationConfig: { maxOutputTokens: chat.maxTokens } } : {}),
    };
    const url = `${geminiApiRoot(target)}/${geminiModelPath(chat.modelRef)}:generateContent`;
    const answer = await context.http.postJson(url, body, GenerateSchema, { ...requestOptions(geminiApi, headers, context), notFound: 'model_not_found' });
    const candidate = answer.candidates?.[0];
    if (!candidate) {
      const reason = answer.promptFeedback?.blockReason;
      if (reason) throw new SwitchboardError('invalid_input', `Gemini blocked the prompt (${reason}) and gave no answer. Change the prompt and try again.`);
      throw new SwitchboardError('bad_response', `${url.replace(/\?.*$/, '')} answered without any candidate, so there is no reply to show. Try again.`);
    }
    const usage = answer.usageMetadata;
    return {
      // Thought summaries are not the answer.
      content: (candidate.content?.parts ?? []).flatMap((part) => (part.text && !part.thought ? [part.text] : [])).join(''),
      modelRef: answer.modelVersion || chat.modelRef,
      // Thinking is billed as output.
      usage: { inputTokens: tokens(usage?.promptTokenCount), outputTokens: tokens(usage?.candidatesTokenCount) + tokens(usage?.thoughtsTokenCount) },
      ...(candidate.finishReason ? { finishReason: candidate.finishReason } : {}),
    };
  },
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
    metadata: { maxOutputTokens: positiveInt(model.outputTokenLimit), version: model.version },
  };
}
