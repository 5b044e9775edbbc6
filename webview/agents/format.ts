import * as l10n from '@vscode/l10n';
import type { AgentSyncState } from '../../src/contracts/gateway';
import type { Routing, RunRecord, RunStatus, TraceStep } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import type { ErrorCode } from '../../src/contracts/errors';
import type { Usage } from '../../src/contracts/models';
import { formatCount, formatDecimal, pageLocale } from '../shared/locale';
import { ERROR_CODES, isOneOf } from '../../src/contracts/vocabulary';

/** The words shown next to a run's status colour, so the status never relies on colour alone. */
export function runStatusLabel(status: RunStatus): string {
  switch (status) {
    case 'queued':
      return l10n.t('Queued');
    case 'running':
      return l10n.t('Running');
    case 'succeeded':
      return l10n.t('Succeeded');
    case 'failed':
      return l10n.t('Failed');
    case 'cancelled':
      return l10n.t('Cancelled');
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
    return l10n.t('{0} ms', formatCount(Math.round(ms)));
  }
  if (ms < 10_000) {
    return l10n.t('{0} s', formatDecimal(Math.floor(ms / 100) / 10, 1));
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return l10n.t('{0} s', seconds);
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return seconds % 60 ? l10n.t('{0} min {1} s', minutes, seconds % 60) : l10n.t('{0} min', minutes);
  }
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? l10n.t('{0} h {1} min', formatCount(hours), minutes % 60) : l10n.t('{0} h', formatCount(hours));
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

/** `1,234 in · 56 out`; '' before the provider has reported usage. */
export function formatTokens(usage: Usage | undefined): string {
  if (!usage) {
    return '';
  }
  return l10n.t('{0} in · {1} out', formatCount(usage.inputTokens), formatCount(usage.outputTokens));
}

/** The longer form for the detail: `1,290 tokens (1,234 in, 56 out)`. */
export function formatTokensLong(usage: Usage | undefined): string {
  if (!usage) {
    return '';
  }
  const total = usage.inputTokens + usage.outputTokens;
  const [input, output] = [formatCount(usage.inputTokens), formatCount(usage.outputTokens)];
  return total === 1 ? l10n.t('1 token ({0} in, {1} out)', input, output) : l10n.t('{0} tokens ({1} in, {2} out)', formatCount(total), input, output);
}

export const DELETED_CONNECTION = l10n.t('deleted connection');

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
  return model?.displayName && model.displayName !== modelRef ? l10n.t('{0} ({1})', model.displayName, modelRef) : modelRef;
}

/** Where the run's connection came from, in the words of the routing precedence. */
export function connectionSourceLabel(source: Routing['sources']['connectionId']): string {
  switch (source) {
    case 'request':
      return l10n.t('request');
    case 'agent':
      return l10n.t('agent');
    case 'default':
      return l10n.t('default');
    case 'legacy':
      return l10n.t("agent's legacy model string");
  }
}

/** Where the run's model came from. */
export function modelSourceLabel(source: Routing['sources']['modelRef']): string {
  switch (source) {
    case 'request':
      return l10n.t('request');
    case 'agent':
      return l10n.t('agent');
    case 'connection':
      return l10n.t('connection default');
    case 'registry':
      return l10n.t("connection's first enabled model");
    case 'provider':
      return l10n.t('provider default');
    case 'legacy':
      return l10n.t("agent's legacy model string");
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
    connection: l10n.t('connection: {0} (from: {1})', connectionName(connections, routing.connectionId), connectionSourceLabel(routing.sources.connectionId)),
    provider: l10n.t('provider: {0}', providerName(connections, routing.providerId, routing.connectionId)),
    model: l10n.t('model: {0} (from: {1})', modelName(connections, routing.connectionId, routing.modelRef), modelSourceLabel(routing.sources.modelRef)),
  };
}

/** One try of a run's model calls, as the run detail lists it. */
export interface AttemptLine {
  /** `connection · model`, by name. */
  target: string;
  /** What came of it, in words, with the HTTP status when there was one. */
  outcome: string;
  /** How long it took, and how long the call waited before it. */
  timing: string;
  kind: 'ok' | 'failed' | 'skipped';
}

/**
 * The tries of a run's calls (retries on one target, fallbacks, skipped targets), oldest first;
 * none when there was only the one try that answered, which the routing above already says.
 */
