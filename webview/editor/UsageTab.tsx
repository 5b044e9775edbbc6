import * as l10n from '@vscode/l10n';
import { useEffect, useState } from 'preact/hooks';
import type { UsageReport, UsageReportRequest } from '../../src/contracts/usage';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { FormField, Select } from '../shared/fields';
import { formatCount } from '../shared/locale';
import { Loading, MessageLine, type RowMessage } from '../shared/messages';
import { connectionOptions } from './auditFormat';
import { BudgetsSection } from './BudgetsSection';
import type { EditorClient, EditorSnapshot } from './client';
import { agentOptions, modelOptions } from './runsFormat';
import { measureOnce, USAGE_ASKED_MARK, USAGE_DATA_MARK, USAGE_REPORT_MEASURE, UsageChart } from './UsageChart';
import {
  chartColourClass,
  DEFAULT_USAGE_CONTROLS,
  dimensionLabel,
  totalsCaption,
  GROUP_OPTIONS,
  groupRows,
  knownRequesters,
  METRIC_OPTIONS,
  PERIOD_OPTIONS,
  periodRows,
  RANGE_OPTIONS,
  requesterOptions,
  usageFootnotes,
  usageRequest,
  usageSummary,
  type UsageControls,
  type UsageMetric,
} from './usageFormat';
import { usePage } from './usePage';

interface UsageTabProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the report and the budgets are read afresh. */
  visits: number;
  /** Changes when the host says calls were recorded while the tab is shown. */
  changes: number;
  /** Changes when the host says a budget changed while the tab is shown. */
  budgetChanges: number;
}

/** A report with the request it answers: the labels follow what was asked, not controls changed since. */
type Answered = { request: UsageReportRequest; report: UsageReport };

/**
 * Usage and spend over time: tokens and cost per day, week or month, broken down by connection,
 * model, agent or requester, as a chart with the same figures in tables under it, and the
 * budgets. The host sums the calls; the view asks for one report at a time.
 */
