import { z } from 'zod';
import type { ChatRequest, ChatResult } from '../../contracts/models';
import { SwitchboardError } from '../errors';
import { commonErrorMessage, type ApiProfile } from '../http/httpErrors';
import { routeNotFound, tokens } from './shared';

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
