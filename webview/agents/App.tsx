import { useViewClient } from '../shared/hooks';
import { AgentsView } from './AgentsView';
import { createAgentsClient } from './client';
import { useAgentsApi } from './context';
import { agentsViewState } from './runsChanged';

/** The Agents view: its client and the latest snapshot (with the runs' changes since), the only source of agents, connections and runs. */
export function App() {
  const api = useAgentsApi();
  const { client, snapshot } = useViewClient(api, createAgentsClient, 'Agents', agentsViewState);
  return <AgentsView api={api} client={client} snapshot={snapshot} />;
}