export function UsageTab({ client, snapshot, visits, changes, budgetChanges }: UsageTabProps) {
  const [controls, setControls] = useState<UsageControls>(DEFAULT_USAGE_CONTROLS);
  const change = (patch: Partial<UsageControls>) => setControls((current) => ({ ...current, ...patch }));
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const [refreshes, setRefreshes] = useState(0);
  const [requesters, setRequesters] = useState<Record<string, string>>({});
  // In the person's calendar as of now: a tab left open past midnight counts the new day at its next read.
  const request = usageRequest(controls, new Date());
  const { page } = usePage<Answered>(
    async () => {
      const asked = request;
      performance.clearMarks(USAGE_ASKED_MARK);
      performance.mark(USAGE_ASKED_MARK);
      const report = await client.request('usageReport', asked);
      measureOnce(USAGE_REPORT_MEASURE, USAGE_ASKED_MARK);
      // The view carries no zod: a host that answers without a report (one older than this view) is an error shown, not a blank editor.
      if (!Array.isArray(report?.periods) || !Array.isArray(report.groups) || !report.totals) throw new Error(l10n.t('Switchboard sent no usage report. Reload the window; if it stays, the extension may need an update.'));
      performance.clearMarks(USAGE_DATA_MARK);
      performance.mark(USAGE_DATA_MARK);
      setError(undefined);
      return { request: asked, report };
    },
    JSON.stringify([request, visits]),
    (failure) => setError(errorMessage(failure)),
    undefined,
    changes + refreshes,
  );
  useEffect(() => {
    if (page) setRequesters((known) => knownRequesters(known, page.report, page.request.groupBy));
  }, [page]);
  // The requesters to filter by and to set a budget for: those of the last year, by name, learnt
  // once a visit whatever the chart is grouped by (a requester is an extension's id, or one of
  // Switchboard's own, which only the host names).
  useEffect(() => {
    const learn = usageRequest({ ...DEFAULT_USAGE_CONTROLS, range: 'last12Months', period: 'month', groupBy: 'requester' }, new Date());
    client.request('usageReport', learn).then(
      (report) => {
        if (Array.isArray(report?.groups)) setRequesters((known) => knownRequesters(known, report, 'requester'));
      },
      // The tab's own report says what is wrong with the host; this one only adds names.
      () => undefined,
    );
  }, [visits]);

  const exportCsv = async () => {
    setMessage(undefined);
    try {
      const result = await client.request('exportUsage', request);
      if (result.exported) setMessage({ kind: 'success', text: result.calls === 1 ? l10n.t('Exported 1 call.') : l10n.t('Exported {0} calls.', formatCount(result.calls)) });
    } catch (failure) {
      setMessage({ kind: 'error', text: errorMessage(failure) });
    }
  };

  const status = page ? usageSummary(page.report) : error ? '' : l10n.t('Loading usage…');
  return (
    <section class="editor-tab usage-tab" aria-label={l10n.t('Usage')}>
      <div class="editor-toolbar">
        <span class="toolbar-summary" data-testid="usage-summary" role="status" aria-live="polite">
          {status}
        </span>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="usage-export" secondary icon="export" onClick={() => void exportCsv()}>
          {l10n.t('Export CSV…')}
        </vscode-button>
        <vscode-button data-testid="usage-refresh" secondary icon="refresh" onClick={() => setRefreshes((n) => n + 1)}>
          {l10n.t('Refresh')}
        </vscode-button>
      </div>
      <div class="editor-filters" data-testid="usage-controls">
        <ControlField id="usage-range" label={l10n.t('Range')} value={controls.range} options={RANGE_OPTIONS} onChange={(range) => change({ range: range as UsageControls['range'] })} />
        <ControlField id="usage-period" label={l10n.t('Per')} value={controls.period} options={PERIOD_OPTIONS} onChange={(period) => change({ period: period as UsageControls['period'] })} />
        <ControlField id="usage-group" label={l10n.t('Group by')} value={controls.groupBy} options={GROUP_OPTIONS} onChange={(groupBy) => change({ groupBy: groupBy as UsageControls['groupBy'] })} />
        <ControlField id="usage-metric" label={l10n.t('Show')} value={controls.metric} options={METRIC_OPTIONS} onChange={(metric) => change({ metric: metric as UsageMetric })} />
        {/* The filters follow the report's shape in the same grid: fewer rows on a narrow editor. */}
        <SelectField
          id="usage-connection"
          testId="usage-filter-connection"
          label={l10n.t('Connection')}
          value={controls.connectionId}
          emptyLabel={l10n.t('Any connection')}
          options={connectionOptions(snapshot)}
          // A model of another connection would match nothing: a new connection clears the model.
          onChange={(connectionId) => change({ connectionId, modelRef: '' })}
        />
        <SelectField id="usage-model" testId="usage-filter-model" label={l10n.t('Model')} value={controls.modelRef} emptyLabel={l10n.t('Any model')} options={modelOptions(snapshot, controls.connectionId)} onChange={(modelRef) => change({ modelRef })} />
        <SelectField id="usage-agent" testId="usage-filter-agent" label={l10n.t('Agent')} value={controls.agentId} emptyLabel={l10n.t('Any agent')} options={agentOptions(snapshot)} onChange={(agentId) => change({ agentId })} />
        <SelectField
          id="usage-requester"
          testId="usage-filter-requester"
          label={l10n.t('Requester')}
          value={controls.requesterId}
          emptyLabel={l10n.t('Any requester')}
          options={requesterOptions(requesters)}
          onChange={(requesterId) => change({ requesterId })}
        />
      </div>
      {message && <MessageLine testId="usage-message" message={message} />}
      {error && <MessageLine testId="usage-error" message={{ kind: 'error', text: l10n.t('The usage could not be read: {0}', error) }} />}
      {!page && !error && <Loading class="usage-loading" testId="usage-loading" text={l10n.t('Loading usage…')} />}
      {page && <UsageReportView answered={page} metric={controls.metric} />}
      <BudgetsSection client={client} snapshot={snapshot} visits={visits} changes={budgetChanges} requesters={requesters} />
    </section>
  );
}

/** A select of the report's shape (range, period, grouping, metric): always one of its choices, never empty. */
function ControlField({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: readonly { value: string; label: string }[]; onChange(value: string): void }) {
  return (
    <FormField id={id} label={label}>
      <Select id={id} testId={id} ariaLabel={label} value={value} choices={options} onChange={onChange} />
    </FormField>
  );
}

