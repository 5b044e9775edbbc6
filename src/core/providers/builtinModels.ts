import { BUILTIN_TABLE_DATE } from '../../contracts/modelFacts';
import type { Modality } from '../../contracts/models';

/**
 * What provider APIs do not say about their models: OpenAI's context windows, prices and
 * modalities, Anthropic's prices (and a model list for gateways without GET /v1/models), and
 * Gemini's modalities. Adapters use these values ONLY where the API is silent, and mark them
 * with source `builtin`.
 *
 * Written 2026-11-22 from the providers' public model and pricing pages. [approximate]: prices
 * change and new snapshots appear; every number here is a best-known value, not a quote.
 * Prices are US dollars per 1,000 tokens (standard tier, no caching or batch discount).
 */
export const BUILTIN_MODELS_WRITTEN = BUILTIN_TABLE_DATE;

export interface BuiltinModelFacts {
  contextWindow?: number;
  inputCostPer1k?: number;
  outputCostPer1k?: number;
  modalities?: Modality[];
}

const CHAT: Modality[] = ['text', 'vision', 'tools'];
const REASONING: Modality[] = ['text', 'vision', 'tools', 'reasoning'];

/** OpenAI chat models by base id. [approximate] */
export const OPENAI_BUILTIN: Readonly<Record<string, BuiltinModelFacts>> = {
  'gpt-5': { contextWindow: 400_000, inputCostPer1k: 0.00125, outputCostPer1k: 0.01, modalities: REASONING },
  'gpt-5-mini': { contextWindow: 400_000, inputCostPer1k: 0.00025, outputCostPer1k: 0.002, modalities: REASONING },
  'gpt-5-nano': { contextWindow: 400_000, inputCostPer1k: 0.00005, outputCostPer1k: 0.0004, modalities: REASONING },
  'gpt-4.1': { contextWindow: 1_047_576, inputCostPer1k: 0.002, outputCostPer1k: 0.008, modalities: CHAT },
  'gpt-4.1-mini': { contextWindow: 1_047_576, inputCostPer1k: 0.0004, outputCostPer1k: 0.0016, modalities: CHAT },
  'gpt-4.1-nano': { contextWindow: 1_047_576, inputCostPer1k: 0.0001, outputCostPer1k: 0.0004, modalities: CHAT },
  'gpt-4o': { contextWindow: 128_000, inputCostPer1k: 0.0025, outputCostPer1k: 0.01, modalities: CHAT },
  'gpt-4o-mini': { contextWindow: 128_000, inputCostPer1k: 0.00015, outputCostPer1k: 0.0006, modalities: CHAT },
  'chatgpt-4o-latest': { contextWindow: 128_000, inputCostPer1k: 0.005, outputCostPer1k: 0.015, modalities: ['text', 'vision'] },
  'gpt-4-turbo': { contextWindow: 128_000, inputCostPer1k: 0.01, outputCostPer1k: 0.03, modalities: CHAT },
  'gpt-4': { contextWindow: 8_192, inputCostPer1k: 0.03, outputCostPer1k: 0.06, modalities: ['text', 'tools'] },
  'gpt-3.5-turbo': { contextWindow: 16_385, inputCostPer1k: 0.0005, outputCostPer1k: 0.0015, modalities: ['text', 'tools'] },
  o1: { contextWindow: 200_000, inputCostPer1k: 0.015, outputCostPer1k: 0.06, modalities: REASONING },
  o3: { contextWindow: 200_000, inputCostPer1k: 0.002, outputCostPer1k: 0.008, modalities: REASONING },
  'o3-mini': { contextWindow: 200_000, inputCostPer1k: 0.0011, outputCostPer1k: 0.0044, modalities: ['text', 'tools', 'reasoning'] },
  'o4-mini': { contextWindow: 200_000, inputCostPer1k: 0.0011, outputCostPer1k: 0.0044, modalities: REASONING },
};

