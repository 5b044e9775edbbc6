import * as l10n from '@vscode/l10n';
import { useEffect, useState } from 'preact/hooks';
import type { AuditRow } from '../../src/contracts/editorView';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { TextField } from '../shared/fields';
import { formatCount } from '../shared/locale';
import { MessageLine, type RowMessage } from '../shared/messages';
import { PagedTable, type TableColumn } from '../shared/PagedTable';
import { RowAction } from '../shared/RowAction';
import { AUDIT_KIND_OPTIONS, AUDIT_PAGE_SIZE, AUDIT_PAGE_WORDS, auditCells, auditFilter, connectionOptions, verificationLine, type AuditCells } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import type { FirstPages } from './firstPages';
import { usePage, useTableQuery } from './usePage';

interface AuditTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page and the verification are read afresh. */
  visits: number;
  /** Changes when the host says an entry was written while the tab is shown. */
  changes: number;
  /** The first unfiltered page and the verification, asked for as the editor started (askFirstPages). */
  firstPage?: FirstPages['audit'];
  firstVerification?: FirstPages['verification'];
}

const RESULT_ICONS: Record<AuditCells['result'], string | undefined> = { ok: 'pass', denied: 'circle-slash', failed: 'error', none: undefined };

const EMPTY_FILTER = { kind: '', requester: '', connectionId: '', run: '' };

type Row = { entry: AuditRow; cells: AuditCells };

/**
 * The audit log as a read-only table, newest first, in words: what happened and how it ended,
 * who asked, on which connection, why, and in which run. The host filters and pages: the view
 * asks for one page at a time and never holds the whole log; it reads the page again when the
 * host says an entry was written.
 */
