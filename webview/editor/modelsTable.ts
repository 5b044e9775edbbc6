import * as l10n from '@vscode/l10n';
import type { RegisteredModel } from '../../src/contracts/models';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import { connectionName } from '../agents/format';
import { contextWindowDetail, contextWindowText, formatDollars, isPrice, modalityLabel, modelCount } from '../connections/modelFormat';
import { formatCount } from '../shared/locale';

export type ModelColumn = 'model' | 'connection' | 'provider' | 'modalities' | 'tools' | 'context' | 'priceIn' | 'priceOut' | 'enabled';

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
  if ((column === 'priceIn' || column === 'priceOut') && !cells[column]) return l10n.t('No price is known for this model.');
  return cells[column];
}

/** What a column sorts by: numbers by value (unknown last), the rest by their text. */
function sortKey(model: RegisteredModel, column: ModelColumn, cells: Record<ModelColumn, string>): number | string | undefined {
  switch (column) {
    case 'context':
      return model.contextWindow;
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

/** A click on a column's header: sort by it, or turn its order around if it is the one sorted by. */
export function nextSort(current: ModelSort, column: ModelColumn): ModelSort {
  return current.column === column ? { column, descending: !current.descending } : { column, descending: false };
}

/** `3 of 2,000 models selected`, or how many are shown. */
export function selectionLabel(selected: number, shown: number, total: number): string {
  const models = shown === total ? modelCount(total) : total === 1 ? l10n.t('{0} of 1 model shown', formatCount(shown)) : l10n.t('{0} of {1} models shown', formatCount(shown), formatCount(total));
  return selected ? l10n.t('{0} selected · {1}', formatCount(selected), models) : models;
}
