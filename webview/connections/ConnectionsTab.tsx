import * as l10n from '@vscode/l10n';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Connection, TestResult } from '../../src/contracts/connections';
import type { RegisteredModel } from '../../src/contracts/models';
import { errorMessage } from '../shared/errors';
import { focusAfterRender, type FocusTarget } from '../shared/focus';
import { useNow } from '../shared/hooks';
import { formatCount } from '../shared/locale';
import { Loading, type RowMessage } from '../shared/messages';
import type { ConnectionsClient, ConnectionsState } from './client';
import { ConnectionForm, type FormMode } from './ConnectionForm';
import { keyRequirement, localOllamaInput } from './formModel';
import { ConnectionRow, type RowState } from './ConnectionRow';
import { DiscoveryPanel } from './DiscoveryPanel';
import { StandingPermissions } from './StandingPermissions';
import { EmptyState } from './EmptyState';

interface ConnectionsTabProps {
  client: ConnectionsClient;
  /** Undefined until the host's first snapshot arrives. */
  snapshot: ConnectionsState | undefined;
}

/** A connection just created whose provider takes an optional key: offer to set it. */
interface KeyNotice {
  connectionId: string;
  name: string;
}

const connectionRow = (connectionId: string) => `[data-testid="connection-row"][data-connection-id="${connectionId}"]`;

