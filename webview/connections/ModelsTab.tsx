import * as l10n from '@vscode/l10n';
import { useCallback, useMemo, useState } from 'preact/hooks';
import type { Connection } from '../../src/contracts/connections';
import type { RegisteredModel } from '../../src/contracts/models';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { errorMessage } from '../shared/errors';
import { Select } from '../shared/fields';
import { formatCount } from '../shared/locale';
import { Loading, MessageLine, WithStrong, type RowMessage } from '../shared/messages';
import { VirtualList } from '../shared/VirtualList';
import type { ConnectionsClient, ConnectionsState } from './client';
import { providerName } from './format';
import { connectionName, contextWindowDetail, contextWindowText, filterModels, formatCost, isPrice, modalityLabel, modelSummary, parseTokens } from './modelFormat';

/** Every model row is this tall (px): three lines. The CSS keeps it so (.model-row). */
export const MODEL_ROW_HEIGHT = 66;

interface ModelsTabProps {
  client: ConnectionsClient;
  /** Undefined until the host's first snapshot arrives. */
  snapshot: ConnectionsState | undefined;
  /** Switches to the Connections tab, where models are discovered. */
  onShowConnections(): void;
}

/**
 * The registered models of every connection: filter by connection or text, enable or disable,
 * delete. Only the rows in view are rendered (VirtualList), so 2,000 models stay quick.
 */
