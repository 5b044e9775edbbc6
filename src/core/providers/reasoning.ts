import * as l10n from '@vscode/l10n';
import type { ChatRequest, Reasoning } from '../../contracts/models';
import { SwitchboardError } from '../base/errors';

/**
 * The two kinds of reasoning setting and the words that refuse the wrong one, shared by the
 * adapters' `checkReasoning`: OpenAI, Azure, OpenAI-compatible servers and Ollama take an effort;
 * Anthropic and Gemini a budget of thinking tokens.
 */

/** For a provider that takes an effort (low, medium, high): a budget is refused, saying so. */
export function effortOnly(provider: string): (reasoning: Reasoning) => string | undefined {
  return (reasoning) =>
    'effort' in reasoning ? undefined : l10n.t('{0} takes a reasoning effort (low, medium or high), not a budget of thinking tokens. Choose an effort.', provider);
}

/** For a provider that takes a budget of thinking tokens within [min, max]: an effort or a budget out of range is refused, saying so. */
export function budgetOnly(provider: string, min: number, max: number): (reasoning: Reasoning) => string | undefined {
  return (reasoning) => {
    if (!('budgetTokens' in reasoning)) return l10n.t('{0} takes a thinking budget in tokens, not an effort. Enter a number of tokens from {1} to {2}.', provider, min.toLocaleString('en'), max.toLocaleString('en'));
    if (reasoning.budgetTokens < min || reasoning.budgetTokens > max) {
      return l10n.t('{0} takes a thinking budget from {1} to {2} tokens; {3} is outside that. Enter a number in that range.', provider, min.toLocaleString('en'), max.toLocaleString('en'), reasoning.budgetTokens.toLocaleString('en'));
    }
    return undefined;
  };
}

/** The request's reasoning setting once `check` accepts it (`invalid_input` with its words otherwise); undefined when it sets none. */
export function checkedReasoning<R extends Reasoning>(request: ChatRequest, check: (reasoning: Reasoning) => string | undefined): R | undefined {
  if (!request.reasoning) return undefined;
  const problem = check(request.reasoning);
  if (problem) throw new SwitchboardError('invalid_input', problem);
  return request.reasoning as R;
}

/** The reasoning a server sent beside the answer, under either name OpenAI-compatible servers use (`reasoning_content`: vLLM, DeepSeek, LM Studio; `reasoning`: OpenRouter, Ollama's /v1). */
export function compatibleReasoning(fields: { reasoning_content?: string | null; reasoning?: unknown } | null | undefined): string {
  if (!fields) return '';
  if (fields.reasoning_content) return fields.reasoning_content;
  return typeof fields.reasoning === 'string' ? fields.reasoning : '';
}
