import * as l10n from '@vscode/l10n';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../../contracts/vocabulary';
import type { ChatRequest, ChatResult, ModelListing } from '../../contracts/models';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { openAiBuiltin } from './builtinModels';
import { chatEntries, checkChatCompletionsReasoning, listModels, openAiStyleApi, postChatCompletion, streamChatCompletion, testByListingModels, type OpenAiStyleProvider } from './openaiShared';
import { requireKey, toDiscoveredModels } from './shared';
import { streamedInBatches } from './streaming';

export const OPENAI_PROVIDER_ID = 'openai';
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The option that holds the organization id, sent as the OpenAI-Organization header. */
export const OPENAI_ORGANIZATION_FIELD = 'organizationId';

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function openAiDescriptor(): ProviderDescriptor {
  return {
    id: OPENAI_PROVIDER_ID,
    displayName: 'OpenAI',
    source: 'core',
    fields: [
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: true, placeholder: 'sk-…', description: l10n.t('Stored in VS Code\'s secret storage and sent only in the Authorization header.') },
      { key: BASE_URL_FIELD, label: l10n.t('Base URL'), kind: 'url', required: false, default: OPENAI_DEFAULT_BASE_URL, description: l10n.t('Change it only for a gateway that serves the OpenAI API.') },
      { key: OPENAI_ORGANIZATION_FIELD, label: l10n.t('Organization ID'), kind: 'text', required: false, placeholder: 'org-…', description: l10n.t('Sent as the OpenAI-Organization header when set.') },
    ],
    defaults: { baseUrl: OPENAI_DEFAULT_BASE_URL },
    capabilities: { test: true, discovery: true, chat: true },
  };
}

/** OpenAI's errors: `{"error":{"message","type","param","code"}}`. */
export const openAiApi = openAiStyleApi('OpenAI');

/** The Authorization and OpenAI-Organization headers; the key goes nowhere else. */
export function openAiHeaders(target: ConnectionTarget): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${requireKey(target, 'OpenAI')}` };
  const organization = target.options[OPENAI_ORGANIZATION_FIELD]?.trim();
  if (organization) headers['openai-organization'] = organization;
  return headers;
}

const KEEP = /^(gpt-|o\d|chatgpt-)/;
const DROP = /(embedding|tts|whisper|dall-e|image|audio|realtime|transcribe|moderation|search|babbage|davinci|instruct)/;

/**
 * GET /v1/models has no capability flag, so chat models are told apart by name: ids that start
 * with `gpt-`, `o<digit>` or `chatgpt-` (also as a fine-tune, `ft:gpt-…`), minus embedding,
 * speech, image, realtime, moderation, search, legacy completion and `instruct` models.
 */
export function isOpenAiChatModel(id: string): boolean {
  const name = id.toLowerCase().replace(/^ft:/, '');
  return KEEP.test(name) && !DROP.test(name);
}

/** OpenAI deprecated `max_tokens`, and its reasoning models refuse it. */
const openAi: OpenAiStyleProvider = {
  api: openAiApi,
  headers: openAiHeaders,
  maxTokensField: 'max_completion_tokens',
  chatModels: { isChat: isOpenAiChatModel, others: { kind: 'non-chat model', why: 'embedding, speech, image, moderation or legacy, by name' } },
};

export const openAiAdapter: ProviderAdapter = {
  checkReasoning: checkChatCompletionsReasoning,

  testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    return testByListingModels(openAi, target, context);
  },

  async discoverModels(target: ConnectionTarget, context: CallContext): Promise<ModelListing> {
    const list = await listModels(openAi, target, context);
    const { kept, leftOut } = chatEntries(openAi, list.data);
    const entries = kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const models = toDiscoveredModels(
      entries.map(({ id, owned_by: owner }) => {
        // Fine-tunes cost more than their base model, so the base's facts are not theirs.
        const facts = id.startsWith('ft:') ? undefined : openAiBuiltin(id);
        return {
          id,
          modalities: facts?.modalities,
          modalitiesSource: facts?.modalities ? 'builtin' : undefined,
          contextWindow: facts?.contextWindow,
          contextSource: 'builtin',
          inputCostPer1k: facts?.inputCostPer1k,
          outputCostPer1k: facts?.outputCostPer1k,
          metadata: { ownedBy: owner },
        };
      }),
    );
    return { models, leftOut };
  },

  chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    return postChatCompletion(openAi, target, request, context);
  },

  ...streamedInBatches((target, request, context) => streamChatCompletion(openAi, target, request, context)),
};
