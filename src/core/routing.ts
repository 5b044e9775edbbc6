import type { Agent, Routing, StartAgentRunRequest } from '../contracts/agents';
import type { Connection } from '../contracts/connections';
import type { ProviderDescriptor } from '../contracts/providers';
import { pickConnection, pickModel } from '../contracts/routing';
import { SwitchboardError } from './errors';

export interface RoutingInputs {
  request: Pick<StartAgentRunRequest, 'connectionId' | 'modelRef'>;
  agent: Pick<Agent, 'connectionId' | 'modelRef'>;
  defaultConnectionId: string;
  findConnection(id: string): Connection | undefined;
  findProvider(id: string): ProviderDescriptor | undefined;
}

/**
 * Which connection and model a run uses, and where each came from (ARCHITECTURE.md, "Routing
 * precedence", in src/contracts/routing.ts), or the error that says why there is none.
 */
export function resolveRouting(inputs: RoutingInputs): Routing {
  const { request, agent } = inputs;
  const picked = pickConnection({ request: request.connectionId, agent: agent.connectionId, defaultId: inputs.defaultConnectionId });
  if (!picked) {
    throw new SwitchboardError('missing_connection', 'No connection to run on: the run named none, the agent has none, and no default connection is set. Choose a default connection.');
  }
  const connection = inputs.findConnection(picked.connectionId);
  if (!connection) {
    const whose = { request: 'The run names', agent: 'The agent uses', default: 'The default connection is' }[picked.source];
    throw new SwitchboardError('missing_connection', `${whose} a connection that no longer exists. Choose another connection or set a default.`);
  }
  const provider = inputs.findProvider(connection.providerId);
  if (!provider) {
    throw new SwitchboardError('missing_connection', `The provider "${connection.providerId}" of "${connection.name}" is not available. Is the extension that contributes it installed and enabled?`);
  }
  const model = pickModel({
    request: request.modelRef,
    agent: agent.modelRef,
    agentConnectionUsed: agent.connectionId === connection.id,
    connectionDefault: connection.defaultModel,
    providerDefault: provider.defaults.modelRef,
  });
  if (!model) {
    throw new SwitchboardError('model_not_found', `No model to run: choose a model for the agent or a default model for "${connection.name}".`);
  }
  return {
    connectionId: connection.id,
    providerId: provider.id,
    modelRef: model.modelRef,
    sources: { connectionId: picked.source, modelRef: model.source },
  };
}
