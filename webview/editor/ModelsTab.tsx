import * as l10n from '@vscode/l10n';
import { useRef, useState } from 'preact/hooks';
import type { ModelFilter } from '../../src/contracts/editorView';
import type { RegisteredModel } from '../../src/contracts/models';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { TextField } from '../shared/fields';
import { MessageLine, type RowMessage } from '../shared/messages';
import { VirtualList } from '../shared/VirtualList';
import { modelCount } from '../connections/modelFormat';
import { connectionOptions } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import { ModelSettings } from './ModelSettings';
import { cellTitle, DEFAULT_MODEL_SORT, MODEL_COLUMNS, modelCells, nextSort, selectionLabel, type ModelSort } from './modelsTable';
import { MODELS_PAGE_SIZE, useModelPages, type ModelsPage } from './useModelPages';

/** Every model row is this tall (px), one line; the CSS keeps it so (.models-grid-row). */
export const MODELS_ROW_HEIGHT = 30;

interface ModelsTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the rows are read afresh. */
  visits: number;
  /** Changes when the host says the registered models changed while the tab was shown. */
  changes: number;
  /** The first page, unfiltered and in the first sort, asked for as the editor started (askFirstPages). */
  firstPage?: Promise<ModelsPage>;
}

/**
 * The models ticked: these ids, or (`all`) every model the filter matches but these ids. A new
 * filter clears it, so a filter never leaves a hidden row selected.
 */
interface Selection {
  all: boolean;
  ids: ReadonlySet<string>;
}
const NONE: Selection = { all: false, ids: new Set() };

/**
 * Every registered model in one table: sorted by any column, filtered by connection and text,
 * several selected to enable, disable or remove at once, and Discover for a connection. The
 * host filters and sorts the registry and sends the rows a page at a time as the list scrolls
 * to them (useModelPages); only the rows in view are rendered (VirtualList).
 */
