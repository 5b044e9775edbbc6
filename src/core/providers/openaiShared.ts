import { z } from 'zod';
import type { ChatRequest, ChatResult } from '../../contracts/models';
import { SwitchboardError } from '../errors';
import { commonErrorMessage, type ApiProfile } from '../http/httpErrors';
import type { CallContext, ConnectionTarget } from './adapter';
import { count, originOf, parseChatRequest, requestOptions, routeNotFound, tokens, withinDiscoveryBudget } from './shared';

/**
 * What OpenAI, Azure OpenAI and OpenAI-compatible servers share: `GET /models`, the chat
 * completions request and answer, and `{"error":{"message",...}}` bodies.
 */

/** `GET /models`. Only `id` is required: compatible servers leave out the rest. */
export const ModelListSchema = z.object({
  object: z.string().optional(),
  data: z.array(
    z.object({
      id: z.string(),
      owned_by: z.string().nullish(),
      // Some compatible servers say how long a context they serve (OpenRouter, vLLM).
      context_length: z.unknown().optional(),
      max_model_len: z.unknown().optional(),
    }),
  ),
});
export type ModelList = z.infer<typeof ModelListSchema>;

export const ChatCompletionSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      message: z
        .object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
    })
    .nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** Which field limits the answer's length: OpenAI deprecated `max_tokens`; servers that copy it still use it. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

export function chatCompletionBody(request: ChatRequest, model: string | undefined, maxField: MaxTokensField): Record<string, unknown> {
  return {
    ...(model !== undefined ? { model } : {}),
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    stream: false,
    ...(request.maxTokens !== undefined ? { [maxField]: request.maxTokens } : {}),
  };
}

export function chatCompletionResult(answer: ChatCompletion, requested: string, endpoint: string, provider: string): ChatResult {
  const choice = answer.choices[0];
  if (!choice) {
    throw new SwitchboardError('bad_response', `${endpoint} answered without any choice, so there is no reply to show. Try again; if it repeats, check the ${provider} service.`);
  }
  return {
    content: choice.message?.content ?? choice.message?.refusal ?? '',
    modelRef: answer.model || requested,
    usage: { inputTokens: tokens(answer.usage?.prompt_tokens), outputTokens: tokens(answer.usage?.completion_tokens) },
    ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
  };
}

/** An OpenAI-shaped profile: the provider's message, and a 404 without one (or "Invalid URL") is a wrong base URL. */
export function openAiStyleApi(name: string): ApiProfile {
  const api: ApiProfile = {
    name,
    errorMessage: commonErrorMessage,
    classify: (response, message) => routeNotFound(response, message, api),
  };
  return api;
}

/**
 * What sets apart two providers that serve OpenAI's routes right under their base URL (OpenAI,
 * OpenAI-compatible servers). Azure puts the deployment in the path and does not use these.
 */
export interface OpenAiStyleProvider {
  api: ApiProfile;
  /** Built for every request, after the request is checked, so a bad request is reported before a missing key or header. */
  headers(target: ConnectionTarget): Record<string, string>;
  maxTokensField: MaxTokensField;
}

/** `GET {base}/models`: listing models is free and harmless, and proves both the endpoint and the key. */
export async function testByListingModels(provider: OpenAiStyleProvider, target: ConnectionTarget, context: CallContext): Promise<string> {
  const list = await context.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(provider.api, provider.headers(target), context));
  return `Connected: ${count(list.data.length, 'model')} available`;
}

/** `GET {base}/models` within the discovery budget; which models to keep, and what they are, is the caller's. */
export async function listModels(provider: OpenAiStyleProvider, target: ConnectionTarget, context: CallContext): Promise<ModelList> {
  const headers = provider.headers(target);
  return withinDiscoveryBudget(context, originOf(target.baseUrl), (budget) =>
    budget.http.getJson(`${target.baseUrl}/models`, ModelListSchema, requestOptions(provider.api, headers, budget)),
  );
}

/** `POST {base}/chat/completions` with the model in the body, so a 404 there is the model (unless the profile says it is the route). */
export async function postChatCompletion(provider: OpenAiStyleProvider, target: ConnectionTarget, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  const chat = parseChatRequest(request);
  const url = `${target.baseUrl}/chat/completions`;
  const answer = await context.http.postJson(url, chatCompletionBody(chat, chat.modelRef, provider.maxTokensField), ChatCompletionSchema, {
    ...requestOptions(provider.api, provider.headers(target), context),
    notFound: 'model_not_found',
  });
  return chatCompletionResult(answer, chat.modelRef, url, provider.api.name);
}
