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
import { MessageLine, type RowMessage } from '../shared/messages';
import { connectionOptions } from './auditFormat';
import type { EditorClient, EditorSnapshot } from './client';
import type { FirstPages } from './firstPages';
import { Pager } from './Pager';
import { agentOptions, EMPTY_RUN_FILTER, modelOptions, RUN_STATUS_OPTIONS, runCells, runFilter, RUNS_PAGE_SIZE, RUNS_PAGE_WORDS, type RunFilterFields } from './runsFormat';
import { usePage } from './usePage';

interface RunsTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the page is read afresh. */
  visits: number;
  /** The first unfiltered page, asked for as the editor started (askFirstPages). */
  firstPage?: FirstPages['runs'];
}

/**
 * The run history a page at a time, filtered on the host; a row opens the run's full detail
 * under the table, with Re-run and Copy.
 */
export function RunsTab({ client, snapshot, visits, firstPage }: RunsTabProps) {
  const [fields, setFields] = useState<RunFilterFields>(EMPTY_RUN_FILTER);
  const [offset, setOffset] = useState(0);
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const filter = runFilter(fields);
  const { page, reload } = usePage(
    () => client.request('runsPage', { offset, limit: RUNS_PAGE_SIZE, filter }),
    JSON.stringify([filter, offset, visits]),
    (error) => setMessage({ kind: 'error', text: errorMessage(error) }),
    firstPage,
  );
  const selected = page?.runs.find((run) => run.id === selectedId);
  // A running run's duration counts up each second; finished ones only age ("5 minutes ago").
  const now = useNow(page?.runs.some((run) => isActiveRun(run.status)) ? 1000 : 30_000);

  const setField = (name: keyof RunFilterFields) => (value: string) => {
    // A model of another connection would match nothing: a new connection clears the model.
    setFields((current) => ({ ...current, [name]: value, ...(name === 'connectionId' ? { modelRef: '' } : {}) }));
    setOffset(0);
  };

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
      setFields(EMPTY_RUN_FILTER);
      setOffset(0);
      setSelectedId(runId);
      reload();
      return { kind: 'info', text: l10n.t('Started a new run of {0}.', run.agentName) };
    });

  const copy = (run: RunRecord) =>
    act(async () => {
      const { copied } = await client.request('copyRun', { runId: run.id });
      return copied ? { kind: 'success', text: l10n.t('Copied.') } : { kind: 'info', text: l10n.t('This run has no output or error to copy.') };
    });

  const onRowKey = (event: KeyboardEvent, run: RunRecord) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      setSelectedId(run.id === selectedId ? undefined : run.id);
    }
  };

  return (
    <section class="editor-tab runs-tab" aria-label={l10n.t('Runs')}>
      <div class="editor-toolbar">
        <span class="toolbar-spacer" />
        <vscode-button data-testid="runs-refresh" secondary icon="refresh" onClick={reload}>
          {l10n.t('Refresh')}
        </vscode-button>
      </div>
      <div class="editor-filters">
        <SelectField id="runs-agent" testId="runs-filter-agent" label={l10n.t('Agent')} value={fields.agentId} emptyLabel={l10n.t('Any agent')} options={agentOptions(snapshot)} onChange={setField('agentId')} />
        <SelectField id="runs-connection" testId="runs-filter-connection" label={l10n.t('Connection')} value={fields.connectionId} emptyLabel={l10n.t('Any connection')} options={connectionOptions(snapshot)} onChange={setField('connectionId')} />
        <SelectField id="runs-model" testId="runs-filter-model" label={l10n.t('Model')} value={fields.modelRef} emptyLabel={l10n.t('Any model')} options={modelOptions(snapshot, fields.connectionId)} onChange={setField('modelRef')} />
        <SelectField id="runs-status" testId="runs-filter-status" label={l10n.t('Status')} value={fields.status} emptyLabel={l10n.t('Any status')} options={RUN_STATUS_OPTIONS} onChange={setField('status')} />
        <TextField id="runs-text" testId="runs-filter-text" label={l10n.t('Text')} value={fields.text} placeholder={l10n.t('in the agent, input, output or error')} onInput={setField('text')} />
      </div>
      <div class="editor-table-scroll">
        <table class="editor-table" data-testid="runs-table" aria-label={l10n.t('Runs, newest first')}>
          <thead>
            <tr>
              <th scope="col">{l10n.t('Agent')}</th>
              <th scope="col">{l10n.t('Status')}</th>
              <th scope="col">{l10n.t('Connection')}</th>
              <th scope="col">{l10n.t('Model')}</th>
              <th scope="col">{l10n.t('Started')}</th>
              <th scope="col">{l10n.t('Duration')}</th>
            </tr>
          </thead>
          <tbody>
            {page?.runs.map((run) => {
              const cells = runCells(run, snapshot.connections, now);
              const isSelected = run.id === selectedId;
              return (
                <tr
                  key={run.id}
                  class={`selectable${isSelected ? ' selected' : ''}`}
                  data-testid="runs-row"
                  data-run-id={run.id}
                  tabIndex={0}
                  aria-selected={isSelected}
                  onClick={() => setSelectedId(isSelected ? undefined : run.id)}
                  onKeyDown={(event) => onRowKey(event, run)}
                >
                  <td>{cells.agent}</td>
                  <td>
                    <RunStatus run={run} />
                  </td>
                  <td>{cells.connection}</td>
                  <td>{cells.model}</td>
                  <td>{cells.started}</td>
                  <td>{cells.duration}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager testIdPrefix="runs" offset={offset} shown={page?.runs.length ?? 0} total={page?.total} pageSize={RUNS_PAGE_SIZE} words={RUNS_PAGE_WORDS} onOffset={setOffset} />
      {message && <MessageLine testId="runs-message" message={message} />}
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
    </section>
  );
}
