import * as l10n from '@vscode/l10n';
import type { RunRecord } from '../../src/contracts/agents';
import { isOneOf, RUN_STATUSES } from '../../src/contracts/vocabulary';
import type { EditorSnapshot, RunFilterInput } from '../../src/contracts/editorView';
import type { SelectOption } from '../agents/agentModel';
import { pageLocale } from '../shared/locale';
import type { PageWords } from '../shared/paging';
import { connectionName, formatClockTime, formatDuration, modelName, runDuration, runStatusLabel } from '../agents/format';

/** How many runs one page of the Runs tab shows. */
export const RUNS_PAGE_SIZE = 50;

export interface RunFilterFields {
  agentId: string;
  connectionId: string;
  modelRef: string;
  status: string;
  text: string;
}

export const EMPTY_RUN_FILTER: RunFilterFields = { agentId: '', connectionId: '', modelRef: '', status: '', text: '' };

export const RUN_STATUS_OPTIONS: readonly SelectOption[] = RUN_STATUSES.map((status) => ({ value: status, label: runStatusLabel(status) }));

export function agentOptions(snapshot: Pick<EditorSnapshot, 'agents'>): SelectOption[] {
  return snapshot.agents.map((agent) => ({ value: agent.id, label: agent.name }));
}

/**
 * The models to filter by: those of the chosen connection, or of every connection, each once,
 * by its display name.
 */
export function modelOptions(snapshot: Pick<EditorSnapshot, 'connections'>, connectionId: string): SelectOption[] {
  const seen = new Map<string, SelectOption>();
  for (const connection of snapshot.connections) {
    if (connectionId && connection.id !== connectionId) continue;
    for (const model of connection.models) {
      if (!seen.has(model.providerModelId)) seen.set(model.providerModelId, { value: model.providerModelId, label: model.displayName || model.providerModelId });
    }
  }
  return [...seen.values()];
}

/** The filter as the host's contract takes it: blank fields are left out, not sent empty. */
export function runFilter(fields: RunFilterFields): RunFilterInput {
  const { status } = fields;
  return {
    ...(fields.agentId ? { agentId: fields.agentId } : {}),
    ...(fields.connectionId ? { connectionId: fields.connectionId } : {}),
    ...(fields.modelRef ? { modelRef: fields.modelRef } : {}),
    ...(isOneOf(RUN_STATUSES, status) ? { status } : {}),
    ...(fields.text.trim() ? { text: fields.text.trim() } : {}),
  };
}

/** The cells of a run's row, in column order, with names, never ids. */
export function runCells(run: RunRecord, connections: EditorSnapshot['connections'], now: number, locale = pageLocale()): { agent: string; connection: string; model: string; started: string; duration: string } {
  const routing = run.routing;
  return {
    agent: run.agentName,
    connection: routing ? connectionName(connections, routing.connectionId) : '',
    model: routing ? modelName(connections, routing.connectionId, routing.modelRef) : '',
    started: `${new Date(Date.parse(run.createdAt)).toLocaleDateString(locale)} ${formatClockTime(run.createdAt, locale)}`,
    duration: formatDuration(runDuration(run, now)),
  };
}

export const RUNS_PAGE_WORDS: PageWords = { range: (first, last, total) => l10n.t('Runs {0}–{1} of {2}', first, last, total), none: l10n.t('No runs match.') };
