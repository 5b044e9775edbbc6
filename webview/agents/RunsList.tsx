import * as l10n from '@vscode/l10n';
import type { RunRecord } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { formatCount } from '../shared/locale';
import { MessageLine } from '../shared/messages';
import { connectionName, formatDuration, formatTokens, isActiveRun, modelName, providerName, runDuration, runStatusIcon, runStatusLabel } from './format';
import { RunDetail, type ChooseDefaultState } from './RunDetail';

/** What the view knows about a run beyond the snapshot: a cancel on its way, and its outcome. */
export interface RunRowState {
  cancelling?: boolean;
  message?: { kind: 'error' | 'info'; text: string };
}

interface RunsListProps {
  runs: readonly RunRecord[];
  /** How many runs are stored in all; the host sends only the newest page. */
  total?: number | undefined;
  connections: readonly AgentsConnection[];
  /** Who asked for each run, in words, by requester id (the snapshot's requesterNames). */
  requesterNames: Readonly<Record<string, string>>;
  selectedRunId: string | undefined;
  rowStates: Record<string, RunRowState>;
  chooseDefault: ChooseDefaultState;
  now: number;
  onSelect(runId: string | undefined): void;
  onCancel(runId: string): void;
  /** Offered on a run that failed for want of a connection, when no usable default is set. */
  onChooseDefault?: (() => void) | undefined;
}

export function RunStatus({ run }: { run: RunRecord }) {
  return (
    <span class={`run-status run-status-${run.status}`} data-testid="run-row-status" role="status">
      {run.status === 'running' ? (
        <vscode-progress-ring class="inline-progress" aria-hidden="true" />
      ) : (
        <vscode-icon name={runStatusIcon(run.status)} class="status-icon" />
      )}
      <span class="status-text">{runStatusLabel(run.status)}</span>
    </span>
  );
}

/** A run row's accessible name: the agent, its status, where it ran, and what a click does. */
function runRowLabel(run: RunRecord, connections: readonly AgentsConnection[], selected: boolean): string {
  const status = runStatusLabel(run.status);
  if (!run.routing) return selected ? l10n.t('{0}, {1}. Hide details', run.agentName, status) : l10n.t('{0}, {1}. Show details', run.agentName, status);
  const connection = connectionName(connections, run.routing.connectionId);
  return selected ? l10n.t('{0}, {1}, on {2}. Hide details', run.agentName, status, connection) : l10n.t('{0}, {1}, on {2}. Show details', run.agentName, status, connection);
}

function RunRow(props: RunsListProps & { run: RunRecord }) {
  const { run, connections, selectedRunId, now } = props;
  const state = props.rowStates[run.id] ?? {};
  const selected = run.id === selectedRunId;
  const routing = run.routing;
  const duration = formatDuration(runDuration(run, now));
  const tokens = formatTokens(run.usage);
  const detailId = `run-detail-${run.id}`;

  return (
    <li class={`run-row${selected ? ' selected' : ''}`} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
      <div class="run-row-head">
        <button
          type="button"
          class="run-row-main"
          data-testid="run-row-select"
          aria-expanded={selected ? 'true' : 'false'}
          aria-controls={selected ? detailId : undefined}
          aria-label={runRowLabel(run, connections, selected)}
          onClick={() => props.onSelect(selected ? undefined : run.id)}
        >
          <span class="run-row-line">
            <vscode-icon name={selected ? 'chevron-down' : 'chevron-right'} class="run-row-chevron" />
            <span class="run-row-agent" data-testid="run-row-agent">
              {run.agentName}
            </span>
            <RunStatus run={run} />
          </span>
          {/* The facts wrap as the view narrows; see agents.css for the separators. */}
          <span class="run-row-facts">
            <span class="run-row-facts-list">
              {routing ? (
                <>
                  <span class={`run-row-connection${connections.some((connection) => connection.id === routing.connectionId) ? '' : ' missing'}`} data-testid="run-row-connection">
                    {connectionName(connections, routing.connectionId)}
                  </span>
                  <span data-testid="run-row-provider" data-provider-id={routing.providerId}>
                    {providerName(connections, routing.providerId, routing.connectionId)}
                  </span>
                  <span class="run-row-model" data-testid="run-row-model" title={modelName(connections, routing.connectionId, routing.modelRef)}>
                    {routing.modelRef}
                  </span>
                </>
              ) : (
                <span class="run-row-pending">{isActiveRun(run.status) ? l10n.t('routing…') : l10n.t('no routing')}</span>
              )}
              {duration && <span data-testid="run-row-duration">{duration}</span>}
              {tokens && <span data-testid="run-row-tokens">{tokens}</span>}
            </span>
          </span>
        </button>
        {isActiveRun(run.status) && (
          <vscode-button
            class="run-row-cancel"
            data-testid="cancel-run-button"
            icon={state.cancelling ? 'loading' : 'debug-stop'}
            iconSpin={state.cancelling}
            secondary
            disabled={state.cancelling}
            aria-label={l10n.t('Cancel the run of {0}', run.agentName)}
            title={l10n.t('Cancel run')}
            onClick={() => !state.cancelling && props.onCancel(run.id)}
          >
            {state.cancelling ? l10n.t('Cancelling…') : l10n.t('Cancel')}
          </vscode-button>
        )}
      </div>
      {state.message && <MessageLine message={state.message} testId="run-row-message" />}
      {selected && <RunDetail id={detailId} run={run} connections={connections} requesterName={props.requesterNames[run.requesterId] ?? run.requesterId} now={now} chooseDefault={props.chooseDefault} {...(props.onChooseDefault ? { onChooseDefault: props.onChooseDefault } : {})} />}
    </li>
  );
}

/** Recent runs, newest first, as the host sends them; one of them may be open. */
export function RunsList(props: RunsListProps) {
  return (
    <>
      <ul class="runs-list" data-testid="runs-list" aria-label={l10n.t('Runs')}>
        {props.runs.map((run) => (
          <RunRow key={run.id} {...props} run={run} />
        ))}
      </ul>
      {props.total !== undefined && props.total > props.runs.length && (
        <p class="runs-empty" data-testid="runs-more">
          {l10n.t('The newest {0} of {1} runs.', formatCount(props.runs.length), formatCount(props.total))}
        </p>
      )}
      {props.runs.length === 0 && (
        <p class="runs-empty" data-testid="runs-empty">
          {l10n.t('No runs yet. Run an agent to see here where it ran, the steps it took, and its output.')}
        </p>
      )}
    </>
  );
}
