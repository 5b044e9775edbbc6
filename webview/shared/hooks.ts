import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RpcClientOptions } from './rpcClient';

/** The current time, refreshed every `intervalMs`, so relative times ("5 minutes ago") stay true. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** What useViewClient needs of a view's RpcClient. */
interface ViewClient<Pushed> {
  onPush(listener: (message: Pushed) => void): () => void;
  start(): void;
  dispose(): void;
}

/**
 * A view's client, one for the view's lifetime, and the latest snapshot from the host, which
 * is the only source of what the view shows: each snapshot re-renders it whole, and each change
 * the host pushes instead of one (`applyChange`: a run's progress) makes the next snapshot. The
 * client says `ready` once mounted and is disposed with the view; a message that does not match
 * the view's protocol is logged and dropped.
 */
export function useViewClient<Api, Pushed extends { type: string }, Client extends ViewClient<Pushed>>(
  api: Api,
  createClient: (api: Api, options: RpcClientOptions) => Client & ViewClient<Pushed>,
  protocolName: string,
  applyChange?: (snapshot: Extract<Pushed, { type: 'snapshot' }>, change: Exclude<Pushed, { type: 'snapshot' }>) => Extract<Pushed, { type: 'snapshot' }>,
): { client: Client; snapshot: Extract<Pushed, { type: 'snapshot' }> | undefined } {
  const client = useMemo(
    () =>
      createClient(api, {
        onInvalidMessage: (_data, reason) => console.warn(`Switchboard: ignored a message that is not one of the ${protocolName} protocol: ${reason}`),
      }),
    [api],
  );
  const [snapshot, setSnapshot] = useState<Extract<Pushed, { type: 'snapshot' }> | undefined>(undefined);

  useEffect(() => {
    const stop = client.onPush((message) => {
      if (message.type === 'snapshot') setSnapshot(message as Extract<Pushed, { type: 'snapshot' }>);
      else if (applyChange) setSnapshot((current) => current && applyChange(current, message as Exclude<Pushed, { type: 'snapshot' }>));
    });
    client.start();
    return () => {
      stop();
      client.dispose();
    };
  }, [client]);

  return { client, snapshot };
}
