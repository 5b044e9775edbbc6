import * as l10n from '@vscode/l10n';
import { pickLegacyConnection, splitLegacyModel } from '../../contracts/routing';
import type { AgentService } from './agentService';
import type { ConnectionService } from '../connections/connectionService';
import { toErrorInfo } from '../base/errors';
import type { ModelRegistry } from '../models/modelRegistry';
import type { Settings } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';

export interface LegacyMigrationReport {
  /** Agents that now name a connection and a registered model. */
  changed: { agentId: string; name: string; from: string; connectionName: string; modelRef: string; registered: boolean }[];
  /** Agents left as they were, and why. */
  failed: { agentId: string; name: string; from: string; reason: string }[];
}

/**
 * "Migrate Agents to Registered Models": each agent that carries a legacy `<providerType>/<model>`
 * string gets the connection a run of it would use (contracts/routing.ts pickLegacyConnection)
 * and the model, registered on that connection when it is not yet. An agent whose type is unknown
 * or has no connection stays as it is, and the report says why; one failure stops no other.
 */
export async function migrateLegacyAgents(deps: {
  agents: AgentService;
  connections: ConnectionService;
  models: Pick<ModelRegistry, 'list' | 'register'>;
  registry: ProviderRegistry;
  settings: Pick<Settings, 'defaultConnectionId'>;
}): Promise<LegacyMigrationReport> {
  const report: LegacyMigrationReport = { changed: [], failed: [] };
  for (const agent of deps.agents.list()) {
    const from = agent.model;
    if (!from) continue;
    const { providerType, modelRef } = splitLegacyModel(from);
    const fail = (reason: string) => report.failed.push({ agentId: agent.id, name: agent.name, from, reason });
    const provider = deps.registry.get(providerType)?.descriptor;
    if (!provider) {
      fail(l10n.t('"{0}" is not a provider type Switchboard knows.', providerType));
      continue;
    }
    const connection = pickLegacyConnection(providerType, deps.connections.list(), deps.settings.defaultConnectionId());
    if (!connection) {
      fail(l10n.t('there is no {0} connection that works. Add one, then migrate again.', provider.displayName));
      continue;
    }
    try {
      const registered = deps.models.list({ connectionId: connection.id }).some((model) => model.providerModelId === modelRef);
      if (!registered) {
        await deps.models.register(connection.id, [{ providerModelId: modelRef, displayName: modelRef, modalities: ['text'], sources: {} }]);
      }
      await deps.agents.adoptRoute(agent.id, { connectionId: connection.id, modelRef, expectedModel: from });
      report.changed.push({ agentId: agent.id, name: agent.name, from, connectionName: connection.name, modelRef, registered: !registered });
    } catch (error) {
      fail(toErrorInfo(error).message);
    }
  }
  return report;
}
