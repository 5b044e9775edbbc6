import * as l10n from '@vscode/l10n';
import { FromAgentsViewSchema, type AgentsRequest, type AgentsRunsChanged, type AgentsSnapshot, type ToAgentsView } from '../../contracts/agentsView';
import { AGENTS_RUNS_PAGE } from '../../contracts/vocabulary';
import type { RunRecord } from '../../contracts/agents';
import type { AgentService } from '../runs/agentService';
import type { ConnectionService } from '../connections/connectionService';
import type { GatewaySync } from '../gateway/gatewaySync';
import { systemTimers, type Event, type Interactions, type Logger, type Settings, type Timer, type Timers } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { personAt, requesterIds } from '../keys/requesters';
import type { RunService } from '../runs/runService';
import type { RunChange, RunStore } from '../runs/runStore';
import { agentsConnections, requesterNames, type RegisteredModelSummary } from './viewShared';
import { ViewHost } from './viewHost';

/**
 * A run's changes reach the view at most this often (about one animation frame): a streaming
 * run is written every quarter second, several runs at once more often.
 */
export const RUN_CHANGES_MS = 16;

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
  /** The timers that space out run changes; the system's unless given (tests fire them). */
  timers?: Timers;
}

/** The host side of the Agents view. */
export function createAgentsController(deps: AgentsControllerDeps): ViewHost<AgentsRequest, AgentsSnapshot, AgentsRunsChanged> {
  // The runs changed since the last message, newest change last, those among them added, and those removed.
  const changedRuns = new Map<string, RunRecord>();
  const addedRuns: string[] = [];
  const removedRuns: string[] = [];
  let spacing: Timer | undefined;
  const forgetChanges = () => {
    changedRuns.clear();
    addedRuns.length = 0;
    removedRuns.length = 0;
    spacing?.cancel();
    spacing = undefined;
  };

  const snapshot = (): AgentsSnapshot => {
    // It carries every change made so far.
    forgetChanges();
    const registered = deps.registeredModels();
    // One page from the database, never the whole history.
    const recent = deps.runs.page({ limit: AGENTS_RUNS_PAGE });
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

  /** A run's progress (and the old runs its start removed): that alone, coalesced, instead of a snapshot of everything. */
  const runChanged = ({ run, added, removed = [] }: RunChange & { run: RunRecord }) => {
    // No page to tell: the snapshot its `ready` brings has it.
    if (!host.isReady) return;
    changedRuns.delete(run.id);
    changedRuns.set(run.id, run);
    if (added) addedRuns.push(run.id);
    for (const id of removed) {
      // Added and removed before the view heard of it: nothing to tell.
      if (addedRuns.includes(id)) {
        addedRuns.splice(addedRuns.indexOf(id), 1);
        changedRuns.delete(id);
      } else removedRuns.push(id);
    }
    // More than a page at once: the newest page is as cheap.
    if (changedRuns.size > AGENTS_RUNS_PAGE || removedRuns.length > AGENTS_RUNS_PAGE) return host.pushSnapshot();
    spacing ??= (deps.timers ?? systemTimers).start(RUN_CHANGES_MS, () => {
      spacing = undefined;
      const runs = [...changedRuns.values()];
      const message: AgentsRunsChanged = { type: 'runsChanged', runs, added: [...addedRuns], removed: [...removedRuns], requesterNames: requesterNames(runs, deps.describeRequester) };
      forgetChanges();
      host.postChange(message);
    });
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
        // The outcome reaches the view as the run's changes; a failure is already stored on the run.
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

  const host: ViewHost<AgentsRequest, AgentsSnapshot, AgentsRunsChanged> = new ViewHost<AgentsRequest, AgentsSnapshot, AgentsRunsChanged>({
    name: 'Agents',
    schema: FromAgentsViewSchema,
    dispatch,
    snapshot,
    post: deps.post,
    logger: deps.logger,
    changes: [deps.agents.onDidChange, deps.connections.onDidChange, deps.settings.onDidChange, deps.registry.onDidChange, deps.modelsChanged, deps.gateway.onDidChange],
    disposables: [
      // One run changed: that run; several (a sweep of a closed window's runs, a long trim): a snapshot.
      deps.runs.onDidChangeRun((change) => (change.run ? runChanged({ ...change, run: change.run }) : host.pushSnapshot())),
      { dispose: forgetChanges },
    ],
  });
  return host;
}
