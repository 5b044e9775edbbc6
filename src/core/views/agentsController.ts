import * as l10n from '@vscode/l10n';
import { FromAgentsViewSchema, type AgentsRequest, type AgentsSnapshot, type ToAgentsView } from '../../contracts/agentsView';
import type { AgentService } from '../runs/agentService';
import type { ConnectionService } from '../connections/connectionService';
import type { GatewaySync } from '../gateway/gatewaySync';
import type { Event, Interactions, Logger, Settings } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { personAt, requesterIds } from '../keys/requesters';
import type { RunService } from '../runs/runService';
import type { RunStore } from '../runs/runStore';
import { agentsConnections, requesterNames, type RegisteredModelSummary } from './viewShared';
import { ViewHost } from './viewHost';

/** How many recent runs a snapshot carries. */
const RUNS_IN_SNAPSHOT = 200;

export interface AgentsControllerDeps {
  agents: AgentService;
  connections: ConnectionService;
  registry: ProviderRegistry;
  runs: RunStore;
  runService: RunService;
  settings: Settings;
  gateway: Pick<GatewaySync, 'view' | 'syncNow' | 'syncAll' | 'onDidChange'>;
  interactions: Pick<Interactions, 'confirm'>;
  logger: Logger;
  /**
   * The registered models of every connection, in registration order, read once per snapshot
   * (the registry validates on each read): the view offers the enabled ones, and previews
   * routing with all of them.
   */
  registeredModels(): ReadonlyMap<string, readonly RegisteredModelSummary[]>;
  /** Fires when registered models change. */
  modelsChanged: Event<void>;
  /** A requester as a person reads it ("the Agents view", an extension's name); the id itself without it. */
  describeRequester?(requesterId: string): string;
  /** Opens the palette picker for the default connection; resolves with the id chosen, or ''. */
  chooseDefaultConnection(): Promise<string>;
  post(message: ToAgentsView): void;
}

/** The host side of the Agents view. */
export function createAgentsController(deps: AgentsControllerDeps): ViewHost<AgentsRequest, AgentsSnapshot> {
  const snapshot = (): AgentsSnapshot => {
    const registered = deps.registeredModels();
    // One page from the database, never the whole history.
    const recent = deps.runs.page({ limit: RUNS_IN_SNAPSHOT });
    return {
      type: 'snapshot',
      agents: deps.agents.list(),
      connections: agentsConnections(deps, registered),
      defaultConnectionId: deps.settings.defaultConnectionId(),
      runs: recent.runs,
      requesterNames: requesterNames(recent.runs, deps.describeRequester),
      runsTotal: recent.total,
      gateway: deps.gateway.view(),
    };
  };

  const dispatch = async (request: AgentsRequest): Promise<unknown> => {
    switch (request.method) {
      case 'createAgent':
        return deps.agents.create(request.params.input);
      case 'updateAgent':
        return deps.agents.update(request.params.id, request.params.input);
      case 'deleteAgent': {
        const agent = deps.agents.require(request.params.id);
        const confirmed = await deps.interactions.confirm({
          message: l10n.t('Delete the agent "{0}"?', agent.name),
          detail: l10n.t('Its past runs stay in the run history.'),
          confirmLabel: l10n.t('Delete'),
        });
        if (confirmed) await deps.agents.delete(agent.id);
        return { deleted: confirmed };
      }
      case 'startRun': {
        // The person's click on Run: their consent for this run's key use.
        const { runId, finished } = await deps.runService.launch(request.params.request, personAt(requesterIds.agentsView));
        // The outcome reaches the view in snapshots; a failure is already stored on the run.
        void finished.catch((error: unknown) => deps.logger.error(`Run ${runId} ended unexpectedly: ${String(error)}`));
        return { runId };
      }
      case 'cancelRun':
        return { cancelled: deps.runService.cancel(request.params.runId) };
      case 'chooseDefaultConnection':
        return { defaultConnectionId: await deps.chooseDefaultConnection() };
      case 'syncAgent':
        return deps.gateway.syncNow(request.params.id);
      case 'syncAllAgents':
        return deps.gateway.syncAll();
    }
  };

  return new ViewHost<AgentsRequest, AgentsSnapshot>({
    name: 'Agents',
    schema: FromAgentsViewSchema,
    dispatch,
    snapshot,
    post: deps.post,
    logger: deps.logger,
    changes: [deps.agents.onDidChange, deps.connections.onDidChange, deps.runs.onDidChange, deps.settings.onDidChange, deps.registry.onDidChange, deps.modelsChanged, deps.gateway.onDidChange],
  });
}
