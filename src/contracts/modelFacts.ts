/**
 * Where a model's figures come from and how many models a listing left out, in words the host
 * and the webviews share. Free of zod so the webview bundles can import it at runtime.
 */

/** Where a value came from: the provider's API, Switchboard's built-in table, the provider's documented default (its API does not report it), or the person. */
export type ValueSource = 'api' | 'builtin' | 'default' | 'user';

/** The largest context window a person may set (tokens); far above any model today. */
export const MAX_CONTEXT_WINDOW = 100_000_000;

/** The largest output limit a person may set (tokens); far above any model today. */
export const MAX_OUTPUT_LIMIT = 10_000_000;

/** The efforts a reasoning setting may name (OpenAI's `reasoning_effort`, Ollama's `think` levels). */
export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** The largest thinking budget a person may set (tokens); each provider's own limit is smaller. */
export const MAX_THINKING_BUDGET = 1_000_000;

/** The most models one discovery reply or one registerModels request carries. */
export const MAX_MODELS_PER_MESSAGE = 5000;

/** The day Switchboard's built-in table (src/core/providers/builtinModels.ts) was written from the providers' public pages. */
export const BUILTIN_TABLE_DATE = '2026-11-22';

/**
 * The window Ollama gives a model whose Modelfile sets no `num_ctx`: Ollama's docs
 * (docs/context-length.mdx, read 2026-11-22) give 4,096 on GPUs with less than 24 GiB, 32,768 up
 * to 48 GiB and 262,144 above, and OLLAMA_CONTEXT_LENGTH changes it. The API reports none of
 * this, so Switchboard assumes the smallest, which every machine gets at least.
 */
export const OLLAMA_ASSUMED_DEFAULT_CONTEXT = 4096;

/** Each source in full (for a hover and screen readers) and in a few words (for a table cell). */
const SOURCE_WORDS: Readonly<Record<ValueSource, { full: string; short: string }>> = {
  api: { full: 'reported by the provider', short: 'provider' },
  // The table's month, so a person can tell how old the figure is.
  builtin: { full: `Switchboard's built-in table, ${BUILTIN_TABLE_DATE.slice(0, 7)}`, short: `built-in table, ${BUILTIN_TABLE_DATE.slice(0, 7)}` },
  default: { full: "the provider's documented default, assumed: its API does not report it", short: 'default, assumed' },
  user: { full: 'your value', short: 'your value' },
};

/** Where a figure came from, in full: `reported by the provider`, `Switchboard's built-in table, 2026-11`. */
export function describeSource(source: ValueSource | undefined): string {
  return source ? SOURCE_WORDS[source].full : 'source unknown';
}

/** Models a provider lists that discovery leaves out, one group per reason. */
export interface LeftOutModels {
  count: number;
  /** What they are, in the singular: `embedding model`. */
  kind: string;
  /** Why they are left out: `cannot chat`. */
  why: string;
}

/**
 * How many models a provider serves and how many of them discovery offers, the same words for a
 * connection's Test and for Discover, so their numbers never disagree: `3 models`, or
 * `4 models, 3 for chat; left out: 1 embedding model (cannot chat)`. `state` follows the total:
 * `4 models installed, 3 for chat; …`.
 */
export function describeModelCount(listed: number, leftOut: readonly LeftOutModels[], state?: string): string {
  const groups = leftOut.filter((group) => group.count > 0);
  const total = `${countOf(listed + groups.reduce((sum, group) => sum + group.count, 0), 'model')}${state ? ` ${state}` : ''}`;
  if (!groups.length) return total;
  const reasons = groups.map((group) => `${countOf(group.count, group.kind)} (${group.why})`).join(', ');
  return `${total}, ${listed.toLocaleString('en')} for chat; left out: ${reasons}`;
}

/** What Discover found, for the view and the palette alike: `Found 4 models, 3 for chat; left out: 1 embedding model (cannot chat).` */
export function describeDiscovery(listed: number, leftOut: readonly LeftOutModels[]): string {
  return `Found ${describeModelCount(listed, leftOut)}.`;
}

function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}

