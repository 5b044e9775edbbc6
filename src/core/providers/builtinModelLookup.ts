import type { DiscoveredModel } from '../../contracts/models';
import { ANTHROPIC_PROVIDER_ID } from './anthropic';
import { anthropicBuiltin, geminiModalities, openAiBuiltin, type BuiltinModelFacts } from './builtinModels';
import { GEMINI_PROVIDER_ID } from './gemini';
import { OPENAI_PROVIDER_ID } from './openai';

/**
 * What Switchboard's built-in table knows about a model a person adds by id, for the providers
 * whose adapters keep one (src/core/providers/builtinModels.ts). Undefined when the table has
 * no entry: the registry then records the model as plain text.
 */
export function builtinModel(providerId: string, providerModelId: string): DiscoveredModel | undefined {
  switch (providerId) {
    case OPENAI_PROVIDER_ID: {
      const facts = openAiBuiltin(providerModelId);
      return facts && fromFacts(providerModelId, providerModelId, facts);
    }
    case ANTHROPIC_PROVIDER_ID: {
      const facts = anthropicBuiltin(providerModelId);
      return facts && fromFacts(providerModelId, facts.displayName, facts);
    }
    case GEMINI_PROVIDER_ID: {
      const modalities = geminiModalities(providerModelId);
      return modalities && fromFacts(providerModelId, providerModelId, { modalities });
    }
    default:
      return undefined;
  }
}

function fromFacts(providerModelId: string, displayName: string, facts: BuiltinModelFacts): DiscoveredModel {
  const hasCosts = facts.inputCostPer1k !== undefined || facts.outputCostPer1k !== undefined;
  return {
    providerModelId,
    displayName,
    modalities: facts.modalities ?? ['text'],
    ...(facts.contextWindow !== undefined ? { contextWindow: facts.contextWindow } : {}),
    ...(facts.inputCostPer1k !== undefined ? { inputCostPer1k: facts.inputCostPer1k } : {}),
    ...(facts.outputCostPer1k !== undefined ? { outputCostPer1k: facts.outputCostPer1k } : {}),
    sources: {
      ...(facts.modalities ? { modalities: 'builtin' as const } : {}),
      ...(facts.contextWindow !== undefined ? { contextWindow: 'builtin' as const } : {}),
      ...(hasCosts ? { costs: 'builtin' as const } : {}),
    },
  };
}
