import * as l10n from '@vscode/l10n';
import type { ChatRequest, ChatResult, ModelListing } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD, CUSTOM_HEADERS_FIELD } from '../../contracts/vocabulary';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { parseCustomHeaders, validateCustomHeaders } from './customHeaders';
import { checkChatCompletionsReasoning, listModels, openAiStyleApi, postChatCompletion, streamChatCompletion, testByListingModels, type OpenAiStyleProvider } from './openaiShared';
import { everyModel, positiveInt, toDiscoveredModels } from './shared';
import { streamedInBatches } from './streaming';

export const OPENAI_COMPATIBLE_PROVIDER_ID = 'openai-compatible';
/** The option that holds extra headers as text: `Name: value` pairs separated by new lines or `;`. */
export const OPENAI_COMPATIBLE_HEADERS_FIELD = CUSTOM_HEADERS_FIELD;

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function openAiCompatibleDescriptor(): ProviderDescriptor {
  return {
    id: OPENAI_COMPATIBLE_PROVIDER_ID,
    displayName: l10n.t('OpenAI-compatible'),
    source: 'core',
    fields: [
      { key: BASE_URL_FIELD, label: l10n.t('Base URL'), kind: 'url', required: true, placeholder: 'http://localhost:1234/v1', description: l10n.t('The URL that /models and /chat/completions follow, usually ending in /v1 (LM Studio, vLLM, llama.cpp, LiteLLM, OpenRouter…).') },
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: false, description: l10n.t('Only if the server asks for one. Stored in VS Code\'s secret storage and sent as a Bearer token.') },
      { key: OPENAI_COMPATIBLE_HEADERS_FIELD, label: l10n.t('Custom headers'), kind: 'text', required: false, placeholder: 'X-Title: Switchboard; HTTP-Referer: https://example.com', description: l10n.t('Extra headers as Name: value, separated by new lines or ";". Not for credentials: a header that carries one (X-Api-Token, Ocp-Apim-Subscription-Key…) is added with "Add credential header" and kept in SecretStorage.') },
    ],
    defaults: {},
    capabilities: { test: true, discovery: true, chat: true },
  };
}

export const openAiCompatibleApi = openAiStyleApi('OpenAI-compatible');

/**
 * The custom headers (checked every time a request is built), the credential headers from
 * SecretStorage, then the Bearer key when there is one (it wins over a credential Authorization).
 */
export function openAiCompatibleHeaders(target: ConnectionTarget): Record<string, string> {
  const headers = { ...parseCustomHeaders(target.options[OPENAI_COMPATIBLE_HEADERS_FIELD]), ...target.credentialHeaders };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return headers;
}

/** Servers that copy OpenAI's API still limit answers with `max_tokens`. */
const openAiCompatible: OpenAiStyleProvider = { api: openAiCompatibleApi, headers: openAiCompatibleHeaders, maxTokensField: 'max_tokens' };

export const openAiCompatibleAdapter: ProviderAdapter = {
  checkReasoning: checkChatCompletionsReasoning,

  validateOptions(options) {
    const headers = options[OPENAI_COMPATIBLE_HEADERS_FIELD];
    return headers === undefined ? undefined : validateCustomHeaders(headers);
  },

  testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    return testByListingModels(openAiCompatible, target, context);
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<ModelListing> {
    const list = await listModels(openAiCompatible, target, context);
    // Every model the server lists: it knows what it serves, and names say nothing here.
    return everyModel(toDiscoveredModels(
      list.data.map((entry) => ({
        id: entry.id,
        contextWindow: positiveInt(entry.context_length) ?? positiveInt(entry.max_model_len),
        contextSource: 'api',
        metadata: { ownedBy: entry.owned_by },
      })),
    ));
  },

  chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    return postChatCompletion(openAiCompatible, target, request, context);
  },

  ...streamedInBatches((target, request, context) => streamChatCompletion(openAiCompatible, target, request, context)),
};