/** The context figures of a registered model (RegisteredModel has them all). */
export interface ContextFigures {
  contextWindow?: number;
  maxContextWindow?: number;
  providerContextWindow?: number;
  sources: { contextWindow?: ValueSource; maxContextWindow?: ValueSource; providerContextWindow?: ValueSource };
}

/**
 * The model with the person's window in force. The provider's figure (or the built-in table's)
 * is kept aside in `providerContextWindow`, so clearing the person's value brings it back.
 */
export function withContextOverride<T extends ContextFigures>(model: T, tokens: number): T {
  const { providerContextWindow, source } =
    model.sources.contextWindow === 'user'
      ? { providerContextWindow: model.providerContextWindow, source: model.sources.providerContextWindow }
      : { providerContextWindow: model.contextWindow, source: model.sources.contextWindow };
  const { providerContextWindow: _kept, ...rest } = model;
  const { providerContextWindow: _keptSource, ...sources } = model.sources;
  return {
    ...rest,
    contextWindow: tokens,
    ...(providerContextWindow !== undefined ? { providerContextWindow } : {}),
    sources: { ...sources, contextWindow: 'user', ...(providerContextWindow !== undefined && source ? { providerContextWindow: source } : {}) },
  } as T;
}

/**
 * The model without the person's window: the provider's figure again, or no figure when none
 * was kept (a model whose value was set before Switchboard kept it: Discover brings it back).
 */
export function withoutContextOverride<T extends ContextFigures>(model: T): T {
  if (model.sources.contextWindow !== 'user') return model;
  const { providerContextWindow, contextWindow: _override, ...rest } = model;
  const { providerContextWindow: source, contextWindow: _user, ...sources } = model.sources;
  return {
    ...rest,
    ...(providerContextWindow !== undefined ? { contextWindow: providerContextWindow } : {}),
    sources: { ...sources, ...(providerContextWindow !== undefined && source ? { contextWindow: source } : {}) },
  } as T;
}

/** The output-limit figures of a registered model (RegisteredModel has them all). */
export interface OutputLimitFigures {
  maxOutputTokens?: number;
  outputLimitOverride?: number;
  sources: { maxOutputTokens?: ValueSource };
}

/** The output limit in force and where it came from: the person's value, else the provider's (or the table's); undefined when neither is known. */
export function outputLimitOf(model: OutputLimitFigures): { tokens: number; source: ValueSource | undefined } | undefined {
  if (model.outputLimitOverride !== undefined) return { tokens: model.outputLimitOverride, source: 'user' };
  return model.maxOutputTokens === undefined ? undefined : { tokens: model.maxOutputTokens, source: model.sources.maxOutputTokens };
}

/** The output-limit cell, like the context cell: `8k · your value`, `64k · provider`, `—`. */
export function outputLimitText(model: OutputLimitFigures): string {
  const limit = outputLimitOf(model);
  if (!limit) return '—';
  return limit.source ? `${formatContextWindow(limit.tokens)} · ${SOURCE_WORDS[limit.source].short}` : formatContextWindow(limit.tokens);
}

/** The output limit in full with its source, and with the person's value the provider's it replaced. */
export function outputLimitDetail(model: OutputLimitFigures): string {
  const limit = outputLimitOf(model);
  if (!limit) return 'The output limit is unknown: the provider decides.';
  const parts = [`An answer may be up to ${limit.tokens.toLocaleString('en')} tokens (${describeSource(limit.source)}).`];
  if (limit.source === 'user' && model.maxOutputTokens !== undefined) {
    parts.push(`Without your value: ${model.maxOutputTokens.toLocaleString('en')} tokens (${describeSource(model.sources.maxOutputTokens)}).`);
  }
  return parts.join(' ');
}

/** A reasoning setting the way a person types it and reads it: `high`, `8192 tokens`, `default`. */
export function reasoningText(reasoning: { effort: ReasoningEffort } | { budgetTokens: number } | undefined): string {
  if (!reasoning) return 'default';
  return 'effort' in reasoning ? reasoning.effort : `${reasoning.budgetTokens.toLocaleString('en')} tokens`;
}

