import * as l10n from '@vscode/l10n';
import type { KeyPurpose, KeyReadOutcome } from '../../src/contracts/agents';
import type { AuditFilter, AuditRow, EditorSnapshot } from '../../src/contracts/editorView';
import { AUDIT_KINDS, ERROR_CODES, isOneOf } from '../../src/contracts/vocabulary';
import { formatLatency } from '../connections/format';
import type { SelectOption } from '../agents/agentModel';
import { errorTitle, formatClockTime } from '../agents/format';
import { formatCount, pageLocale } from '../shared/locale';
import type { PageWords } from '../shared/paging';

/** How many entries one page of the Audit tab shows. */
export const AUDIT_PAGE_SIZE = 50;

const KIND_LABELS: Record<AuditRow['kind'], string> = {
  key_read: l10n.t('Key read'),
  model_call: l10n.t('Model call'),
  connection_created: l10n.t('Connection created'),
  connection_updated: l10n.t('Connection updated'),
  connection_deleted: l10n.t('Connection deleted'),
  budget_refused: l10n.t('Budget refused a call'),
  budget_changed: l10n.t('Budget changed'),
};

export function auditKindLabel(kind: AuditRow['kind']): string {
  return KIND_LABELS[kind];
}

export const AUDIT_KIND_OPTIONS: readonly SelectOption[] = AUDIT_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }));

export function connectionOptions(snapshot: Pick<EditorSnapshot, 'connections'>): SelectOption[] {
  return snapshot.connections.map((connection) => ({ value: connection.id, label: connection.name }));
}

/** The filter as the host's contract takes it: blank fields are left out, not sent empty. */
export function auditFilter(fields: { kind: string; requester: string; connectionId: string; run: string }): AuditFilter {
  const kind = fields.kind;
  return {
    ...(isOneOf(AUDIT_KINDS, kind) ? { kind } : {}),
    ...(fields.requester.trim() ? { requester: fields.requester.trim() } : {}),
    ...(fields.connectionId ? { connectionId: fields.connectionId } : {}),
    ...(fields.run.trim() ? { run: fields.run.trim() } : {}),
  };
}

/** How an entry ended, in a word a row's colour and icon follow. */
export type AuditResult = 'ok' | 'denied' | 'failed' | 'none';

const KEY_READ_OUTCOMES: Record<KeyReadOutcome, [string, AuditResult]> = {
  granted_by_person: [l10n.t('Allowed: your own click'), 'ok'],
  granted_standing: [l10n.t('Allowed: a standing permission'), 'ok'],
  granted_always: [l10n.t('Allowed, and always from now on'), 'ok'],
  granted_once: [l10n.t('Allowed once'), 'ok'],
  denied: [l10n.t('Denied'), 'denied'],
  refused: [l10n.t('Refused: the key may not go to that address'), 'denied'],
  failed: [l10n.t('Failed: the key could not be read'), 'failed'],
};

const PURPOSES: Record<KeyPurpose, string> = {
  test: l10n.t('to test the connection'),
  discover: l10n.t('to list its models'),
  chat: l10n.t('for a model call'),
  gateway: l10n.t('to sync agents to the AI gateway'),
  export: l10n.t('to export connections with their keys'),
};

/** An entry's outcome in words, and what kind of end it was; a code no version knew stays as it is. */
export function auditOutcome(kind: AuditRow['kind'], outcome: string | undefined): { text: string; result: AuditResult } {
  if (outcome === undefined) return { text: '', result: 'none' };
  if (kind === 'key_read') {
    const known = isOneOf(KEY_READ_OUTCOMES_LIST, outcome) ? KEY_READ_OUTCOMES[outcome] : undefined;
    return known ? { text: known[0], result: known[1] } : { text: outcome, result: 'none' };
  }
  if (outcome === 'ok') return { text: l10n.t('Succeeded'), result: 'ok' };
  // A call whose key was not given never went out: it is listed as denied, not as a call.
  if (outcome === 'consent_denied') return { text: l10n.t('Denied: no permission to use the key'), result: 'denied' };
  if (outcome === 'cancelled') return { text: l10n.t('Cancelled'), result: 'none' };
  return isOneOf(ERROR_CODES, outcome) ? { text: l10n.t('Failed: {0}', errorTitle(outcome)), result: 'failed' } : { text: outcome, result: 'failed' };
}

const KEY_READ_OUTCOMES_LIST = Object.keys(KEY_READ_OUTCOMES) as KeyReadOutcome[];

export interface AuditCells {
  time: string;
  kind: string;
  outcome: string;
  result: AuditResult;
  requester: string;
  connection: string;
  /** Why a key was read, the model, and how long the call took (not for one that never went out). */
  detail: string;
  /** The run by its agent and start; '' for an entry of no run. */
  run: string;
}

function formatTime(iso: string, locale: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toLocaleString(locale);
}

/** When a run started: its clock time on the day of the entry, else the date too. */
function runStart(startedAt: string, entryTime: string, locale: string): string {
  const day = (iso: string) => new Date(Date.parse(iso)).toLocaleDateString(locale);
  return day(startedAt) === day(entryTime) ? formatClockTime(startedAt, locale) : formatTime(startedAt, locale);
}

/** The cells of one row, in column order: what a person reads, never a connection's or requester's id. */
export function auditCells(row: AuditRow, locale = pageLocale()): AuditCells {
  const { text: outcome, result } = auditOutcome(row.kind, row.outcome);
  const connection = row.connection === undefined ? (row.connectionDeleted ? l10n.t('a deleted connection') : '') : row.connectionDeleted ? l10n.t('{0} (deleted)', row.connection) : row.connection;
  return {
    time: formatTime(row.time, locale),
    kind: auditKindLabel(row.kind),
    outcome,
    result,
    requester: row.requester ?? '',
    connection,
    detail: [row.purpose && PURPOSES[row.purpose], row.modelRef, result === 'denied' ? '' : formatLatency(row.latencyMs)].filter(Boolean).join(' · '),
    run: row.run ? l10n.t('{0}, started {1}', row.run.agentName, runStart(row.run.startedAt, row.time, locale)) : row.runId ? l10n.t('a run no longer in the history') : '',
  };
}

export const AUDIT_PAGE_WORDS: PageWords = { range: (first, last, total) => l10n.t('Entries {0}–{1} of {2}', first, last, total), none: l10n.t('No entries match.') };

/** The line at the top of the Audit tab: whether the hash chain checks, and where it breaks. */
export function verificationLine(result: { ok: boolean; entries: number; broken?: { line: number; reason: string }; newSince?: number }, locale = pageLocale()): string {
  const entries = formatCount(result.entries, locale);
  // Only the new entries were checked this time: say so, rather than claim every link.
  if (result.ok && result.newSince !== undefined) {
    return l10n.t('Verified: {0} entries; the {1} written since the last check link on to the chain checked then. Verify All checks every link again.', entries, formatCount(result.newSince, locale));
  }
  if (result.ok) return result.entries === 1 ? l10n.t('Verified: 1 entry, and its link of the hash chain checks.') : l10n.t('Verified: {0} entries, every link of the hash chain checks.', entries);
  return l10n.t('The audit log is broken at entry {0}: {1}. Entries from there on cannot be trusted.', result.broken ? formatCount(result.broken.line, locale) : '?', result.broken?.reason ?? l10n.t('unknown reason'));
}
