import * as z from 'zod';
import { MAX_CONTEXT_WINDOW, MAX_OUTPUT_LIMIT, MAX_THINKING_BUDGET, REASONING_EFFORTS, type LeftOutModels, type ValueSource as SharedValueSource } from './modelFacts';

/** What a model can take or do. `vision` = image input; `tools` = function calling. */
export const ModalitySchema = z.enum(['text', 'vision', 'tools', 'reasoning', 'audio', 'embedding']);
export type Modality = z.infer<typeof ModalitySchema>;

/**
 * Where a metadata value came from: the provider's API, Switchboard's built-in table, the
 * provider's documented default (which its API does not report), or the person.
 */
export const ValueSourceSchema = z.enum(['api', 'builtin', 'default', 'user']);
export type ValueSource = z.infer<typeof ValueSourceSchema>;
// The zod-free copy in modelFacts.ts (for the webviews) must name the same sources.
const sameSources: [ValueSource, SharedValueSource] extends [SharedValueSource, ValueSource] ? true : never = true;
void sameSources;

const modelIdSchema = z.string().trim().min(1).max(256);

/** A model as discovery reports it, before anyone registers it. */
export const DiscoveredModelSchema = z.object({
  /** The provider's own name for it (the modelRef): `llama3.2:latest`, `gpt-4o-mini`, an Azure deployment. */
  providerModelId: modelIdSchema,
  displayName: z.string().min(1).max(256),
  modalities: z.array(ModalitySchema).max(10),
  /** The context window a run gets (tokens): the person's value, else what the provider runs the model with. */
  contextWindow: z.number().int().positive().optional(),
  /** The most the model can take (tokens), e.g. Ollama's `<arch>.context_length`; absent when only one figure is known. */
  maxContextWindow: z.number().int().positive().optional(),
  /**
   * While the person's value is in force: the window the provider (or the built-in table) gave,
   * so clearing the person's value goes back to it. Its source is `sources.providerContextWindow`.
   */
  providerContextWindow: z.number().int().positive().optional(),
  /** The most tokens the model writes in one answer, as the provider (or the built-in table) says; the person's value is `outputLimitOverride`. */
  maxOutputTokens: z.number().int().positive().max(MAX_OUTPUT_LIMIT).optional(),
  inputCostPer1k: z.number().nonnegative().optional(),
  outputCostPer1k: z.number().nonnegative().optional(),
  /** The price of prompt tokens read from the provider's cache, where it is known (the person's value). */
  cachedInputCostPer1k: z.number().nonnegative().optional(),
  sources: z.object({
    modalities: ValueSourceSchema.optional(),
    contextWindow: ValueSourceSchema.optional(),
    maxContextWindow: ValueSourceSchema.optional(),
    providerContextWindow: ValueSourceSchema.optional(),
    maxOutputTokens: ValueSourceSchema.optional(),
    costs: ValueSourceSchema.optional(),
  }),
  /** Small facts worth showing (family, parameter size, quantization...). */
  metadata: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
});
export type DiscoveredModel = z.infer<typeof DiscoveredModelSchema>;

/** Models a provider lists that discovery leaves out, one group per reason (see describeModelCount). */
export const LeftOutModelsSchema = z.object({
  count: z.number().int().positive(),
  kind: z.string().min(1).max(100),
  why: z.string().min(1).max(200),
});
const sameLeftOut: [z.infer<typeof LeftOutModelsSchema>, LeftOutModels] extends [LeftOutModels, z.infer<typeof LeftOutModelsSchema>] ? true : never = true;
void sameLeftOut;

/** What discovery found: the models to offer, and how many others the provider lists and why they are left out. */
export interface ModelListing {
  models: DiscoveredModel[];
  leftOut: LeftOutModels[];
}

/**
 * How much a reasoning model thinks before it answers, in the provider's own terms: an effort
 * (OpenAI's and Azure's `reasoning_effort`, Ollama's `think`) or a budget of thinking tokens
 * (Anthropic's extended thinking, Gemini's `thinkingBudget`). Which one a provider takes, and
 * its limits, its adapter checks (`checkReasoning`).
 */
export const ReasoningSchema = z.union([
  z.object({ effort: z.enum(REASONING_EFFORTS) }).strict(),
  z.object({ budgetTokens: z.number().int().nonnegative().max(MAX_THINKING_BUDGET) }).strict(),
]);
export type Reasoning = z.infer<typeof ReasoningSchema>;

/** A model the person added to the registry. Unique per (connectionId, providerModelId). */
export const RegisteredModelSchema = DiscoveredModelSchema.extend({
  id: z.string().uuid(),
  connectionId: z.string().uuid(),
  enabled: z.boolean(),
  lastSyncedAt: z.string().datetime(),
  /** The person's reasoning setting for calls to this model; the provider's default when absent. An agent may set its own. */
  reasoning: ReasoningSchema.optional(),
  /** The person's output limit (tokens): in force over `maxOutputTokens`, which stays as the provider gave it. */
  outputLimitOverride: z.number().int().positive().max(MAX_OUTPUT_LIMIT).optional(),
});
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(1_000_000),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** The image types every provider with vision takes (OpenAI, Azure, Anthropic, Gemini, Ollama). */
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type ImageMimeType = (typeof IMAGE_MIME_TYPES)[number];