export function ModelsTab({ client, snapshot, onShowConnections }: ModelsTabProps) {
  const [connectionFilter, setConnectionFilter] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  /** The model whose context window is being typed, and the text so far. */
  const [editing, setEditing] = useState<{ id: string; text: string } | undefined>(undefined);

  const models = snapshot?.models;
  const connections = snapshot?.connections;
  // A filter on a connection that is gone shows everything again.
  const filter = connections?.some((connection) => connection.id === connectionFilter) ? connectionFilter : '';
  const shown = useMemo(() => (models ? filterModels(models, filter, text) : []), [models, filter, text]);
  const byId = useMemo(() => new Map((connections ?? []).map((connection) => [connection.id, connection])), [connections]);
  const countOf = useMemo(() => {
    const counts = new Map<string, number>();
    for (const model of models ?? []) counts.set(model.connectionId, (counts.get(model.connectionId) ?? 0) + 1);
    return counts;
  }, [models]);

  const setModelBusy = useCallback((id: string, on: boolean) => {
    setBusy((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  /** A request about one model: its row is busy meanwhile, and a failure is shown with the model's name. Resolves to whether it succeeded. */
  const requestForModel = useCallback(
    async (model: RegisteredModel, request: () => Promise<unknown>, done?: RowMessage): Promise<boolean> => {
      setModelBusy(model.id, true);
      setMessage(undefined);
      try {
        await request();
        if (done) setMessage(done);
        return true;
      } catch (error) {
        setMessage({ kind: 'error', text: l10n.t('{0}: {1}', model.displayName, errorMessage(error)) });
        return false;
      } finally {
        setModelBusy(model.id, false);
      }
    },
    [setModelBusy],
  );

  const toggle = useCallback(
    (model: RegisteredModel, enabled: boolean) => requestForModel(model, () => client.request('setModelEnabled', { id: model.id, enabled })),
    [client, requestForModel],
  );

  const remove = useCallback(
    (model: RegisteredModel) =>
      requestForModel(model, () => client.request('deleteModel', { id: model.id }), {
        kind: 'info',
        text: l10n.t('Removed “{0}” from the registry. Discover models on its connection to add it back.', model.displayName),
      }),
    [client, requestForModel],
  );

  const saveContextWindow = useCallback(
    async (model: RegisteredModel, text: string) => {
      const tokens = parseTokens(text);
      if (tokens === undefined) {
        setMessage({ kind: 'error', text: l10n.t('{0}: a context window is a whole number of tokens, e.g. 128000 or 128k.', model.displayName) });
        return;
      }
      // The field stays open with what was typed until the host has saved it, so a failure loses nothing.
      const saved = tokens === model.contextWindow || (await requestForModel(model, () => client.request('setContextWindow', { id: model.id, contextWindow: tokens })));
      if (saved) setEditing((current) => (current?.id === model.id ? undefined : current));
    },
    [client, requestForModel],
  );

  const clearContextWindow = useCallback(
    (model: RegisteredModel) =>
      requestForModel(model, () => client.request('clearContextWindow', { id: model.id }), {
        kind: 'info',
        text: l10n.t("{0} gets the provider's context window again.", model.displayName),
      }),
    [client, requestForModel],
  );

  if (!snapshot || !models || !connections) {
    return <Loading class="models-tab" testId="models-loading" text={l10n.t('Loading models…')} />;
  }

  if (models.length === 0) {
    return (
      <div class="models-tab">
        <section class="empty-state" data-testid="models-empty-state" aria-labelledby="models-empty-title">
          <vscode-icon name="symbol-class" size={32} class="empty-state-icon" />
          <h2 id="models-empty-title" class="empty-state-title">
            {l10n.t('No models registered yet')}
          </h2>
          <p>
            <WithStrong
              sentence={l10n.t('The registry holds the models you use, per connection: enable or disable them, see their context window and price. Use {0} on a connection to list what it serves, or run {1}.')}
              strong={[l10n.t('Discover models'), l10n.t('Switchboard: Discover Models')]}
            />
          </p>
          <div class="empty-state-actions">
            <vscode-button data-testid="models-show-connections-button" icon="plug" onClick={onShowConnections}>
              {connections.length ? l10n.t('Go to Connections') : l10n.t('Add a connection first')}
            </vscode-button>
          </div>
        </section>
      </div>
    );
  }

  return (
    <div class="models-tab">
      <div class="models-toolbar">
        <Select
          class="models-filter"
          testId="models-connection-filter"
          ariaLabel={l10n.t('Show the models of')}
          value={filter}
          choices={[
            { value: '', label: l10n.t('All connections') },
            ...connections.map((connection) => ({
              value: connection.id,
              label: connection.name,
              description: formatCount(countOf.get(connection.id) ?? 0),
            })),
          ]}
          onChange={setConnectionFilter}
        />
        <vscode-textfield
          class="models-search"
          data-testid="models-search-field"
          type="search"
          placeholder={l10n.t('Filter by name')}
          aria-label={l10n.t('Filter models by name')}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </div>
      <div class="toolbar-summary" data-testid="models-count" role="status">
        {modelSummary(shown, models.length)}
      </div>
      {message && <MessageLine message={message} testId="models-message" />}
      {shown.length === 0 ? (
        <p class="form-hint" data-testid="models-no-match">
          {l10n.t('No model matches. Clear the filter to see all {0}.', formatCount(models.length))}
        </p>
      ) : (
        <VirtualList
          items={shown}
          rowHeight={MODEL_ROW_HEIGHT}
          scroller="window"
          label={l10n.t('Registered models')}
          class="model-list"
          data-testid="model-list"
          itemKey={(model) => model.id}
          renderRow={(model) => (
            <ModelRow
              model={model}
              connection={byId.get(model.connectionId)}
              connections={connections}
              providers={snapshot.providers}
              busy={busy.has(model.id)}
              contextText={editing?.id === model.id ? editing.text : undefined}
              onToggle={(enabled) => void toggle(model, enabled)}
              onDelete={() => void remove(model)}
              onEditContext={(text) => setEditing(text === undefined ? undefined : { id: model.id, text })}
              onSaveContext={(text) => void saveContextWindow(model, text)}
              onClearContext={() => void clearContextWindow(model)}
            />
          )}
        />
      )}
    </div>
  );
}

interface ModelRowProps {
  model: RegisteredModel;
  connection: Connection | undefined;
  connections: readonly Connection[];
  providers: readonly ProviderDescriptor[];
  busy: boolean;
  /** The context window being typed; undefined when it is not being edited. */
  contextText: string | undefined;
  onToggle(enabled: boolean): void;
  onDelete(): void;
  /** Starts (text), updates (text) or cancels (undefined) editing the context window. */
  onEditContext(text: string | undefined): void;
  onSaveContext(text: string): void;
  /** Drops the person's context window, back to the provider's. */
  onClearContext(): void;
}

function ModelRow({ model, connection, connections, providers, busy, contextText, onToggle, onDelete, onEditContext, onSaveContext, onClearContext }: ModelRowProps) {
  const name = model.displayName;
  const isDefault = connection?.defaultModel === model.providerModelId;
  return (
    <div
      class={`model-row${model.enabled ? '' : ' disabled'}`}
      data-testid="model-row"
      data-model-id={model.providerModelId}
      data-connection-id={model.connectionId}
      data-enabled={String(model.enabled)}
      aria-busy={busy ? 'true' : 'false'}
    >
      <div class="model-row-head">
        <vscode-checkbox
          toggle
          class="model-toggle"
          data-testid="model-enabled-toggle"
          checked={model.enabled}
          title={model.enabled ? l10n.t('Enabled: agents and runs may use it') : l10n.t('Disabled')}
          // Not disabled while busy: a disabled control drops keyboard focus to the page.
          onChange={(event) => !busy && onToggle(event.currentTarget.checked)}
        >
          <span class="visually-hidden">{l10n.t('{0} enabled', name)}</span>
        </vscode-checkbox>
        <span class="model-name" data-testid="model-name" title={model.providerModelId === name ? name : l10n.t('{0} ({1})', name, model.providerModelId)}>
          {name}
        </span>
        {isDefault && (
          <vscode-badge class="default-marker" data-testid="model-default-marker" title={l10n.t('The default model of its connection')}>
            {l10n.t('default')}
          </vscode-badge>
        )}
        <vscode-button
          class="action model-delete"
          data-testid="model-delete-button"
          icon="trash"
          iconOnly
          secondary
          aria-label={l10n.t('Remove {0} from the registry', name)}
          title={l10n.t('Remove from the registry')}
          onClick={() => !busy && onDelete()}
        />
      </div>
      <div class="model-row-line secondary">
        <span class="model-connection" data-testid="model-connection">
          {connectionName(connections, model.connectionId)}
          {connection ? ` · ${providerName(providers, connection.providerId)}` : ''}
        </span>
        {model.providerModelId !== name && (
          <span class="model-ref" data-testid="model-ref">
            {model.providerModelId}
          </span>
        )}
        {/* Nothing rather than a lone dash when neither price is known. */}
        {(isPrice(model.inputCostPer1k) || isPrice(model.outputCostPer1k)) && (
          <span class="model-cost" data-testid="model-cost" title={l10n.t('US dollars per 1,000 tokens, input / output')}>
            {formatCost(model.inputCostPer1k, model.outputCostPer1k)}
          </span>
        )}
      </div>
      <div class="model-row-line secondary">
        <span class="model-chips" aria-label={l10n.t('Modalities')}>
          {model.modalities.map((modality) => (
            <span key={modality} class="chip" data-testid="model-modality">
              {modalityLabel(modality)}
            </span>
          ))}
        </span>
        {contextText === undefined ? (
          <span class="model-context-cell">
            <button
              type="button"
              class="model-context"
              data-testid="model-context"
              data-source={model.sources.contextWindow ?? ''}
              aria-label={l10n.t('Context window of {0}: {1} Change it', name, contextWindowDetail(model))}
              title={l10n.t('{0} Click to change the window.', contextWindowDetail(model))}
              onClick={() => onEditContext(model.contextWindow ? String(model.contextWindow) : '')}
            >
              <vscode-icon name="symbol-ruler" class="detail-icon" /> {contextWindowText(model)}
            </button>
            {model.sources.contextWindow === 'user' && (
              <vscode-button
                class="action model-context-clear"
                data-testid="model-context-clear"
                icon="discard"
                iconOnly
                secondary
                aria-label={l10n.t("Use the provider's context window for {0} again", name)}
                title={model.providerContextWindow ? l10n.t("Back to {0} tokens, the provider's window", formatCount(model.providerContextWindow)) : l10n.t("Back to the provider's window (Discover again if it is not known)")}
                onClick={() => !busy && onClearContext()}
              />
            )}
          </span>
        ) : (
          <input
            class="model-context-input"
            data-testid="model-context-field"
            data-focus-return="model-context"
            inputMode="numeric"
            aria-label={l10n.t('Context window of {0} in tokens; Enter saves, Escape cancels', name)}
            placeholder={l10n.t('e.g. 128k')}
            value={contextText}
            // Read-only, not disabled, while saving: a disabled field drops keyboard focus to the page.
            readOnly={busy}
            aria-busy={busy ? 'true' : 'false'}
            ref={(element) => element?.focus()}
            onInput={(event) => onEditContext(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                if (!busy) onSaveContext(event.currentTarget.value);
              } else if (event.key === 'Escape') {
                event.preventDefault();
                onEditContext(undefined);
              }
            }}
            onBlur={() => onEditContext(undefined)}
          />
        )}
      </div>
    </div>
  );
}
