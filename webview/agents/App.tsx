import { useEffect, useMemo, useState } from 'preact/hooks';
import { AgentsView } from './AgentsView';
import { createAgentsClient, type AgentsSnapshot } from './client';
import { useAgentsApi } from './context';

/**
 * The Agents view: one client for the view's lifetime and the latest snapshot from the host,
 * which is the only source of agents, connections and runs. Each snapshot re-renders it whole.
 */
export function App() {
  const api = useAgentsApi();
  const client = useMemo(
    () =>
      createAgentsClient(api, {
        onInvalidMessage: (_data, error) => console.warn('Switchboard: ignored a message that does not match the Agents protocol', error.issues),
      }),
    [api],
  );
  const [snapshot, setSnapshot] = useState<AgentsSnapshot | undefined>(undefined);

  useEffect(() => {
    const stop = client.onPush((message) => {
      if (message.type === 'snapshot') setSnapshot(message);
    });
    client.start();
    return () => {
      stop();
      client.dispose();
    };
  }, [client]);

  return <AgentsView api={api} client={client} snapshot={snapshot} />;
}
