import { errorText } from '../base/errors';
import type { Logger } from '../base/ports';
import { AZURE_OPENAI_PROVIDER_ID } from '../providers/azureOpenai';
import { OPENAI_PROVIDER_ID } from '../providers/openai';

/** Counts the tokens of a text the way a model's tokenizer does. */
export type CountTokens = (text: string) => number;

/** Where no tokenizer is known: about four characters per token, without a network call. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * What an image counts for in a prompt, whatever its size: providers count images by their pixels
 * (Anthropic about width × height / 750, at most about 1,600; OpenAI 85 to about 1,100 per tile set),
 * which the bytes do not tell without decoding them. The upper end keeps a budget on the safe side.
 */
export const IMAGE_TOKENS_ESTIMATE = 1600;

/**
 * The providers whose models use OpenAI's tokenizers. `o200k_base` is exact for GPT-4o, GPT-4.1,
 * GPT-5 and the o-series, and close for the older GPT-4 and GPT-3.5 (`cl100k_base`), which are
 * not worth a second table of a megabyte.
 */
const OPENAI_FAMILY = new Set([OPENAI_PROVIDER_ID, AZURE_OPENAI_PROVIDER_ID]);

/** Whether a model of this provider is counted with OpenAI's tokenizer rather than estimated. */
export function usesOpenAiTokenizer(providerId: string): boolean {
  return OPENAI_FAMILY.has(providerId);
}

const RECENT_COUNTS = 128;
const RECENT_TEXT_CHARS = 16 * 1024;

/**
 * Token counts for VS Code chat (`provideTokenCount`, which Copilot calls for every piece while it
 * budgets a prompt, so a count must stay fast): OpenAI's models through `gpt-tokenizer`'s
 * o200k_base, loaded on the first count of such a model (its table is megabytes that activation
 * should not parse), and the estimate for every other model, and while the tokenizer loads or if
 * it cannot be loaded.
 */
export class TokenCounter {
  private loading: Promise<CountTokens | undefined> | undefined;
  private loaded: CountTokens | undefined;
  /** Recent counts by text, oldest first: a prompt's history is counted again at every turn. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly deps: { load: () => Promise<CountTokens>; logger: Logger }) {}

  async count(providerId: string, text: string): Promise<number> {
    if (!usesOpenAiTokenizer(providerId)) return estimateTokens(text);
    const known = this.recent.get(text);
    if (known !== undefined) return known;
    const count = this.loaded ?? (await this.load());
    if (!count) return estimateTokens(text);
    const tokens = count(text);
    this.remember(text, tokens);
    return tokens;
  }

  /** Keeps at most RECENT_COUNTS texts of at most RECENT_TEXT_CHARS each: a few megabytes at most. */
  private remember(text: string, tokens: number): void {
    if (text.length > RECENT_TEXT_CHARS) return;
    if (this.recent.size >= RECENT_COUNTS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(text, tokens);
  }

  private load(): Promise<CountTokens | undefined> {
    this.loading ??= this.deps.load().then(
      (count) => (this.loaded = count),
      (error: unknown) => {
        this.deps.logger.warn(`Could not load the OpenAI tokenizer; token counts are estimates: ${errorText(error)}`);
        return undefined;
      },
    );
    return this.loading;
  }
}