/** A model's reasoning setting and output limit as a person types them (empty: the provider's own), for the fields that change them. */
export function callSettingsText(model: { reasoning?: { effort: ReasoningEffort } | { budgetTokens: number }; outputLimitOverride?: number }): { reasoning: string; outputLimit: string } {
  const reasoning = model.reasoning ? ('effort' in model.reasoning ? model.reasoning.effort : String(model.reasoning.budgetTokens)) : '';
  return { reasoning, outputLimit: model.outputLimitOverride === undefined ? '' : String(model.outputLimitOverride) };
}

/**
 * What a person typed as a reasoning setting: an effort (`low`, `medium`, `high`), a budget in
 * tokens (`8192`, `8,192 tokens`), or nothing for the provider's default (null). An error
 * message for anything else.
 */
export function parseReasoningText(text: string): { value: { effort: ReasoningEffort } | { budgetTokens: number } | null } | { error: string } {
  const typed = text.trim().toLowerCase();
  if (typed === '' || typed === 'default') return { value: null };
  if ((REASONING_EFFORTS as readonly string[]).includes(typed)) return { value: { effort: typed as ReasoningEffort } };
  const budget = /^(\d[\d,]*)\s*(tokens?)?$/.exec(typed);
  if (budget) {
    const tokens = Number(budget[1]!.replaceAll(',', ''));
    if (Number.isSafeInteger(tokens) && tokens <= MAX_THINKING_BUDGET) return { value: { budgetTokens: tokens } };
  }
  return { error: `Type an effort (low, medium or high), a thinking budget in tokens (0 to ${MAX_THINKING_BUDGET.toLocaleString('en')}), or leave it empty for the provider's default.` };
}

const KIB = 1024;
const MIB = 1024 * 1024;

/**
 * A context window the way model cards write it: `128k` for 128,000 and for 131,072 (2^17),
 * `1M` for 1,000,000 and 1,048,576, `16.4k` for 16,385, `—` when unknown. A round decimal
 * count wins over a binary one (128,000 is also 125 × 1,024).
 */
export function formatContextWindow(tokens: number | undefined): string {
  if (tokens === undefined || !Number.isFinite(tokens) || tokens <= 0) return '—';
  if (tokens >= 1_000_000) return `${scaled(tokens, 1_000_000, MIB)}M`;
  if (tokens >= 1000) return `${scaled(tokens, 1000, KIB)}k`;
  return String(Math.round(tokens));
}

function scaled(tokens: number, decimal: number, binary: number): string {
  if (tokens % decimal === 0) return String(tokens / decimal);
  if (tokens % binary === 0) return String(tokens / binary);
  return String(Math.round((tokens / decimal) * 10) / 10);
}

/**
 * The context cell: the window a run gets, the model's maximum when it is larger, and where the
 * window came from: `16k of 32k · provider`, `4k of 128k · default, assumed`, `128k · built-in
 * table, 2026-11`, `— of 128k` (window unknown), `—`.
 */
export function contextWindowText(model: ContextFigures): string {
  const { contextWindow: window, maxContextWindow: max } = model;
  if (window === undefined) return max === undefined ? '—' : `— of ${formatContextWindow(max)}`;
  const figures = max !== undefined && max > window ? `${formatContextWindow(window)} of ${formatContextWindow(max)}` : formatContextWindow(window);
  const source = model.sources.contextWindow;
  return source ? `${figures} · ${SOURCE_WORDS[source].short}` : figures;
}

/**
 * Each figure in full with its source, for a hover and for screen readers: `A run gets 16,384
 * tokens (reported by the provider). The model takes at most 32,768 (reported by the provider).`
 * With the person's value, the provider's figure it replaced.
 */
export function contextWindowDetail(model: ContextFigures): string {
  const tokens = (n: number) => `${n.toLocaleString('en')} tokens`;
  const parts = [
    model.contextWindow === undefined ? 'The window a run gets is unknown.' : `A run gets ${tokens(model.contextWindow)} (${describeSource(model.sources.contextWindow)}).`,
  ];
  if (model.sources.contextWindow === 'user' && model.providerContextWindow !== undefined) {
    parts.push(`Without your value: ${tokens(model.providerContextWindow)} (${describeSource(model.sources.providerContextWindow)}).`);
  }
  if (model.maxContextWindow !== undefined) parts.push(`The model takes at most ${tokens(model.maxContextWindow)} (${describeSource(model.sources.maxContextWindow)}).`);
  return parts.join(' ');
}
