import * as l10n from '@vscode/l10n';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Connection } from '../../src/contracts/connections';
import { describeDiscovery, type LeftOutModels } from '../../src/contracts/modelFacts';
import type { DiscoveredModel } from '../../src/contracts/models';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { errorMessage } from '../shared/errors';
import { LiveRegion } from '../shared/LiveRegion';
import { formatCount } from '../shared/locale';
import { MessageLine, type RowMessage } from '../shared/messages';
import { RpcError } from '../shared/rpcClient';
import { VirtualList } from '../shared/VirtualList';
import type { ConnectionsClient } from './client';
import { contextWindowDetail, contextWindowText, modelCount } from './modelFormat';

/** In a long list each discovered model is two lines of this height (px); .discovered-list shows about seven. */
export const DISCOVERED_ROW_HEIGHT = 40;

/** Up to this many, the list is drawn whole and a long name wraps; beyond, only the rows in view are (VirtualList). */
const WHOLE_LIST_LIMIT = 100;

interface DiscoveryPanelProps {
  client: ConnectionsClient;
  connection: Connection;
  descriptor: ProviderDescriptor | undefined;
  /** The providerModelIds already registered for this connection. */
  registered: ReadonlySet<string>;
  onClose(): void;
  /** The checked models were added: the panel closes and the row says so. */
  onRegistered(message: RowMessage): void;
}

type Phase = { kind: 'discovering' } | { kind: 'listed'; models: DiscoveredModel[]; leftOut: LeftOutModels[] } | { kind: 'failed'; message: RowMessage } | { kind: 'unsupported' };

/**
 * Under a connection row: what discovery found, with a checkbox each, those not yet registered
 * checked, so one click on "Add to registry" (above the list, in reach without scrolling) adds
 * them; then the panel closes. A field adds a model id that discovery cannot list. The host
 * shows the progress notification (with Cancel) while it discovers.
 */
