import * as l10n from '@vscode/l10n';
import { callSettingsText, contextWindowDetail, MAX_OUTPUT_LIMIT, outputLimitDetail, parseReasoningText } from '../../src/contracts/modelFacts';
import type { Reasoning, RegisteredModel } from '../../src/contracts/models';
import type { ModelCells, ModelColumn, ModelSort } from '../../src/contracts/modelTable';
import { modelCount, parseTokens } from '../connections/modelFormat';
import { formatCount } from '../shared/locale';
import { MAX_PRICE_PER_1K } from '../../src/contracts/vocabulary';

export type { ModelColumn, ModelSort } from '../../src/contracts/modelTable';
export { modelCells } from '../../src/contracts/modelTable';

/** The sort the table starts with, and asks the host for first: by model, A to Z. */
export const DEFAULT_MODEL_SORT: ModelSort = { column: 'model', descending: false };

export const MODEL_COLUMNS: readonly { id: ModelColumn; label: string; numeric?: boolean }[] = [
  { id: 'model', label: l10n.t('Model') },
  { id: 'connection', label: l10n.t('Connection') },
  { id: 'provider', label: l10n.t('Provider') },
  { id: 'modalities', label: l10n.t('Modalities') },
  { id: 'tools', label: l10n.t('Tools') },
  { id: 'context', label: l10n.t('Context window'), numeric: true },
  { id: 'output', label: l10n.t('Output limit'), numeric: true },
  { id: 'reasoning', label: l10n.t('Reasoning') },
  { id: 'priceIn', label: l10n.t('Input per 1k'), numeric: true },
  { id: 'priceOut', label: l10n.t('Output per 1k'), numeric: true },
  { id: 'enabled', label: l10n.t('Enabled') },
];

/** A cell's hover: the context window's whole story, a price that is not known, or the cell's text (it may be cut). */
export function cellTitle(model: RegisteredModel, column: ModelColumn, cells: ModelCells): string {
  if (column === 'context') return contextWindowDetail(model);
  if (column === 'output') return outputLimitDetail(model);
  if (column === 'reasoning') return model.reasoning ? l10n.t('Your reasoning setting: {0}. An agent may set its own.', cells.reasoning) : l10n.t('The provider decides how much the model reasons.');
  if ((column === 'priceIn' || column === 'priceOut') && !cells[column]) return l10n.t('No price is known for this model.');
  return cells[column];
}

/** The settings form's fields for a model: what it shows before the person types. */
export const settingsFields = callSettingsText;

/**
 * What the settings form would send: the reasoning (null for the provider's default) and the
 * output limit (null for the provider's), or the first field's problem in words. Whether the
 * provider takes the setting the host says.
 */
export function parseSettings(fields: { reasoning: string; outputLimit: string }): { reasoning: Reasoning | null; outputLimit: number | null } | { field: 'reasoning' | 'outputLimit'; error: string } {
  const reasoning = parseReasoningText(fields.reasoning);
  if ('error' in reasoning) return { field: 'reasoning', error: l10n.t('Type low, medium or high, a thinking budget in tokens, or leave it empty for the provider\'s default.') };
  if (!fields.outputLimit.trim()) return { reasoning: reasoning.value, outputLimit: null };
  const tokens = parseTokens(fields.outputLimit);
  if (tokens === undefined || tokens > MAX_OUTPUT_LIMIT) return { field: 'outputLimit', error: l10n.t('Type a number of tokens (e.g. 8192 or 8k), or leave it empty for the provider\'s limit.') };
  return { reasoning: reasoning.value, outputLimit: tokens };
}

/** The price fields of the settings form: the person's own price, or empty while the price comes from elsewhere. */
export function priceFields(model: Pick<RegisteredModel, 'inputCostPer1k' | 'outputCostPer1k' | 'sources'>): { input: string; output: string } {
  if (model.sources.costs !== 'user') return { input: '', output: '' };
  return { input: String(model.inputCostPer1k ?? ''), output: String(model.outputCostPer1k ?? '') };
}

export type PriceField = 'priceInput' | 'priceOutput';

/**
 * What the form's price fields ask for: the person's price in dollars per 1,000 tokens, `null`
 * (both empty: the provider's or the built-in table's price again), or the field that is wrong.
 */
export function parsePrice(fields: { input: string; output: string }): { price: { inputPer1k: number; outputPer1k: number } | null } | { field: PriceField; error: string } {
  const input = fields.input.trim();
  const output = fields.output.trim();
  if (!input && !output) return { price: null };
  const read = (text: string) => {
    const value = Number(text.replace(/^\$/, ''));
    return text && Number.isFinite(value) && value >= 0 && value <= MAX_PRICE_PER_1K ? value : undefined;
  };
  const wrong = l10n.t('Type a price in dollars per 1,000 tokens, from 0 to {0}; leave both prices empty for the provider\'s.', formatCount(MAX_PRICE_PER_1K));
  const inputPer1k = read(input);
  if (inputPer1k === undefined) return { field: 'priceInput', error: wrong };
  const outputPer1k = read(output);
  if (outputPer1k === undefined) return { field: 'priceOutput', error: wrong };
  return { price: { inputPer1k, outputPer1k } };
}

/** A click on a column's header: sort by it, or turn its order around if it is the one sorted by. */
export function nextSort(current: ModelSort, column: ModelColumn): ModelSort {
  return current.column === column ? { column, descending: !current.descending } : { column, descending: false };
}

/** `3 of 2,000 models selected`, or how many are shown. */
export function selectionLabel(selected: number, shown: number, total: number): string {
  const models = shown === total ? modelCount(total) : total === 1 ? l10n.t('{0} of 1 model shown', formatCount(shown)) : l10n.t('{0} of {1} models shown', formatCount(shown), formatCount(total));
  return selected ? l10n.t('{0} selected · {1}', formatCount(selected), models) : models;
}
