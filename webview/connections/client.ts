import type { ConnectionsProtocol, ConnectionsSnapshot, FromConnectionsView } from '../../src/contracts/connectionsView';
import type { WithModels } from '../shared/keptModels';
import { createClient, type ClientOf } from '../shared/rpcClient';
import type { WebviewApi } from '../shared/webviewApi';

/** What the Connections view keeps across being hidden: nothing the host could not resend. */
export type ConnectionsViewState = { selectedTab?: string };

export type ConnectionsApi = WebviewApi<FromConnectionsView, ConnectionsViewState>;

export type ConnectionsClient = ClientOf<ConnectionsProtocol>;

export type { ConnectionsSnapshot };

/** What the Connections view shows: the last snapshot, with the registered models it last got. */
export type ConnectionsState = WithModels<ConnectionsSnapshot>;

/** The RPC client of the Connections view, bound to its contract in src/contracts/connectionsView.ts. */
export const createConnectionsClient = createClient<ConnectionsProtocol>;
