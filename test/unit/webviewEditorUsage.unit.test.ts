import * as assert from 'node:assert/strict';
import { BudgetInputSchema, MAX_BUDGET_NANO, MAX_BUDGET_TOKENS, UsageReportRequestSchema, type BudgetStatus, type UsageReport, type UsageTotals } from '../../src/contracts/usage';
import {
  addDays,
  budgetFields,
  budgetInput,
  budgetLevel,
  budgetLine,
  budgetScopeLine,
  DEFAULT_USAGE_CONTROLS,
  dollarsText,
  EMPTY_BUDGET_FIELDS,
  formatMoney,
  formatTokenCount,
  groupRows,
  knownRequesters,
  parseDollars,
  parseTokens,
  periodLabel,
  periodRows,
  RANGE_PRESETS,
  rangeOf,
  requesterOptions,
  scopeOptions,
  stackedSeries,
  usageFilter,
  usageFootnotes,
  usageRequest,
  usageSummary,
} from '../../webview/editor/usageFormat';

const HOME = '11111111-1111-4111-8111-111111111111';
const WORK = '22222222-2222-4222-8222-222222222222';
const AGENT = '33333333-3333-4333-8333-333333333333';
const BUDGET = '44444444-4444-4444-8444-444444444444';

function totals(patch: Partial<UsageTotals> = {}): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNano: 0, estimatedCalls: 0, unpricedCalls: 0, ...patch };
}

/** Two connections over three days: Home spends on day one and three, Work on day two and three. */
const REPORT: UsageReport = {
  periods: ['2026-03-01', '2026-03-02', '2026-03-03'],
  groups: [
    { key: HOME, label: 'Home', totals: totals({ calls: 3, inputTokens: 1500, outputTokens: 500, costNano: 30_000_000, estimatedCalls: 1 }) },
    { key: WORK, label: 'Work', totals: totals({ calls: 2, inputTokens: 200, outputTokens: 100, costNano: 0, unpricedCalls: 2 }) },
  ],
  cells: [
    [totals({ calls: 2, inputTokens: 1000, outputTokens: 300, costNano: 20_000_000 }), totals(), totals({ calls: 1, inputTokens: 500, outputTokens: 200, costNano: 10_000_000 })],
    [totals(), totals({ calls: 1, inputTokens: 100, outputTokens: 50, unpricedCalls: 1 }), totals({ calls: 1, inputTokens: 100, outputTokens: 50, unpricedCalls: 1 })],
  ],
  totals: totals({ calls: 5, inputTokens: 1700, outputTokens: 600, costNano: 30_000_000, estimatedCalls: 1, unpricedCalls: 2 }),
};

