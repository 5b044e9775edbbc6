/**
 * A fake extension host for looking at the Switchboard editor in a plain browser
 * (editorPreview.html) and for browser tests: it defines `acquireVsCodeApi()` and answers the
 * editor's requests from memory. Its Usage tab gets plausible reports (a ledger of calls
 * generated per day, summed as the host would) and budgets it keeps; the other tabs get empty
 * pages.
 *
 * Build: npx esbuild webview/dev/editorFakeHost.ts --bundle --format=iife --outfile=dist/webview-dev/editorFakeHost.js
 * Pick the data with `?scenario=sample|empty|volume` (`volume`: `&calls=N` over two years, 100,000
 * by default), open a tab with `&tab=usage`, and drive it from a
 * test through `window.switchboardEditorFakeHost` (e.g. `send({ type: 'changed', what: 'budgets' })`).
 */
import './zodSetup';
import { FromEditorViewSchema, type EditorSnapshot, type FromEditorView } from '../../src/contracts/editorView';
import { BudgetSchema, MAX_USAGE_GROUPS, type BudgetStatus, type UsageReport, type UsageReportRequest, type UsageTotals } from '../../src/contracts/usage';
import { installFakeVsCodeApi, sendToView, uuid, type Answer, type FakeHostControlBase } from './fakeHostKit';

type Request = Extract<FromEditorView, { type: 'request' }>;

/** One call of the fake ledger. */
interface FakeCall {
  day: string;
  connectionId: string;
  modelRef: string;
  agentId?: string;
  requesterId: string;
  inputTokens: number;
  outputTokens: number;
  costNano?: number;
  estimated: boolean;
}

export interface EditorFakeHostControl extends FakeHostControlBase<Omit<EditorSnapshot, 'type'>, Request['method']> {
  calls: FakeCall[];
  budgets: BudgetStatus[];
  /** How long a usage report takes. */
  reportDelayMs: number;
}

declare global {
  interface Window {
    switchboardEditorFakeHost: EditorFakeHostControl;
  }
}

const LOCAL = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';
const CLOUD = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const WRITER = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const REVIEWER = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';

const REQUESTERS: Record<string, string> = { 'switchboard.agentsView': 'the Agents view', 'switchboard.vscodeChat': 'VS Code chat', 'acme.review-bot': 'Review Bot (acme.review-bot)' };

function snapshotOf(scenario: string | null): Omit<EditorSnapshot, 'type'> {
  if (scenario === 'empty') return { connections: [], agents: [] };
  return {
    connections: [
      { id: LOCAL, name: 'Local Ollama', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [{ providerModelId: 'llama3.2:latest', displayName: 'llama3.2:latest' }] },
      { id: CLOUD, name: 'OpenAI (work)', providerId: 'openai', providerName: 'OpenAI', status: 'valid', models: [{ providerModelId: 'gpt-4o-mini', displayName: 'gpt-4o-mini' }, { providerModelId: 'o3-mini', displayName: 'o3-mini' }] },
    ],
    agents: [
      { id: WRITER, name: 'Writer' },
      { id: REVIEWER, name: 'Reviewer' },
    ],
  };
}

