import * as l10n from '@vscode/l10n';
import { useMemo, useState } from 'preact/hooks';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { TextField } from '../shared/fields';
import { MessageLine, type RowMessage } from '../shared/messages';
import { VirtualList } from '../shared/VirtualList';
import { modelCount } from '../connections/modelFormat';
import { connectionOptions } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import { ModelSettings } from './ModelSettings';
import { cellTitle, MODEL_COLUMNS, modelRows, nextSort, selectionLabel, type ModelSort } from './modelsTable';

/** Every model row is this tall (px), one line; the CSS keeps it so (.models-grid-row). */
export const MODELS_ROW_HEIGHT = 30;

interface ModelsTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
}

/**
 * Every registered model in one table: sorted by any column, filtered by connection and text,
 * several selected to enable, disable or remove at once, and Discover for a connection. The
 * registry is in the snapshot, so sorting and filtering happen here without asking the host;
 * only the rows in view are rendered (VirtualList), whose keys move between rows.
 */
export function ModelsTab({ client, snapshot }: ModelsTabProps) {
  const [filter, setFilter] = useState({ connectionId: '', text: '' });
  const [sort, setSort] = useState<ModelSort>({ column: 'model', descending: false });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);

  // Not recomputed when only the selection or a message changes.
  const rows = useMemo(() => modelRows(snapshot.models, snapshot.connections, filter, sort), [snapshot.models, snapshot.connections, filter, sort]);
  // Only what is shown counts as selected: a filter never lets a hidden row be changed.
  const shownSelected = useMemo(() => rows.filter((row) => selected.has(row.model.id)).map((row) => row.model.id), [rows, selected]);
  const allShownSelected = rows.length > 0 && shownSelected.length === rows.length;

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const act = async (what: () => Promise<RowMessage | undefined>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage(await what());
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  const setEnabled = (enabled: boolean) =>
    act(async () => {
      const { changed } = await client.request('setModelsEnabled', { ids: shownSelected, enabled });
      return { kind: 'success', text: enabled ? l10n.t('Enabled {0}.', modelCount(changed)) : l10n.t('Disabled {0}.', modelCount(changed)) };
    });

  const remove = () =>
    act(async () => {
      const { deleted } = await client.request('deleteModels', { ids: shownSelected });
      setSelected(new Set());
      return { kind: 'success', text: l10n.t('Removed {0} from the registry. Discover brings them back.', modelCount(deleted)) };
    });

  const discover = () =>
    act(async () => {
      const result = await client.request('discoverModels', { connectionId: filter.connectionId });
      if (result.cancelled) return undefined;
      return { kind: 'success', text: result.added ? l10n.t('Added {0} to the registry.', modelCount(result.added)) : l10n.t('No new models; the chosen ones were already registered.') };
    });

  const onRowKey = (event: KeyboardEvent, id: string) => {
    // Only on the row itself: the row's checkbox handles its own Space.
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(id, !selected.has(id));
    }
  };

  return (
    <section class="editor-tab models-editor-tab" aria-label={l10n.t('Models')}>
      <div class="editor-filters">
        <SelectField
          id="models-connection"
          testId="models-filter-connection"
          label={l10n.t('Connection')}
          value={filter.connectionId}
          emptyLabel={l10n.t('Every connection')}
          options={connectionOptions(snapshot)}
          onChange={(connectionId) => setFilter({ ...filter, connectionId })}
        />
        <TextField id="models-text" testId="models-filter-text" label={l10n.t('Filter')} value={filter.text} placeholder={l10n.t('a model, provider or modality')} onInput={(text) => setFilter({ ...filter, text })} />
      </div>
      <div class="editor-toolbar">
        <vscode-checkbox
          data-testid="models-select-all"
          checked={allShownSelected}
          indeterminate={!allShownSelected && shownSelected.length > 0}
          onChange={(event) => setSelected(event.currentTarget.checked ? new Set(rows.map((row) => row.model.id)) : new Set())}
        >
          {l10n.t('All shown')}
        </vscode-checkbox>
        <span class="toolbar-summary" data-testid="models-summary" role="status" aria-live="polite">
          {selectionLabel(shownSelected.length, rows.length, snapshot.models.length)}
        </span>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="models-enable" secondary disabled={busy || !shownSelected.length} onClick={() => void setEnabled(true)}>
          {l10n.t('Enable')}
        </vscode-button>
        <vscode-button data-testid="models-disable" secondary disabled={busy || !shownSelected.length} onClick={() => void setEnabled(false)}>
          {l10n.t('Disable')}
        </vscode-button>
        <vscode-button data-testid="models-remove" secondary disabled={busy || !shownSelected.length} onClick={() => void remove()}>
          {l10n.t('Remove')}
        </vscode-button>
        <vscode-button
          data-testid="models-discover"
          icon="search"
          disabled={busy || !filter.connectionId}
          title={filter.connectionId ? l10n.t('List the models this connection serves and choose which to add') : l10n.t('Choose a connection above to discover its models')}
          onClick={() => void discover()}
        >
          {l10n.t('Discover…')}
        </vscode-button>
      </div>
      {/* One model selected: its settings for calls (keyed by the model, so the fields start from its values). */}
      {shownSelected.length === 1 && (() => {
        const model = snapshot.models.find((candidate) => candidate.id === shownSelected[0]);
        return model && <ModelSettings key={model.id} client={client} model={model} onSaved={setMessage} />;
      })()}
      {message && <MessageLine testId="models-message" message={message} />}
      {/* Only the rows in view are in the DOM: 2,000 models cost what thirty do. The list is its own
          scroll box, so its header stays in view and its sideways scroll bar is on screen. */}
      <VirtualList
        items={rows}
        rowHeight={MODELS_ROW_HEIGHT}
        scroller="self"
        label={l10n.t('Registered models')}
        class="models-grid"
        data-testid="models-table"
        header={
          <div class="models-grid-row models-grid-header">
            <span>
              <span class="visually-hidden">{l10n.t('Selected')}</span>
            </span>
            {MODEL_COLUMNS.map((column) => {
              const order = sort.column === column.id ? (sort.descending ? 'descending' : 'ascending') : undefined;
              return (
                <span key={column.id} class={column.numeric ? 'numeric' : undefined} data-sort={order ?? 'none'}>
                  <button type="button" class="sort-button" data-testid={`models-sort-${column.id}`} onClick={() => setSort(nextSort(sort, column.id))}>
                    {column.label}
                    {order && <span class="visually-hidden">{order === 'descending' ? l10n.t(', sorted descending') : l10n.t(', sorted ascending')}</span>}
                    {order && <vscode-icon name={order === 'descending' ? 'arrow-down' : 'arrow-up'} class="sort-icon" />}
                  </button>
                </span>
              );
            })}
          </div>
        }
        itemKey={(row) => row.model.id}
        renderRow={({ model, cells }) => {
          const isSelected = selected.has(model.id);
          return (
            <div
              class={`models-grid-row selectable${isSelected ? ' selected' : ''}`}
              data-testid="models-row"
              data-model-id={model.providerModelId}
              data-enabled={String(model.enabled)}
              data-selected={String(isSelected)}
              tabIndex={0}
              onKeyDown={(event) => onRowKey(event, model.id)}
            >
              <span>
                <vscode-checkbox data-testid="models-row-select" checked={isSelected} aria-label={l10n.t('Select {0}', cells.model)} onChange={(event) => toggle(model.id, event.currentTarget.checked)} />
              </span>
              {MODEL_COLUMNS.map((column) => (
                <span key={column.id} class={column.numeric ? 'numeric' : undefined} data-testid={`models-cell-${column.id}`} title={cellTitle(model, column.id, cells)}>
                  {cells[column.id]}
                </span>
              ))}
            </div>
          );
        }}
      />
      {snapshot.models.length === 0 && (
        <p class="toolbar-summary" data-testid="models-empty">
          {l10n.t('No models are registered yet. Choose a connection and Discover its models.')}
        </p>
      )}
    </section>
  );
}