/**
 * The most one image may weigh, as base64 characters (20 MiB of bytes): the largest any provider
 * takes (OpenAI's per-image limit). Each adapter checks its own, smaller limits before sending.
 */
export const MAX_IMAGE_BASE64_CHARS = Math.ceil((20 * 1024 * 1024) / 3) * 4;

/** An image a person attached (or a tool returned): its type and its bytes in base64, plain data that crosses every boundary. */
export const ImagePartSchema = z.object({
  mimeType: z.enum(IMAGE_MIME_TYPES),
  data: z
    .string()
    .min(4)
    .max(MAX_IMAGE_BASE64_CHARS)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'image data must be base64'),
});
export type ImagePart = z.infer<typeof ImagePartSchema>;

/** Most images one request may carry (Anthropic's limit per request; the lowest of the providers). */
export const MAX_IMAGES_PER_REQUEST = 100;

/**
 * What a message of a chat request may carry beside its text:
 * - `images` (user messages and tool results only): sent after the text, in the provider's form;
 *   a model without vision is refused before anything is sent;
 * - `cacheBreakpoint`: the prompt up to the end of this message is worth caching (VS Code's
 *   `cache_control` data part). Anthropic gets `cache_control` on the message's last block; the
 *   other providers cache by themselves and ignore it.
 */
const messageExtras = {
  images: z.array(ImagePartSchema).min(1).max(MAX_IMAGES_PER_REQUEST).optional(),
  cacheBreakpoint: z.literal(true).optional(),
};

/** A system, user or assistant message of a chat request (the agent host's ChatMessage, plus images and a cache breakpoint). */
export const RequestMessageSchema = ChatMessageSchema.extend(messageExtras);
export type RequestMessage = z.infer<typeof RequestMessageSchema>;

/** Providers accept these names for functions (OpenAI's rule; the strictest of the five). */
const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1 to 64 letters, digits, "_" or "-"');
const toolCallIdSchema = z.string().min(1).max(256);

/**
 * A JSON Schema for a tool's arguments. Every provider takes a function's arguments as one JSON
 * object, so the schema must describe an object: `{"type":"object", ...}`.
 */
export const ToolParametersSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === 'object', { message: 'a tool\'s parameters must be a JSON object schema ({"type":"object", ...})' });

/** A function the model may call. */
export const ToolSchema = z.object({
  name: toolNameSchema,
  description: z.string().max(4096).optional(),
  parameters: ToolParametersSchema,
});
export type Tool = z.infer<typeof ToolSchema>;

/** `auto`: the model decides whether to call a tool; `required`: it must call one. */
export const ToolModeSchema = z.enum(['auto', 'required']);
export type ToolMode = z.infer<typeof ToolModeSchema>;

