import * as l10n from '@vscode/l10n';
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../../src/contracts/agents';
import { errorMessage } from '../shared/errors';
import { focusAfterRender, type FocusTarget } from '../shared/focus';
import { useNow } from '../shared/hooks';
import { formatCount } from '../shared/locale';
import { Loading } from '../shared/messages';
import { emptyRunValues, needsDefaultConnection, type RunFormValues } from './agentModel';
import { AgentForm } from './AgentForm';
import { AgentRow, type AgentRowState } from './AgentRow';
import type { AgentsApi, AgentsClient, AgentsSnapshot } from './client';
import { EmptyState } from './EmptyState';
import { connectionName, isActiveRun } from './format';
import type { ChooseDefaultState } from './RunDetail';
import { RunPanel } from './RunPanel';
import { RunsList, type RunRowState } from './RunsList';

interface AgentsViewProps {
  api: AgentsApi;
  client: AgentsClient;
  /** Undefined until the host's first snapshot arrives. */
  snapshot: AgentsSnapshot | undefined;
}

type FormMode = { kind: 'new' } | { kind: 'edit'; agentId: string };

interface RunPanelState {
  agentId: string;
  values: RunFormValues;
}

const agentRow = (agentId: string) => `[data-testid="agent-row"][data-agent-id="${agentId}"]`;

/**
 * A section's title, with its count once there is something to count. `titleHidden`: the view's
 * own header already says it (the Agents section of the Agents view), so only a screen reader hears it.
 */
function SectionHeader({
  id,
  title,
  titleHidden,
  count,
  countText,
  countTestId,
  children,
}: {
  id: string;
  title: string;
  titleHidden?: boolean;
  count: number;
  /** The count in words ("2 agents"), where no title beside it says what it counts. */
  countText?: string;
  countTestId: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="section-header">
      <h2 id={id} class={titleHidden ? 'visually-hidden' : 'section-title'}>
        {title}
      </h2>
      {count > 0 && (
        <span class={countText ? 'toolbar-summary' : 'section-count'} data-testid={countTestId}>
          {countText ?? formatCount(count)}
        </span>
      )}
      {children}
    </div>
  );
}

/**
 * The Agents view: the agents with their form and run panel, and the recent runs with the
 * open one's detail. Everything shown comes from the latest snapshot; the view's own state is
 * only what is being typed, what is open, and the outcome of its last requests.
 */
