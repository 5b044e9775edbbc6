import type { ChatRequest, ChatResult, DiscoveredModel } from '../../contracts/models';
import { API_KEY_FIELD, BASE_URL_FIELD, type ProviderDescriptor } from '../../contracts/providers';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { parseCustomHeaders } from './customHeaders';
import { chatCompletionBody, chatCompletionResult, ChatCompletionSchema, ModelListSchema, openAiStyleApi } from './openaiShared';
import { count, originOf, parseChatRequest, positiveInt, requestOptions, toDiscoveredModels, withinDiscoveryBudget } from './shared';

export const OPENAI_COMPATIBLE_PROVIDER_ID = 'openai-compatible';
/** The option that holds extra headers as text: `Name: value` pairs separated by new lines or `;`. */
export const OPENAI_COMPATIBLE_HEADERS_FIELD = 'customHeaders';

export const openAiCompatibleDescriptor: ProviderDescriptor = {
  id: OPENAI_COMPATIBLE_PROVIDER_ID,
  displayName: 'OpenAI-compatible',
  source: 'core',
  fields: [
    { key: BASE_URL_FIELD, label: 'Base URL', kind: 'url', required: true, placeholder: 'http://localhost:1234/v1', description: 'The URL that /models and /chat/completions follow, usually ending in /v1 (LM Studio, vLLM, llama.cpp, LiteLLM, OpenRouter…).' },
    { key: API_KEY_FIELD, label: 'API key', kind: 'secret', required: false, description: 'Only if the server asks for one. Stored in VS Code\'s secret storage and sent as a Bearer token.' },
    { key: OPENAI_COMPATIBLE_HEADERS_FIELD, label: 'Custom headers', kind: 'text', required: false, placeholder: 'X-Title: Switchboard; HTTP-Referer: https://example.com', description: 'Extra headers as Name: value, separated by new lines or ";". Not for keys: Authorization, api-key and x-api-key are refused.' },
  ],
  defaults: {},
  capabilities: { test: true, discovery: true, chat: true },
};

export const openAiCompatibleApi = openAiStyleApi('OpenAI-compatible');

/** The custom headers (checked every time a request is built), then the Bearer key when there is one. */
export function openAiCompatibleHeaders(target: ConnectionTarget): Record<string, string> {
  const headers = parseCustomHeaders(target.options[OPENAI_COMPATIBLE_HEADERS_FIELD]);
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return headers;
}

export const openAiCompatibleAdapter: ProviderAdapter = {
  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    const list = await context.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(openAiCompatibleApi, openAiCompatibleHeaders(target), context));
    return `Connected: ${count(list.data.length, 'model')} available`;
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<DiscoveredModel[]> {
    const headers = openAiCompatibleHeaders(target);
    const list = await withinDiscoveryBudget(context, originOf(target.baseUrl), (budget) =>
      budget.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(openAiCompatibleApi, headers, budget)),
    );
    // Every model the server lists: it knows what it serves, and names say nothing here.
    return toDiscoveredModels(
      list.data.map((entry) => ({
        id: entry.id,
        contextWindow: positiveInt(entry.context_length) ?? positiveInt(entry.max_model_len),
        contextSource: 'api',
        metadata: { ownedBy: entry.owned_by },
      })),
    );
  },

  async chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    const chat = parseChatRequest(request);
    const url = `${target.baseUrl}/chat/completions`;
    const answer = await context.http.postJson(url, chatCompletionBody(chat, chat.modelRef, 'max_tokens'), ChatCompletionSchema, {
      ...requestOptions(openAiCompatibleApi, openAiCompatibleHeaders(target), context),
      notFound: 'model_not_found',
    });
    return chatCompletionResult(answer, chat.modelRef, url, 'OpenAI-compatible');
  },
};
