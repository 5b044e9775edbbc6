import type { FromConnectionsView } from '../../src/contracts/connectionsView';
import { createWebviewApiContext } from '../shared/context';
import type { ConnectionsViewState } from './client';

/** The Connections view's WebviewApi: main.tsx provides the real one, tests and previews a fake. */
export const { Context: ConnectionsApiContext, useApi: useConnectionsApi } = createWebviewApiContext<FromConnectionsView, ConnectionsViewState>();
