import * as l10n from '@vscode/l10n';
import type { Connection } from '../../src/contracts/connections';
import { MAX_CONTEXT_WINDOW } from '../../src/contracts/modelFacts';
import { formatDollars, isPrice } from '../../src/contracts/modelTable';
import type { RegisteredModel } from '../../src/contracts/models';
import { formatCount } from '../shared/locale';

/**
 * How the Models tab writes a model's numbers, free of the DOM so unit tests run it in Node.
 */

export { contextWindowDetail, contextWindowText, formatContextWindow } from '../../src/contracts/modelFacts';
export { formatDollars, isPrice, modalityLabel } from '../../src/contracts/modelTable';

/**
 * `$0.15 / $0.60 per 1k` (input / output, US dollars per 1,000 tokens); a missing side is `—`,
 * and `—` alone when neither is known. Small prices keep three significant digits.
 */
export function formatCost(inputPer1k: number | undefined, outputPer1k: number | undefined): string {
  if (!isPrice(inputPer1k) && !isPrice(outputPer1k)) return '—';
  return l10n.t('{0} / {1} per 1k', formatDollars(inputPer1k), formatDollars(outputPer1k));
}

/** `2,000 models · 1,998 enabled`, or the same for the filtered part. */
export function modelSummary(shown: readonly RegisteredModel[], total: number): string {
  const enabled = shown.filter((model) => model.enabled).length;
  const [n, of, on] = [formatCount(shown.length), formatCount(total), formatCount(enabled)];
  if (shown.length === total) return total === 1 ? l10n.t('1 model · {0} enabled', on) : l10n.t('{0} models · {1} enabled', of, on);
  return total === 1 ? l10n.t('{0} of 1 model · {1} enabled', n, on) : l10n.t('{0} of {1} models · {2} enabled', n, of, on);
}

/** `1 model`, `2,000 models`. */
export function modelCount(n: number): string {
  return n === 1 ? l10n.t('1 model') : l10n.t('{0} models', formatCount(n));
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
  return connections.find((connection) => connection.id === connectionId)?.name ?? l10n.t('unknown connection');
}

/** `128000`, `128,000`, `128k`, `1M` as a whole number of tokens; undefined for anything else. */
export function parseTokens(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text.replace(/[,_\s](?=\d)/g, ''));
  if (!match) return undefined;
  const scale = match[2]?.toLowerCase() === 'k' ? 1000 : match[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
  const tokens = Number(match[1]) * scale;
  return Number.isInteger(tokens) && tokens > 0 && tokens <= MAX_CONTEXT_WINDOW ? tokens : undefined;
}

