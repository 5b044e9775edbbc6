import type { Connection } from '../../src/contracts/connections';
import { MAX_CONTEXT_WINDOW } from '../../src/contracts/modelFacts';
import type { Modality, RegisteredModel } from '../../src/contracts/models';

/**
 * How the Models tab writes a model's numbers, free of the DOM so unit tests run it in Node.
 */

export { contextWindowDetail, contextWindowText, formatContextWindow } from '../../src/contracts/modelFacts';

/**
 * `$0.15 / $0.60 per 1k` (input / output, US dollars per 1,000 tokens); a missing side is `—`,
 * and `—` alone when neither is known. Small prices keep three significant digits.
 */
export function formatCost(inputPer1k: number | undefined, outputPer1k: number | undefined): string {
  if (!isPrice(inputPer1k) && !isPrice(outputPer1k)) return '—';
  return `${formatDollars(inputPer1k)} / ${formatDollars(outputPer1k)} per 1k`;
}

/** `$0.60`, `$0.00015`, `$12.50`; `—` when unknown. */
export function formatDollars(value: number | undefined): string {
  if (!isPrice(value)) return '—';
  if (value === 0) return '$0.00';
  // Enough decimals for three significant digits, at least two, then drop zeros beyond two.
  const decimals = Math.min(10, Math.max(2, Math.ceil(-Math.log10(value)) + 2));
  const fixed = value.toFixed(decimals);
  const trimmed = fixed.replace(/(\.\d\d\d*?)0+$/, '$1');
  return `$${trimmed}`;
}

const MODALITY_LABELS: Record<Modality, string> = {
  text: 'text',
  vision: 'vision',
  tools: 'tools',
  reasoning: 'reasoning',
  audio: 'audio',
  embedding: 'embedding',
};

export function modalityLabel(modality: Modality): string {
  return MODALITY_LABELS[modality];
}

/** `2,000 models · 1,998 enabled`, or the same for the filtered part. */
export function modelSummary(shown: readonly RegisteredModel[], total: number): string {
  const enabled = shown.filter((model) => model.enabled).length;
  const count = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
  const prefix = shown.length === total ? count(total, 'model') : `${shown.length.toLocaleString('en')} of ${count(total, 'model')}`;
  return `${prefix} · ${enabled.toLocaleString('en')} enabled`;
}

/**
 * The models to show: those of one connection (or all, for ''), whose name or id contains the
 * filter text (case-insensitive), in the snapshot's order.
 */
export function filterModels(models: readonly RegisteredModel[], connectionId: string, text: string): RegisteredModel[] {
  const needle = text.trim().toLocaleLowerCase();
  return models.filter(
    (model) =>
      (!connectionId || model.connectionId === connectionId) &&
      (!needle || model.providerModelId.toLocaleLowerCase().includes(needle) || model.displayName.toLocaleLowerCase().includes(needle)),
  );
}

/** The connection's name, or a note when the snapshot no longer has it. */
export function connectionName(connections: readonly Connection[], connectionId: string): string {
  return connections.find((connection) => connection.id === connectionId)?.name ?? 'unknown connection';
}

/** `128000`, `128,000`, `128k`, `1M` as a whole number of tokens; undefined for anything else. */
export function parseTokens(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text.replace(/[,_\s](?=\d)/g, ''));
  if (!match) return undefined;
  const scale = match[2]?.toLowerCase() === 'k' ? 1000 : match[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
  const tokens = Number(match[1]) * scale;
  return Number.isInteger(tokens) && tokens > 0 && tokens <= MAX_CONTEXT_WINDOW ? tokens : undefined;
}

function isPrice(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}
