import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import type { RunRecord } from '../../src/contracts/agents';
import { SelectField } from '../agents/fields';
import { RunDetail } from '../agents/RunDetail';
import { isActiveRun } from '../agents/format';
import { RunStatus } from '../agents/RunsList';
import { errorMessage } from '../shared/errors';
import { TextField } from '../shared/fields';
import { useNow } from '../shared/hooks';
import type { RowMessage } from '../shared/messages';
import { PagedTable, type TableColumn } from '../shared/PagedTable';
import { connectionOptions } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import type { FirstPages } from './firstPages';
import { agentOptions, EMPTY_RUN_FILTER, modelOptions, RUN_STATUS_OPTIONS, runCells, runFilter, RUNS_PAGE_SIZE, RUNS_PAGE_WORDS } from './runsFormat';
import { useTableQuery } from './usePage';

interface RunsTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page is read afresh. */
  visits: number;
  /** The first unfiltered page, asked for as the editor started (askFirstPages). */
  firstPage?: FirstPages['runs'];
}

type RunRow = { run: RunRecord; cells: ReturnType<typeof runCells> };

const COLUMNS: readonly TableColumn<RunRow>[] = [
  { id: 'agent', label: l10n.t('Agent'), cell: ({ cells }) => cells.agent },
  { id: 'status', label: l10n.t('Status'), cell: ({ run }) => <RunStatus run={run} /> },
  { id: 'connection', label: l10n.t('Connection'), cell: ({ cells }) => cells.connection },
  { id: 'model', label: l10n.t('Model'), cell: ({ cells }) => cells.model },
  { id: 'started', label: l10n.t('Started'), cell: ({ cells }) => cells.started },
  { id: 'duration', label: l10n.t('Duration'), numeric: true, cell: ({ cells }) => cells.duration },
];

/**
 * The run history a page at a time, filtered on the host; a row opens the run's full detail
 * under the table, with Re-run and Copy.
 */
export function RunsTab({ client, snapshot, visits, firstPage }: RunsTabProps) {
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const query = useTableQuery({
    empty: EMPTY_RUN_FILTER,
    filterOf: runFilter,
    load: (filter, offset) => client.request('runsPage', { offset, limit: RUNS_PAGE_SIZE, filter }),
    onError: (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    visits,
    first: firstPage,
  });
  const { page, fields } = query;
  const selected = page?.runs.find((run) => run.id === selectedId);
  // A running run's duration counts up each second; finished ones only age ("5 minutes ago").
  const now = useNow(page?.runs.some((run) => isActiveRun(run.status)) ? 1000 : 30_000);

  const act = async (what: () => Promise<RowMessage | undefined>) => {
    setMessage(undefined);
    try {
      setMessage(await what());
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    }
  };

  const rerun = (run: RunRecord) =>
    act(async () => {
      const { runId } = await client.request('rerun', { runId: run.id });
      // The new run is the newest: show the first page of everything, with it open.
      query.change(EMPTY_RUN_FILTER);
      setSelectedId(runId);
      query.reload();
      return { kind: 'info', text: l10n.t('Started a new run of {0}.', run.agentName) };
    });

  const copy = (run: RunRecord) =>
    act(async () => {
      const { copied } = await client.request('copyRun', { runId: run.id });
      return copied ? { kind: 'success', text: l10n.t('Copied.') } : { kind: 'info', text: l10n.t('This run has no output or error to copy.') };
    });

  return (
    <PagedTable
      testIdPrefix="runs"
      label={l10n.t('Runs')}
      tableLabel={l10n.t('Runs, newest first')}
      onRefresh={query.reload}
      message={message}
      filters={
        <>
          <SelectField id="runs-agent" testId="runs-filter-agent" label={l10n.t('Agent')} value={fields.agentId} emptyLabel={l10n.t('Any agent')} options={agentOptions(snapshot)} onChange={(agentId) => query.change({ agentId })} />
          <SelectField
            id="runs-connection"
            testId="runs-filter-connection"
            label={l10n.t('Connection')}
            value={fields.connectionId}
            emptyLabel={l10n.t('Any connection')}
            options={connectionOptions(snapshot)}
            // A model of another connection would match nothing: a new connection clears the model.
            onChange={(connectionId) => query.change({ connectionId, modelRef: '' })}
          />
          <SelectField id="runs-model" testId="runs-filter-model" label={l10n.t('Model')} value={fields.modelRef} emptyLabel={l10n.t('Any model')} options={modelOptions(snapshot, fields.connectionId)} onChange={(modelRef) => query.change({ modelRef })} />
          <SelectField id="runs-status" testId="runs-filter-status" label={l10n.t('Status')} value={fields.status} emptyLabel={l10n.t('Any status')} options={RUN_STATUS_OPTIONS} onChange={(status) => query.change({ status })} />
          <TextField id="runs-text" testId="runs-filter-text" label={l10n.t('Text')} value={fields.text} placeholder={l10n.t('in the agent, input, output or error')} onInput={(text) => query.change({ text })} />
        </>
      }
      columns={COLUMNS}
      rows={page?.runs.map((run) => ({ run, cells: runCells(run, snapshot.connections, now) }))}
      rowKey={({ run }) => run.id}
      rowData={({ run }) => ({ 'data-run-id': run.id })}
      selectedKey={selectedId}
      onSelect={setSelectedId}
      paging={{ offset: query.offset, total: page?.total, pageSize: RUNS_PAGE_SIZE, words: RUNS_PAGE_WORDS, onOffset: query.setOffset }}
    >
      {selected && (
        <div class="editor-run-detail">
          <div class="editor-toolbar">
            <h3 class="editor-heading">{l10n.t('Run of {0}', selected.agentName)}</h3>
            <span class="toolbar-spacer" />
            <vscode-button data-testid="run-rerun" icon="debug-rerun" onClick={() => void rerun(selected)}>
              {l10n.t('Re-run')}
            </vscode-button>
            <vscode-button data-testid="run-copy" secondary icon="copy" onClick={() => void copy(selected)}>
              {l10n.t('Copy')}
            </vscode-button>
          </div>
          <RunDetail id={`editor-run-${selected.id}`} run={selected} connections={snapshot.connections} requesterName={page?.requesterNames[selected.requesterId] ?? selected.requesterId} now={now} chooseDefault={{}} />
        </div>
      )}
    </PagedTable>
  );
}
