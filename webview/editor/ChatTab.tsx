import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import type { ChatRecord } from '../../src/contracts/chatRecords';
import { SelectField } from '../agents/fields';
import { answeredByLine, errorTitle, formatDuration, formatTokensLong, providerName, runStatusIcon, runStatusLabel } from '../agents/format';
import { Attempts } from '../agents/RunDetail';
import { errorMessage } from '../shared/errors';
import type { RowMessage } from '../shared/messages';
import { PagedTable, type TableColumn } from '../shared/PagedTable';
import { connectionOptions } from './auditFormat';
import { CHAT_PAGE_SIZE, CHAT_PAGE_WORDS, CHAT_STATUS_OPTIONS, chatCells, chatFilter, EMPTY_CHAT_FILTER, type ChatCells } from './chatFormat';
import type { EditorClient, EditorSnapshot } from './client';
import { modelOptions } from './runsFormat';
import { useTableQuery } from './usePage';

interface ChatTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page is read afresh. */
  visits: number;
  /** Changes when the host says a chat request was recorded while the tab is shown. */
  changes: number;
}

type Row = { record: ChatRecord; cells: ChatCells };

function ChatStatus({ record }: { record: ChatRecord }) {
  return (
    <span class={`run-status run-status-${record.status}`} data-testid="chat-row-status">
      <vscode-icon name={runStatusIcon(record.status)} class="status-icon" />
      <span class="status-text">{runStatusLabel(record.status)}</span>
    </span>
  );
}

const COLUMNS: readonly TableColumn<Row>[] = [
  { id: 'started', label: l10n.t('Started'), cell: ({ cells }) => cells.started },
  { id: 'status', label: l10n.t('Status'), cell: ({ record }) => <ChatStatus record={record} /> },
  { id: 'requester', label: l10n.t('Requester'), cell: ({ cells }) => cells.requester },
  { id: 'connection', label: l10n.t('Connection'), cell: ({ cells }) => cells.connection },
  { id: 'model', label: l10n.t('Model'), cell: ({ cells }) => cells.model },
  { id: 'tokens', label: l10n.t('Tokens'), numeric: true, cell: ({ cells }) => cells.tokens },
  { id: 'duration', label: l10n.t('Duration'), numeric: true, cell: ({ cells }) => cells.duration },
];

/**
 * The requests VS Code's chat sent through Switchboard, a page at a time, filtered on the
 * host; a row opens the request's detail under the table. They carry no text: only where each
 * went, what it cost and how it ended.
 */
export function ChatTab({ client, snapshot, visits, changes }: ChatTabProps) {
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const [refreshes, setRefreshes] = useState(0);
  const query = useTableQuery({
    empty: EMPTY_CHAT_FILTER,
    filterOf: chatFilter,
    load: (filter, offset) => client.request('chatPage', { offset, limit: CHAT_PAGE_SIZE, filter }),
    onError: (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    visits,
    refreshes: changes + refreshes,
  });
  const { page, fields } = query;
  const requesterNames = page?.requesterNames ?? {};
  const rows = page?.records.map((record) => ({ record, cells: chatCells(record, snapshot.connections, requesterNames) }));
  const selected = rows?.find((row) => row.record.id === selectedId);

  return (
    <PagedTable
      testIdPrefix="chat"
      label={l10n.t('Chat requests')}
      tableLabel={l10n.t('Chat requests, newest first')}
      onRefresh={() => setRefreshes((n) => n + 1)}
      message={message}
      filters={
        <>
          <SelectField
            id="chat-connection"
            testId="chat-filter-connection"
            label={l10n.t('Connection')}
            value={fields.connectionId}
            emptyLabel={l10n.t('Any connection')}
            options={connectionOptions(snapshot)}
            onChange={(connectionId) => query.change({ connectionId, modelRef: '' })}
          />
          <SelectField id="chat-model" testId="chat-filter-model" label={l10n.t('Model')} value={fields.modelRef} emptyLabel={l10n.t('Any model')} options={modelOptions(snapshot, fields.connectionId)} onChange={(modelRef) => query.change({ modelRef })} />
          <SelectField id="chat-status" testId="chat-filter-status" label={l10n.t('Status')} value={fields.status} emptyLabel={l10n.t('Any status')} options={CHAT_STATUS_OPTIONS} onChange={(status) => query.change({ status })} />
        </>
      }
      columns={COLUMNS}
      rows={rows}
      rowKey={({ record }) => record.id}
      rowData={({ record }) => ({ 'data-chat-id': record.id, 'data-status': record.status })}
      selectedKey={selectedId}
      onSelect={setSelectedId}
      paging={{ offset: query.offset, total: page?.total, pageSize: CHAT_PAGE_SIZE, words: CHAT_PAGE_WORDS, onOffset: query.setOffset }}
    >
      {selected && <ChatDetail row={selected} snapshot={snapshot} />}
    </PagedTable>
  );
}

/** Everything recorded about one chat request. */
function ChatDetail({ row: { record, cells }, snapshot }: { row: Row; snapshot: EditorSnapshot }) {
  const facts: [string, string, string][] = [
    [l10n.t('Started'), cells.started, 'chat-detail-started'],
    [l10n.t('Status'), runStatusLabel(record.status), 'chat-detail-status'],
    [l10n.t('Requested by'), cells.requester, 'chat-detail-requester'],
    [l10n.t('Connection'), l10n.t('{0} ({1})', cells.connection, providerName(snapshot.connections, record.providerId, record.connectionId)), 'chat-detail-connection'],
    [l10n.t('Model'), cells.model, 'chat-detail-model'],
    [l10n.t('Tokens'), formatTokensLong(record.usage), 'chat-detail-tokens'],
    [l10n.t('Tool calls'), String(record.toolCalls), 'chat-detail-tool-calls'],
    [l10n.t('First token'), formatDuration(record.firstTokenMs), 'chat-detail-first-token'],
    [l10n.t('Duration'), cells.duration, 'chat-detail-duration'],
  ];
  return (
    <section class="editor-run-detail" data-testid="chat-detail" data-chat-id={record.id} aria-label={l10n.t('Chat request of {0}', cells.started)}>
      <h3 class="editor-heading">{l10n.t('Chat request to {0}', cells.model)}</h3>
      {record.error && (
        <div class={`run-error${record.status === 'cancelled' ? ' cancelled' : ''}`} data-testid="chat-detail-error" data-code={record.error.code} role="status">
          <span class="run-error-title">
            <vscode-icon name={record.status === 'cancelled' ? 'circle-slash' : 'error'} />
            <strong>{errorTitle(record.error.code)}</strong>
          </span>
          <span class="run-error-message">{record.error.message}</span>
        </div>
      )}
      <dl class="run-facts">
        {facts
          .filter(([, value]) => value)
          .flatMap(([label, value, testId]) => [
            <dt key={`${testId}-label`}>{label}</dt>,
            <dd key={testId} data-testid={testId}>
              {value}
            </dd>,
          ])}
      </dl>
      {record.answeredBy && (
        <p class="run-detail-note" data-testid="chat-detail-answered-by">
          {answeredByLine(record, snapshot.connections)}
        </p>
      )}
      <Attempts routing={record} connections={snapshot.connections} />
    </section>
  );
}
