import * as l10n from '@vscode/l10n';
import { callSettingsText, MAX_OUTPUT_LIMIT, outputLimitDetail, outputLimitOf, outputLimitText, parseReasoningText, reasoningText } from '../../src/contracts/modelFacts';
import type { Reasoning, RegisteredModel } from '../../src/contracts/models';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import { connectionName } from '../agents/format';
import { contextWindowDetail, contextWindowText, formatDollars, isPrice, modalityLabel, modelCount, parseTokens } from '../connections/modelFormat';
import { formatCount } from '../shared/locale';
import { MAX_PRICE_PER_1K } from '../../src/contracts/vocabulary';

export type ModelColumn = 'model' | 'connection' | 'provider' | 'modalities' | 'tools' | 'context' | 'output' | 'reasoning' | 'priceIn' | 'priceOut' | 'enabled';

export interface ModelSort {
  column: ModelColumn;
  descending: boolean;
}

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

type Connections = EditorSnapshot['connections'];

/** The text of each cell, as a person reads it: names, never ids. */
export function modelCells(model: RegisteredModel, connections: Connections): Record<ModelColumn, string> {
  const connection = connections.find((candidate) => candidate.id === model.connectionId);
  return {
    model: model.displayName === model.providerModelId ? model.providerModelId : l10n.t('{0} ({1})', model.displayName, model.providerModelId),
    connection: connectionName(connections, model.connectionId),
    provider: connection?.providerName ?? '',
    modalities: model.modalities.filter((m) => m !== 'tools').map(modalityLabel).join(', '),
    tools: model.modalities.includes('tools') ? l10n.t('yes') : l10n.t('no'),
    context: contextWindowText(model),
    output: outputLimitText(model),
    reasoning: reasoningText(model.reasoning),
    priceIn: price(model.inputCostPer1k),
    priceOut: price(model.outputCostPer1k),
    enabled: model.enabled ? l10n.t('yes') : l10n.t('no'),
  };
}

/** A price, or nothing when it is not known (the cell's hover says so). */
function price(value: number | undefined): string {
  return isPrice(value) ? formatDollars(value) : '';
}

/** A cell's hover: the context window's whole story, a price that is not known, or the cell's text (it may be cut). */
export function cellTitle(model: RegisteredModel, column: ModelColumn, cells: Record<ModelColumn, string>): string {
  if (column === 'context') return contextWindowDetail(model);
  if (column === 'output') return outputLimitDetail(model);
  if (column === 'reasoning') return model.reasoning ? l10n.t('Your reasoning setting: {0}. An agent may set its own.', cells.reasoning) : l10n.t('The provider decides how much the model reasons.');
  if ((column === 'priceIn' || column === 'priceOut') && !cells[column]) return l10n.t('No price is known for this model.');
  return cells[column];
}

/** What a column sorts by: numbers by value (unknown last), the rest by their text. */
function sortKey(model: RegisteredModel, column: ModelColumn, cells: Record<ModelColumn, string>): number | string | undefined {
  switch (column) {
    case 'context':
      return model.contextWindow;
    case 'output':
      return outputLimitOf(model)?.tokens;
    case 'priceIn':
      return model.inputCostPer1k;
    case 'priceOut':
      return model.outputCostPer1k;
    default:
      return cells[column].toLocaleLowerCase();
  }
}

/**
 * The rows to show: filtered by connection and by text (in any cell), sorted by one column. A
 * value that is not known sorts last either way, so "largest context first" starts with models
 * whose window is known.
 */
export function modelRows(models: readonly RegisteredModel[], connections: Connections, filter: { connectionId: string; text: string }, sort: ModelSort): { model: RegisteredModel; cells: Record<ModelColumn, string> }[] {
  const needle = filter.text.trim().toLocaleLowerCase();
  const rows = models
    .filter((model) => !filter.connectionId || model.connectionId === filter.connectionId)
    .map((model) => ({ model, cells: modelCells(model, connections) }))
    .filter((row) => !needle || Object.values(row.cells).some((cell) => cell.toLocaleLowerCase().includes(needle)));
  const direction = sort.descending ? -1 : 1;
  return rows
    .map((row) => ({ row, key: sortKey(row.model, sort.column, row.cells) }))
    .sort((a, b) => {
      if (a.key === undefined || b.key === undefined) return a.key === b.key ? 0 : a.key === undefined ? 1 : -1;
      const order = typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : String(a.key).localeCompare(String(b.key));
      return order * direction;
    })
    .map(({ row }) => row);
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