export function AuditTab({ client, snapshot, visits, changes, firstPage, firstVerification }: AuditTabProps) {
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const onError = (error: unknown) => setMessage({ kind: 'error', text: errorMessage(error) });
  const [refreshes, setRefreshes] = useState(0);
  const query = useTableQuery({
    empty: EMPTY_FILTER,
    filterOf: auditFilter,
    load: (filter, offset) => client.request('auditPage', { offset, limit: AUDIT_PAGE_SIZE, filter }),
    onError,
    visits,
    refreshes: changes + refreshes,
    first: firstPage,
  });
  const { page, fields } = query;
  // The entries written since the last verify: what opening the tab, a change and Refresh check.
  const { page: verification } = usePage(() => client.request('verifyAudit', {}), String(visits), onError, firstVerification, changes + refreshes);
  // Verify All: the whole log, asked for by the person; shown until the next verification above.
  const [whole, setWhole] = useState<{ result?: typeof verification } | undefined>(undefined);
  useEffect(() => setWhole(undefined), [visits, changes, refreshes]);
  const verifyAll = async () => {
    setWhole({});
    try {
      setWhole({ result: await client.request('verifyAudit', { full: true }) });
    } catch (error) {
      setWhole(undefined);
      onError(error);
    }
  };
  const shown = whole ? whole.result : verification;

  const act = async (what: () => Promise<RowMessage | undefined>) => {
    setMessage(undefined);
    try {
      setMessage(await what());
    } catch (error) {
      onError(error);
    }
  };
  const exportLog = () =>
    act(async () => {
      const result = await client.request('exportAudit', {});
      return result.exported ? { kind: 'success', text: l10n.t('Exported {0} entries.', formatCount(result.entries)) } : undefined;
    });
  const copyRunId = (runId: string) =>
    act(async () => {
      await client.request('copyRunId', { runId });
      return { kind: 'success', text: l10n.t('Copied the run id {0}.', runId) };
    });

  const columns: readonly TableColumn<Row>[] = [
    { id: 'seq', label: '#', numeric: true, cell: ({ entry }) => entry.seq },
    { id: 'time', label: l10n.t('Time'), cell: ({ cells }) => cells.time },
    {
      id: 'event',
      label: l10n.t('Event'),
      cell: ({ cells }) => {
        const icon = RESULT_ICONS[cells.result];
        return (
          <>
            <span class="audit-kind">{cells.kind}</span>
            {cells.outcome && (
              <span class={`audit-outcome audit-${cells.result}`} data-testid="audit-outcome" data-result={cells.result}>
                {icon && <vscode-icon name={icon} class="status-icon" />}
                {cells.outcome}
              </span>
            )}
          </>
        );
      },
    },
    { id: 'requester', label: l10n.t('Requester'), cell: ({ cells }) => cells.requester },
    { id: 'connection', label: l10n.t('Connection'), cell: ({ cells }) => cells.connection },
    { id: 'detail', label: l10n.t('Detail'), cell: ({ cells }) => cells.detail },
    {
      id: 'run',
      label: l10n.t('Run'),
      cell: ({ entry, cells }) =>
        entry.runId && (
          <span class="audit-run" data-testid="audit-run" title={l10n.t('Run id {0}', entry.runId)}>
            {cells.run}
            <RowAction testId="audit-copy-run-id" icon="copy" label={l10n.t('Copy the run id {0}', entry.runId)} title={l10n.t('Copy the run id')} onClick={() => void copyRunId(entry.runId!)} />
          </span>
        ),
    },
  ];

  return (
    <PagedTable
      testIdPrefix="audit"
      label={l10n.t('Audit log')}
      tableLabel={l10n.t('Audit entries, newest first')}
      status={
        // One region for both, so that the result replacing "Verifying…" is read out.
        <div class="audit-verification" aria-live="polite">
          {shown ? (
            <MessageLine testId="audit-verification" message={{ kind: shown.ok ? 'success' : 'error', text: verificationLine(shown) }} />
          ) : (
            <span class="toolbar-summary">{whole ? l10n.t('Verifying every entry of the hash chain…') : l10n.t('Verifying the hash chain…')}</span>
          )}
        </div>
      }
      actions={
        <>
          <vscode-button data-testid="audit-verify-all" secondary title={l10n.t('Check every entry again, not only those written since the last check')} onClick={() => void verifyAll()}>
            {l10n.t('Verify All')}
          </vscode-button>
          <vscode-button data-testid="audit-export" secondary onClick={() => void exportLog()}>
            {l10n.t('Export…')}
          </vscode-button>
        </>
      }
      onRefresh={() => setRefreshes((n) => n + 1)}
      message={message}
      filters={
        <>
          <SelectField id="audit-kind" testId="audit-filter-kind" label={l10n.t('Kind')} value={fields.kind} emptyLabel={l10n.t('Any kind')} options={AUDIT_KIND_OPTIONS} onChange={(kind) => query.change({ kind })} />
          <TextField id="audit-requester" testId="audit-filter-requester" label={l10n.t('Requester')} value={fields.requester} placeholder={l10n.t('a name, e.g. Agents view')} onInput={(requester) => query.change({ requester })} />
          <SelectField
            id="audit-connection"
            testId="audit-filter-connection"
            label={l10n.t('Connection')}
            value={fields.connectionId}
            emptyLabel={l10n.t('Any connection')}
            options={connectionOptions(snapshot)}
            onChange={(connectionId) => query.change({ connectionId })}
          />
          <TextField id="audit-run" testId="audit-filter-run" label={l10n.t('Run')} value={fields.run} placeholder={l10n.t('a run id or its start')} onInput={(run) => query.change({ run })} />
        </>
      }
      columns={columns}
      rows={page?.entries.map((entry) => ({ entry, cells: auditCells(entry) }))}
      rowKey={({ entry }) => String(entry.seq)}
      rowData={({ entry, cells }) => ({ 'data-kind': entry.kind, 'data-result': cells.result })}
      paging={{ offset: query.offset, total: page?.total, pageSize: AUDIT_PAGE_SIZE, words: AUDIT_PAGE_WORDS, onOffset: query.setOffset }}
    />
  );
}
