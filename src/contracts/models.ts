import { z } from 'zod';

/** What a model can take or do. `vision` = image input; `tools` = function calling. */
export const ModalitySchema = z.enum(['text', 'vision', 'tools', 'reasoning', 'audio', 'embedding']);
export type Modality = z.infer<typeof ModalitySchema>;

/** Where a metadata value came from: the provider's API, Switchboard's built-in table, or the person. */
export const ValueSourceSchema = z.enum(['api', 'builtin', 'user']);
export type ValueSource = z.infer<typeof ValueSourceSchema>;

const modelIdSchema = z.string().trim().min(1).max(256);

/** A model as discovery reports it, before anyone registers it. */
export const DiscoveredModelSchema = z.object({
  /** The provider's own name for it (the modelRef): `llama3.2:latest`, `gpt-4o-mini`, an Azure deployment. */
  providerModelId: modelIdSchema,
  displayName: z.string().min(1).max(256),
  modalities: z.array(ModalitySchema).max(10),
  contextWindow: z.number().int().positive().optional(),
  inputCostPer1k: z.number().nonnegative().optional(),
  outputCostPer1k: z.number().nonnegative().optional(),
  sources: z.object({
    modalities: ValueSourceSchema.optional(),
    contextWindow: ValueSourceSchema.optional(),
    costs: ValueSourceSchema.optional(),
  }),
  /** Small facts worth showing (family, parameter size, quantization...). */
  metadata: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
});
export type DiscoveredModel = z.infer<typeof DiscoveredModelSchema>;

/** A model the person added to the registry. Unique per (connectionId, providerModelId). */
export const RegisteredModelSchema = DiscoveredModelSchema.extend({
  id: z.string().uuid(),
  connectionId: z.string().uuid(),
  enabled: z.boolean(),
  lastSyncedAt: z.string().datetime(),
});
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(1_000_000),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** One non-streaming chat call. */
export const ChatRequestSchema = z.object({
  modelRef: modelIdSchema,
  messages: z.array(ChatMessageSchema).min(1).max(500),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ChatResultSchema = z.object({
  content: z.string(),
  /** The model that answered, as the provider names it. */
  modelRef: z.string(),
  usage: UsageSchema,
  finishReason: z.string().optional(),
});
export type ChatResult = z.infer<typeof ChatResultSchema>;
