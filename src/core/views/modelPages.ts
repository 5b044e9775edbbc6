import type { ModelFilter } from '../../contracts/editorView';
import type { ConnectionService } from '../connections/connectionService';
import type { ModelRegistry } from '../models/modelRegistry';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { providerName } from './viewShared';
import type { RegisteredModel } from '../../contracts/models';
import { filterAndSort, modelTableRows, type ModelSort, type ModelTableConnection, type ModelTableRow } from '../../contracts/modelTable';

/**
 * The editor's Models tab on the host: every registered model with the cells a person reads,
 * filtered and sorted here so the view receives one page at a time, whatever the registry's size.
 * The cells are written once per registry (and set of connection names), and kept across the
 * editor's openings; the last filter and sort are kept, so scrolling through pages of one query
 * filters and sorts nothing again.
 */
export class ModelPages {
  private table: { models: readonly RegisteredModel[]; connections: string; rows: ModelTableRow[] } | undefined;
  private last: { rows: ModelTableRow[]; query: string; shown: ModelTableRow[] } | undefined;

  constructor(
    /** The registered models: the same array until they change (ModelRegistry.listed). */
    private readonly models: () => readonly RegisteredModel[],
    private readonly connections: () => readonly ModelTableConnection[],
  ) {}

  /** The models `filter` matches, in `sort`'s order, from `offset`; how many match; how many are registered. */
  page(offset: number, limit: number, filter: ModelFilter, sort: ModelSort): { models: RegisteredModel[]; total: number; registered: number } {
    const rows = this.rows();
    const shown = this.shown(rows, filter, sort);
    return { models: shown.slice(offset, offset + limit).map((row) => row.model), total: shown.length, registered: rows.length };
  }

  /** The ids of the models `filter` matches, but those in `except`: "All shown" when the person acts. */
  matching(filter: ModelFilter, except: readonly string[]): string[] {
    const left = new Set(except);
    return this.shown(this.rows(), filter, undefined)
      .map((row) => row.model.id)
      .filter((id) => !left.has(id));
  }

  private rows(): ModelTableRow[] {
    const models = this.models();
    const connections = this.connections();
    const names = JSON.stringify(connections.map(({ id, name, providerName }) => [id, name, providerName]));
    if (this.table?.models !== models || this.table.connections !== names) this.table = { models, connections: names, rows: modelTableRows(models, connections) };
    return this.table.rows;
  }

  /** Without a sort, in registration order (nothing to sort when only the ids are wanted). */
  private shown(rows: ModelTableRow[], filter: ModelFilter, sort: ModelSort | undefined): ModelTableRow[] {
    const query = JSON.stringify([filter.connectionId ?? '', filter.text?.trim().toLocaleLowerCase() ?? '', sort?.column, sort?.descending]);
    if (this.last?.rows === rows && this.last.query === query) return this.last.shown;
    const shown = filterAndSort(rows, filter, sort);
    this.last = { rows, query, shown };
    return shown;
  }
}

/** The Models tab's pages of this window's registry, its connections named as the views name them. */
export function modelPagesOf(deps: { models: Pick<ModelRegistry, 'listed'>; connections: Pick<ConnectionService, 'list'>; registry: Pick<ProviderRegistry, 'get'> }): ModelPages {
  return new ModelPages(
    () => deps.models.listed(),
    () => deps.connections.list().map((connection) => ({ id: connection.id, name: connection.name, providerName: providerName(deps, connection.providerId) })),
  );
}