/** A call the model made: its id (the provider's, or one Switchboard made up when the provider gives none), the tool and its arguments as parsed JSON. */
export const ToolCallSchema = z.object({
  id: toolCallIdSchema,
  name: toolNameSchema,
  arguments: z.record(z.string(), z.unknown()),
  /** An opaque token the provider attached to the call and wants back with it (Gemini's `thoughtSignature`). */
  signature: z.string().max(1_000_000).optional(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/**
 * A block of the model's reasoning with the provider's signature of it (Anthropic's `thinking`
 * block): Anthropic wants the blocks of a turn that called tools back with that turn.
 */
export const ReasoningBlockSchema = z.object({
  text: z.string().max(1_000_000),
  signature: z.string().min(1).max(1_000_000),
});
export type ReasoningBlock = z.infer<typeof ReasoningBlockSchema>;

/** The model's turn that called tools, sent back as it came so the provider sees its own calls. */
export const ToolCallMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z.string().max(1_000_000),
  toolCalls: z.array(ToolCallSchema).min(1).max(128),
  /** The signed reasoning blocks the turn began with (Anthropic), sent back before its calls. */
  reasoning: z.array(ReasoningBlockSchema).max(128).optional(),
  cacheBreakpoint: messageExtras.cacheBreakpoint,
});
export type ToolCallMessage = z.infer<typeof ToolCallMessageSchema>;

/** What a tool answered to one call; `toolCallId` names a call of an earlier assistant message. */
export const ToolResultMessageSchema = z.object({
  role: z.literal('tool'),
  toolCallId: toolCallIdSchema,
  content: z.string().max(1_000_000),
  /** The tool failed; `content` says how. */
  isError: z.boolean().optional(),
  /** Images the tool returned beside its text. */
  images: messageExtras.images,
  cacheBreakpoint: messageExtras.cacheBreakpoint,
});
export type ToolResultMessage = z.infer<typeof ToolResultMessageSchema>;

/** Any message of a chat request. Tool calls are tried first: a plain assistant message would otherwise drop `toolCalls`. */
export const ConversationMessageSchema = z.union([ToolCallMessageSchema, ToolResultMessageSchema, RequestMessageSchema]);
export type ConversationMessage = z.infer<typeof ConversationMessageSchema>;

/** One chat call, streaming or not. */
export const ChatRequestSchema = z
  .object({
    modelRef: modelIdSchema,
    messages: z.array(ConversationMessageSchema).min(1).max(500),
    maxTokens: z.number().int().positive().max(1_000_000).optional(),
    /**
     * The context window the person set for the model (tokens). Providers that size the window
     * per request (Ollama's `options.num_ctx`) send it; the others cannot and ignore it.
     */
    contextWindow: z.number().int().positive().max(MAX_CONTEXT_WINDOW).optional(),
    /** Functions the model may call; their names must differ. */
    tools: z.array(ToolSchema).max(128).optional(),
    /** `auto` when left out; only with tools. */
    toolMode: ToolModeSchema.optional(),
    /** How much the model should think; the provider's default when left out. A provider without a reasoning setting refuses it. */
    reasoning: ReasoningSchema.optional(),
  })
  .superRefine((request, context) => {
    const names = new Set<string>();
    for (const [index, tool] of (request.tools ?? []).entries()) {
      if (names.has(tool.name)) context.addIssue({ code: 'custom', path: ['tools', index, 'name'], message: 'two tools have the same name' });
      names.add(tool.name);
    }
    if (request.toolMode && !request.tools?.length) context.addIssue({ code: 'custom', path: ['toolMode'], message: 'a tool mode needs tools' });
    // A result must answer a call made before it: providers refuse an orphan, and Gemini needs the call's name.
    const calls = new Set<string>();
    let images = 0;
    for (const [index, message] of request.messages.entries()) {
      if ('images' in message && message.images) {
        images += message.images.length;
        if (message.role !== 'user' && message.role !== 'tool') context.addIssue({ code: 'custom', path: ['messages', index, 'images'], message: 'only user messages and tool results carry images' });
        if (images > MAX_IMAGES_PER_REQUEST) context.addIssue({ code: 'custom', path: ['messages', index, 'images'], message: `a request carries at most ${MAX_IMAGES_PER_REQUEST} images` });
      }
      if ('toolCalls' in message) for (const call of message.toolCalls) calls.add(call.id);
      if (message.role === 'tool' && !calls.has(message.toolCallId)) {
        context.addIssue({ code: 'custom', path: ['messages', index, 'toolCallId'], message: 'no earlier tool call has this id' });
      }
    }
  });
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const UsageSchema = z.object({
  /** Every prompt token, those read from or written to the prompt cache included. */
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Prompt tokens (part of `inputTokens`) the provider read from its prompt cache, when it says (Anthropic, OpenAI, Gemini). */
  cacheReadTokens: z.number().int().nonnegative().optional(),
  /** Prompt tokens (part of `inputTokens`) the provider wrote to its prompt cache, when it says (Anthropic). */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** Output tokens the model spent reasoning (part of `outputTokens`), when the provider says (OpenAI, Gemini). */
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** The provider reported no usage, or only part of it: the counts are Switchboard's estimate. */
  estimated: z.boolean().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ChatResultSchema = z.object({
  content: z.string(),
  /** The model that answered, as the provider names it. */
  modelRef: z.string(),
  usage: UsageSchema,
  finishReason: z.string().optional(),
  /** The tools the model called, in order; absent when it called none. */
  toolCalls: z.array(ToolCallSchema).optional(),
  /** What the model streamed as its reasoning, apart from the answer; absent when it showed none. */
  reasoning: z.string().optional(),
  /** The signed reasoning blocks (Anthropic), to send back with a turn that called tools. */
  reasoningBlocks: z.array(ReasoningBlockSchema).optional(),
});
export type ChatResult = z.infer<typeof ChatResultSchema>;

/**
 * One part of a streamed answer, in the order the provider sent them:
 * - `text`: the next piece of the answer;
 * - `reasoning`: the next piece of the model's reasoning, never part of the answer (Anthropic's
 *   `thinking`, Ollama's `thinking`, `reasoning_content`, Gemini's thought parts); a part with a
 *   `signature` closes a signed block (Anthropic);
 * - `tool_call`: one whole call, its arguments assembled from the provider's fragments and parsed;
 * - `usage`: the tokens of the whole call (at most once, near the end);
 * - `finish`: always the last part, with the provider's finish reason (`stop`, `tool_calls`,
 *   `end_turn`, `STOP`…) and the model that answered.
 */
export const ChatStreamPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string(), signature: z.string().min(1).optional() }),
  z.object({ type: z.literal('tool_call'), call: ToolCallSchema }),
  z.object({ type: z.literal('usage'), usage: UsageSchema }),
  z.object({ type: z.literal('finish'), modelRef: z.string(), finishReason: z.string().optional() }),
]);
export type ChatStreamPart = z.infer<typeof ChatStreamPartSchema>;