export function attemptLines(routing: Pick<Routing, 'attempts'>, connections: readonly AgentsConnection[]): AttemptLine[] {
  const attempts = routing.attempts ?? [];
  if (attempts.length <= 1 && attempts.every((attempt) => attempt.outcome === 'ok')) return [];
  return attempts.map((attempt) => {
    const target = l10n.t('{0} · {1}', connectionName(connections, attempt.connectionId), modelName(connections, attempt.connectionId, attempt.modelRef));
    const waited = attempt.waitMs > 0 ? l10n.t('after waiting {0}', formatDuration(attempt.waitMs)) : '';
    const timing = [attempt.outcome === 'cooling_down' ? '' : formatDuration(attempt.latencyMs), waited].filter(Boolean).join(' · ');
    if (attempt.outcome === 'ok') return { target, outcome: l10n.t('answered'), timing, kind: 'ok' };
    if (attempt.outcome === 'cooling_down') return { target, outcome: l10n.t('skipped: cooling down after repeated failures'), timing, kind: 'skipped' };
    const title = isOneOf(ERROR_CODES, attempt.outcome) ? errorTitle(attempt.outcome) : attempt.outcome;
    const outcome = attempt.status !== undefined ? l10n.t('{0} (HTTP {1})', title, attempt.status) : title;
    return { target, outcome, timing, kind: attempt.outcome === 'consent_denied' ? 'skipped' : 'failed' };
  });
}

/** The target that answered when it was a fallback, by name; '' when the run's own target answered. */
export function answeredByLine(routing: Pick<Routing, 'answeredBy'>, connections: readonly AgentsConnection[]): string {
  const by = routing.answeredBy;
  return by ? l10n.t('answered by fallback: {0} · {1}', connectionName(connections, by.connectionId), modelName(connections, by.connectionId, by.modelRef)) : '';
}

/** A heading that says what went wrong; the host's message under it says what to do. */
export function errorTitle(code: ErrorCode): string {
  switch (code) {
    case 'missing_connection':
      return l10n.t('No connection to run on');
    case 'consent_denied':
      return l10n.t('Permission to use the connection was not given');
    case 'endpoint_unreachable':
      return l10n.t('The provider could not be reached');
    case 'auth_failed':
      return l10n.t('The provider refused the key');
    case 'model_not_found':
      return l10n.t('The model was not found');
    case 'rate_limited':
      return l10n.t('The provider is limiting requests');
    case 'budget_exceeded':
      return l10n.t('A budget is used up');
    case 'timeout':
      return l10n.t('The provider took too long to answer');
    case 'cancelled':
      return l10n.t('The run was cancelled');
    case 'bad_response':
      return l10n.t('The provider sent an answer Switchboard could not read');
    case 'invalid_input':
      return l10n.t('The run was not valid');
    case 'not_found':
      return l10n.t('Something the run needs does not exist any more');
    case 'conflict':
      return l10n.t('The run conflicted with another change');
    case 'secret_storage_failed':
      return l10n.t("The key could not be read from VS Code's secret storage");
    case 'storage_unavailable':
      return l10n.t("Switchboard's database could not be opened");
    case 'internal':
      return l10n.t('Switchboard failed unexpectedly');
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
export function formatClockTime(iso: string, locale = pageLocale()): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : new Date(time).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** An agent's gateway sync state in a few words, and the action it offers ("Sync now", "Retry" or none; syncActionLabel gives its words). */
export function syncLine(sync: AgentSyncState | undefined, locale = pageLocale()): { text: string; action?: 'Sync now' | 'Retry'; failed: boolean } {
  switch (sync?.state) {
    case undefined:
    case 'not_configured':
      return { text: l10n.t('Gateway sync not configured'), failed: false };
    case 'syncing':
      return { text: l10n.t('Syncing to the gateway…'), failed: false };
    case 'not_synced':
      return { text: l10n.t('Not synced to the gateway yet'), action: 'Sync now', failed: false };
    case 'synced':
      return { text: l10n.t('Synced to the gateway at {0}', formatClockTime(sync.at, locale)), action: 'Sync now', failed: false };
    case 'failed':
      return { text: l10n.t('Gateway sync failed: {0}', sync.error.message), action: 'Retry', failed: true };
  }
}

/** The words of a sync action's button. */
export function syncActionLabel(action: 'Sync now' | 'Retry'): string {
  return action === 'Retry' ? l10n.t('Retry') : l10n.t('Sync now');
}