describe('Switchboard editor: the Usage tab', () => {
  describe('money and tokens', () => {
    it('writes dollars from nano-dollars with two decimals from a dollar up, and up to three significant digits below that a cheap call is never $0.00', () => {
      assert.equal(formatMoney(12_340_000_000, 'en-US'), '$12.34');
      assert.equal(formatMoney(1_234_567_890_000, 'en-US'), '$1,234.57');
      assert.equal(formatMoney(500_000_000, 'en-US'), '$0.50');
      assert.equal(formatMoney(123_456_789, 'en-US'), '$0.123');
      assert.equal(formatMoney(10_000_000, 'en-US'), '$0.01');
      assert.equal(formatMoney(12_300_000, 'en-US'), '$0.0123');
      assert.equal(formatMoney(42_000, 'en-US'), '$0.000042');
      assert.equal(formatMoney(1, 'en-US'), '$0.000000001', 'one nano-dollar, the smallest unit, still shows');
      assert.equal(formatMoney(0, 'en-US'), '$0.00');
      assert.equal(formatMoney(undefined, 'en-US'), '—', 'no price is not a price of zero');
      assert.equal(formatMoney(12_340_000_000, 'de-DE'), '12,34\u00a0$', 'in the page\'s language');
    });

    it('writes token counts short for bars and budgets', () => {
      assert.equal(formatTokenCount(950, 'en-US'), '950');
      assert.equal(formatTokenCount(12_345, 'en-US'), '12.3K');
      assert.equal(formatTokenCount(1_200_000, 'en-US'), '1.2M');
    });
  });

  describe('ranges and periods', () => {
    it('counts each preset range in the person\'s calendar, both ends included, across months and years', () => {
      const today = { year: 2026, month: 3, day: 5 };
      assert.deepEqual(rangeOf('last7', today), { from: '2026-02-27', to: '2026-03-05' });
      assert.deepEqual(rangeOf('last30', today), { from: '2026-02-04', to: '2026-03-05' });
      assert.deepEqual(rangeOf('last90', today), { from: '2025-12-06', to: '2026-03-05' });
      assert.deepEqual(rangeOf('thisMonth', today), { from: '2026-03-01', to: '2026-03-05' });
      assert.deepEqual(rangeOf('lastMonth', today), { from: '2026-02-01', to: '2026-02-28' });
      assert.deepEqual(rangeOf('lastMonth', { year: 2026, month: 1, day: 15 }), { from: '2025-12-01', to: '2025-12-31' });
      assert.deepEqual(rangeOf('last12Months', today), { from: '2025-04-01', to: '2026-03-05' });
      assert.deepEqual(addDays({ year: 2024, month: 2, day: 28 }, 1), { year: 2024, month: 2, day: 29 }, 'a leap day');
    });

    it('asks for the range as the person\'s local day at that moment, with their offset from UTC, and only the filters that are set', () => {
      // Local time: whatever zone this machine is in, the request names the local day of this local moment.
      const now = new Date(2026, 2, 5, 23, 30);
      const request = usageRequest({ ...DEFAULT_USAGE_CONTROLS, range: 'last7', agentId: AGENT }, now);
      assert.deepEqual(request, { period: 'day', groupBy: 'connection', from: '2026-02-27', to: '2026-03-05', utcOffsetMinutes: -now.getTimezoneOffset() || 0, filter: { agentId: AGENT } });
      for (const range of RANGE_PRESETS) assert.ok(UsageReportRequestSchema.safeParse(usageRequest({ ...DEFAULT_USAGE_CONTROLS, range }, now)).success, range);
      assert.deepEqual(usageFilter({ connectionId: HOME, modelRef: 'llama3.2', agentId: '', requesterId: 'switchboard.vscodeChat' }), { connectionId: HOME, modelRef: 'llama3.2', requesterId: 'switchboard.vscodeChat' });
    });

    it('names a period by its first day, whatever the machine\'s time zone', () => {
      assert.equal(periodLabel('2026-03-01', 'day', { locale: 'en-US' }), 'Mar 1, 2026');
      assert.equal(periodLabel('2026-03-01', 'day', { locale: 'en-US', short: true }), 'Mar 1');
      assert.equal(periodLabel('2026-03-02', 'week', { locale: 'en-US' }), 'Week of Mar 2, 2026');
      assert.equal(periodLabel('2026-03-01', 'month', { locale: 'en-US' }), 'March 2026');
      assert.equal(periodLabel('2026-03-01', 'month', { locale: 'en-US', short: true }), 'Mar 2026');
      assert.equal(periodLabel('not a day', 'day'), 'not a day');
    });
  });

  describe('the tables under the charts', () => {
    it('lists each group\'s totals and the total of all, with an unknown cost where no call had a price', () => {
      const { groups, total } = groupRows(REPORT, 'en-US');
      assert.deepEqual(
        groups.map((row) => [row.label, row.calls, row.inputTokens, row.outputTokens, row.cost]),
        [
          ['Home', '3', '1,500', '500', '$0.03'],
          ['Work', '2', '200', '100', '—'],
        ],
      );
      assert.deepEqual([total.label, total.calls, total.cost, total.estimatedCalls, total.unpricedCalls], ['Total', '5', '$0.03', 1, 2]);
    });

    it('lists each period with the chart\'s figure per group and the period\'s total, in the chosen metric', () => {
      const cost = periodRows(REPORT, 'day', 'cost', 'en-US');
      assert.deepEqual(
        cost.map((row) => [row.label, ...row.values, row.total]),
        [
          ['Mar 1, 2026', '$0.02', '$0.00', '$0.02'],
          ['Mar 2, 2026', '$0.00', '$0.00', '$0.00'],
          ['Mar 3, 2026', '$0.01', '$0.00', '$0.01'],
        ],
      );
      assert.deepEqual(
        periodRows(REPORT, 'day', 'tokens', 'en-US').map((row) => [...row.values, row.total]),
        [
          ['1,300', '0', '1,300'],
          ['0', '150', '150'],
          ['700', '150', '850'],
        ],
      );
    });

    it('stacks the chart\'s series: each group\'s bar on those before it, cost in dollars', () => {
      assert.deepEqual(stackedSeries(REPORT, 'tokens'), [
        [1300, 0, 700],
        [1300, 150, 850],
      ]);
      assert.deepEqual(stackedSeries(REPORT, 'cost'), [
        [0.02, 0, 0.01],
        [0.02, 0, 0.01],
      ]);
    });

    it('says how many calls were estimated and how many had no price, and sums up the range', () => {
      assert.deepEqual(usageFootnotes(REPORT.totals, 'en-US'), [
        '1 call estimated: the provider reported no usage, so Switchboard counted the tokens itself.',
        '2 calls without a price: their cost is not in the totals. Set a price on their models in the Models tab.',
      ]);
      assert.deepEqual(usageFootnotes(totals(), 'en-US'), []);
      assert.equal(usageSummary(REPORT, 'en-US'), '5 calls, 2,300 tokens, $0.03');
      assert.equal(usageSummary({ ...REPORT, totals: totals() }, 'en-US'), 'No calls in this range.');
    });

    it('learns the requesters to filter by from reports grouped by requester, never the "other" group', () => {
      const byRequester: UsageReport = { ...REPORT, groups: [{ key: 'switchboard.vscodeChat', label: 'VS Code chat', totals: totals() }, { key: 'other', label: 'Other', totals: totals() }] };
      const known = knownRequesters({ person: 'Your views' }, byRequester, 'requester');
      assert.deepEqual(requesterOptions(known), [
        { value: 'switchboard.vscodeChat', label: 'VS Code chat' },
        { value: 'person', label: 'Your views' },
      ]);
      const same = { person: 'Your views' };
      assert.equal(knownRequesters(same, REPORT, 'connection'), same, 'a report grouped by connection names no requester');
    });
  });

  describe('budgets', () => {
    it('turns typed dollars into nano-dollars exactly, not through a float', () => {
      assert.deepEqual(parseDollars('10'), { nano: 10_000_000_000 });
      assert.deepEqual(parseDollars(' $0.29 '), { nano: 290_000_000 });
      assert.deepEqual(parseDollars('1.005'), { nano: 1_005_000_000 }, '1.005 * 1e9 is 1004999999.9999999 as a float');
      assert.deepEqual(parseDollars('12.5'), { nano: 12_500_000_000 });
      assert.deepEqual(parseDollars('0.000000001'), { nano: 1 });
      assert.deepEqual(parseDollars('1000000'), { nano: MAX_BUDGET_NANO });
      assert.equal(dollarsText(290_000_000), '0.29');
      assert.equal(dollarsText(12_000_000_000), '12');
      assert.equal(dollarsText(1), '0.000000001');
    });

    it('refuses a negative, zero, absurd or unreadable amount with the reason', () => {
      assert.deepEqual(parseDollars('-5'), { error: 'A budget cannot be negative.' });
      assert.deepEqual(parseDollars('0.00'), { error: 'A budget must be more than zero.' });
      assert.deepEqual(parseDollars(''), { error: 'Enter an amount.' });
      assert.deepEqual(parseDollars('ten'), { error: 'Enter an amount in dollars, like 10 or 12.50.' });
      assert.deepEqual(parseDollars('1e3'), { error: 'Enter an amount in dollars, like 10 or 12.50.' });
      assert.deepEqual(parseDollars('0.0000000001'), { error: 'Use at most nine decimals.' });
      assert.deepEqual(parseDollars('1000000.01'), { error: 'A budget can be at most $1,000,000.00.' });
      assert.deepEqual(parseTokens('1,000,000'), { tokens: 1_000_000 });
      assert.deepEqual(parseTokens('-1'), { error: 'A budget cannot be negative.' });
      assert.deepEqual(parseTokens('1.5'), { error: 'Enter a whole number of tokens, like 500000.' });
      assert.deepEqual(parseTokens('0'), { error: 'A budget must be more than zero.' });
      assert.ok('error' in parseTokens(String(MAX_BUDGET_TOKENS + 1)));
      assert.deepEqual(parseTokens(String(MAX_BUDGET_TOKENS)), { tokens: MAX_BUDGET_TOKENS });
    });

    it('builds the budget the form describes, which the contract takes, or names each field that is wrong', () => {
      const made = budgetInput({ ...EMPTY_BUDGET_FIELDS, scopeId: HOME, amount: '10', warnAtPercent: '75' });
      assert.ok('input' in made);
      assert.deepEqual(made.input, { scope: { kind: 'connection', connectionId: HOME }, period: 'month', limit: { unit: 'usd', nano: 10_000_000_000 }, warnAtPercent: 75 });
      assert.ok(BudgetInputSchema.safeParse(made.input).success);
      const tokens = budgetInput({ id: BUDGET, scopeKind: 'requester', scopeId: 'switchboard.vscodeChat', period: 'day', unit: 'tokens', amount: '500000', warnAtPercent: '100' });
      assert.ok('input' in tokens && BudgetInputSchema.safeParse(tokens.input).success);
      assert.deepEqual('input' in tokens && tokens.input.scope, { kind: 'requester', requesterId: 'switchboard.vscodeChat' });

      const wrong = budgetInput({ ...EMPTY_BUDGET_FIELDS, scopeKind: 'agent', amount: '-1', warnAtPercent: '0' });
      assert.deepEqual(wrong, { errors: { scopeId: 'Choose an agent.', amount: 'A budget cannot be negative.', warnAtPercent: 'Enter a whole number from 1 to 100.' } });
      assert.ok('errors' in budgetInput({ ...EMPTY_BUDGET_FIELDS, scopeId: HOME, amount: '5', warnAtPercent: '80.5' }));
    });

    const status: BudgetStatus = {
      budget: { id: BUDGET, scope: { kind: 'connection', connectionId: HOME }, period: 'month', limit: { unit: 'usd', nano: 10_000_000_000 }, warnAtPercent: 80 },
      label: 'Home',
      used: 3_200_000_000,
      resetsAt: '2026-04-01T12:00:00.000Z',
    };

    it('says what a budget has used of its limit and when it starts over, and warns past its share', () => {
      assert.match(budgetLine(status, 'en-US'), /^\$3\.20 of \$10\.00 this month, resets (Mar 31|Apr 1), 2026$/);
      const daily = { ...status, budget: { ...status.budget, period: 'day' as const, limit: { unit: 'tokens' as const, tokens: 5_000_000 } }, used: 1_200_000 };
      assert.match(budgetLine(daily, 'en-US'), /^1\.2M of 5M tokens today, resets /);
      assert.equal(budgetScopeLine(status), 'Connection Home');
      assert.equal(budgetLevel(status), 'ok');
      assert.equal(budgetLevel({ ...status, used: 7_999_999_999 }), 'ok');
      assert.equal(budgetLevel({ ...status, used: 8_000_000_000 }), 'warn', 'at the warning share exactly');
      assert.equal(budgetLevel({ ...status, used: 10_000_000_000 }), 'over');
    });

    it('opens a budget for editing as it is, and offers the connections, agents or requesters there are', () => {
      const fields = budgetFields({ ...status, budget: { ...status.budget, limit: { unit: 'usd', nano: 290_000_000 } } });
      assert.deepEqual(fields, { id: BUDGET, scopeKind: 'connection', scopeId: HOME, period: 'month', unit: 'usd', amount: '0.29', warnAtPercent: '80' });
      assert.deepEqual(budgetInput(fields), { input: { id: BUDGET, scope: { kind: 'connection', connectionId: HOME }, period: 'month', limit: { unit: 'usd', nano: 290_000_000 }, warnAtPercent: 80 } });
      const snapshot = { connections: [{ id: HOME, name: 'Home', providerId: 'ollama', providerName: 'Ollama', status: 'valid' as const, models: [] }], agents: [{ id: AGENT, name: 'Writer' }] };
      assert.deepEqual(scopeOptions('connection', snapshot, {}), [{ value: HOME, label: 'Home' }]);
      assert.deepEqual(scopeOptions('agent', snapshot, {}), [{ value: AGENT, label: 'Writer' }]);
      assert.deepEqual(scopeOptions('requester', snapshot, { person: 'Your views' }), [{ value: 'person', label: 'Your views' }]);
    });
  });
});
