import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { formatCount } from '../shared/locale';
import { TextField } from '../shared/fields';
import { MessageLine, type RowMessage } from '../shared/messages';
import { AUDIT_KIND_OPTIONS, AUDIT_PAGE_SIZE, AUDIT_PAGE_WORDS, auditCells, auditFilter, connectionOptions, verificationLine } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import type { FirstPages } from './firstPages';
import { Pager } from './Pager';
import { usePage } from './usePage';

interface AuditTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page and the verification are read afresh. */
  visits: number;
  /** The first unfiltered page and the verification, asked for as the editor started (askFirstPages). */
  firstPage?: FirstPages['audit'];
  firstVerification?: FirstPages['verification'];
}

/**
 * The audit log as a read-only table, newest first. The host filters and pages: the view asks
 * for one page at a time and never holds the whole log.
 */
export function AuditTab({ client, snapshot, visits, firstPage, firstVerification }: AuditTabProps) {
  const [fields, setFields] = useState({ kind: '', requester: '', connectionId: '', run: '' });
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const filter = auditFilter(fields);
  const { page } = usePage(
    () => client.request('auditPage', { offset, limit: AUDIT_PAGE_SIZE, filter }),
    JSON.stringify([filter, offset, visits]),
    (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    firstPage,
  );

  const { page: verification } = usePage(
    () => client.request('verifyAudit', {}),
    String(visits),
    (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    firstVerification,
  );

  const setField = (name: keyof typeof fields) => (value: string) => {
    setFields((current) => ({ ...current, [name]: value }));
    setOffset(0);
  };

  const exportLog = async () => {
    setMessage(undefined);
    try {
      const result = await client.request('exportAudit', {});
      if (result.exported) setMessage({ kind: 'success', text: l10n.t('Exported {0} entries.', formatCount(result.entries)) });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    }
  };

  const shown = page?.entries.length ?? 0;

  return (
    <section class="editor-tab audit-tab" aria-label={l10n.t('Audit log')}>
      <div class="editor-toolbar">
        {/* One region for both, so that the result replacing "Verifying…" is read out. */}
        <div class="audit-verification" aria-live="polite">
          {verification ? (
            <MessageLine testId="audit-verification" message={{ kind: verification.ok ? 'success' : 'error', text: verificationLine(verification) }} />
          ) : (
            <span class="toolbar-summary">{l10n.t('Verifying the hash chain…')}</span>
          )}
        </div>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="audit-export" secondary onClick={() => void exportLog()}>
          {l10n.t('Export…')}
        </vscode-button>
      </div>
      {message && <MessageLine testId="audit-message" message={message} />}
      <div class="editor-filters">
        <SelectField id="audit-kind" testId="audit-filter-kind" label={l10n.t('Kind')} value={fields.kind} emptyLabel={l10n.t('Any kind')} options={AUDIT_KIND_OPTIONS} onChange={setField('kind')} />
        <TextField id="audit-requester" testId="audit-filter-requester" label={l10n.t('Requester')} value={fields.requester} placeholder={l10n.t('a name, e.g. Agents view')} onInput={setField('requester')} />
        <SelectField
          id="audit-connection"
          testId="audit-filter-connection"
          label={l10n.t('Connection')}
          value={fields.connectionId}
          emptyLabel={l10n.t('Any connection')}
          options={connectionOptions(snapshot)}
          onChange={setField('connectionId')}
        />
        <TextField id="audit-run" testId="audit-filter-run" label={l10n.t('Run')} value={fields.run} placeholder={l10n.t('a run id or its start')} onInput={setField('run')} />
      </div>
      <div class="editor-table-scroll">
        <table class="editor-table" data-testid="audit-table" aria-label={l10n.t('Audit entries, newest first')}>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{l10n.t('Time')}</th>
              <th scope="col">{l10n.t('Kind')}</th>
              <th scope="col">{l10n.t('Requester')}</th>
              <th scope="col">{l10n.t('Connection')}</th>
              <th scope="col">{l10n.t('Detail')}</th>
              <th scope="col">{l10n.t('Run')}</th>
            </tr>
          </thead>
          <tbody>
            {page?.entries.map((row) => {
              const cells = auditCells(row);
              return (
                <tr key={row.seq} data-testid="audit-row" data-kind={row.kind}>
                  <td class="numeric">{row.seq}</td>
                  <td>{cells.time}</td>
                  <td>{cells.kind}</td>
                  <td>{cells.requester}</td>
                  <td>{cells.connection}</td>
                  <td>{cells.detail}</td>
                  <td class="run-id" title={cells.run}>
                    {cells.run}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager testIdPrefix="audit" offset={offset} shown={shown} total={page?.total} pageSize={AUDIT_PAGE_SIZE} words={AUDIT_PAGE_WORDS} onOffset={setOffset} />
    </section>
  );
}
