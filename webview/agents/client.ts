import type { AgentsProtocol, AgentsSnapshot, FromAgentsView } from '../../src/contracts/agentsView';
import { createClient, type ClientOf } from '../shared/rpcClient';
import type { WebviewApi } from '../shared/webviewApi';

/**
 * What the Agents view keeps across being hidden: which run is open and the draft of the run
 * panel. Nothing the host could not resend; a run or agent that is gone is simply dropped.
 */
export type AgentsViewState = {
  selectedRunId?: string;
  runPanel?: { agentId: string; input: string };
};

export type AgentsApi = WebviewApi<FromAgentsView, AgentsViewState>;

export type AgentsClient = ClientOf<AgentsProtocol>;

export type { AgentsSnapshot };

/** The RPC client of the Agents view, bound to its contract in src/contracts/agentsView.ts. */
export const createAgentsClient = createClient<AgentsProtocol>;
