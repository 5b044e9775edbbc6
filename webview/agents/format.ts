import type { AgentSyncState } from '../../src/contracts/gateway';
import type { Routing, RunRecord, RunStatus, TraceStep } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import type { ErrorCode } from '../../src/contracts/errors';
import type { Usage } from '../../src/contracts/models';

/** The words shown next to a run's status colour, so the status never relies on colour alone. */
export function runStatusLabel(status: RunStatus): string {
  switch (status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return 'Running';
    case 'succeeded':
      return 'Succeeded';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** The codicon of a status; a running run shows a progress ring instead. */
export function runStatusIcon(status: RunStatus): string {
  switch (status) {
    case 'queued':
      return 'clock';
    case 'running':
      return 'loading';
    case 'succeeded':
      return 'pass';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'circle-slash';
  }
}

/** A run that may still change, and can be cancelled. */
export function isActiveRun(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** `850 ms`, `1.3 s`, `12 s`, `2 min 5 s`; '' when there is nothing to show. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 10_000) {
    return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/**
 * How long a run took: its latency once finished; while it is active, the time since it was
 * created (`now` from the view's clock).
 */
export function runDuration(run: Pick<RunRecord, 'status' | 'latencyMs' | 'createdAt' | 'finishedAt'>, now: number): number | undefined {
  if (run.latencyMs !== undefined) {
    return run.latencyMs;
  }
  const created = Date.parse(run.createdAt);
  if (Number.isNaN(created)) {
    return undefined;
  }
  if (isActiveRun(run.status)) {
    return Math.max(0, now - created);
  }
  const finished = run.finishedAt ? Date.parse(run.finishedAt) : NaN;
  return Number.isNaN(finished) ? undefined : Math.max(0, finished - created);
}

function count(value: number): string {
  return value.toLocaleString('en');
}

/** `1,234 in · 56 out`; '' before the provider has reported usage. */
export function formatTokens(usage: Usage | undefined): string {
  if (!usage) {
    return '';
  }
  return `${count(usage.inputTokens)} in · ${count(usage.outputTokens)} out`;
}

/** The longer form for the detail: `1,290 tokens (1,234 in, 56 out)`. */
export function formatTokensLong(usage: Usage | undefined): string {
  if (!usage) {
    return '';
  }
  const total = usage.inputTokens + usage.outputTokens;
  return `${count(total)} ${total === 1 ? 'token' : 'tokens'} (${count(usage.inputTokens)} in, ${count(usage.outputTokens)} out)`;
}

export const DELETED_CONNECTION = 'deleted connection';

/** A connection's name by id, or "deleted connection" when the snapshot no longer has it. */
export function connectionName(connections: readonly AgentsConnection[], connectionId: string): string {
  return connections.find((connection) => connection.id === connectionId)?.name ?? DELETED_CONNECTION;
}

/** A provider's display name, from any connection of that provider; its id when none is left. */
export function providerName(connections: readonly AgentsConnection[], providerId: string, connectionId?: string): string {
  const connection =
    connections.find((candidate) => candidate.id === connectionId && candidate.providerId === providerId) ??
    connections.find((candidate) => candidate.providerId === providerId);
  return connection?.providerName || providerId;
}

/** A model's display name from the connection's registered models; the modelRef itself otherwise. */
export function modelName(connections: readonly AgentsConnection[], connectionId: string, modelRef: string): string {
  const model = connections.find((connection) => connection.id === connectionId)?.models.find((candidate) => candidate.providerModelId === modelRef);
  return model?.displayName && model.displayName !== modelRef ? `${model.displayName} (${modelRef})` : modelRef;
}

/** Where the run's connection came from, in the words of the routing precedence. */
export function connectionSourceLabel(source: Routing['sources']['connectionId']): string {
  switch (source) {
    case 'request':
      return 'request';
    case 'agent':
      return 'agent';
    case 'default':
      return 'default';
    case 'legacy':
      return "agent's legacy model string";
  }
}

/** Where the run's model came from. */
export function modelSourceLabel(source: Routing['sources']['modelRef']): string {
  switch (source) {
    case 'request':
      return 'request';
    case 'agent':
      return 'agent';
    case 'connection':
      return 'connection default';
    case 'registry':
      return "connection's first enabled model";
    case 'provider':
      return 'provider default';
    case 'legacy':
      return "agent's legacy model string";
  }
}

export interface RoutingLines {
  connection: string;
  provider: string;
  model: string;
}

/**
 * The three lines of a run's routing, each with where its value came from:
 * `connection: Local Ollama (from: default)`, `provider: Ollama`, `model: llama3.2 (from: provider default)`.
 */
export function routingLines(routing: Routing, connections: readonly AgentsConnection[]): RoutingLines {
  return {
    connection: `connection: ${connectionName(connections, routing.connectionId)} (from: ${connectionSourceLabel(routing.sources.connectionId)})`,
    provider: `provider: ${providerName(connections, routing.providerId, routing.connectionId)}`,
    model: `model: ${modelName(connections, routing.connectionId, routing.modelRef)} (from: ${modelSourceLabel(routing.sources.modelRef)})`,
  };
}

/** A heading that says what went wrong; the host's message under it says what to do. */
export function errorTitle(code: ErrorCode): string {
  switch (code) {
    case 'missing_connection':
      return 'No connection to run on';
    case 'consent_denied':
      return 'Permission to use the connection was not given';
    case 'endpoint_unreachable':
      return 'The provider could not be reached';
    case 'auth_failed':
      return 'The provider refused the key';
    case 'model_not_found':
      return 'The model was not found';
    case 'rate_limited':
      return 'The provider is limiting requests';
    case 'timeout':
      return 'The provider took too long to answer';
    case 'cancelled':
      return 'The run was cancelled';
    case 'bad_response':
      return 'The provider sent an answer Switchboard could not read';
    case 'invalid_input':
      return 'The run was not valid';
    case 'not_found':
      return 'Something the run needs does not exist any more';
    case 'conflict':
      return 'The run conflicted with another change';
    case 'secret_storage_failed':
      return "The key could not be read from VS Code's secret storage";
    case 'storage_unavailable':
      return "Switchboard's database could not be opened";
    case 'internal':
      return 'Switchboard failed unexpectedly';
  }
}

/** Errors whose host message carries the next step: it is shown large, not as a footnote. */
export function isProminentError(code: ErrorCode): boolean {
  return code === 'consent_denied' || code === 'endpoint_unreachable' || code === 'missing_connection';
}

/** `+120 ms` from the run's creation to a step's start; '' when either time is unreadable. */
export function formatStepOffset(step: Pick<TraceStep, 'startedAt'>, runCreatedAt: string): string {
  const start = Date.parse(step.startedAt);
  const created = Date.parse(runCreatedAt);
  if (Number.isNaN(start) || Number.isNaN(created)) {
    return '';
  }
  return `+${formatDuration(Math.max(0, start - created))}`;
}

/** `14:03:07` in the person's locale, for a run's start; '' when unreadable. */
export function formatClockTime(iso: string, locale?: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : new Date(time).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** An agent's gateway sync state in a few words, and the action it offers ("Sync now", "Retry" or none). */
export function syncLine(sync: AgentSyncState | undefined, locale?: string): { text: string; action?: 'Sync now' | 'Retry'; failed: boolean } {
  switch (sync?.state) {
    case undefined:
    case 'not_configured':
      return { text: 'Gateway sync not configured', failed: false };
    case 'syncing':
      return { text: 'Syncing to the gateway…', failed: false };
    case 'not_synced':
      return { text: 'Not synced to the gateway yet', action: 'Sync now', failed: false };
    case 'synced':
      return { text: `Synced to the gateway at ${formatClockTime(sync.at, locale)}`, action: 'Sync now', failed: false };
    case 'failed':
      return { text: `Gateway sync failed: ${sync.error.message}`, action: 'Retry', failed: true };
  }
}
