import type { ComponentChildren } from 'preact';
import type { Agent } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { DELETED_CONNECTION } from './format';

/** What the view knows about an agent row beyond the snapshot: a delete on its way, and its outcome. */
export interface AgentRowState {
  busy?: boolean;
  message?: { kind: 'success' | 'error' | 'info'; text: string };
}

interface AgentRowProps {
  agent: Agent;
  connections: readonly AgentsConnection[];
  defaultConnectionId: string;
  state: AgentRowState;
  /** Whether this agent's edit form and run panel are open (they show under the row). */
  editing: boolean;
  running: boolean;
  children?: ComponentChildren;
  onRun(): void;
  onEdit(): void;
  onDelete(): void;
}

const MESSAGE_ICONS = { success: 'pass', error: 'error', info: 'info' } as const;

/** Where the agent runs, in a few words: its connection and model, or the default. */
export function agentRoute(agent: Agent, connections: readonly AgentsConnection[], defaultConnectionId: string): { text: string; missing: boolean } {
  if (agent.connectionId) {
    const connection = connections.find((candidate) => candidate.id === agent.connectionId);
    const model = agent.modelRef ? ` · ${agent.modelRef}` : " · connection's default model";
    return { text: `${connection?.name ?? DELETED_CONNECTION}${model}`, missing: !connection };
  }
  const fallback = connections.find((candidate) => candidate.id === defaultConnectionId);
  return fallback
    ? { text: `default connection (${fallback.name})`, missing: false }
    : { text: 'default connection (none set)', missing: true };
}

export function AgentRow({ agent, connections, defaultConnectionId, state, editing, running, children, onRun, onEdit, onDelete }: AgentRowProps) {
  const route = agentRoute(agent, connections, defaultConnectionId);
  const name = agent.name;
  return (
    <li class={`agent-row${editing || running ? ' open' : ''}`} data-testid="agent-row" data-agent-id={agent.id} aria-busy={state.busy ? 'true' : 'false'}>
      <div class="row-head">
        <vscode-icon name="hubot" class="agent-icon" />
        <span class="agent-name" data-testid="agent-name" title={name}>
          {name}
        </span>
        <div class="row-actions" role="toolbar" aria-label={`Actions for ${name}`}>
          <vscode-button
            class="action"
            data-testid="run-agent-button"
            icon="play"
            iconOnly
            secondary
            disabled={state.busy || running}
            aria-label={`Run ${name}`}
            title="Run"
            onClick={() => !state.busy && !running && onRun()}
          />
          <vscode-button
            class="action"
            data-testid="edit-agent-button"
            icon="edit"
            iconOnly
            secondary
            disabled={state.busy || editing}
            aria-label={`Edit ${name}`}
            title="Edit"
            onClick={() => !state.busy && !editing && onEdit()}
          />
          <vscode-button
            class="action"
            data-testid="delete-agent-button"
            icon="trash"
            iconOnly
            secondary
            disabled={state.busy}
            aria-label={`Delete ${name}`}
            title="Delete"
            onClick={() => !state.busy && onDelete()}
          />
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
      {state.message && (
        <div class={`row-message ${state.message.kind}`} data-testid="agent-row-message" role={state.message.kind === 'error' ? 'alert' : 'status'}>
          <vscode-icon name={MESSAGE_ICONS[state.message.kind]} class="message-icon" />
          <span>{state.message.text}</span>
        </div>
      )}
      {children}
    </li>
  );
}
