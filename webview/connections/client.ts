import type {
  connectionsMethods,
  connectionsResults,
  ConnectionsSnapshot,
  FromConnectionsView,
  ToConnectionsView,
} from '../../src/contracts/connectionsView';
import { RpcClient, type RpcClientOptions } from '../shared/rpcClient';
import type { WebviewApi } from '../shared/webviewApi';

/** What the Connections view keeps across being hidden: nothing the host could not resend. */
export type ConnectionsViewState = { selectedTab?: string };

export type ConnectionsApi = WebviewApi<FromConnectionsView, ConnectionsViewState>;

export type ConnectionsClient = RpcClient<typeof connectionsMethods, typeof connectionsResults, FromConnectionsView, ToConnectionsView>;

export type { ConnectionsSnapshot };

/** The RPC client of the Connections view, bound to its contract in src/contracts/connectionsView.ts. */
export function createConnectionsClient(api: ConnectionsApi, options?: RpcClientOptions): ConnectionsClient {
  return new RpcClient<typeof connectionsMethods, typeof connectionsResults, FromConnectionsView, ToConnectionsView>(api, options);
}