/** The chart, its legend and the tables of the same figures; or, with no calls, how usage appears here. */
function UsageReportView({ answered: { request, report }, metric }: { answered: Answered; metric: UsageMetric }) {
  // The table of periods (a year of days by twelve groups is thousands of cells) renders right
  // after the chart is drawn, not before it: the chart is what a report's arrival is measured by.
  const [tablesOf, setTablesOf] = useState<UsageReport | undefined>(undefined);
  useEffect(() => {
    const timer = setTimeout(() => setTablesOf(report), 0);
    return () => clearTimeout(timer);
  }, [report]);
  if (report.totals.calls === 0 && Object.keys(request.filter).length > 0) {
    return (
      <div class="usage-empty" data-testid="usage-empty">
        <h3 class="editor-heading">{l10n.t('No calls match these filters in this range')}</h3>
        <p>{l10n.t('Choose Any in a filter, or a longer range.')}</p>
      </div>
    );
  }
  if (report.totals.calls === 0) {
    return (
      <div class="usage-empty" data-testid="usage-empty">
        <h3 class="editor-heading">{l10n.t('No usage in this range')}</h3>
        <p>{l10n.t('Every model call through Switchboard is counted here as it is made: the runs of your agents, VS Code chat requests to Switchboard\'s models, and runs other extensions start. Run an agent, then come back, or choose a longer range.')}</p>
      </div>
    );
  }
  const heading = metric === 'cost' ? l10n.t('Cost per period') : l10n.t('Tokens per period');
  const dimension = dimensionLabel(request.groupBy);
  const { groups, total } = groupRows(report);
  const periods = tablesOf === report ? periodRows(report, request.period, metric) : [];
  const notes = usageFootnotes(report.totals);
  const groupNote = (row: { estimatedCalls: number; unpricedCalls: number }) =>
    [row.estimatedCalls ? l10n.t('{0} estimated', formatCount(row.estimatedCalls)) : '', row.unpricedCalls ? l10n.t('{0} without a price', formatCount(row.unpricedCalls)) : ''].filter(Boolean).join(', ');
  return (
    <div class="usage-report" data-testid="usage-report">
      <h3 class="editor-heading">{heading}</h3>
      <UsageChart report={report} period={request.period} metric={metric} testId="usage-chart" />
      <div class="editor-table-scroll usage-table-scroll" data-testid="usage-table-scroll">
        <table class="editor-table" data-testid="usage-groups-table">
          <caption class="usage-caption">{totalsCaption(request.groupBy)}</caption>
          <thead>
            <tr>
              <th scope="col">{dimension}</th>
              <th scope="col" class="numeric">
                {l10n.t('Calls')}
              </th>
              <th scope="col" class="numeric">
                {l10n.t('Input tokens')}
              </th>
              <th scope="col" class="numeric">
                {l10n.t('Output tokens')}
              </th>
              <th scope="col" class="numeric">
                {l10n.t('Cost')}
              </th>
              <th scope="col">{l10n.t('Notes')}</th>
            </tr>
          </thead>
          <tbody>
            {[...groups, total].map((row, g) => {
              const isTotal = row === total;
              return (
                <tr key={isTotal ? 'total' : `group-${row.key}`} data-testid={isTotal ? 'usage-total-row' : 'usage-group-row'} data-key={row.key} class={isTotal ? 'usage-total' : undefined}>
                  <th scope="row">
                    {!isTotal && <span class={`usage-swatch ${chartColourClass(g)}`} aria-hidden="true" />}
                    {row.label}
                  </th>
                  <td class="numeric">{row.calls}</td>
                  <td class="numeric">{row.inputTokens}</td>
                  <td class="numeric">{row.outputTokens}</td>
                  <td class="numeric">{row.cost}</td>
                  <td>{groupNote(row)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {tablesOf === report && (
        <div class="editor-table-scroll usage-table-scroll">
          <table class="editor-table" data-testid="usage-periods-table">
            <caption class="usage-caption">{heading}</caption>
            <thead>
              <tr>
                <th scope="col">{l10n.t('Period')}</th>
                {report.groups.map((group) => (
                  <th key={group.key} scope="col" class="numeric">
                    {group.label}
                  </th>
                ))}
                <th scope="col" class="numeric">
                  {l10n.t('Total')}
                </th>
              </tr>
            </thead>
            <tbody>
              {periods.map((row) => (
                <tr key={row.start} data-testid="usage-period-row" data-period={row.start}>
                  <th scope="row">{row.label}</th>
                  {row.values.map((value, g) => (
                    <td key={report.groups[g]?.key ?? g} class="numeric">
                      {value}
                    </td>
                  ))}
                  <td class="numeric">{row.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {notes.length > 0 && (
        <ul class="usage-footnotes" data-testid="usage-footnotes">
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