export function ModelsTab({ client, snapshot, visits, changes, firstPage }: ModelsTabProps) {
  const [filter, setFilter] = useState({ connectionId: '', text: '' });
  const [sort, setSort] = useState<ModelSort>(DEFAULT_MODEL_SORT);
  const [selection, setSelection] = useState<Selection>(NONE);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  // The model last ticked, for its settings while its page is scrolled away.
  const ticked = useRef<RegisteredModel | undefined>(undefined);

  const hostFilter = modelFilter(filter);
  const pages = useModelPages(
    (offset) => client.request('modelsPage', { offset, limit: MODELS_PAGE_SIZE, filter: hostFilter, sort }),
    JSON.stringify([hostFilter, sort, visits]),
    (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    firstPage,
    changes,
  );
  const total = pages.counts?.total ?? 0;
  const isSelected = (id: string) => selection.all !== selection.ids.has(id);
  const selectedCount = selection.all ? Math.max(0, total - selection.ids.size) : selection.ids.size;
  const allShownSelected = total > 0 && selectedCount === total;

  const changeFilter = (patch: Partial<typeof filter>) => {
    setFilter({ ...filter, ...patch });
    setSelection(NONE);
  };

  const toggle = (model: RegisteredModel, on: boolean) => {
    const ids = new Set(selection.ids);
    // In "All shown", the ids are the ones left out.
    if (on !== selection.all) ids.add(model.id);
    else ids.delete(model.id);
    if (on) ticked.current = model;
    setSelection({ all: selection.all, ids });
  };

  /** What an action names: the ticked ids, or the filter with the ones left out. */
  const selected = () => (selection.all ? { matching: hostFilter, except: [...selection.ids] } : { ids: [...selection.ids] });

  /** The one model selected, for its settings: from the rows that have arrived, else the one last ticked. */
  const single = (): RegisteredModel | undefined => {
    if (selectedCount !== 1) return undefined;
    for (const model of pages.loaded()) if (isSelected(model.id)) return model;
    return !selection.all && ticked.current && selection.ids.has(ticked.current.id) ? ticked.current : undefined;
  };
  const settingsFor = single();

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
      const { changed } = await client.request('setModelsEnabled', { ...selected(), enabled });
      return { kind: 'success', text: enabled ? l10n.t('Enabled {0}.', modelCount(changed)) : l10n.t('Disabled {0}.', modelCount(changed)) };
    });

  const remove = () =>
    act(async () => {
      const { deleted } = await client.request('deleteModels', selected());
      setSelection(NONE);
      return { kind: 'success', text: l10n.t('Removed {0} from the registry. Discover brings them back.', modelCount(deleted)) };
    });

  const discover = () =>
    act(async () => {
      const result = await client.request('discoverModels', { connectionId: filter.connectionId });
      if (result.cancelled) return undefined;
      return { kind: 'success', text: result.added ? l10n.t('Added {0} to the registry.', modelCount(result.added)) : l10n.t('No new models; the chosen ones were already registered.') };
    });

  const onRowKey = (event: KeyboardEvent, model: RegisteredModel) => {
    // Only on the row itself: the row's checkbox handles its own Space.
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(model, !isSelected(model.id));
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
          onChange={(connectionId) => changeFilter({ connectionId })}
        />
        <TextField id="models-text" testId="models-filter-text" label={l10n.t('Filter')} value={filter.text} placeholder={l10n.t('a model, provider or modality')} onInput={(text) => changeFilter({ text })} />
      </div>
      <div class="editor-toolbar">
        <vscode-checkbox
          data-testid="models-select-all"
          checked={allShownSelected}
          indeterminate={!allShownSelected && selectedCount > 0}
          onChange={(event) => setSelection(event.currentTarget.checked ? { all: true, ids: new Set() } : NONE)}
        >
          {l10n.t('All shown')}
        </vscode-checkbox>
        <span class="toolbar-summary" data-testid="models-summary" role="status" aria-live="polite">
          {pages.counts ? selectionLabel(selectedCount, total, pages.counts.registered) : l10n.t('Loading models…')}
        </span>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="models-enable" secondary disabled={busy || !selectedCount} onClick={() => void setEnabled(true)}>
          {l10n.t('Enable')}
        </vscode-button>
        <vscode-button data-testid="models-disable" secondary disabled={busy || !selectedCount} onClick={() => void setEnabled(false)}>
          {l10n.t('Disable')}
        </vscode-button>
        <vscode-button data-testid="models-remove" secondary disabled={busy || !selectedCount} onClick={() => void remove()}>
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
      {settingsFor && <ModelSettings key={settingsFor.id} client={client} model={settingsFor} onSaved={setMessage} />}
      {message && <MessageLine testId="models-message" message={message} />}
      {/* Only the rows in view are in the DOM, and only their pages crossed from the host: 2,000
          models cost what thirty do. The list is its own scroll box, so its header stays in view
          and its sideways scroll bar is on screen. */}
      <VirtualList
        rows={{ count: total, at: pages.at, placeholder: loadingRow, onRange: pages.onRange }}
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
        itemKey={(model) => model.id}
        renderRow={(model) => {
          const cells = modelCells(model, snapshot.connections);
          const rowSelected = isSelected(model.id);
          return (
            <div
              class={`models-grid-row selectable${rowSelected ? ' selected' : ''}`}
              data-testid="models-row"
              data-model-id={model.providerModelId}
              data-enabled={String(model.enabled)}
              data-selected={String(rowSelected)}
              tabIndex={0}
              onKeyDown={(event) => onRowKey(event, model)}
            >
              <span>
                <vscode-checkbox data-testid="models-row-select" checked={rowSelected} aria-label={l10n.t('Select {0}', cells.model)} onChange={(event) => toggle(model, event.currentTarget.checked)} />
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
      {pages.counts?.registered === 0 && (
        <p class="toolbar-summary" data-testid="models-empty">
          {l10n.t('No models are registered yet. Choose a connection and Discover its models.')}
        </p>
      )}
    </section>
  );
}

/** The filter as the host takes it: what is empty is left out. */
function modelFilter(fields: { connectionId: string; text: string }): ModelFilter {
  return { ...(fields.connectionId ? { connectionId: fields.connectionId } : {}), ...(fields.text.trim() ? { text: fields.text } : {}) };
}

/** A row whose page is on its way: as tall as a row, focusable so a keyboard move lands on it. */
function loadingRow() {
  return (
    <div class="models-grid-row models-grid-loading" data-testid="models-row-loading" tabIndex={0} aria-busy="true">
      <span />
      <span>{l10n.t('Loading…')}</span>
    </div>
  );
}