export function DiscoveryPanel({ client, connection, descriptor, registered, onClose, onRegistered }: DiscoveryPanelProps) {
  const canDiscover = descriptor?.capabilities.discovery ?? false;
  const [phase, setPhase] = useState<Phase>(canDiscover ? { kind: 'discovering' } : { kind: 'unsupported' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [modelId, setModelId] = useState('');
  const [working, setWorking] = useState(false);
  /** Set at once, unlike `working`: Enter in the field and the form's submit must not add twice. */
  const workingNow = useRef(false);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const panel = useRef<HTMLElement>(null);
  const name = connection.name;

  const discover = useCallback(async () => {
    setPhase({ kind: 'discovering' });
    setMessage(undefined);
    try {
      const { models, leftOut } = await client.request('discoverModels', { connectionId: connection.id });
      // What is new is checked: adding it is the one click left. A registered one, checked, is refreshed.
      setSelected(new Set(models.filter((model) => !registered.has(model.providerModelId)).map((model) => model.providerModelId)));
      setPhase({ kind: 'listed', models, leftOut });
    } catch (error) {
      const cancelled = error instanceof RpcError && error.code === 'cancelled';
      setPhase({ kind: 'failed', message: cancelled ? { kind: 'info', text: l10n.t('Discovery was cancelled.') } : { kind: 'error', text: errorMessage(error) } });
    }
    // `registered` is read once per discovery on purpose: a snapshot must not undo the person's checks.
  }, [client, connection.id]);

  useEffect(() => {
    if (canDiscover) void discover();
  }, [canDiscover, discover]);

  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('[data-testid="discovery-close-button"]')?.focus();
  }, []);

  const listed = phase.kind === 'listed' ? phase.models : undefined;
  const shown = useMemo(() => {
    const needle = filter.trim().toLocaleLowerCase();
    return !listed || !needle
      ? (listed ?? [])
      : listed.filter((model) => model.providerModelId.toLocaleLowerCase().includes(needle) || model.displayName.toLocaleLowerCase().includes(needle));
  }, [listed, filter]);

  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const selectShown = (on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const model of shown) {
        if (on) next.add(model.providerModelId);
        else next.delete(model.providerModelId);
      }
      return next;
    });

  const registerSelected = async () => {
    if (!listed || workingNow.current) return;
    const models = listed.filter((model) => selected.has(model.providerModelId));
    if (!models.length) return;
    workingNow.current = true;
    setWorking(true);
    setMessage(undefined);
    try {
      const { registered: count, added } = await client.request('registerModels', { connectionId: connection.id, models });
      const refreshed = count - added;
      workingNow.current = false;
      onRegistered({
        kind: 'success',
        text: refreshed ? l10n.t('Added {0} to the registry; refreshed {1} already there.', modelCount(added), formatCount(refreshed)) : l10n.t('Added {0} to the registry.', modelCount(added)),
      });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
      workingNow.current = false;
      setWorking(false);
    }
  };

  const addById = async () => {
    const id = modelId.trim();
    if (!id || workingNow.current) {
      if (!id) setMessage({ kind: 'error', text: l10n.t("Enter the provider's id for the model, e.g. llama3.2:latest.") });
      return;
    }
    workingNow.current = true;
    setWorking(true);
    setMessage(undefined);
    try {
      const model = await client.request('addModelById', { connectionId: connection.id, providerModelId: id });
      setModelId('');
      setMessage({ kind: 'success', text: registered.has(model.providerModelId) ? l10n.t('“{0}” is already registered.', model.providerModelId) : l10n.t('Added “{0}” to the registry.', model.providerModelId) });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    } finally {
      workingNow.current = false;
      setWorking(false);
    }
  };

  // What a screen reader hears: the last outcome, else where discovery stands.
  const announcement =
    message?.text ??
    (phase.kind === 'discovering'
      ? descriptor
        ? l10n.t('Asking {0} for its models…', descriptor.displayName)
        : l10n.t('Asking the provider for its models…')
      : phase.kind === 'failed'
        ? phase.message.text
        : listed
          ? listed.length === 1
            ? l10n.t('1 model found.')
            : l10n.t('{0} models found.', formatCount(listed.length))
          : '');
  const selectedCount = listed ? listed.filter((model) => selected.has(model.providerModelId)).length : 0;
  const renderRow = (model: DiscoveredModel) => {
    const checked = selected.has(model.providerModelId);
    const facts = [model.displayName !== model.providerModelId ? model.providerModelId : '', model.contextWindow || model.maxContextWindow ? contextWindowText(model) : ''].filter(Boolean).join(' · ');
    return (
      <div class="discovered-row">
        <vscode-checkbox
          data-testid="discovered-model"
          data-model-id={model.providerModelId}
          checked={checked}
          aria-label={model.displayName}
          onChange={(event) => toggle(model.providerModelId, event.currentTarget.checked)}
        />
        {/* The name in full (wrapped when long), its id and context window under it; a click on them ticks the box too. */}
        <div class="discovered-text" onClick={() => toggle(model.providerModelId, !checked)}>
          <span class="discovered-name" title={model.providerModelId}>
            {model.displayName}
          </span>
          {facts && (
            <span class="discovered-facts" title={contextWindowDetail(model)}>
              {facts}
            </span>
          )}
        </div>
        {registered.has(model.providerModelId) && (
          <vscode-badge class="registered-marker" data-testid="discovered-registered" title={l10n.t('Already in the registry; adding it again refreshes its details')}>
            {l10n.t('registered')}
          </vscode-badge>
        )}
      </div>
    );
  };
  const allShownSelected = shown.length > 0 && shown.every((model) => selected.has(model.providerModelId));

  return (
    <section
      ref={panel}
      class="discovery-panel"
      data-testid="discovery-panel"
      aria-label={l10n.t('Models of {0}', name)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <div class="discovery-head">
        <h3 class="form-title">{l10n.t('Models of {0}', name)}</h3>
        <vscode-button class="action" data-testid="discovery-close-button" icon="close" iconOnly secondary aria-label={l10n.t('Close the model list')} title={l10n.t('Close')} onClick={onClose} />
      </div>

      {phase.kind === 'discovering' && (
        <div class="discovery-status" data-testid="discovery-progress">
          <vscode-progress-ring class="inline-progress" aria-label={l10n.t('Discovering the models of {0}', name)} />
          <span>{descriptor ? l10n.t('Asking {0} for its models… (Cancel is in the notification.)', descriptor.displayName) : l10n.t('Asking the provider for its models… (Cancel is in the notification.)')}</span>
        </div>
      )}
      {phase.kind === 'unsupported' && (
        <p class="form-hint" data-testid="discovery-unsupported">
          {l10n.t('{0} cannot list its models. Add a model by its id below.', descriptor?.displayName ?? connection.providerId)}
        </p>
      )}
      {phase.kind === 'failed' && (
        <MessageLine message={phase.message} testId="discovery-error">
          <vscode-button secondary data-testid="discover-retry-button" onClick={() => void discover()}>
            {l10n.t('Try again')}
          </vscode-button>
        </MessageLine>
      )}

      {phase.kind === 'listed' && phase.leftOut.length > 0 && (
        <p class="form-hint" data-testid="discovery-left-out" role="status">
          {describeDiscovery(phase.models.length, phase.leftOut)}
        </p>
      )}
      {listed && listed.length === 0 && (
        <p class="form-hint" data-testid="discovery-empty">
          {phase.kind === 'listed' && phase.leftOut.length ? l10n.t('{0} lists no chat models. Add one by its id below.', name) : l10n.t('{0} lists no models. Add one by its id below.', name)}
        </p>
      )}
      {listed && listed.length > 0 && (
        <>
          <div class="discovery-toolbar">
            <vscode-checkbox
              data-testid="discovered-select-all"
              checked={allShownSelected}
              indeterminate={!allShownSelected && shown.some((model) => selected.has(model.providerModelId))}
              onChange={(event) => selectShown(event.currentTarget.checked)}
            >
              {filter.trim() ? l10n.t('All shown') : l10n.t('All')}
            </vscode-checkbox>
            <span class="toolbar-summary" data-testid="discovered-count">
              {l10n.t('{0} found · {1} checked', formatCount(listed.length), formatCount(selectedCount))}
            </span>
            <vscode-button
              class="discovery-add"
              data-testid="register-selected-button"
              icon={working ? 'loading' : 'add'}
              iconSpin={working}
              // Not disabled while working: a disabled control drops keyboard focus to the page.
              disabled={selectedCount === 0}
              aria-disabled={working ? 'true' : undefined}
              onClick={() => void registerSelected()}
            >
              {selectedCount ? l10n.t('Add {0} to registry', formatCount(selectedCount)) : l10n.t('Add to registry')}
            </vscode-button>
          </div>
          {listed.length > 8 && (
            <vscode-textfield
              class="discovery-filter"
              data-testid="discovered-filter-field"
              type="search"
              placeholder={l10n.t('Filter')}
              aria-label={l10n.t('Filter the discovered models')}
              value={filter}
              onInput={(event) => setFilter(event.currentTarget.value)}
            />
          )}
          {shown.length > WHOLE_LIST_LIMIT ? (
            <VirtualList
              items={shown}
              rowHeight={DISCOVERED_ROW_HEIGHT}
              scroller="self"
              label={l10n.t('Models {0} serves', name)}
              class="discovered-list windowed"
              itemKey={(model) => model.providerModelId}
              renderRow={renderRow}
            />
          ) : (
            <ul class="discovered-list" role="list" aria-label={l10n.t('Models {0} serves', name)}>
              {shown.map((model) => (
                <li key={model.providerModelId}>{renderRow(model)}</li>
              ))}
            </ul>
          )}
        </>
      )}

      <form
        class="add-model-id"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void addById();
        }}
      >
        <vscode-label htmlFor={`add-model-id-${connection.id}`}>{l10n.t('Add a model by its id')}</vscode-label>
        <div class="add-model-id-row">
          <vscode-textfield
            id={`add-model-id-${connection.id}`}
            data-testid="add-model-id-field"
            placeholder={descriptor?.defaults.modelRef ? l10n.t('e.g. {0}', descriptor.defaults.modelRef) : l10n.t("the provider's model id")}
            value={modelId}
            readonly={working}
            onInput={(event) => setModelId(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void addById();
              }
            }}
          />
          <vscode-button secondary type="submit" data-testid="add-model-id-button" aria-disabled={working ? 'true' : undefined}>
            {l10n.t('Add')}
          </vscode-button>
        </div>
        <vscode-form-helper class="field-description">{l10n.t('For a model discovery cannot list, e.g. a deployment or a model pulled later.')}</vscode-form-helper>
      </form>

      {message && <MessageLine message={message} testId="discovery-message" />}
      <LiveRegion testId="discovery-announcement" text={announcement} />
    </section>
  );
}
