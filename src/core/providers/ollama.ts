import { z } from 'zod';
import { API_KEY_FIELD, BASE_URL_FIELD, type ProviderDescriptor } from '../../contracts/providers';
import { SwitchboardError } from '../errors';
import { commonErrorMessage, NetworkError, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';

export const OLLAMA_PROVIDER_ID = 'ollama';
export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434';
export const OLLAMA_DEFAULT_MODEL = 'llama3.2';

export const ollamaDescriptor: ProviderDescriptor = {
  id: OLLAMA_PROVIDER_ID,
  displayName: 'Ollama',
  source: 'core',
  fields: [
    { key: BASE_URL_FIELD, label: 'Base URL', kind: 'url', required: true, default: OLLAMA_DEFAULT_BASE_URL, description: 'Where Ollama listens; `ollama serve` uses http://localhost:11434.' },
    { key: API_KEY_FIELD, label: 'API key', kind: 'secret', required: false, description: 'Only for Ollama behind authentication, e.g. https://ollama.com. Sent as a Bearer token.' },
  ],
  defaults: { baseUrl: OLLAMA_DEFAULT_BASE_URL, modelRef: OLLAMA_DEFAULT_MODEL },
  capabilities: { test: true, discovery: false, chat: false },
};

/** Ollama's errors: `{"error":"model 'foo' not found"}`; its /v1 routes use OpenAI's shape. */
export const ollamaApi: ApiProfile = {
  name: 'Ollama',
  errorMessage: commonErrorMessage,
};

const VersionSchema = z.object({ version: z.string() });
const TagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), model: z.string().optional() })),
});

/** No header locally; a Bearer token when the connection has a key (Ollama's cloud). */
export function ollamaHeaders(target: ConnectionTarget): Record<string, string> {
  return target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
}

export const ollamaAdapter: ProviderAdapter = {
  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    const options = { api: ollamaApi, headers: ollamaHeaders(target), timeoutMs: context.timeoutMs, signal: context.signal };
    try {
      const { version } = await context.http.getJson(`${target.baseUrl}/api/version`, VersionSchema, options);
      const { models } = await context.http.getJson(`${target.baseUrl}/api/tags`, TagsSchema, options);
      const count = models.length;
      return `Ollama ${version}, ${count} ${count === 1 ? 'model' : 'models'} installed`;
    } catch (error) {
      // The usual cause locally is that Ollama is not started; say so in the words people know.
      if (error instanceof NetworkError && error.reason === 'refused') {
        throw new SwitchboardError('endpoint_unreachable', `Ollama is not reachable at ${target.baseUrl}. Is it running? Start it with \`ollama serve\`.`);
      }
      throw error;
    }
  },
};
