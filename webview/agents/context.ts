import type { FromAgentsView } from '../../src/contracts/agentsView';
import { createWebviewApiContext } from '../shared/context';
import type { AgentsViewState } from './client';

/** The Agents view's WebviewApi: main.tsx provides the real one, tests and previews a fake. */
export const { Context: AgentsApiContext, useApi: useAgentsApi } = createWebviewApiContext<FromAgentsView, AgentsViewState>();
