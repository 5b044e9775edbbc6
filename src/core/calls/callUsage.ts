import type { ConversationMessage, Usage } from '../../contracts/models';

/**
 * A call's usage as the ledger keeps it: what the provider reported where it says something, and
 * Switchboard's estimate (about four characters a token) where it is silent or contradicts
 * itself, marked `estimated`. A prompt is never empty, nor an answer with text of none, so a
 * count of 0 there is a count the provider left out (Ollama omits a cached prompt's count, many
 * OpenAI-compatible servers send no usage at all).
 */
export function settleUsage(reported: Usage | undefined, messages: readonly ConversationMessage[], output: string): Usage {
  const usage: Usage = { ...(reported ?? { inputTokens: 0, outputTokens: 0 }) };
  let estimated = reported === undefined || reported.estimated === true;
  if (usage.inputTokens === 0) {
    const prompt = estimateTokens(messages).tokens;
    if (prompt > 0) {
      usage.inputTokens = prompt;
      estimated = true;
    }
  }
  if (usage.outputTokens === 0 && output.length > 0) {
    usage.outputTokens = Math.ceil(output.length / 4);
    estimated = true;
  }
  // Parts larger than their whole: the whole is kept and the parts cut to it.
  const cached = (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  if (cached > usage.inputTokens) {
    delete usage.cacheReadTokens;
    delete usage.cacheWriteTokens;
    estimated = true;
  }
  if ((usage.reasoningTokens ?? 0) > usage.outputTokens) {
    delete usage.reasoningTokens;
    estimated = true;
  }
  if (estimated) usage.estimated = true;
  else delete usage.estimated;
  return usage;
}

/**
 * A cheap estimate of a prompt's tokens: about four characters a token, as in English text.
 * Code and most other languages take more tokens per character, so the estimate errs low and
 * refuses only what cannot fit.
 */
export function estimateTokens(messages: readonly ConversationMessage[]): { tokens: number; characters: number } {
  let characters = 0;
  for (const message of messages) {
    characters += message.content.length;
    if ('toolCalls' in message) characters += JSON.stringify(message.toolCalls).length;
  }
  return { tokens: Math.ceil(characters / 4), characters };
}
