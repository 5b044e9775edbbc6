import type { Agent, Routing, StartAgentRunRequest } from '../contracts/agents';
import type { Connection } from '../contracts/connections';
import type { ProviderDescriptor } from '../contracts/providers';
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
 * precedence"). connectionId: the request's, else the agent's, else the default setting.
 * modelRef: the request's, else the agent's when the agent's connection is the one used, else
 * the connection's default model, else the provider's default.
 */
export function resolveRouting(inputs: RoutingInputs): Routing {
  const { request, agent } = inputs;
  const [connectionId, connectionSource] = request.connectionId
    ? [request.connectionId, 'request' as const]
    : agent.connectionId
      ? [agent.connectionId, 'agent' as const]
      : inputs.defaultConnectionId
        ? [inputs.defaultConnectionId, 'default' as const]
        : [undefined, undefined];
  if (!connectionId || !connectionSource) {
    throw new SwitchboardError('missing_connection', 'No connection to run on: the run named none, the agent has none, and no default connection is set. Choose a default connection.');
  }
  const connection = inputs.findConnection(connectionId);
  if (!connection) {
    const whose = { request: 'The run names', agent: 'The agent uses', default: 'The default connection is' }[connectionSource];
    throw new SwitchboardError('missing_connection', `${whose} a connection that no longer exists. Choose another connection or set a default.`);
  }
  const provider = inputs.findProvider(connection.providerId);
  if (!provider) {
    throw new SwitchboardError('missing_connection', `The provider "${connection.providerId}" of "${connection.name}" is not available. Is the extension that contributes it installed and enabled?`);
  }
  const agentConnectionUsed = agent.connectionId === connection.id;
  const [modelRef, modelSource] = request.modelRef
    ? [request.modelRef, 'request' as const]
    : agentConnectionUsed && agent.modelRef
      ? [agent.modelRef, 'agent' as const]
      : connection.defaultModel
        ? [connection.defaultModel, 'connection' as const]
        : provider.defaults.modelRef
          ? [provider.defaults.modelRef, 'provider' as const]
          : [undefined, undefined];
  if (!modelRef || !modelSource) {
    throw new SwitchboardError('model_not_found', `No model to run: choose a model for the agent or a default model for "${connection.name}".`);
  }
  return {
    connectionId: connection.id,
    providerId: provider.id,
    modelRef,
    sources: { connectionId: connectionSource, modelRef: modelSource },
  };
}
