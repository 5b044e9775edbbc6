import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
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
 * A view's client, one for the view's lifetime, and what the view shows: each message the host
 * pushes makes it anew (`apply`; by default a snapshot replaces it whole, the only source of
 * what the view shows). The client says `ready` once mounted and is disposed with the view; a
 * message that does not match the view's protocol is logged and dropped.
 */
export function useViewClient<Api, Pushed extends { type: string }, Client extends ViewClient<Pushed>, State = Extract<Pushed, { type: 'snapshot' }>>(
  api: Api,
  createClient: (api: Api, options: RpcClientOptions) => Client & ViewClient<Pushed>,
  protocolName: string,
  apply: (current: State | undefined, message: Pushed) => State | undefined = (current, message) => (message.type === 'snapshot' ? (message as unknown as State) : current),
): { client: Client; snapshot: State | undefined } {
  const client = useMemo(
    () =>
      createClient(api, {
        onInvalidMessage: (_data, reason) => console.warn(`Switchboard: ignored a message that is not one of the ${protocolName} protocol: ${reason}`),
      }),
    [api],
  );
  const [snapshot, setSnapshot] = useState<State | undefined>(undefined);

  // Before the first paint, not after it as useEffect would: the host starts on the snapshot
  // (and the requests held until now) a frame sooner. Still after the render, in the same task,
  // so no message from the host can come before the listener.
  useLayoutEffect(() => {
    const stop = client.onPush((message) => setSnapshot((current) => apply(current, message)));
    client.start();
    return () => {
      stop();
      client.dispose();
    };
  }, [client]);

  return { client, snapshot };
}