/** The facts for an OpenAI model id or its dated snapshot (`gpt-4o-2024-08-06` → `gpt-4o`). */
export function openAiBuiltin(id: string): BuiltinModelFacts | undefined {
  const base = id.toLowerCase().replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return Object.hasOwn(OPENAI_BUILTIN, base) ? OPENAI_BUILTIN[base] : undefined;
}

export interface AnthropicBuiltinModel extends BuiltinModelFacts {
  id: string;
  displayName: string;
}

/**
 * Anthropic models by alias, newest first. The API gives context windows and vision itself;
 * this list is the whole model list only when GET /v1/models answers 404 (a gateway without it),
 * and otherwise supplies the prices. [approximate]
 */
export const ANTHROPIC_BUILTIN: readonly AnthropicBuiltinModel[] = [
  { id: 'claude-opus-4-5', displayName: 'Claude Opus 4.5', contextWindow: 200_000, inputCostPer1k: 0.005, outputCostPer1k: 0.025, modalities: REASONING },
  { id: 'claude-haiku-4-5', displayName: 'Claude Haiku 4.5', contextWindow: 200_000, inputCostPer1k: 0.001, outputCostPer1k: 0.005, modalities: REASONING },
  { id: 'claude-sonnet-4-5', displayName: 'Claude Sonnet 4.5', contextWindow: 200_000, inputCostPer1k: 0.003, outputCostPer1k: 0.015, modalities: REASONING },
  { id: 'claude-opus-4-1', displayName: 'Claude Opus 4.1', contextWindow: 200_000, inputCostPer1k: 0.015, outputCostPer1k: 0.075, modalities: REASONING },
  { id: 'claude-opus-4-0', displayName: 'Claude Opus 4', contextWindow: 200_000, inputCostPer1k: 0.015, outputCostPer1k: 0.075, modalities: REASONING },
  { id: 'claude-sonnet-4-0', displayName: 'Claude Sonnet 4', contextWindow: 200_000, inputCostPer1k: 0.003, outputCostPer1k: 0.015, modalities: REASONING },
  { id: 'claude-3-7-sonnet-latest', displayName: 'Claude Sonnet 3.7', contextWindow: 200_000, inputCostPer1k: 0.003, outputCostPer1k: 0.015, modalities: REASONING },
  { id: 'claude-3-5-haiku-latest', displayName: 'Claude Haiku 3.5', contextWindow: 200_000, inputCostPer1k: 0.0008, outputCostPer1k: 0.004, modalities: CHAT },
];

/**
 * The entry for an Anthropic id, alias or dated snapshot: `claude-sonnet-4-5-20250929`,
 * `claude-sonnet-4-5` and `claude-3-5-haiku-20241022` all find their alias.
 */
export function anthropicBuiltin(id: string): AnthropicBuiltinModel | undefined {
  const base = id.toLowerCase().replace(/-(\d{8}|latest|0)$/, '');
  return ANTHROPIC_BUILTIN.find((model) => model.id.replace(/-(latest|0)$/, '') === base);
}

/**
 * Gemini's input modalities by model line; the API has no modality field. Variants that only
 * produce speech or images (`-tts`, `-image`) and unknown lines get nothing. [approximate]
 */
const GEMINI_LINES: readonly [RegExp, Modality[]][] = [
  [/^gemini-3(\.\d+)?-/, ['text', 'vision', 'audio', 'tools', 'reasoning']],
  [/^gemini-2\.5-/, ['text', 'vision', 'audio', 'tools', 'reasoning']],
  [/^gemini-2\.0-/, ['text', 'vision', 'audio', 'tools']],
  [/^gemini-1\.5-/, ['text', 'vision', 'audio', 'tools']],
];

export function geminiModalities(id: string): Modality[] | undefined {
  const name = id.toLowerCase();
  if (/(^|-)(tts|image|embedding|live)(-|$)/.test(name)) return undefined;
  return GEMINI_LINES.find(([line]) => line.test(name))?.[1];
}
