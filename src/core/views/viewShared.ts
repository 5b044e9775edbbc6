import type { AgentsConnection } from '../../contracts/agentsView';
import type { ConnectionService } from '../connections/connectionService';
import type { ProviderRegistry } from '../providers/providerRegistry';

// What more than one view controller needs; controllers never import each other.

export interface RegisteredModelSummary {
  providerModelId: string;
  displayName: string;
  enabled: boolean;
}

/** The models the view offers (the enabled ones) and the disabled ones routing never picks on its own. */
function connectionModels(registered: readonly RegisteredModelSummary[]): Pick<AgentsConnection, 'models' | 'disabledModels'> {
  return {
    models: registered.filter((m) => m.enabled).map(({ providerModelId, displayName }) => ({ providerModelId, displayName })),
    disabledModels: registered.filter((m) => !m.enabled).map((m) => m.providerModelId),
  };
}

/** The readable name of each requester of the runs, once per requester. */
export function requesterNames(runs: readonly { requesterId: string }[], describe: ((id: string) => string) | undefined): Record<string, string> {
  const names: Record<string, string> = {};
  for (const { requesterId } of runs) names[requesterId] ??= describe?.(requesterId) ?? requesterId;
  return names;
}

function providerDefault(modelRef: string | undefined): Pick<AgentsConnection, 'providerDefaultModel'> {
  return modelRef ? { providerDefaultModel: modelRef } : {};
}

/**
 * Every connection as the Agents view and the Switchboard editor's run detail know it: names of
 * the connection, its provider and its models, and what routing needs to preview a run.
 */
export function agentsConnections(
  deps: { connections: Pick<ConnectionService, 'list'>; registry: Pick<ProviderRegistry, 'get'> },
  registered: ReadonlyMap<string, readonly RegisteredModelSummary[]>,
): AgentsConnection[] {
  return deps.connections.list().map(
    (c): AgentsConnection => ({
      id: c.id,
      name: c.name,
      providerId: c.providerId,
      providerName: deps.registry.get(c.providerId)?.descriptor.displayName ?? c.providerId,
      status: c.status,
      ...connectionModels(registered.get(c.id) ?? []),
      ...(c.defaultModel ? { defaultModel: c.defaultModel } : {}),
      ...providerDefault(deps.registry.get(c.providerId)?.descriptor.defaults.modelRef),
    }),
  );
}