export function AgentsView({ api, client, snapshot }: AgentsViewProps) {
  const [form, setForm] = useState<FormMode | undefined>(undefined);
  const [runPanel, setRunPanel] = useState<RunPanelState | undefined>(() => {
    const saved = api.getState()?.runPanel;
    return saved ? { agentId: saved.agentId, values: emptyRunValues(saved.input) } : undefined;
  });
  const [selectedRunId, setSelectedRunId] = useState<string | undefined>(() => api.getState()?.selectedRunId);
  const [agentRows, setAgentRows] = useState<Record<string, AgentRowState>>({});
  const [runRows, setRunRows] = useState<Record<string, RunRowState>>({});
  const [chooseDefault, setChooseDefault] = useState<ChooseDefaultState>({});
  const container = useRef<HTMLDivElement>(null);
  /** Where focus goes back to when the form closes. */
  const returnFocus = useRef<FocusTarget | undefined>(undefined);
  /** A run just started: scroll to it once the snapshot that lists it arrives. */
  const revealRunId = useRef<string | undefined>(undefined);

  const hasActiveRun = Boolean(snapshot?.runs.some((run) => isActiveRun(run.status)));
  // Tick every second while a run's elapsed time is on screen; otherwise rarely.
  const now = useNow(hasActiveRun ? 1000 : 30_000);

  // Keep what is worth keeping while the view is hidden: the open run and the run draft.
  useEffect(() => {
    api.setState({
      ...api.getState(),
      selectedRunId,
      runPanel: runPanel ? { agentId: runPanel.agentId, input: runPanel.values.input } : undefined,
    });
  }, [api, selectedRunId, runPanel]);

  // A snapshot is the host's whole truth: close what refers to an agent that is gone, and
  // forget cancels of runs that have finished.
  useEffect(() => {
    if (!snapshot) return;
    const agentIds = new Set(snapshot.agents.map((agent) => agent.id));
    if (form?.kind === 'edit' && !agentIds.has(form.agentId)) setForm(undefined);
    if (runPanel && !agentIds.has(runPanel.agentId)) setRunPanel(undefined);
    setRunRows((current) => {
      const next: Record<string, RunRowState> = {};
      for (const [id, row] of Object.entries(current)) {
        const run = snapshot.runs.find((candidate) => candidate.id === id);
        if (run) next[id] = isActiveRun(run.status) ? row : { ...row, cancelling: false };
      }
      return next;
    });
    const reveal = revealRunId.current;
    if (reveal && snapshot.runs.some((run) => run.id === reveal)) {
      revealRunId.current = undefined;
      setTimeout(() => {
        container.current?.querySelector(`[data-testid="run-row"][data-run-id="${reveal}"]`)?.scrollIntoView({ block: 'nearest' });
      }, 0);
    }
    // Only a new snapshot triggers this; form and runPanel are read as they are at that moment.
  }, [snapshot]);

  const updateAgentRow = useCallback((id: string, update: (row: AgentRowState) => AgentRowState) => {
    setAgentRows((current) => ({ ...current, [id]: update(current[id] ?? {}) }));
  }, []);

  const updateRunRow = useCallback((id: string, update: (row: RunRowState) => RunRowState) => {
    setRunRows((current) => ({ ...current, [id]: update(current[id] ?? {}) }));
  }, []);

  const closeForm = useCallback(() => {
    setForm(undefined);
    const target = returnFocus.current;
    returnFocus.current = undefined;
    focusAfterRender(container, target);
  }, []);

  const closeRunPanel = useCallback(() => {
    if (runPanel) focusAfterRender(container, { testId: 'run-agent-button', row: agentRow(runPanel.agentId) });
    setRunPanel(undefined);
  }, [runPanel]);

  const remove = useCallback(
    async (agent: Agent) => {
      updateAgentRow(agent.id, (row) => ({ ...row, busy: true, message: undefined }));
      try {
        const { deleted } = await client.request('deleteAgent', { id: agent.id });
        updateAgentRow(agent.id, (row) => ({ ...row, busy: false }));
        if (deleted) {
          setForm((current) => (current?.kind === 'edit' && current.agentId === agent.id ? undefined : current));
          setRunPanel((current) => (current?.agentId === agent.id ? undefined : current));
        }
      } catch (error) {
        updateAgentRow(agent.id, (row) => ({ ...row, busy: false, message: { kind: 'error', text: errorMessage(error) } }));
      }
    },
    [client, updateAgentRow],
  );

  const syncAgent = useCallback(
    async (agent: Agent) => {
      updateAgentRow(agent.id, (row) => ({ ...row, busy: true, message: undefined }));
      try {
        // The state itself arrives in snapshots; a failure's reason shows on the sync line.
        await client.request('syncAgent', { id: agent.id });
        updateAgentRow(agent.id, (row) => ({ ...row, busy: false }));
      } catch (error) {
        updateAgentRow(agent.id, (row) => ({ ...row, busy: false, message: { kind: 'error', text: errorMessage(error) } }));
      }
    },
    [client, updateAgentRow],
  );

  const [syncingAll, setSyncingAll] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const syncAll = useCallback(async () => {
    setSyncingAll({ busy: true });
    try {
      await client.request('syncAllAgents', {});
      setSyncingAll({ busy: false });
    } catch (error) {
      setSyncingAll({ busy: false, error: errorMessage(error) });
    }
  }, [client]);

  const cancelRun = useCallback(
    async (runId: string) => {
      updateRunRow(runId, (row) => ({ ...row, cancelling: true, message: undefined }));
      try {
        const { cancelled } = await client.request('cancelRun', { runId });
        updateRunRow(runId, (row) => ({
          ...row,
          cancelling: cancelled,
          message: cancelled ? undefined : { kind: 'info', text: l10n.t('The run had already finished, so there was nothing to cancel.') },
        }));
      } catch (error) {
        updateRunRow(runId, (row) => ({ ...row, cancelling: false, message: { kind: 'error', text: errorMessage(error) } }));
      }
    },
    [client, updateRunRow],
  );

  const chooseDefaultConnection = useCallback(async () => {
    setChooseDefault({ busy: true });
    try {
      const { defaultConnectionId } = await client.request('chooseDefaultConnection', {});
      setChooseDefault({
        message: defaultConnectionId
          ? { kind: 'success', text: l10n.t('Runs now default to “{0}”. Run the agent again.', connectionName(snapshot?.connections ?? [], defaultConnectionId)) }
          : { kind: 'error', text: l10n.t('No connection was chosen; the default is unchanged.') },
      });
    } catch (error) {
      setChooseDefault({ message: { kind: 'error', text: errorMessage(error) } });
    }
  }, [client, snapshot]);

  const selectRun = useCallback((runId: string | undefined) => {
    setSelectedRunId(runId);
    setChooseDefault({});
  }, []);

  const openNew = useCallback(() => {
    returnFocus.current = { testId: 'new-agent-button' };
    setForm({ kind: 'new' });
  }, []);

  if (!snapshot) {
    return <Loading class="agents-view" text={l10n.t('Loading agents…')} />;
  }

  const { agents, connections, defaultConnectionId, runs, runsTotal, gateway, requesterNames = {} } = snapshot;
  const newForm =
    form?.kind === 'new' ? (
      <AgentForm
        client={client}
        connections={connections}
        defaultConnectionId={defaultConnectionId}
        onCancel={closeForm}
        onSaved={(agent) => {
          setForm(undefined);
          returnFocus.current = undefined;
          // The next step is a first run: its panel opens under the new agent, with the input focused.
          setRunPanel({ agentId: agent.id, values: emptyRunValues() });
          updateAgentRow(agent.id, (row) => ({ ...row, message: { kind: 'success', text: l10n.t('Agent created. Type an input below and run it.') } }));
        }}
      />
    ) : undefined;

  return (
    <div class="agents-view" ref={container}>
      <section class="agents-section" aria-labelledby="agents-heading">
        <SectionHeader
          id="agents-heading"
          title={l10n.t('Agents')}
          titleHidden
          count={agents.length}
          countText={agents.length === 1 ? l10n.t('1 agent') : l10n.t('{0} agents', formatCount(agents.length))}
          countTestId="agent-count"
        >
          {(agents.length > 0 || form) && !newForm && (
            <vscode-button class="section-action" data-testid="new-agent-button" icon="add" onClick={openNew}>
              {l10n.t('New agent')}
            </vscode-button>
          )}
        </SectionHeader>

        {connections.length === 0 && (
          <div class="notice" data-testid="no-connections-notice" role="status">
            <vscode-icon name="info" class="notice-icon" />
            <span class="notice-text">{l10n.t('No connections yet. Agents run on a connection: add one in the Connections view, then set it as the default or choose it here.')}</span>
          </div>
        )}

        {newForm}

        {gateway.pendingDeletes.length > 0 && (
          <div class="notice" role="status" data-testid="gateway-pending-deletes">
            <vscode-icon name="warning" class="notice-icon" />
            <span class="notice-text">
              {l10n.t(
                'Not yet deleted on the AI gateway: {0}. Retried on Sync now and at the next start.',
                gateway.pendingDeletes.map((pending) => (pending.error ? l10n.t('{0} ({1})', pending.agentName, pending.error.message) : pending.agentName)).join('; '),
              )}
              {syncingAll.error && ` ${syncingAll.error}`}
            </span>
            <div class="notice-actions">
              <vscode-button secondary data-testid="retry-gateway-deletes-button" disabled={syncingAll.busy} onClick={() => !syncingAll.busy && void syncAll()}>
                {l10n.t('Sync all now')}
              </vscode-button>
            </div>
          </div>
        )}

        {agents.length === 0 && !form ? (
          <EmptyState onNew={openNew} />
        ) : (
          agents.length > 0 && (
            <ul class="agent-list" data-testid="agents-list" aria-label={l10n.t('Agents')}>
              {agents.map((agent) => {
                const editing = form?.kind === 'edit' && form.agentId === agent.id;
                const running = runPanel?.agentId === agent.id;
                return (
                  <AgentRow
                    key={agent.id}
                    agent={agent}
                    connections={connections}
                    defaultConnectionId={defaultConnectionId}
                    state={agentRows[agent.id] ?? {}}
                    editing={editing}
                    running={running}
                    sync={gateway.agents[agent.id]}
                    onSync={() => void syncAgent(agent)}
                    onRun={() => {
                      updateAgentRow(agent.id, (row) => ({ ...row, message: undefined }));
                      setRunPanel((current) => (current?.agentId === agent.id ? current : { agentId: agent.id, values: emptyRunValues() }));
                      // Open already (a new agent opens its panel): Run takes the person to its input.
                      if (running) focusAfterRender(container, { testId: 'run-input', row: agentRow(agent.id) });
                    }}
                    onEdit={() => {
                      updateAgentRow(agent.id, (row) => ({ ...row, message: undefined }));
                      returnFocus.current = { testId: 'edit-agent-button', row: agentRow(agent.id) };
                      setForm({ kind: 'edit', agentId: agent.id });
                    }}
                    onDelete={() => void remove(agent)}
                  >
                    {editing && (
                      <AgentForm
                        key={`edit-${agent.id}`}
                        client={client}
                        connections={connections}
                        defaultConnectionId={defaultConnectionId}
                        agent={agent}
                        onCancel={closeForm}
                        onSaved={() => {
                          closeForm();
                          updateAgentRow(agent.id, (row) => ({ ...row, message: { kind: 'success', text: l10n.t('Saved.') } }));
                        }}
                      />
                    )}
                    {running && runPanel && (
                      <RunPanel
                        key={`run-${agent.id}`}
                        client={client}
                        agent={agent}
                        connections={connections}
                        defaultConnectionId={defaultConnectionId}
                        values={runPanel.values}
                        activeRunIds={runs.filter((run) => isActiveRun(run.status)).map((run) => run.id)}
                        onValues={(values) => setRunPanel({ agentId: agent.id, values })}
                        onClose={closeRunPanel}
                        onStarted={(runId) => {
                          revealRunId.current = runId;
                          selectRun(runId);
                        }}
                      />
                    )}
                  </AgentRow>
                );
              })}
            </ul>
          )
        )}
      </section>

      <section class="runs-section" aria-labelledby="runs-heading">
        <SectionHeader id="runs-heading" title={l10n.t('Runs')} count={runs.length} countTestId="run-count" />
        <RunsList
          runs={runs}
          total={runsTotal}
          connections={connections}
          requesterNames={requesterNames}
          selectedRunId={selectedRunId}
          rowStates={runRows}
          chooseDefault={chooseDefault}
          now={now}
          onSelect={selectRun}
          onCancel={(runId) => void cancelRun(runId)}
          onChooseDefault={needsDefaultConnection(connections, defaultConnectionId) ? () => void chooseDefaultConnection() : undefined}
        />
      </section>
    </div>
  );
}