function dayString(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Ninety days of calls, a few a day, varying by a fixed pattern (no randomness: screenshots compare). */
function sampleCalls(): FakeCall[] {
  const calls: FakeCall[] = [];
  const today = new Date();
  for (let back = 0; back < 90; back++) {
    const day = dayString(new Date(today.getFullYear(), today.getMonth(), today.getDate() - back));
    for (let i = 0; i < (back * 7) % 5 + 1; i++) {
      const cloud = (back + i) % 3 === 0;
      const inputTokens = 400 + ((back * 37 + i * 101) % 1600);
      const outputTokens = 80 + ((back * 53 + i * 17) % 600);
      const modelRef = cloud ? (i % 2 ? 'o3-mini' : 'gpt-4o-mini') : 'llama3.2:latest';
      calls.push({
        day,
        connectionId: cloud ? CLOUD : LOCAL,
        modelRef,
        agentId: i % 3 === 2 ? undefined : i % 2 ? REVIEWER : WRITER,
        requesterId: i % 3 === 2 ? (back % 2 ? 'switchboard.vscodeChat' : 'acme.review-bot') : 'switchboard.agentsView',
        inputTokens,
        outputTokens,
        // o3-mini has no price here: its calls are counted without a cost.
        costNano: !cloud ? 0 : modelRef === 'o3-mini' ? undefined : inputTokens * 150 + outputTokens * 600,
        estimated: !cloud && back % 11 === 0,
      });
    }
  }
  return calls;
}

/** `count` calls spread over the last two years, across fifteen models: a ledger at the size the bench names (100,000). */
function volumeCalls(count: number): FakeCall[] {
  const today = new Date();
  return Array.from({ length: count }, (_, i) => {
    const day = dayString(new Date(today.getFullYear(), today.getMonth(), today.getDate() - (i % 730)));
    const inputTokens = 200 + ((i * 37) % 3000);
    const outputTokens = 50 + ((i * 53) % 900);
    return { day, connectionId: i % 2 ? CLOUD : LOCAL, modelRef: `model-${i % 15}`, requesterId: 'switchboard.agentsView', inputTokens, outputTokens, costNano: inputTokens * 150 + outputTokens * 600, estimated: false };
  });
}

function zeroTotals(): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNano: 0, estimatedCalls: 0, unpricedCalls: 0 };
}

function add(totals: UsageTotals, call: FakeCall): void {
  totals.calls++;
  totals.inputTokens += call.inputTokens;
  totals.outputTokens += call.outputTokens;
  totals.costNano += call.costNano ?? 0;
  if (call.estimated) totals.estimatedCalls++;
  if (call.costNano === undefined) totals.unpricedCalls++;
}

/** The first day of the period a day falls in (weeks start on Monday). */
function periodStart(day: string, period: UsageReportRequest['period']): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const at = new Date(Date.UTC(year, month - 1, date));
  at.setUTCDate(at.getUTCDate() - ((at.getUTCDay() + 6) % 7));
  return at.toISOString().slice(0, 10);
}

/** Sums the ledger as the host would: every period of the range, the groups by their totals, the rest as "other". */
function report(calls: readonly FakeCall[], request: UsageReportRequest, snapshot: Omit<EditorSnapshot, 'type'>): UsageReport {
  const periods: string[] = [];
  for (let day = request.from; day <= request.to; ) {
    const start = periodStart(day, request.period);
    if (periods.at(-1) !== start) periods.push(start);
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    day = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }
  const { filter } = request;
  const chosen = calls.filter(
    (call) =>
      call.day >= request.from &&
      call.day <= request.to &&
      (!filter.connectionId || call.connectionId === filter.connectionId) &&
      (!filter.modelRef || call.modelRef === filter.modelRef) &&
      (!filter.agentId || call.agentId === filter.agentId) &&
      (!filter.requesterId || call.requesterId === filter.requesterId),
  );
  const keyOf = (call: FakeCall) => ({ connection: call.connectionId, model: call.modelRef, agent: call.agentId ?? 'none', requester: call.requesterId })[request.groupBy];
  const labelOf = (key: string) =>
    ({
      connection: snapshot.connections.find((c) => c.id === key)?.name ?? key,
      model: key,
      agent: snapshot.agents.find((a) => a.id === key)?.name ?? 'No agent (chat and API)',
      requester: REQUESTERS[key] ?? key,
    })[request.groupBy];
  const byGroup = new Map<string, { totals: UsageTotals; cells: UsageTotals[] }>();
  const totals = zeroTotals();
  for (const call of chosen) {
    const key = keyOf(call);
    const group = byGroup.get(key) ?? { totals: zeroTotals(), cells: periods.map(zeroTotals) };
    byGroup.set(key, group);
    add(group.totals, call);
    add(group.cells[periods.indexOf(periodStart(call.day, request.period))]!, call);
    add(totals, call);
  }
  const groups = [...byGroup.entries()].sort((a, b) => b[1].totals.costNano - a[1].totals.costNano || b[1].totals.calls - a[1].totals.calls).slice(0, MAX_USAGE_GROUPS);
  return { periods, groups: groups.map(([key, group]) => ({ key, label: labelOf(key), totals: group.totals })), cells: groups.map(([, group]) => group.cells), totals };
}

