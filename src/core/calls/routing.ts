import * as l10n from '@vscode/l10n';
import type { Agent, Routing, StartAgentRunRequest } from '../../contracts/agents';
import type { Connection } from '../../contracts/connections';
import type { ProviderDescriptor } from '../../contracts/providers';
import { NO_REGISTERED_MODELS, agentModelApplies, pickConnection, pickLegacyConnection, pickModel, splitLegacyModel, type RegisteredChoices } from '../../contracts/routing';
import { SwitchboardError } from '../base/errors';

export interface RoutingInputs {
  request: Pick<StartAgentRunRequest, 'connectionId' | 'modelRef'>;
  agent: Pick<Agent, 'connectionId' | 'modelRef' | 'model'>;
  defaultConnectionId: string;
  findConnection(id: string): Connection | undefined;
  /** Every connection, for an agent's legacy model string (read only then). */
  listConnections(): readonly Connection[];
  findProvider(id: string): ProviderDescriptor | undefined;
  /**
   * The connection's registered models, for a run that names no model: its first enabled one
   * comes before the provider's default, and a disabled one is never picked implicitly.
   * Without it, routing knows no registered model.
   */
  registeredModels?(connectionId: string): RegisteredChoices;
}

/**
 * Which connection and model a run uses, and where each came from (the routing precedence of
 * docs/architecture.md, "Key contracts", in src/contracts/routing.ts), or the error that says why
 * there is none.
 */
export function resolveRouting(inputs: RoutingInputs): Routing {
  const { request, agent } = inputs;
  // A legacy string stands in for the agent's connection and model; a request that names a
  // connection overrides it like it overrides the agent's own.
  if (agent.model && !agent.connectionId && !request.connectionId) return legacyRouting(inputs, agent.model);
  const picked = pickConnection({ request: request.connectionId, agent: agent.connectionId, defaultId: inputs.defaultConnectionId });
  if (!picked) {
    throw new SwitchboardError('missing_connection', l10n.t('No connection to run on: the run named none, the agent has none, and no default connection is set. Choose a default connection.'));
  }
  const connection = inputs.findConnection(picked.connectionId);
  if (!connection) {
    // The next step depends on whether a default would take over: setting one helps only when
    // none is in force (a default does not replace a connection the agent or the run names).
    const defaultId = inputs.defaultConnectionId;
    const defaultConnection = defaultId && picked.source !== 'default' ? inputs.findConnection(defaultId) : undefined;
    const messages = {
      request: () => l10n.t('The run names a connection that no longer exists. Run it again on another connection.'),
      agent: () =>
        defaultConnection
          ? l10n.t('The agent uses a connection that no longer exists. Edit the agent: choose another connection, or none to run on the default connection "{0}".', defaultConnection.name)
          : l10n.t('The agent uses a connection that no longer exists. Edit the agent and choose another connection, or choose a default connection.'),
      default: () => l10n.t('The default connection is a connection that no longer exists. Choose another default connection.'),
    };
    throw new SwitchboardError('missing_connection', messages[picked.source]());
  }
  const provider = inputs.findProvider(connection.providerId);
  if (!provider) {
    throw new SwitchboardError('missing_connection', l10n.t('The provider "{0}" of "{1}" is not available. Is the extension that contributes it installed and enabled?', connection.providerId, connection.name));
  }
  const model = pickModel({
    request: request.modelRef,
    agent: agent.modelRef,
    agentConnectionUsed: agentModelApplies(agent.connectionId, picked),
    connectionDefault: connection.defaultModel,
    registered: inputs.registeredModels?.(connection.id) ?? NO_REGISTERED_MODELS,
    providerDefault: provider.defaults.modelRef,
  });
  if (!model) {
    throw new SwitchboardError('model_not_found', l10n.t('No model to run: choose a model for the agent, a default model for "{0}", or enable one of its models in the registry.', connection.name));
  }
  return {
    connectionId: connection.id,
    providerId: provider.id,
    modelRef: model.modelRef,
    sources: { connectionId: picked.source, modelRef: model.source },
  };
}

/** The routing of an agent that carries `<providerType>/<model>`: a connection of that type, that model. */
function legacyRouting(inputs: RoutingInputs, legacyModel: string): Routing {
  const { providerType, modelRef } = splitLegacyModel(legacyModel);
  const provider = inputs.findProvider(providerType);
  if (!provider) {
    throw new SwitchboardError(
      'missing_connection',
      l10n.t('The agent\'s model "{0}" names the provider type "{1}", which Switchboard does not know. Edit the agent and choose a connection and a model.', legacyModel, providerType),
    );
  }
  const connection = pickLegacyConnection(providerType, inputs.listConnections(), inputs.defaultConnectionId);
  if (!connection) {
    throw new SwitchboardError(
      'missing_connection',
      l10n.t('The agent\'s model "{0}" needs a connection of type {1}, and there is none that works. Add one in the Connections view, or edit the agent and choose a connection.', legacyModel, provider.displayName),
    );
  }
  return {
    connectionId: connection.id,
    providerId: provider.id,
    modelRef: inputs.request.modelRef ?? modelRef,
    sources: { connectionId: 'legacy', modelRef: inputs.request.modelRef ? 'request' : 'legacy' },
    legacyModel,
  };
}
