import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import { useViewClient } from '../shared/hooks';
import { keepModels } from '../shared/keptModels';
import { formatCount } from '../shared/locale';
import { Tabs, type TabDefinition } from '../shared/Tabs';
import { createConnectionsClient, type ConnectionsSnapshot, type ConnectionsState } from './client';
import { ConnectionsTab } from './ConnectionsTab';
import { useConnectionsApi } from './context';
import { ModelsTab } from './ModelsTab';

/**
 * The Connections view: one client for the view's lifetime, the latest snapshot from the
 * host, and the tabs. The host's snapshot is the only source of providers and connections.
 */
export function App() {
  const api = useConnectionsApi();
  const { client, snapshot } = useViewClient(api, createConnectionsClient, 'Connections', (current: ConnectionsState | undefined, message: ConnectionsSnapshot) => keepModels(current, message));
  const [selectedTab, setSelectedTab] = useState(() => api.getState()?.selectedTab ?? 'connections');

  const select = (id: string) => {
    setSelectedTab(id);
    api.setState({ ...api.getState(), selectedTab: id });
  };

  const tabs: TabDefinition[] = [
    { id: 'connections', label: l10n.t('Connections'), content: <ConnectionsTab client={client} snapshot={snapshot} /> },
    {
      id: 'models',
      label: snapshot?.models.length ? l10n.t('Models ({0})', formatCount(snapshot.models.length)) : l10n.t('Models'),
      content: <ModelsTab client={client} snapshot={snapshot} onShowConnections={() => select('connections')} />,
    },
  ];

  return <Tabs tabs={tabs} selectedId={selectedTab} onSelect={select} />;
}
