import * as l10n from '@vscode/l10n';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import type {
  BudgetInput,
  BudgetStatus,
  UsageDimension,
  UsageFilter,
  UsagePeriod,
  UsageReport,
  UsageReportRequest,
  UsageTotals,
} from '../../src/contracts/usage';
import type { SelectOption } from '../agents/agentModel';
import { formatCount, pageLocale } from '../shared/locale';
// From vocabulary.ts, not usage.ts: the zod schemas there would double the editor's bundle.
import { MAX_BUDGET_NANO, MAX_BUDGET_TOKENS, NANO_PER_DOLLAR } from '../../src/contracts/vocabulary';


// One formatter per language and options: creating an Intl formatter costs far more than using
// one, and a year of days by twelve groups formats thousands of figures.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n ${locale} ${JSON.stringify(options)}`;
  let format = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!format) formatters.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d ${locale} ${JSON.stringify(options)}`;
  let format = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

/** What a chart and its table count: money, or tokens (input and output). */
export type UsageMetric = 'cost' | 'tokens';

/** What the person reads where an amount is not known (a call without a price). */
export const UNKNOWN_AMOUNT = '—';

/** The fraction digits a whole nano-dollar needs: never more, so nothing is made up. */
const NANO_DIGITS = 9;

/**
 * Dollars from nano-dollars, as the page's language writes them: two decimals from a dollar up
 * (`$12.34`), and below a dollar up to three significant digits (`$0.50`, `$0.0123`,
 * `$0.000042`), so a cheap call never reads `$0.00`. Undefined (no price) is `—`.
 */
export function formatMoney(nano: number | undefined, locale = pageLocale()): string {
  if (nano === undefined || !Number.isFinite(nano) || nano < 0) return UNKNOWN_AMOUNT;
  const dollars = nano / NANO_PER_DOLLAR;
  // A dollar or more, or nothing at all: as money is usually written.
  const digits = dollars === 0 || dollars >= 1 ? 2 : Math.min(NANO_DIGITS, 2 - Math.floor(Math.log10(dollars)));
  return numberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: Math.max(2, digits) }).format(dollars);
}

/** A token count in a few characters: `950`, `12K`, `1.2M`. */
export function formatTokenCount(tokens: number, locale = pageLocale()): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(tokens);
}

/** The tokens a metric counts: what went in and what came out (reasoning and cache counts are part of these or beside them, by provider). */
export function totalTokens(totals: Pick<UsageTotals, 'inputTokens' | 'outputTokens'>): number {
  return totals.inputTokens + totals.outputTokens;
}

/** A metric's figure of a set of calls, in its unit: nano-dollars or tokens. */
export function metricValue(totals: UsageTotals, metric: UsageMetric): number {
  return metric === 'cost' ? totals.costNano : totalTokens(totals);
}

/** A metric's figure as a person reads it. */
export function formatMetric(value: number, metric: UsageMetric, locale = pageLocale()): string {
  return metric === 'cost' ? formatMoney(value, locale) : numberFormat(locale, {}).format(value);
}

// Dates: `YYYY-MM-DD` days of the person's calendar, computed on the calendar alone (UTC
// arithmetic on the date's numbers), so no time zone or daylight-saving change moves a day.

/** A calendar day. */
export interface Day {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

/** Today in the person's own time zone. */
export function localDay(now: Date): Day {
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

/** Minutes east of UTC of the person's time zone at `now`, as the report request takes it. */
export function utcOffsetMinutes(now: Date): number {
  // getTimezoneOffset is minutes *west* of UTC; `|| 0` turns -0 into 0.
  return -now.getTimezoneOffset() || 0;
}

export function dayString({ year, month, day }: Day): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function parseDay(text: string): Day | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
}

/** The day `days` after (or before) `day`; months and years roll over. */
export function addDays(day: Day, days: number): Day {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The ranges the Usage tab offers. */
export const RANGE_PRESETS = ['last7', 'last30', 'last90', 'thisMonth', 'lastMonth', 'last12Months'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const RANGE_LABELS: Record<RangePreset, string> = {
  last7: l10n.t('Last 7 days'),
  last30: l10n.t('Last 30 days'),
  last90: l10n.t('Last 90 days'),
  thisMonth: l10n.t('This month'),
  lastMonth: l10n.t('Last month'),
  last12Months: l10n.t('Last 12 months'),
};

export const RANGE_OPTIONS: readonly SelectOption[] = RANGE_PRESETS.map((preset) => ({ value: preset, label: RANGE_LABELS[preset] }));

/** The first and the last day of a preset range, both included, counted from `today` in the person's calendar. */
export function rangeOf(preset: RangePreset, today: Day): { from: string; to: string } {
  const firstOfMonth = { ...today, day: 1 };
  switch (preset) {
    case 'last7':
    case 'last30':
    case 'last90':
      return { from: dayString(addDays(today, 1 - Number(preset.slice(4)))), to: dayString(today) };
    case 'thisMonth':
      return { from: dayString(firstOfMonth), to: dayString(today) };
    case 'lastMonth': {
      const lastDay = addDays(firstOfMonth, -1);
      return { from: dayString({ ...lastDay, day: 1 }), to: dayString(lastDay) };
    }
    case 'last12Months': {
      // This month and the eleven before it, whole.
      const start = new Date(Date.UTC(today.year, today.month - 12, 1));
      return { from: dayString({ year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: 1 }), to: dayString(today) };
    }
  }
}

const PERIOD_LABELS: Record<UsagePeriod, string> = { day: l10n.t('Day'), week: l10n.t('Week'), month: l10n.t('Month') };
export const PERIOD_OPTIONS: readonly SelectOption[] = (['day', 'week', 'month'] as const).map((period) => ({ value: period, label: PERIOD_LABELS[period] }));

const DIMENSION_LABELS: Record<UsageDimension, string> = { connection: l10n.t('Connection'), model: l10n.t('Model'), agent: l10n.t('Agent'), requester: l10n.t('Requester') };
export const GROUP_OPTIONS: readonly SelectOption[] = (['connection', 'model', 'agent', 'requester'] as const).map((dimension) => ({ value: dimension, label: DIMENSION_LABELS[dimension] }));

export function dimensionLabel(dimension: UsageDimension): string {
  return DIMENSION_LABELS[dimension];
}

const TOTALS_CAPTIONS: Record<UsageDimension, string> = {
  connection: l10n.t('Totals by connection'),
  model: l10n.t('Totals by model'),
  agent: l10n.t('Totals by agent'),
  requester: l10n.t('Totals by requester'),
};

/** The caption of the table of groups. */
export function totalsCaption(dimension: UsageDimension): string {
  return TOTALS_CAPTIONS[dimension];
}

export const METRIC_OPTIONS: readonly SelectOption[] = [
  { value: 'cost', label: l10n.t('Cost') },
  { value: 'tokens', label: l10n.t('Tokens') },
];

/** A day's date as the page's language writes it, read in UTC so the machine's time zone cannot move it. */
function formatDay(day: Day, options: Intl.DateTimeFormatOptions, locale: string): string {
  return dateFormat(locale, { ...options, timeZone: 'UTC' }).format(new Date(Date.UTC(day.year, day.month - 1, day.day)));
}

/**
 * A period by its first day (`YYYY-MM-DD`, as the report gives it): `Dec 7, 2026`,
 * `Week of Dec 7, 2026`, `December 2026`; `short` for a chart's axis: `Dec 7`, `Dec 2026`.
 */
export function periodLabel(start: string, period: UsagePeriod, options: { short?: boolean; locale?: string } = {}): string {
  const day = parseDay(start);
  if (!day) return start;
  const locale = options.locale ?? pageLocale();
  if (period === 'month') return formatDay(day, { year: 'numeric', month: options.short ? 'short' : 'long' }, locale);
  const date = formatDay(day, options.short ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' }, locale);
  return period === 'week' && !options.short ? l10n.t('Week of {0}', date) : date;
}

// The report request.

/** The controls of the Usage tab, as the person set them. */
export interface UsageControls {
  period: UsagePeriod;
  range: RangePreset;
  groupBy: UsageDimension;
  metric: UsageMetric;
  connectionId: string;
  modelRef: string;
  agentId: string;
  requesterId: string;
}

export const DEFAULT_USAGE_CONTROLS: UsageControls = { period: 'day', range: 'last30', groupBy: 'connection', metric: 'cost', connectionId: '', modelRef: '', agentId: '', requesterId: '' };

/** The filter as the host's contract takes it: blank fields are left out, not sent empty. */
export function usageFilter(controls: Pick<UsageControls, 'connectionId' | 'modelRef' | 'agentId' | 'requesterId'>): UsageFilter {
  return {
    ...(controls.connectionId ? { connectionId: controls.connectionId } : {}),
    ...(controls.modelRef ? { modelRef: controls.modelRef } : {}),
    ...(controls.agentId ? { agentId: controls.agentId } : {}),
    ...(controls.requesterId ? { requesterId: controls.requesterId } : {}),
  };
}

/** What the tab asks the host for: the range counted in the person's calendar at `now`, and their offset from UTC. */
export function usageRequest(controls: UsageControls, now: Date): UsageReportRequest {
  return { period: controls.period, groupBy: controls.groupBy, ...rangeOf(controls.range, localDay(now)), utcOffsetMinutes: utcOffsetMinutes(now), filter: usageFilter(controls) };
}

/**
 * The requesters to filter by: every one a report grouped by requester or a budget has named
 * (a report grouped otherwise names none), by name; the `other` group is no requester.
 */
export function requesterOptions(known: Readonly<Record<string, string>>): SelectOption[] {
  return Object.entries(known)
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The requesters a report names, when it is grouped by requester, merged into those known before. */
export function knownRequesters(known: Readonly<Record<string, string>>, report: UsageReport | undefined, groupBy: UsageDimension): Record<string, string> {
  if (!report || groupBy !== 'requester') return known;
  const named = report.groups.filter((group) => group.key !== OTHER_GROUP && known[group.key] !== group.label);
  return named.length ? { ...known, ...Object.fromEntries(named.map((group) => [group.key, group.label])) } : known;
}

/** The key of the group that sums the groups past MAX_USAGE_GROUPS. */
export const OTHER_GROUP = 'other';

// The tables under the charts.

/** One group's row of the table of groups. */
export interface GroupRow {
  key: string;
  label: string;
  calls: string;
  inputTokens: string;
  outputTokens: string;
  cost: string;
  /** Calls whose counts are estimates, and calls without a price: the footnote's figures. */
  estimatedCalls: number;
  unpricedCalls: number;
}

function groupRow(key: string, label: string, totals: UsageTotals, locale: string): GroupRow {
  return {
    key,
    label,
    calls: formatCount(totals.calls, locale),
    inputTokens: formatCount(totals.inputTokens, locale),
    outputTokens: formatCount(totals.outputTokens, locale),
    // Every call of the group without a price: the cost is not known at all, not zero.
    cost: totals.calls > 0 && totals.unpricedCalls === totals.calls ? UNKNOWN_AMOUNT : formatMoney(totals.costNano, locale),
    estimatedCalls: totals.estimatedCalls,
    unpricedCalls: totals.unpricedCalls,
  };
}

/** The table of groups: each group's totals in the report's order, then the total of all. */
export function groupRows(report: UsageReport, locale = pageLocale()): { groups: GroupRow[]; total: GroupRow } {
  return {
    groups: report.groups.map((group) => groupRow(group.key, group.label, group.totals, locale)),
    total: groupRow('', l10n.t('Total'), report.totals, locale),
  };
}

/** One period's row of the table of periods: the metric per group, in the groups' order, and the period's total. */
export interface PeriodRow {
  start: string;
  label: string;
  values: string[];
  total: string;
}

/** The table of periods: the chart's figures, period by period, oldest first. */
export function periodRows(report: UsageReport, period: UsagePeriod, metric: UsageMetric, locale = pageLocale()): PeriodRow[] {
  return report.periods.map((start, p) => {
    const cells = report.groups.map((_, g) => report.cells[g]?.[p]);
    const values = cells.map((cell) => (cell ? metricValue(cell, metric) : 0));
    return {
      start,
      label: periodLabel(start, period, { locale }),
      values: values.map((value) => formatMetric(value, metric, locale)),
      total: formatMetric(
        values.reduce((sum, value) => sum + value, 0),
        metric,
        locale,
      ),
    };
  });
}

/** The footnotes a report's figures need: how many calls were estimated, and how many had no price. */
export function usageFootnotes(totals: Pick<UsageTotals, 'estimatedCalls' | 'unpricedCalls'>, locale = pageLocale()): string[] {
  const notes: string[] = [];
  const { estimatedCalls: estimated, unpricedCalls: unpriced } = totals;
  if (estimated > 0) notes.push(estimated === 1 ? l10n.t('1 call estimated: the provider reported no usage, so Switchboard counted the tokens itself.') : l10n.t('{0} calls estimated: the provider reported no usage, so Switchboard counted the tokens itself.', formatCount(estimated, locale)));
  if (unpriced > 0) notes.push(unpriced === 1 ? l10n.t('1 call without a price: its cost is not in the totals. Set a price on its model in the Models tab.') : l10n.t('{0} calls without a price: their cost is not in the totals. Set a price on their models in the Models tab.', formatCount(unpriced, locale)));
  return notes;
}

/** A one-line summary of a report for the tab's status line (read out when it changes). */
export function usageSummary(report: UsageReport, locale = pageLocale()): string {
  const { totals } = report;
  if (totals.calls === 0) return l10n.t('No calls in this range.');
  const cost = formatMoney(totals.costNano, locale);
  const tokens = formatCount(totalTokens(totals), locale);
  return totals.calls === 1 ? l10n.t('1 call, {0} tokens, {1}', tokens, cost) : l10n.t('{0} calls, {1} tokens, {2}', formatCount(totals.calls, locale), tokens, cost);
}

// The charts' figures.

/**
 * A stacked chart's series: for each group, the running sum of the metric over the groups up
 * to it, period by period (uPlot draws each series from zero; the stack is drawn top first, so
 * each lower group covers the part of the bar below it). Cost in dollars, tokens as they are.
 */
export function stackedSeries(report: UsageReport, metric: UsageMetric): number[][] {
  const running = report.periods.map(() => 0);
  return report.groups.map((_, g) =>
    report.periods.map((_, p) => {
      const cell = report.cells[g]?.[p];
      running[p]! += cell ? metricValue(cell, metric) : 0;
      return metric === 'cost' ? running[p]! / NANO_PER_DOLLAR : running[p]!;
    }),
  );
}

/** The theme's chart colours, in the order the groups take them (media/editor.css has a swatch class for each). */
export const CHART_COLOURS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'] as const;

/** The legend swatch of group `g`: its colour, and past the sixth group the same colours lighter. */
export function chartColourClass(g: number): string {
  return `usage-colour-${g % CHART_COLOURS.length}${g >= CHART_COLOURS.length ? ' usage-colour-light' : ''}`;
}

/** A figure on the chart's value axis (dollars or tokens as the series hold them), short: `$1.5`, `$0.02`, `1.2M`. */
export function formatAxisValue(value: number, metric: UsageMetric, locale = pageLocale()): string {
  if (metric === 'tokens') return formatTokenCount(value, locale);
  return numberFormat(locale, { style: 'currency', currency: 'USD', notation: value >= 10_000 ? 'compact' : 'standard', maximumSignificantDigits: 3 }).format(value);
}

// Budgets.

export type BudgetScopeKind = 'connection' | 'agent' | 'requester';

/** The budget form's fields, as typed. */
export interface BudgetFields {
  id?: string;
  scopeKind: BudgetScopeKind;
  /** The connection's, agent's or requester's id. */
  scopeId: string;
  period: 'day' | 'month';
  unit: 'usd' | 'tokens';
  amount: string;
  warnAtPercent: string;
}

export const EMPTY_BUDGET_FIELDS: BudgetFields = { scopeKind: 'connection', scopeId: '', period: 'month', unit: 'usd', amount: '', warnAtPercent: '80' };

export type BudgetErrors = Partial<Record<'scopeId' | 'amount' | 'warnAtPercent', string>>;

/** Digits, and a decimal point with up to nine more (nano-dollars are the smallest unit kept). */
const DOLLARS = /^(\d+)(?:\.(\d*))?$/;

/**
 * Nano-dollars from dollars as typed (`12.5`, `$0.25`), exactly: the digits are read as a
 * decimal string, never multiplied as a float (`0.29 * 1e9` is not 290,000,000).
 */
export function parseDollars(text: string): { nano: number } | { error: string } {
  const typed = text.trim().replace(/^\$\s*/, '');
  if (typed === '') return { error: l10n.t('Enter an amount.') };
  if (/^-/.test(typed)) return { error: l10n.t('A budget cannot be negative.') };
  const match = DOLLARS.exec(typed);
  if (!match) return { error: l10n.t('Enter an amount in dollars, like 10 or 12.50.') };
  const fraction = match[2] ?? '';
  if (fraction.length > NANO_DIGITS) return { error: l10n.t('Use at most nine decimals.') };
  const nano = BigInt(match[1]!) * BigInt(NANO_PER_DOLLAR) + BigInt(fraction.padEnd(NANO_DIGITS, '0'));
  if (nano === 0n) return { error: l10n.t('A budget must be more than zero.') };
  if (nano > BigInt(MAX_BUDGET_NANO)) return { error: l10n.t('A budget can be at most {0}.', formatMoney(MAX_BUDGET_NANO)) };
  return { nano: Number(nano) };
}

/** Dollars from nano-dollars as the form shows them for editing: `10`, `12.5`, `0.000001`; exact. */
export function dollarsText(nano: number): string {
  const whole = BigInt(nano);
  const unit = BigInt(NANO_PER_DOLLAR);
  const fraction = (whole % unit).toString().padStart(NANO_DIGITS, '0').replace(/0+$/, '');
  return fraction ? `${whole / unit}.${fraction}` : `${whole / unit}`;
}

/** A token budget as typed: a whole number, `_` or `,` between digits allowed (`1,000,000`). */
export function parseTokens(text: string): { tokens: number } | { error: string } {
  const typed = text.trim();
  if (typed === '') return { error: l10n.t('Enter a number of tokens.') };
  if (/^-/.test(typed)) return { error: l10n.t('A budget cannot be negative.') };
  if (!/^\d{1,3}([,_]?\d{3})*$|^\d+$/.test(typed)) return { error: l10n.t('Enter a whole number of tokens, like 500000.') };
  const tokens = Number(typed.replace(/[,_]/g, ''));
  if (tokens === 0) return { error: l10n.t('A budget must be more than zero.') };
  if (tokens > MAX_BUDGET_TOKENS) return { error: l10n.t('A budget can be at most {0} tokens.', formatCount(MAX_BUDGET_TOKENS)) };
  return { tokens };
}

/** The budget the fields describe, or what is wrong with each field that is wrong. */
export function budgetInput(fields: BudgetFields): { input: BudgetInput } | { errors: BudgetErrors } {
  const errors: BudgetErrors = {};
  if (!fields.scopeId) errors.scopeId = fields.scopeKind === 'connection' ? l10n.t('Choose a connection.') : fields.scopeKind === 'agent' ? l10n.t('Choose an agent.') : l10n.t('Choose a requester.');
  const amount = fields.unit === 'usd' ? parseDollars(fields.amount) : parseTokens(fields.amount);
  if ('error' in amount) errors.amount = amount.error;
  const warn = fields.warnAtPercent.trim();
  const percent = Number(warn);
  if (!/^\d+$/.test(warn) || percent < 1 || percent > 100) errors.warnAtPercent = l10n.t('Enter a whole number from 1 to 100.');
  if (Object.keys(errors).length || 'error' in amount) return { errors };
  const scope = fields.scopeKind === 'connection' ? { kind: 'connection' as const, connectionId: fields.scopeId } : fields.scopeKind === 'agent' ? { kind: 'agent' as const, agentId: fields.scopeId } : { kind: 'requester' as const, requesterId: fields.scopeId };
  const limit = 'nano' in amount ? { unit: 'usd' as const, nano: amount.nano } : { unit: 'tokens' as const, tokens: amount.tokens };
  return { input: { ...(fields.id ? { id: fields.id } : {}), scope, period: fields.period, limit, warnAtPercent: percent } };
}

/** The form's fields for editing a budget as it is. */
export function budgetFields({ budget }: BudgetStatus): BudgetFields {
  const { scope, limit } = budget;
  return {
    id: budget.id,
    scopeKind: scope.kind,
    scopeId: scope.kind === 'connection' ? scope.connectionId : scope.kind === 'agent' ? scope.agentId : scope.requesterId,
    period: budget.period,
    unit: limit.unit,
    amount: limit.unit === 'usd' ? dollarsText(limit.nano) : String(limit.tokens),
    warnAtPercent: String(budget.warnAtPercent),
  };
}

/** The choices of the form's second select: the connections, agents or requesters there are. */
export function scopeOptions(kind: BudgetScopeKind, snapshot: Pick<EditorSnapshot, 'connections' | 'agents'>, requesters: Readonly<Record<string, string>>): SelectOption[] {
  if (kind === 'connection') return snapshot.connections.map((connection) => ({ value: connection.id, label: connection.name }));
  if (kind === 'agent') return snapshot.agents.map((agent) => ({ value: agent.id, label: agent.name }));
  return requesterOptions(requesters);
}

export const SCOPE_KIND_OPTIONS: readonly SelectOption[] = [
  { value: 'connection', label: l10n.t('Connection') },
  { value: 'agent', label: l10n.t('Agent') },
  { value: 'requester', label: l10n.t('Requester') },
];

export const BUDGET_PERIOD_OPTIONS: readonly SelectOption[] = [
  { value: 'day', label: l10n.t('Per day') },
  { value: 'month', label: l10n.t('Per month') },
];

export const BUDGET_UNIT_OPTIONS: readonly SelectOption[] = [
  { value: 'usd', label: l10n.t('US dollars') },
  { value: 'tokens', label: l10n.t('Tokens') },
];

/** How far a budget is used: `ok`, past its warning share (`warn`), or at its limit (`over`). */
export type BudgetLevel = 'ok' | 'warn' | 'over';

export function budgetLevel({ budget, used }: Pick<BudgetStatus, 'budget' | 'used'>): BudgetLevel {
  const limit = budget.limit.unit === 'usd' ? budget.limit.nano : budget.limit.tokens;
  if (used >= limit) return 'over';
  // In integers: used / limit ≥ warn / 100.
  return used * 100 >= limit * budget.warnAtPercent ? 'warn' : 'ok';
}

/** The limit of a budget in its unit (nano-dollars or tokens), for the meter's `max`. */
export function budgetLimit(budget: BudgetStatus['budget']): number {
  return budget.limit.unit === 'usd' ? budget.limit.nano : budget.limit.tokens;
}

/** When the budget starts over, as a date (and the time for a daily one) in the person's time zone. */
function resetsAt(iso: string, period: 'day' | 'month', locale: string): string {
  const time = new Date(Date.parse(iso));
  return period === 'day' ? time.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : time.toLocaleDateString(locale, { dateStyle: 'medium' });
}

/** `$3.20 of $10.00 this month, resets Jan 1, 2027`; `1.2M of 5M tokens today, resets …`. */
export function budgetLine(status: Pick<BudgetStatus, 'budget' | 'used' | 'resetsAt'>, locale = pageLocale()): string {
  const { budget, used } = status;
  const resets = resetsAt(status.resetsAt, budget.period, locale);
  if (budget.limit.unit === 'usd') {
    const [spent, limit] = [formatMoney(used, locale), formatMoney(budget.limit.nano, locale)];
    return budget.period === 'day' ? l10n.t('{0} of {1} today, resets {2}', spent, limit, resets) : l10n.t('{0} of {1} this month, resets {2}', spent, limit, resets);
  }
  const [spent, limit] = [formatTokenCount(used, locale), formatTokenCount(budget.limit.tokens, locale)];
  return budget.period === 'day' ? l10n.t('{0} of {1} tokens today, resets {2}', spent, limit, resets) : l10n.t('{0} of {1} tokens this month, resets {2}', spent, limit, resets);
}

const SCOPE_LINES: Record<BudgetScopeKind, (label: string) => string> = {
  connection: (label) => l10n.t('Connection {0}', label),
  agent: (label) => l10n.t('Agent {0}', label),
  requester: (label) => l10n.t('Requester {0}', label),
};

/** What a budget is for, in words: `Connection Local Ollama`. */
export function budgetScopeLine(status: Pick<BudgetStatus, 'budget' | 'label'>): string {
  return SCOPE_LINES[status.budget.scope.kind](status.label);
}
