import { z } from 'zod';
import { API_KEY_FIELD, BASE_URL_FIELD, type ProviderDescriptor } from '../../contracts/providers';
import { SwitchboardError } from '../errors';
import { commonErrorMessage, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';

export const OPENAI_PROVIDER_ID = 'openai';
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The option that holds the organization id, sent as the OpenAI-Organization header. */
export const OPENAI_ORGANIZATION_FIELD = 'organizationId';

export const openAiDescriptor: ProviderDescriptor = {
  id: OPENAI_PROVIDER_ID,
  displayName: 'OpenAI',
  source: 'core',
  fields: [
    { key: API_KEY_FIELD, label: 'API key', kind: 'secret', required: true, placeholder: 'sk-…', description: 'Stored in VS Code\'s secret storage and sent only in the Authorization header.' },
    { key: BASE_URL_FIELD, label: 'Base URL', kind: 'url', required: false, default: OPENAI_DEFAULT_BASE_URL, description: 'Change it only for a gateway that serves the OpenAI API.' },
    { key: OPENAI_ORGANIZATION_FIELD, label: 'Organization ID', kind: 'text', required: false, placeholder: 'org-…', description: 'Sent as the OpenAI-Organization header when set.' },
  ],
  defaults: { baseUrl: OPENAI_DEFAULT_BASE_URL },
  capabilities: { test: true, discovery: false, chat: false },
};

/** OpenAI's errors: `{"error":{"message","type","param","code"}}`. */
export const openAiApi: ApiProfile = {
  name: 'OpenAI',
  errorMessage: commonErrorMessage,
};

const ModelListSchema = z.object({
  object: z.literal('list').optional(),
  data: z.array(z.object({ id: z.string(), owned_by: z.string().optional() })),
});

/** The Authorization and OpenAI-Organization headers; the key goes nowhere else. */
export function openAiHeaders(target: ConnectionTarget): Record<string, string> {
  if (!target.apiKey) {
    throw new SwitchboardError('auth_failed', 'This OpenAI connection has no API key. Set one with Switchboard: Set API Key.');
  }
  const headers: Record<string, string> = { authorization: `Bearer ${target.apiKey}` };
  const organization = target.options[OPENAI_ORGANIZATION_FIELD]?.trim();
  if (organization) headers['openai-organization'] = organization;
  return headers;
}

export const openAiAdapter: ProviderAdapter = {
  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    // Listing models is free and harmless, and proves both the endpoint and the key.
    const list = await context.http.getJson(`${target.baseUrl}/models`, ModelListSchema, {
      api: openAiApi,
      headers: openAiHeaders(target),
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    const count = list.data.length;
    return `Connected: ${count} ${count === 1 ? 'model' : 'models'} available`;
  },
};
