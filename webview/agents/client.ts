import type {
  agentsMethods,
  agentsResults,
  AgentsSnapshot,
  FromAgentsView,
  ToAgentsView,
} from '../../src/contracts/agentsView';
import { RpcClient, type RpcClientOptions } from '../shared/rpcClient';
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

export type AgentsClient = RpcClient<typeof agentsMethods, typeof agentsResults, FromAgentsView, ToAgentsView>;

export type { AgentsSnapshot };

/** The RPC client of the Agents view, bound to its contract in src/contracts/agentsView.ts. */
export function createAgentsClient(api: AgentsApi, options?: RpcClientOptions): AgentsClient {
  return new RpcClient<typeof agentsMethods, typeof agentsResults, FromAgentsView, ToAgentsView>(api, options);
}