function installFakeHost(): EditorFakeHostControl {
  const failures = new Map<string, { code: 'not_found'; message: string }>();
  const params = new URLSearchParams(location.search);
  const empty = params.get('scenario') === 'empty';
  const control: EditorFakeHostControl = {
    posted: [],
    snapshot: snapshotOf(params.get('scenario')),
    sendSnapshot: () => sendToView({ type: 'snapshot', ...control.snapshot }),
    send: sendToView,
    failNext: (method, error) => failures.set(method, error as { code: 'not_found'; message: string }),
    confirmDelete: true,
    calls: empty ? [] : params.get('scenario') === 'volume' ? volumeCalls(Number(params.get('calls') ?? 100_000)) : sampleCalls(),
    budgets: [],
    reportDelayMs: 200,
  };
  const endOfMonth = () => {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth() + 1, 1).toISOString();
  };
  if (!empty) {
    control.budgets = [
      { budget: { id: uuid(), scope: { kind: 'connection', connectionId: CLOUD }, period: 'month', limit: { unit: 'usd', nano: 10_000_000_000 }, warnAtPercent: 80 }, label: 'OpenAI (work)', used: 3_200_000_000, resetsAt: endOfMonth() },
      { budget: { id: uuid(), scope: { kind: 'requester', requesterId: 'acme.review-bot' }, period: 'month', limit: { unit: 'tokens', tokens: 500_000 }, warnAtPercent: 80 }, label: REQUESTERS['acme.review-bot']!, used: 430_000, resetsAt: endOfMonth() },
    ];
  }

  const emptyPage = { total: 0, requesterNames: {} };
  async function answer(request: Request): Promise<Answer> {
    switch (request.method) {
      case 'usageReport':
        await new Promise((resolve) => setTimeout(resolve, control.reportDelayMs));
        return { ok: true, value: report(control.calls, request.params, control.snapshot) };
      case 'exportUsage':
        return { ok: true, value: { exported: true, calls: report(control.calls, request.params, control.snapshot).totals.calls } };
      case 'budgets':
        return { ok: true, value: { budgets: control.budgets } };
      case 'setBudget': {
        const budget = BudgetSchema.parse({ ...request.params, id: request.params.id ?? uuid() });
        const { scope } = budget;
        const label = scope.kind === 'connection' ? control.snapshot.connections.find((c) => c.id === scope.connectionId)?.name : scope.kind === 'agent' ? control.snapshot.agents.find((a) => a.id === scope.agentId)?.name : (REQUESTERS[scope.requesterId] ?? scope.requesterId);
        const status: BudgetStatus = { budget, label: label ?? '?', used: 0, resetsAt: endOfMonth() };
        const at = control.budgets.findIndex((existing) => existing.budget.id === budget.id);
        if (at >= 0) control.budgets[at] = { ...status, used: control.budgets[at]!.used };
        else control.budgets.push(status);
        return { ok: true, value: { id: budget.id } };
      }
      case 'deleteBudget': {
        const before = control.budgets.length;
        control.budgets = control.budgets.filter((status) => status.budget.id !== request.params.id);
        return { ok: true, value: { deleted: control.budgets.length < before } };
      }
      case 'modelsPage':
        return { ok: true, value: { models: [], total: 0, registered: 0 } };
      case 'runsPage':
        return { ok: true, value: { runs: [], ...emptyPage } };
      case 'chatPage':
        return { ok: true, value: { records: [], ...emptyPage } };
      case 'auditPage':
        return { ok: true, value: { entries: [], total: 0 } };
      case 'verifyAudit':
        return { ok: true, value: { ok: true, entries: 0 } };
      default:
        return { ok: false, error: { code: 'not_found', message: `The preview host does not answer ${request.method}.` } };
    }
  }

  installFakeVsCodeApi({ schema: FromEditorViewSchema, control, failures, answer, state: params.get('tab') ? { tab: params.get('tab') } : undefined });
  window.switchboardEditorFakeHost = control;
  return control;
}

installFakeHost();
