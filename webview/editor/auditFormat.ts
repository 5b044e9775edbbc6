import * as l10n from '@vscode/l10n';
import type { AuditFilter, AuditRow, EditorSnapshot } from '../../src/contracts/editorView';
import { AUDIT_KINDS, isOneOf } from '../../src/contracts/vocabulary';
import { formatLatency } from '../connections/format';
import type { SelectOption } from '../agents/agentModel';
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

/** The cells of one row, in column order: what a person reads, never a connection's id. */
export function auditCells(row: AuditRow, locale = pageLocale()): { time: string; kind: string; requester: string; connection: string; detail: string; run: string } {
  const time = Date.parse(row.time);
  return {
    time: Number.isNaN(time) ? row.time : new Date(time).toLocaleString(locale),
    kind: auditKindLabel(row.kind),
    requester: row.requester ?? '',
    connection: row.connection ?? '',
    detail: [row.outcome, row.purpose && l10n.t('for {0}', row.purpose), row.modelRef, formatLatency(row.latencyMs)].filter(Boolean).join(' · '),
    run: row.runId ?? '',
  };
}

export const AUDIT_PAGE_WORDS: PageWords = { range: (first, last, total) => l10n.t('Entries {0}–{1} of {2}', first, last, total), none: l10n.t('No entries match.') };

/** The line at the top of the Audit tab: whether the hash chain checks, and where it breaks. */
export function verificationLine(result: { ok: boolean; entries: number; broken?: { line: number; reason: string } }, locale = pageLocale()): string {
  const entries = formatCount(result.entries, locale);
  if (result.ok) return l10n.t('Verified: {0} entries, every link of the hash chain checks.', entries);
  return l10n.t('The audit log is broken at entry {0}: {1}. Entries from there on cannot be trusted.', result.broken ? formatCount(result.broken.line, locale) : '?', result.broken?.reason ?? l10n.t('unknown reason'));
}
