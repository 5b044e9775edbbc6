import * as l10n from '@vscode/l10n';
import type { ComponentChildren } from 'preact';
import type { Agent } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import type { AgentSyncState } from '../../src/contracts/gateway';
import { MessageLine, type RowMessage } from '../shared/messages';
import { RowAction } from '../shared/RowAction';
import { DELETED_CONNECTION, syncActionLabel, syncLine } from './format';

/** What the view knows about an agent row beyond the snapshot: a delete on its way, and its outcome. */
export interface AgentRowState {
  busy?: boolean;
  message?: RowMessage;
}

interface AgentRowProps {
  agent: Agent;
  connections: readonly AgentsConnection[];
  defaultConnectionId: string;
  state: AgentRowState;
  /** Whether this agent's edit form and run panel are open (they show under the row). */
  editing: boolean;
  running: boolean;
  /** Its state on the AI gateway. */
  sync?: AgentSyncState;
  children?: ComponentChildren;
  onSync(): void;
  onRun(): void;
  onEdit(): void;
  onDelete(): void;
}

/** Where the agent runs, in a few words: its connection and model, or the default. */
export function agentRoute(agent: Agent, connections: readonly AgentsConnection[], defaultConnectionId: string): { text: string; missing: boolean } {
  if (!agent.connectionId && agent.model) return { text: l10n.t('legacy model {0} (migrate with Switchboard: Migrate Agents to Registered Models)', agent.model), missing: false };
  if (agent.connectionId) {
    const connection = connections.find((candidate) => candidate.id === agent.connectionId);
    const name = connection?.name ?? DELETED_CONNECTION;
    return { text: agent.modelRef ? `${name} · ${agent.modelRef}` : l10n.t("{0} · connection's default model", name), missing: !connection };
  }
  const fallback = connections.find((candidate) => candidate.id === defaultConnectionId);
  return fallback
    ? { text: agent.modelRef ? l10n.t('default connection ({0}) · {1}', fallback.name, agent.modelRef) : l10n.t('default connection ({0})', fallback.name), missing: false }
    : { text: l10n.t('default connection (none set)'), missing: true };
}

export function AgentRow({ agent, connections, defaultConnectionId, state, editing, running, sync, children, onSync, onRun, onEdit, onDelete }: AgentRowProps) {
  const route = agentRoute(agent, connections, defaultConnectionId);
  const synced = syncLine(sync);
  const name = agent.name;
  return (
    <li class={`agent-row${editing || running ? ' open' : ''}`} data-testid="agent-row" data-agent-id={agent.id} aria-busy={state.busy ? 'true' : 'false'}>
      <div class="row-head">
        <vscode-icon name="hubot" class="agent-icon" />
        <span class="agent-name" data-testid="agent-name" title={name}>
          {name}
        </span>
        <div class="row-actions" role="toolbar" aria-label={l10n.t('Actions for {0}', name)}>
          <RowAction testId="run-agent-button" icon="play" label={l10n.t('Run {0}', name)} title={l10n.t('Run')} disabled={state.busy} expanded={running} onClick={onRun} />
          <RowAction testId="edit-agent-button" icon="edit" label={l10n.t('Edit {0}', name)} title={l10n.t('Edit')} disabled={state.busy || editing} onClick={onEdit} />
          <RowAction testId="delete-agent-button" icon="trash" label={l10n.t('Delete {0}', name)} title={l10n.t('Delete')} disabled={state.busy} onClick={onDelete} />
        </div>
      </div>
      {agent.role && (
        <div class="agent-role" data-testid="agent-role" title={agent.role}>
          {agent.role}
        </div>
      )}
      <div class={`agent-route${route.missing ? ' missing' : ''}`} data-testid="agent-route">
        <vscode-icon name="plug" class="detail-icon" />
        <span>{route.text}</span>
      </div>
      <div class={`agent-sync${synced.failed ? ' failed' : ''}`} data-testid="agent-sync" data-sync-state={sync?.state ?? 'not_configured'}>
        <vscode-icon name={synced.failed ? 'warning' : 'cloud'} class="detail-icon" />
        <span title={synced.text}>{synced.text}</span>
        {synced.action && (
          <vscode-button secondary class="sync-action" data-testid="sync-agent-button" disabled={state.busy} onClick={() => !state.busy && onSync()}>
            {syncActionLabel(synced.action)}
          </vscode-button>
        )}
      </div>
      {state.message && <MessageLine message={state.message} testId="agent-row-message" />}
      {children}
    </li>
  );
}
