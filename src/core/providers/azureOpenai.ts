import * as l10n from '@vscode/l10n';
import type { ChatRequest, ChatResult, ChatStreamPart, ModelListing } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../../contracts/vocabulary';
import { SwitchboardError } from '../base/errors';
import { commonErrorMessage, providerSaid, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from './adapter';
import { checkImageSizes, OPENAI_IMAGE_LIMITS } from './images';
import { chatCompletionBody, chatCompletionResult, ChatCompletionSchema, checkChatCompletionsReasoning, chatCompletionTranslator, type MaxTokensField } from './openaiShared';
import { everyModel, parseChatRequest, requestOptions, requireKey, routeNotFound, toDiscoveredModels } from './shared';
import { readChatStream, streamedInBatches } from './streaming';

export const AZURE_OPENAI_PROVIDER_ID = 'azure-openai';
/** The option that holds the deployment names, comma-separated. */
export const AZURE_DEPLOYMENTS_FIELD = 'deployments';
/** The option that holds the `api-version` query value. */
export const AZURE_API_VERSION_FIELD = 'apiVersion';
/** The latest stable dated data-plane version (docs/providers.md section 5). */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/** The descriptor in the display language: built when it is registered, after activate() has configured l10n. */
export function azureOpenAiDescriptor(): ProviderDescriptor {
  return {
    id: AZURE_OPENAI_PROVIDER_ID,
    displayName: 'Azure OpenAI',
    source: 'core',
    fields: [
      { key: API_KEY_FIELD, label: l10n.t('API key'), kind: 'secret', required: true, description: l10n.t('Key 1 or Key 2 of the Azure OpenAI resource. Stored in VS Code\'s secret storage and sent only in the api-key header.') },
      { key: BASE_URL_FIELD, label: l10n.t('Resource endpoint'), kind: 'url', required: true, placeholder: 'https://my-resource.openai.azure.com', description: l10n.t('The resource\'s endpoint from the Azure portal (Keys and Endpoint).') },
      { key: AZURE_DEPLOYMENTS_FIELD, label: l10n.t('Deployments'), kind: 'text', required: true, placeholder: 'gpt-4o, gpt-4o-mini', description: l10n.t('Deployment names, separated by commas, as listed under Deployments in Azure AI Foundry. A key alone cannot list them. The first one is used to test the connection.') },
      { key: AZURE_API_VERSION_FIELD, label: l10n.t('API version'), kind: 'text', required: false, default: AZURE_DEFAULT_API_VERSION, placeholder: AZURE_DEFAULT_API_VERSION, description: l10n.t('The api-version query value for the data-plane API.') },
    ],
    defaults: {},
    capabilities: { test: true, discovery: true, chat: true },
  };
}

/**
 * Azure's errors: `{"error":{"code","message"}}`. A 404 with code DeploymentNotFound is the
 * model (deployment) that does not exist; any other 404 ("Resource not found") is a wrong endpoint
 * or api-version.
 */
export const azureOpenAiApi: ApiProfile = {
  name: 'Azure OpenAI',
  errorMessage: commonErrorMessage,
  classify(response, message) {
    const said = providerSaid('Azure', message);
    if (response.status === 404 && errorCode(response.bodyText) === 'DeploymentNotFound') {
      return new SwitchboardError('model_not_found', l10n.t('{0} answered 404: this resource has no such deployment. Check the deployment names in the connection against Deployments in Azure AI Foundry; a new deployment can take a few minutes to appear.{1}', response.endpoint, said));
    }
    if (response.status === 404) {
      return new SwitchboardError('not_found', l10n.t('{0} answered 404: not found. Check the resource endpoint (https://<resource>.openai.azure.com) and the API version.{1}', response.endpoint, said));
    }
    return routeNotFound(response, message, azureOpenAiApi);
  },
};

function errorCode(bodyText: string): string | undefined {
  try {
    const code = (JSON.parse(bodyText) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

const DEPLOYMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The configured deployment names, or `invalid_input` saying what to fix. */
export function azureDeployments(target: ConnectionTarget): string[] {
  const names = (target.options[AZURE_DEPLOYMENTS_FIELD] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  if (!names.length) {
    throw new SwitchboardError('invalid_input', l10n.t('This Azure OpenAI connection names no deployment. Edit the connection and list its deployment names, separated by commas.'));
  }
  const bad = names.findIndex((name) => !DEPLOYMENT.test(name));
  if (bad !== -1) {
    throw new SwitchboardError('invalid_input', l10n.t('Deployment number {0} in the connection is not a valid Azure deployment name. Use letters, digits, ".", "_" and "-", up to 64 characters.', bad + 1));
  }
  return [...new Set(names)];
}

export function azureApiVersion(target: ConnectionTarget): string {
  const version = target.options[AZURE_API_VERSION_FIELD]?.trim() || AZURE_DEFAULT_API_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(version)) {
    throw new SwitchboardError('invalid_input', l10n.t("The Azure OpenAI API version must look like {0} or 2025-01-01-preview. Edit the connection's API version.", AZURE_DEFAULT_API_VERSION));
  }
  return version;
}

/** `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`; an endpoint typed with `/openai` works too. */
export function azureChatUrl(target: ConnectionTarget, deployment: string): string {
  if (!DEPLOYMENT.test(deployment)) {
    throw new SwitchboardError('invalid_input', l10n.t('That is not a valid Azure deployment name. Use letters, digits, ".", "_" and "-", up to 64 characters.'));
  }
  const base = target.baseUrl.replace(/\/openai$/, '');
  return `${base}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(azureApiVersion(target))}`;
}

/** Azure takes OpenAI's chat completions request, and the same images. */
const AZURE_IMAGE_LIMITS = { provider: 'Azure OpenAI', ...OPENAI_IMAGE_LIMITS };

export function azureHeaders(target: ConnectionTarget): Record<string, string> {
  return { 'api-key': requireKey(target, 'Azure OpenAI') };
}

/**
 * One chat completion. Reasoning deployments (o1, o3-mini…) refuse `max_tokens`; when Azure says
 * so, the call is repeated once with `max_completion_tokens`.
 */
async function complete(target: ConnectionTarget, deployment: string, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  checkImageSizes(request, AZURE_IMAGE_LIMITS);
  const url = azureChatUrl(target, deployment);
  const options = requestOptions(azureOpenAiApi, azureHeaders(target), context);
  const send = (field: MaxTokensField) => context.http.postJson(url, chatCompletionBody(request, undefined, field), ChatCompletionSchema, options);
  let answer;
  try {
    answer = await send('max_tokens');
  } catch (error) {
    if (!refusesMaxTokens(request, error)) throw error;
    answer = await send('max_completion_tokens');
  }
  const result = chatCompletionResult(answer, deployment, url.replace(/\?.*$/, ''), 'Azure OpenAI');
  return result;
}

/** The same call, streamed; the refusal of `max_tokens` is a 400 before any part, so the retry is the same. */
async function* streamCompletion(target: ConnectionTarget, request: ChatRequest, context: CallContext): AsyncGenerator<ChatStreamPart[], void, undefined> {
  const chat = parseChatRequest(request);
  checkImageSizes(chat, AZURE_IMAGE_LIMITS);
  const url = azureChatUrl(target, chat.modelRef);
  const headers = azureHeaders(target);
  const endpoint = url.replace(/\?.*$/, '');
  const read = (field: MaxTokensField) =>
    readChatStream({ url, body: chatCompletionBody(chat, undefined, field, true), api: azureOpenAiApi, headers, framing: 'sse' }, context, chatCompletionTranslator(azureOpenAiApi, endpoint, chat.modelRef));
  try {
    yield* read('max_tokens');
  } catch (error) {
    if (!refusesMaxTokens(chat, error)) throw error;
    yield* read('max_completion_tokens');
  }
}

function refusesMaxTokens(request: ChatRequest, error: unknown): boolean {
  return request.maxTokens !== undefined && error instanceof SwitchboardError && error.code === 'invalid_input' && /max_completion_tokens/.test(error.message);
}

export const azureOpenAiAdapter: ProviderAdapter = {
  checkReasoning: checkChatCompletionsReasoning,

  async testConnection(target: ConnectionTarget, context: CallContext): Promise<string> {
    // A key cannot list deployments, so the test is the smallest chat: one token from the first one.
    const [first] = azureDeployments(target);
    const result = await complete(target, first, { modelRef: first, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 }, context);
    return l10n.t('Connected: deployment {0} answered (model {1})', first, result.modelRef);
  },

  async discoverModels(target: ConnectionTarget): Promise<ModelListing> {
    // The person names the deployments; nothing is asked of Azure, nothing is guessed about them.
    return everyModel(toDiscoveredModels(azureDeployments(target).map((name) => ({ id: name, metadata: { deployment: true } }))));
  },

  async chat(target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
    const chat = parseChatRequest(request);
    return complete(target, chat.modelRef, chat, context);
  },

  ...streamedInBatches(streamCompletion),
};