export function ConnectionsTab({ client, snapshot }: ConnectionsTabProps) {
  const now = useNow();
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const [form, setForm] = useState<FormMode | undefined>(undefined);
  /** The connection whose model panel is open, if any. */
  const [discovering, setDiscovering] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<KeyNotice | undefined>(undefined);
  const [emptyStateBusy, setEmptyStateBusy] = useState(false);
  const [emptyStateError, setEmptyStateError] = useState<string | undefined>(undefined);
  const container = useRef<HTMLDivElement>(null);
  /** Where focus goes back to when the form closes. */
  const returnFocus = useRef<FocusTarget | undefined>(undefined);

  const updateRow = useCallback((id: string, update: (row: RowState) => RowState) => {
    setRows((current) => ({ ...current, [id]: update(current[id] ?? {}) }));
  }, []);

  // A snapshot is the host's whole truth: drop what the last test reply showed in the meantime.
  useEffect(() => {
    setRows((current) => {
      const next: Record<string, RowState> = {};
      for (const [id, row] of Object.entries(current)) {
        next[id] = { ...row, tested: undefined };
      }
      return next;
    });
  }, [snapshot]);

  // A form for a connection that is gone (deleted elsewhere) closes.
  useEffect(() => {
    if (form?.kind === 'edit' && snapshot && !snapshot.connections.some((connection) => connection.id === form.connectionId)) {
      setForm(undefined);
    }
  }, [snapshot, form]);

  /** The registered models of each connection, in snapshot order. */
  const modelsByConnection = useMemo(() => {
    const map = new Map<string, RegisteredModel[]>();
    for (const model of snapshot?.models ?? []) {
      const list = map.get(model.connectionId);
      if (list) list.push(model);
      else map.set(model.connectionId, [model]);
    }
    return map;
  }, [snapshot]);

  const closeDiscovery = useCallback((connectionId: string) => {
    setDiscovering(undefined);
    focusAfterRender(container, { testId: 'discover-button', row: connectionRow(connectionId) });
  }, []);

  /** The panel's work is done: it closes, and the row says what was added. */
  const discovered = useCallback(
    (connectionId: string, message: RowMessage) => {
      closeDiscovery(connectionId);
      updateRow(connectionId, (row) => ({ ...row, message }));
    },
    [closeDiscovery, updateRow],
  );

  const closeForm = useCallback(() => {
    setForm(undefined);
    const target = returnFocus.current;
    returnFocus.current = undefined;
    focusAfterRender(container, target);
  }, []);

  /** A request about a row's credentials: the row is busy meanwhile, and shows the outcome or the error. */
  const credentialAction = useCallback(
    async (id: string, act: () => Promise<RowMessage>) => {
      updateRow(id, (row) => ({ ...row, busy: true, message: undefined }));
      let message: RowMessage;
      try {
        message = await act();
      } catch (error) {
        message = { kind: 'error', text: errorMessage(error) };
      }
      updateRow(id, (row) => ({ ...row, busy: false, message }));
    },
    [updateRow],
  );

  const setKey = useCallback(
    (id: string) =>
      credentialAction(id, async () => {
        // A connection that has a key gets the new one tested before it replaces the old.
        if (snapshot?.connections.find((connection) => connection.id === id)?.keyHint) {
          const replaced = await client.request('replaceKey', { id });
          return replaced.replaced
            ? { kind: 'success', text: l10n.t('The new key passed its test and replaced the old one ({0}).', replaced.keyHint ?? '') }
            : { kind: 'info', text: l10n.t('The key was not replaced.') };
        }
        const result = await client.request('setKey', { id });
        return result.stored
          ? { kind: 'success', text: result.keyHint ? l10n.t('Key saved ({0}).', result.keyHint) : l10n.t('Key saved.') }
          : { kind: 'info', text: l10n.t('No key was saved. Use Set key when you have it.') };
      }),
    [client, credentialAction, snapshot],
  );

  const setCredentialHeader = useCallback(
    (id: string) =>
      credentialAction(id, async () => {
        const result = await client.request('setCredentialHeader', { id });
        return result.stored ? { kind: 'success', text: l10n.t('Credential header {0} saved.', result.name ?? '') } : { kind: 'info', text: l10n.t('No credential header was saved.') };
      }),
    [client, credentialAction],
  );

  const revokePermission = useCallback(
    (id: string, requesterId: string) =>
      credentialAction(id, async () => {
        const { revoked } = await client.request('revokePermission', { connectionId: id, requesterId });
        return revoked
          ? { kind: 'success', text: l10n.t('Permission revoked. The next use of the key by that requester asks again.') }
          : { kind: 'info', text: l10n.t('That permission was already revoked.') };
      }),
    [client, credentialAction],
  );

  const removeCredentialHeader = useCallback(
    (id: string, name: string) =>
      credentialAction(id, async () => {
        await client.request('removeCredentialHeader', { id, name });
        return { kind: 'success', text: l10n.t('Credential header {0} removed.', name) };
      }),
    [client, credentialAction],
  );

  /**
   * After a create: ask for the key when the provider needs one; offer it when optional,
   * except for the one-click local Ollama, which runs without one. A connection that can work
   * without a key lists its models at once, all checked, so registering them is one click.
   */
  const afterCreate = useCallback(
    (connection: Connection, offerOptionalKey = true) => {
      const descriptor = snapshot?.providers.find((provider) => provider.id === connection.providerId);
      const requirement = keyRequirement(descriptor);
      if (requirement === 'required') {
        void setKey(connection.id);
        return;
      }
      if (requirement === 'optional' && offerOptionalKey) {
        setNotice({ connectionId: connection.id, name: connection.name });
      }
      // No key is read: the person's click that created the connection asks for nothing secret.
      if (descriptor?.capabilities.discovery) setDiscovering(connection.id);
    },
    [snapshot, setKey],
  );

  const test = useCallback(
    async (id: string) => {
      if (rows[id]?.testing) return;
      updateRow(id, (row) => ({ ...row, testing: true, message: undefined }));
      let tested: (TestResult & { at: string }) | undefined;
      let message: RowMessage;
      try {
        const result = await client.request('testConnection', { id });
        tested = { ...result, at: new Date().toISOString() };
        message = { kind: result.status === 'valid' ? 'success' : 'error', text: result.message };
      } catch (error) {
        message = { kind: 'error', text: errorMessage(error) };
      }
      updateRow(id, (row) => ({ ...row, testing: false, tested, message }));
    },
    [client, rows, updateRow],
  );

  const setDefault = useCallback(
    async (id: string) => {
      updateRow(id, (row) => ({ ...row, busy: true, message: undefined }));
      try {
        await client.request('setDefault', { id });
        updateRow(id, (row) => ({ ...row, busy: false }));
      } catch (error) {
        updateRow(id, (row) => ({ ...row, busy: false, message: { kind: 'error', text: errorMessage(error) } }));
      }
    },
    [client, updateRow],
  );

  const remove = useCallback(
    async (id: string) => {
      updateRow(id, (row) => ({ ...row, busy: true, message: undefined }));
      try {
        const { deleted } = await client.request('deleteConnection', { id });
        updateRow(id, (row) => ({ ...row, busy: false }));
        if (deleted) {
          if (form?.kind === 'edit' && form.connectionId === id) setForm(undefined);
          if (notice?.connectionId === id) setNotice(undefined);
        }
      } catch (error) {
        updateRow(id, (row) => ({ ...row, busy: false, message: { kind: 'error', text: errorMessage(error) } }));
      }
    },
    [client, updateRow, form, notice],
  );

  const addLocalOllama = useCallback(async () => {
    const input = snapshot && localOllamaInput(snapshot.providers);
    if (!input) return;
    setEmptyStateBusy(true);
    setEmptyStateError(undefined);
    try {
      const connection = await client.request('createConnection', { input });
      afterCreate(connection, false);
    } catch (error) {
      setEmptyStateError(errorMessage(error));
    } finally {
      setEmptyStateBusy(false);
    }
  }, [client, snapshot, afterCreate]);

  const openAdd = useCallback((testId: string) => {
    returnFocus.current = { testId };
    setForm({ kind: 'add' });
  }, []);

  if (!snapshot) {
    return <Loading class="connections-tab" text={l10n.t('Loading connections…')} />;
  }

  const { providers, connections, defaultConnectionId, unavailableConnectionIds } = snapshot;
  const addForm =
    form?.kind === 'add' ? (
      <ConnectionForm
        client={client}
        providers={providers}
        mode={form}
        onCancel={closeForm}
        onSaved={(connection) => {
          closeForm();
          afterCreate(connection);
        }}
      />
    ) : undefined;

  // The offer is moot once the connection has a key (set from its row, say) or is gone.
  const showNotice = notice && snapshot?.connections.some((connection) => connection.id === notice.connectionId && !connection.keyHint);

  return (
    <div class="connections-tab" ref={container}>
      {notice && showNotice && (
        <div class="notice" data-testid="key-notice" role="status">
          <vscode-icon name="info" class="notice-icon" />
          <span class="notice-text">
            {l10n.t('“{0}” is saved. Its provider accepts an optional key; you can add one now or later.', notice.name)}
          </span>
          <div class="notice-actions">
            <vscode-button
              data-testid="notice-set-key-button"
              icon="key"
              onClick={() => {
                const id = notice.connectionId;
                setNotice(undefined);
                void setKey(id);
              }}
            >
              {l10n.t('Set key')}
            </vscode-button>
            <vscode-button secondary data-testid="notice-dismiss-button" onClick={() => setNotice(undefined)}>
              {l10n.t('Not now')}
            </vscode-button>
          </div>
        </div>
      )}

      {connections.length === 0 && !form ? (
        <EmptyState
          providers={providers}
          busy={emptyStateBusy}
          error={emptyStateError}
          onAddLocalOllama={() => void addLocalOllama()}
          onAdd={() => openAdd('add-connection-button')}
        />
      ) : (
        <>
          {!form && (
            <div class="toolbar">
              <span class="toolbar-summary" data-testid="connection-count">
                {connections.length === 1 ? l10n.t('1 connection') : l10n.t('{0} connections', formatCount(connections.length))}
              </span>
              <vscode-button data-testid="add-connection-button" icon="add" onClick={() => openAdd('add-connection-button')}>
                {l10n.t('Add connection')}
              </vscode-button>
            </div>
          )}
          {addForm}
          {connections.length > 0 && (
            <ul class="connection-list" aria-label={l10n.t('Connections')}>
              {connections.map((connection) => (
                <ConnectionRow
                  key={connection.id}
                  connection={connection}
                  descriptor={providers.find((provider) => provider.id === connection.providerId)}
                  providerUnavailable={unavailableConnectionIds.includes(connection.id)}
                  coolingDown={(snapshot.coolingDown ?? []).filter((target) => target.connectionId === connection.id)}
                  providers={providers}
                  isDefault={connection.id === defaultConnectionId}
                  state={rows[connection.id] ?? {}}
                  now={now}
                  editing={form?.kind === 'edit' && form.connectionId === connection.id}
                  modelCount={modelsByConnection.get(connection.id)?.length ?? 0}
                  discovering={discovering === connection.id}
                  discoveryPanel={
                    discovering === connection.id ? (
                      <DiscoveryPanel
                        client={client}
                        connection={connection}
                        descriptor={providers.find((provider) => provider.id === connection.providerId)}
                        registered={new Set((modelsByConnection.get(connection.id) ?? []).map((model) => model.providerModelId))}
                        onClose={() => closeDiscovery(connection.id)}
                        onRegistered={(message) => discovered(connection.id, message)}
                      />
                    ) : undefined
                  }
                  permissions={
                    <StandingPermissions
                      permissions={snapshot.permissions.filter((permission) => permission.connectionId === connection.id)}
                      connectionName={connection.name}
                      now={now}
                      busy={rows[connection.id]?.busy ?? false}
                      onRevoke={(requesterId) => void revokePermission(connection.id, requesterId)}
                    />
                  }
                  onDiscover={() => (discovering === connection.id ? closeDiscovery(connection.id) : setDiscovering(connection.id))}
                  editForm={
                    form?.kind === 'edit' && form.connectionId === connection.id ? (
                      <ConnectionForm
                        client={client}
                        providers={providers}
                        mode={form}
                        connection={connection}
                        models={modelsByConnection.get(connection.id) ?? []}
                        onCancel={closeForm}
                        onSaved={() => {
                          closeForm();
                          updateRow(connection.id, (row) => ({ ...row, message: { kind: 'success', text: l10n.t('Saved.') } }));
                        }}
                      />
                    ) : undefined
                  }
                  onTest={() => void test(connection.id)}
                  onEdit={() => {
                    returnFocus.current = { testId: 'edit-button', row: connectionRow(connection.id) };
                    setForm({ kind: 'edit', connectionId: connection.id });
                  }}
                  onSetKey={() => void setKey(connection.id)}
                  onAddCredentialHeader={() => void setCredentialHeader(connection.id)}
                  onRemoveCredentialHeader={(name) => void removeCredentialHeader(connection.id, name)}
                  onSetDefault={() => void setDefault(connection.id)}
                  onDelete={() => void remove(connection.id)}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
