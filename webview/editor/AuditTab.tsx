import { useEffect, useState } from 'preact/hooks';
import type { AuditVerificationInfo } from '../../src/contracts/editorView';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { TextField } from '../shared/fields';
import { MessageLine, type RowMessage } from '../shared/messages';
import { AUDIT_KIND_OPTIONS, AUDIT_PAGE_SIZE, AUDIT_PAGE_WORDS, auditCells, auditFilter, connectionOptions, verificationLine } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import { Pager } from './Pager';
import { usePage } from './usePage';

interface AuditTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page and the verification are read afresh. */
  visits: number;
}

/**
 * The audit log as a read-only table, newest first. The host filters and pages: the view asks
 * for one page at a time and never holds the whole log.
 */
export function AuditTab({ client, snapshot, visits }: AuditTabProps) {
  const [fields, setFields] = useState({ kind: '', requester: '', connectionId: '', run: '' });
  const [offset, setOffset] = useState(0);
  const [verification, setVerification] = useState<AuditVerificationInfo | undefined>(undefined);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const filter = auditFilter(fields);
  const { page } = usePage(
    () => client.request('auditPage', { offset, limit: AUDIT_PAGE_SIZE, filter }),
    JSON.stringify([filter, offset, visits]),
    (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
  );

  useEffect(() => {
    client.request('verifyAudit', {}).then(setVerification, (error: unknown) => setMessage({ kind: 'error', text: errorMessage(error) }));
  }, [client, visits]);

  const setField = (name: keyof typeof fields) => (value: string) => {
    setFields((current) => ({ ...current, [name]: value }));
    setOffset(0);
  };

  const exportLog = async () => {
    setMessage(undefined);
    try {
      const result = await client.request('exportAudit', {});
      if (result.exported) setMessage({ kind: 'success', text: `Exported ${result.entries.toLocaleString()} entries.` });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    }
  };

  const shown = page?.entries.length ?? 0;

  return (
    <section class="editor-tab audit-tab" aria-label="Audit log">
      <div class="editor-toolbar">
        {/* One region for both, so that the result replacing "Verifying…" is read out. */}
        <div class="audit-verification" aria-live="polite">
          {verification ? (
            <MessageLine testId="audit-verification" message={{ kind: verification.ok ? 'success' : 'error', text: verificationLine(verification) }} />
          ) : (
            <span class="toolbar-summary">Verifying the hash chain…</span>
          )}
        </div>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="audit-export" secondary onClick={() => void exportLog()}>
          Export…
        </vscode-button>
      </div>
      {message && <MessageLine testId="audit-message" message={message} />}
      <div class="editor-filters">
        <SelectField id="audit-kind" testId="audit-filter-kind" label="Kind" value={fields.kind} emptyLabel="Any kind" options={AUDIT_KIND_OPTIONS} onChange={setField('kind')} />
        <TextField id="audit-requester" testId="audit-filter-requester" label="Requester" value={fields.requester} placeholder="a name, e.g. Agents view" onInput={setField('requester')} />
        <SelectField
          id="audit-connection"
          testId="audit-filter-connection"
          label="Connection"
          value={fields.connectionId}
          emptyLabel="Any connection"
          options={connectionOptions(snapshot)}
          onChange={setField('connectionId')}
        />
        <TextField id="audit-run" testId="audit-filter-run" label="Run" value={fields.run} placeholder="a run id or its start" onInput={setField('run')} />
      </div>
      <div class="editor-table-scroll">
        <table class="editor-table" data-testid="audit-table" aria-label="Audit entries, newest first">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Requester</th>
              <th scope="col">Connection</th>
              <th scope="col">Detail</th>
              <th scope="col">Run</th>
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
