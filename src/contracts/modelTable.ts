import * as l10n from '@vscode/l10n';
import { contextWindowText, outputLimitOf, outputLimitText, reasoningText } from './modelFacts';
import type { Modality, RegisteredModel } from './models';

/**
 * The editor's table of registered models as a person reads it: each cell's text, the filter
 * over that text and the sort by a column. The host filters, sorts and pages with it; the view
 * writes the cells of the rows it shows with it, so a filter matches exactly what is on screen.
 * Free of zod and of module-level words (the host configures l10n when it activates).
 */

export const MODEL_COLUMN_IDS = ['model', 'connection', 'provider', 'modalities', 'tools', 'context', 'output', 'reasoning', 'priceIn', 'priceOut', 'enabled'] as const;
export type ModelColumn = (typeof MODEL_COLUMN_IDS)[number];

export interface ModelSort {
  column: ModelColumn;
  descending: boolean;
}

/** Which models a table shows: of one connection ('' or absent: every one), with the text in any cell. */
export interface ModelTableFilter {
  connectionId?: string;
  text?: string;
}

/** What the table needs of a connection: its name and its provider's. */
export interface ModelTableConnection {
  id: string;
  name: string;
  providerName: string;
}

export type ModelCells = Record<ModelColumn, string>;

/** The text of each cell, as a person reads it: names, never ids. */
export function modelCells(model: RegisteredModel, connections: readonly ModelTableConnection[]): ModelCells {
  const connection = connections.find((candidate) => candidate.id === model.connectionId);
  return {
    model: model.displayName === model.providerModelId ? model.providerModelId : l10n.t('{0} ({1})', model.displayName, model.providerModelId),
    connection: connection?.name ?? l10n.t('deleted connection'),
    provider: connection?.providerName ?? '',
    modalities: model.modalities.filter((m) => m !== 'tools').map(modalityLabel).join(', '),
    tools: model.modalities.includes('tools') ? l10n.t('yes') : l10n.t('no'),
    context: contextWindowText(model),
    output: outputLimitText(model),
    reasoning: reasoningText(model.reasoning),
    priceIn: isPrice(model.inputCostPer1k) ? formatDollars(model.inputCostPer1k) : '',
    priceOut: isPrice(model.outputCostPer1k) ? formatDollars(model.outputCostPer1k) : '',
    enabled: model.enabled ? l10n.t('yes') : l10n.t('no'),
  };
}

/** A modality in words. */
export function modalityLabel(modality: Modality): string {
  switch (modality) {
    case 'text':
      return l10n.t('text');
    case 'vision':
      return l10n.t('vision');
    case 'tools':
      return l10n.t('tools');
    case 'reasoning':
      return l10n.t('reasoning');
    case 'audio':
      return l10n.t('audio');
    case 'embedding':
      return l10n.t('embedding');
  }
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

/** Whether `value` is a price Switchboard knows (a finite amount of 0 or more). */
export function isPrice(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}

/** A model with its cells and, once a filter has read them, all of them in lower case. */
export interface ModelTableRow {
  model: RegisteredModel;
  cells: ModelCells;
  searchText?: string;
}

/** Each model with its cells: written once, then filtered and sorted as often as the person asks. */
export function modelTableRows(models: readonly RegisteredModel[], connections: readonly ModelTableConnection[]): ModelTableRow[] {
  return models.map((model) => ({ model, cells: modelCells(model, connections) }));
}

/** The row's cells for the text filter: joined by a line break, which no match may hold, so a match never spans two cells. */
function searchTextOf(row: ModelTableRow): string {
  return (row.searchText ??= Object.values(row.cells).join('\n').toLocaleLowerCase());
}

/** What a column sorts by: numbers by value (unknown last), the rest by their text. */
function sortKey(row: ModelTableRow, column: ModelColumn): number | string | undefined {
  switch (column) {
    case 'context':
      return row.model.contextWindow;
    case 'output':
      return outputLimitOf(row.model)?.tokens;
    case 'priceIn':
      return row.model.inputCostPer1k;
    case 'priceOut':
      return row.model.outputCostPer1k;
    default:
      return row.cells[column].toLocaleLowerCase();
  }
}

let collator: Intl.Collator | undefined;

/**
 * The rows to show: filtered by connection and by text (in any cell), sorted by one column
 * (without one, in their order). A value that is not known sorts last either way, so "largest
 * context first" starts with models whose window is known.
 */
export function filterAndSort<R extends ModelTableRow>(rows: readonly R[], filter: ModelTableFilter, sort: ModelSort | undefined): R[] {
  const needle = filter.text?.trim().toLocaleLowerCase() ?? '';
  const hasText = (row: R) => !needle || (!needle.includes('\n') && searchTextOf(row).includes(needle));
  const shown = rows.filter((row) => (!filter.connectionId || row.model.connectionId === filter.connectionId) && hasText(row));
  if (!sort) return shown;
  const direction = sort.descending ? -1 : 1;
  // localeCompare's order, without building a collator for each comparison.
  const compareText = (collator ??= new Intl.Collator()).compare;
  return shown
    .map((row) => ({ row, key: sortKey(row, sort.column) }))
    .sort((a, b) => {
      if (a.key === undefined || b.key === undefined) return a.key === b.key ? 0 : a.key === undefined ? 1 : -1;
      const order = typeof a.key === 'number' && typeof b.key === 'number' ? a.key - b.key : compareText(String(a.key), String(b.key));
      return order * direction;
    })
    .map(({ row }) => row);
}
