import * as assert from 'node:assert/strict';
import type { UsageReportRequest } from '../../src/contracts/usage';
import { SwitchboardError } from '../../src/core/base/errors';
import { settleUsage } from '../../src/core/calls/callUsage';
import { CHECKPOINT_AFTER_FRAMES } from '../../src/core/calls/ledgerWrite';
import { ELSEWHERE_CHECK_MS, RECORDED_NOTICE_MS, totalKey, UsageLedger, type WarningCheck } from '../../src/core/calls/usageLedger';
import { amount, Budgets, formatDollars } from '../../src/core/calls/budgets';
import { AuditLog } from '../../src/core/audit/auditLog';
import { auditAnchor } from '../fixtures/auditAnchor';
import { Database } from '../../src/core/store/database';
import { enterGate, GATE_HOST, leaveGate } from '../../src/core/store/writeGate';
import { MIGRATIONS } from '../../src/core/store/schema';
import { TABLES } from '../../src/core/store/storageKeys';
import { DatabaseSync } from 'node:sqlite';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { costNano, priceOf } from '../../src/core/models/pricing';
import { personAt, requesterIds } from '../../src/core/keys/requesters';
import { CANARY_KEY } from '../fixtures/canary';
import { FaultServer } from '../fixtures/faultServer';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { databaseText, tempDatabase } from '../fixtures/tempDatabase';
import { tempDirRemovedAtExit } from '../fixtures/tempDirs';
import { FixedClock, ManualTimers, MemoryLogger } from '../helpers/fakes';
import { discovered, LEDGER_WRITER_ENTRY, makeStack, worker } from '../helpers/stacks';
import { serveDuringSuite } from '../helpers/providerTestKit';

const person = personAt(requesterIds.agentsView);
const CONNECTION = '00000000-0000-4000-8000-000000000001';

describe('Usage: every call recorded and priced on the one call path', function () {
  this.timeout(30_000);
  const ollama = new OllamaFixture();
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  const faults = new FaultServer();
  serveDuringSuite(ollama);
  serveDuringSuite(openai);
  serveDuringSuite(faults);
  let stack: Awaited<ReturnType<typeof makeStack>>;
  afterEach(async () => {
    ollama.reset();
    await stack?.cleanup();
  });

  const ledgerRows = () => stack.ledger.calls({ from: '2026-01-01', to: '2027-12-31', utcOffsetMinutes: 0, filter: {} });

  async function openAiAgent(model = 'gpt-4o-mini') {
    const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    await stack.models.register(connection.id, [discovered(model, { inputCostPer1k: 0.00015, outputCostPer1k: 0.0006, sources: { costs: 'builtin' } })]);
    const agent = await stack.agents.create({ name: 'cloudy', connectionId: connection.id, modelRef: model });
    return { connection, agent };
  }

  it("records a run's call with the provider's counts, priced from the registry in whole nano-dollars, and the key nowhere in the ledger", async () => {
    stack = await makeStack();
    const { connection, agent } = await openAiAgent();
    const run = await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const [row, ...more] = ledgerRows();
    assert.equal(more.length, 0);
    assert.equal(row?.runId, run.id);
    assert.equal(row?.agentId, agent.id);
    assert.equal(row?.connectionId, connection.id);
    assert.equal(row?.requesterId, requesterIds.agentsView);
    assert.deepEqual([row?.inputTokens, row?.outputTokens], [run.usage?.inputTokens, run.usage?.outputTokens]);
    assert.ok(row!.inputTokens > 0 && row!.outputTokens > 0);
    assert.equal(row?.estimated, false);
    assert.equal(row?.priceSource, 'builtin');
    assert.equal(row?.costNano, Math.round(row!.inputTokens * 0.00015 * 1e6 + row!.outputTokens * 0.0006 * 1e6));
    assert.deepEqual(stack.ledger.today(), { calls: 1, tokens: row!.inputTokens + row!.outputTokens, costNano: row!.costNano });
    assert.ok(!(await databaseText(stack.db)).includes(CANARY_KEY));
  });

  it('records a call that failed after part of its answer, estimated from what arrived', async () => {
    stack = await makeStack();
    faults.plan({ kind: 'fail-after-token', tokens: 12 });
    const connection = await stack.connections.create({ name: 'Flaky', providerId: 'openai', baseUrl: `${faults.url}/v1` });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    await stack.models.register(connection.id, [discovered('gpt-4o-mini')]);
    const agent = await stack.agents.create({ name: 'flaky', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
    const run = await stack.service.start({ agentId: agent.id, input: 'please say this rather long sentence back to me, word for word, and then stop' }, person);
    assert.equal(run.status, 'failed');
    const [row, ...more] = ledgerRows();
    assert.equal(more.length, 0);
    assert.deepEqual([row?.runId, row?.estimated], [run.id, true]);
    assert.ok(row!.inputTokens > 0 && row!.outputTokens > 0, JSON.stringify(row));
  });

  // The usage is written by the ledger's writer thread, the model_call entry on the host: a
  // failure of one never takes the other with it, nor the call.
  for (const failing of ['usage', 'audit'] as const) {
    it(`keeps the ${failing === 'usage' ? 'model_call audit entry' : "call's usage"} when writing the ${failing === 'usage' ? "call's usage" : 'audit entry'} fails`, async () => {
      stack = await makeStack();
      const { agent } = await openAiAgent();
      // Each fails at its last statement, after its first ones wrote: its transaction undoes them.
      const trigger =
        failing === 'usage'
          ? `CREATE TRIGGER fail BEFORE INSERT ON ${TABLES.usageDays} BEGIN SELECT RAISE(ABORT, 'the disk said no'); END`
          : `CREATE TRIGGER fail BEFORE UPDATE ON ${TABLES.auditHead} WHEN (SELECT kind FROM ${TABLES.audit} ORDER BY pos DESC LIMIT 1) = 'model_call' BEGIN SELECT RAISE(ABORT, 'the disk said no'); END`;
      stack.db.writeNow((sql) => sql.run(trigger));
      const run = await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      const calls = (await stack.audit.read()).filter((entry) => entry.kind === 'model_call' && entry.runId === run.id);
      assert.equal(calls.length, failing === 'usage' ? 1 : 0);
      assert.equal(ledgerRows().length, failing === 'usage' ? 0 : 1);
      assert.equal(stack.ledger.today().calls, failing === 'usage' ? 0 : 1, 'the running totals moved with the call alone');
      const logged = failing === 'usage' ? /Could not record the usage of a model call: .*the disk said no/ : /Could not write the audit log: .*the disk said no/;
      assert.ok(stack.logger.lines.some((line) => logged.test(line)), stack.logger.lines.join('\n'));
      assert.equal((await stack.audit.verify()).ok, true, 'the chain holds no half entry');
    });
  }

  it('marks a local model free, and stores an estimate marked as one when the provider leaves its counts out', async () => {
    stack = await makeStack();
    ollama.setModels([{ name: 'llama3.2:latest', cachedPrompt: true }]);
    const connection = await stack.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    const agent = await stack.agents.create({ name: 'local', connectionId: connection.id, modelRef: 'llama3.2:latest' });
    const run = await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const [row] = ledgerRows();
    assert.equal(row?.priceSource, 'local');
    assert.equal(row?.costNano, 0);
    assert.equal(row?.estimated, true, 'the prompt count was left out');
    assert.ok(row!.inputTokens > 0, 'the prompt is estimated, not 0');
    assert.equal(run.usage?.estimated, true);
  });

  it("prices with the person's own price first, and refuses a negative, non-number or absurd price with the reason, changing nothing", async () => {
    stack = await makeStack();
    const { connection, agent } = await openAiAgent();
    const model = stack.models.find(connection.id, 'gpt-4o-mini')!;
    for (const bad of [-1, Number.NaN, '0.1', 5_000]) {
      await assert.rejects(stack.models.setPrice(model.id, { inputPer1k: bad, outputPer1k: 1 }), (error: SwitchboardError) => error.code === 'invalid_input' && /price/.test(error.message));
    }
    assert.deepEqual(stack.models.find(connection.id, 'gpt-4o-mini'), model, 'nothing changed');
    await stack.models.setPrice(model.id, { inputPer1k: 1, outputPer1k: 2, cachedInputPer1k: 0.5 });
    await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
    const [row] = ledgerRows();
    assert.equal(row?.priceSource, 'person');
    assert.equal(row?.costNano, (row!.inputTokens * 1 + row!.outputTokens * 2) * 1e6);
    // Discovery keeps the person's price; clearing it goes back to the built-in table.
    await stack.models.setPrice(model.id, null);
    const cleared = stack.models.find(connection.id, 'gpt-4o-mini')!;
    assert.equal(cleared.sources.costs, 'builtin');
    assert.equal(cleared.cachedInputCostPer1k, undefined);
  });

});

describe('Budgets: a call with no room left is refused before its key is read', function () {
  this.timeout(30_000);
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  const spare = new OpenAiFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(openai);
  serveDuringSuite(spare);
  let stack: Awaited<ReturnType<typeof makeStack>>;
  afterEach(async () => stack?.cleanup());

  async function cloud(name: string, server: OpenAiFixture) {
    const connection = await stack.connections.create({ name, providerId: 'openai', baseUrl: `${server.url}/v1` });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    await stack.models.register(connection.id, [discovered('gpt-4o-mini', { inputCostPer1k: 1, outputCostPer1k: 1, sources: { costs: 'builtin' } })]);
    return connection;
  }

  it('refuses a run at its limit with budget_exceeded naming the budget, its period and what was used, audits the refusal, and sends nothing', async () => {
    stack = await makeStack();
    const connection = await cloud('Work', openai);
    const agent = await stack.agents.create({ name: 'writer', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
    await stack.budgets.set({ scope: { kind: 'agent', agentId: agent.id }, period: 'month', limit: { unit: 'usd', nano: 1 } }, requesterIds.editor);
    const first = await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
    assert.equal(first.status, 'succeeded', 'the first call finds room');
    const requests = openai.requests.length;
    const keyReads = (await stack.audit.read()).filter((entry) => entry.kind === 'key_read').length;
    const second = await stack.service.start({ agentId: agent.id, input: 'hello again' }, person);
    assert.equal(second.error?.code, 'budget_exceeded');
    assert.match(second.error!.message, /monthly budget of writer is used up: \$\d+\.\d+ of \$0\.0000 this month.*Usage tab/);
    assert.equal(openai.requests.length, requests, 'nothing was sent');
    const entries = await stack.audit.read();
    assert.equal(entries.filter((entry) => entry.kind === 'key_read').length, keyReads, 'no key was read');
    const refused = entries.filter((entry) => entry.kind === 'budget_refused');
    assert.deepEqual(refused.map((entry) => [entry.runId, entry.requesterId, entry.connectionId, entry.outcome]), [[second.id, requesterIds.agentsView, connection.id, 'budget_exceeded']]);
    assert.deepEqual(entries.filter((entry) => entry.kind === 'budget_changed').map((entry) => entry.requesterId), [requesterIds.editor]);
    assert.ok(!JSON.stringify(entries).includes(CANARY_KEY));
  });

  it('skips a fallback target its budget refuses, as one whose key was denied', async () => {
    stack = await makeStack();
    const work = await cloud('Work', openai);
    const other = await cloud('Other', spare);
    const agent = await stack.agents.create({ name: 'writer', connectionId: work.id, modelRef: 'gpt-4o-mini', fallbacks: [{ connectionId: other.id, modelRef: 'gpt-4o-mini' }] });
    await stack.budgets.set({ scope: { kind: 'connection', connectionId: other.id }, period: 'day', limit: { unit: 'tokens', tokens: 1 } }, requesterIds.editor);
    // Use Other's budget up directly through a run on it, then fail the primary.
    const direct = await stack.service.start({ agentId: agent.id, input: 'x', connectionId: other.id, modelRef: 'gpt-4o-mini' }, person);
    assert.equal(direct.status, 'succeeded');
    stack.settings.retrySettings = { maxAttempts: 1, maxWaitMs: 0 };
    openai.setBehaviour('server-error');
    const run = await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.equal(run.status, 'failed');
    assert.notEqual(run.error?.code, 'budget_exceeded', 'the primary failure is the one told');
    assert.ok(run.routing?.attempts?.some((attempt) => attempt.connectionId === other.id && attempt.outcome === 'budget_exceeded'), JSON.stringify(run.routing?.attempts));
  });

  it('warns once per budget and period, even with two windows recording, and refuses a bad budget changing nothing', async () => {
    stack = await makeStack();
    const connection = await cloud('Work', openai);
    const agent = await stack.agents.create({ name: 'writer', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
    for (const bad of [{ scope: { kind: 'agent', agentId: agent.id }, period: 'day', limit: { unit: 'usd', nano: -5 } }, { scope: { kind: 'agent', agentId: agent.id }, period: 'week', limit: { unit: 'tokens', tokens: 5 } }, { scope: { kind: 'agent', agentId: agent.id }, period: 'day', limit: { unit: 'tokens', tokens: 1e15 } }]) {
      await assert.rejects(stack.budgets.set(bad, requesterIds.editor), (error: SwitchboardError) => error.code === 'invalid_input');
    }
    assert.deepEqual(stack.budgets.list(), []);
    await stack.budgets.set({ scope: { kind: 'agent', agentId: agent.id }, period: 'day', limit: { unit: 'tokens', tokens: 1_000_000 }, warnAtPercent: 1 }, requesterIds.editor);
    // Another window on the same file, with its own ledger and budgets.
    const otherDb = new Database({ file: stack.db.file, logger: stack.logger });
    const otherLedger = new UsageLedger({ db: otherDb, clock: stack.clock, utcOffsetMinutes: () => 0 });
    const otherWarnings: string[] = [];
    const otherBudgets = new Budgets({ db: otherDb, ledger: otherLedger, audit: stack.audit, logger: stack.logger, label: () => 'writer', warn: (message) => otherWarnings.push(message) });
    const big = { requesterId: 'person', connectionId: connection.id, agentId: agent.id, providerId: 'openai', modelRef: 'gpt-4o-mini', usage: { inputTokens: 20_000, outputTokens: 0 }, price: { source: 'unknown' as const, inputPer1k: 0, outputPer1k: 0 } };
    const { warned } = await otherLedger.record(big, otherBudgets.warningChecks(otherBudgets.matching(big)));
    otherBudgets.tell(otherBudgets.warnings(otherBudgets.matching(big), warned));
    assert.equal(otherWarnings.length, 1);
    assert.match(otherWarnings[0]!, /daily budget of writer has passed 1%/);
    await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.deepEqual(stack.budgetWarnings, [], 'the other window warned already this period');
    // A new day warns again, once, with what the day has used: judged by the writer thread from
    // the totals the call moved, as for ModelCaller's calls.
    stack.clock.time = new Date(stack.clock.time.getTime() + 86_400_000);
    for (const expected of [[20_000], []]) {
      const { warned } = await stack.ledger.record(big, stack.budgets.warningChecks(stack.budgets.matching(big)));
      assert.deepEqual(warned.map((each) => each.used), expected);
    }
    assert.deepEqual(stack.ledger.total({ kind: 'agent', id: agent.id }, 'day', stack.ledger.period('day').start).tokens, 40_000);
    otherBudgets.dispose();
    otherLedger.dispose();
    otherDb.dispose();
  });
});

describe('Budgets on their own: which calls each one counts, and in what unit', () => {
  const ids = { agent: '55555555-5555-4555-8555-555555555555', otherAgent: '66666666-6666-4666-8666-666666666666', connection: '77777777-7777-4777-8777-777777777777', otherConnection: '88888888-8888-4888-8888-888888888888' };
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  let ledger: UsageLedger;
  let audit: AuditLog;
  let budgets: Budgets;
  beforeEach(async () => {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-21T12:00:00Z'));
    ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 });
    audit = new AuditLog(temp.db, clock, auditAnchor());
    budgets = new Budgets({ db: temp.db, ledger, audit, logger: new MemoryLogger(), label: (scope) => `the ${scope.kind}` });
  });
  afterEach(async () => {
    budgets.dispose();
    ledger.dispose();
    await temp.cleanup();
  });
  const call = { requesterId: 'person', connectionId: ids.connection, agentId: ids.agent, providerId: 'openai', modelRef: 'gpt' };
  /** Records a call of `tokens` input tokens costing `dollarsPer1k` per thousand. */
  const spend = (tokens: number, dollarsPer1k = 0, facts: Partial<typeof call> = {}) =>
    ledger.record({ ...call, ...facts, usage: { inputTokens: tokens, outputTokens: 0 }, price: { source: 'person', inputPer1k: dollarsPer1k, outputPer1k: 0 } });
  const refused = (facts: Partial<typeof call> = {}) =>
    budgets.check({ ...call, ...facts }).then(
      () => false,
      (error: SwitchboardError) => (assert.equal(error.code, 'budget_exceeded'), true),
    );

  it('refuses a call once its scope has used the limit, not before', async () => {
    await budgets.set({ scope: { kind: 'agent', agentId: ids.agent }, period: 'day', limit: { unit: 'tokens', tokens: 100 } }, 'person');
    await spend(99);
    assert.equal(await refused(), false, '99 of 100');
    await spend(1);
    assert.equal(await refused(), true, '100 of 100: used up');
    await assert.rejects(budgets.check(call), (error: SwitchboardError) => error.message.startsWith('The daily budget of the agent is used up: 100 tokens of 100 tokens today. The call was not sent.'));
  });

  it("counts only its own scope's calls: another agent, connection or requester is not held to it", async () => {
    await budgets.set({ scope: { kind: 'agent', agentId: ids.agent }, period: 'day', limit: { unit: 'tokens', tokens: 10 } }, 'person');
    await budgets.set({ scope: { kind: 'connection', connectionId: ids.connection }, period: 'day', limit: { unit: 'tokens', tokens: 10 } }, 'person');
    await budgets.set({ scope: { kind: 'requester', requesterId: 'person' }, period: 'month', limit: { unit: 'tokens', tokens: 10 } }, 'person');
    await spend(50);
    assert.equal(await refused(), true);
    assert.equal(await refused({ agentId: ids.otherAgent, connectionId: ids.otherConnection, requesterId: 'another.extension' }), false, 'none of the three is its scope');
    assert.equal(await refused({ agentId: ids.otherAgent, connectionId: ids.otherConnection }), true, 'the requester budget');
    assert.equal(await refused({ agentId: ids.otherAgent, requesterId: 'another.extension' }), true, 'the connection budget');
    assert.equal(await refused({ connectionId: ids.otherConnection, requesterId: 'another.extension' }), true, 'the agent budget');
  });

  it('counts a dollar budget in dollars and a token budget in tokens', async () => {
    await budgets.set({ scope: { kind: 'agent', agentId: ids.agent }, period: 'day', limit: { unit: 'usd', nano: 1_000_000_000 } }, 'person');
    await spend(1_000_000, 0);
    assert.equal(await refused(), false, 'a million free tokens cost no dollar');
    await budgets.set({ scope: { kind: 'connection', connectionId: ids.connection }, period: 'day', limit: { unit: 'tokens', tokens: 2_000_000 } }, 'person');
    await spend(1_000, 2_000);
    assert.equal(await refused(), true, '$2,000 for a thousand tokens is over the dollar budget');
    assert.equal(await refused({ agentId: ids.otherAgent }), false, 'and not over the token budget');
  });

  it('refuses to change a budget deleted meanwhile, and audits an addition and a change as such', async () => {
    const budget = await budgets.set({ scope: { kind: 'agent', agentId: ids.agent }, period: 'day', limit: { unit: 'tokens', tokens: 100 } }, 'person');
    await budgets.set({ ...budget, limit: { unit: 'tokens', tokens: 200 } }, 'person');
    assert.equal(await budgets.delete(budget.id, 'person'), true);
    await assert.rejects(budgets.set({ ...budget, limit: { unit: 'tokens', tokens: 300 } }, 'person'), (error: SwitchboardError) => error.code === 'not_found');
    assert.deepEqual(budgets.list(), [], 'nothing was changed');
    const outcomes = (await audit.read()).filter((entry) => entry.kind === 'budget_changed').map((entry) => entry.outcome);
    assert.deepEqual(outcomes.reverse(), ['added: agent the agent, day, 100 tokens', 'changed: agent the agent, day, 200 tokens', 'deleted: agent the agent, day, 200 tokens']);
  });

  it("warns for the budget the call took past its threshold, by that budget's name and period", async () => {
    // The one it passes is not the first that matches.
    await budgets.set({ scope: { kind: 'connection', connectionId: ids.connection }, period: 'month', limit: { unit: 'tokens', tokens: 1_000_000 }, warnAtPercent: 50 }, 'person');
    const daily = await budgets.set({ scope: { kind: 'agent', agentId: ids.agent }, period: 'day', limit: { unit: 'tokens', tokens: 1_000 }, warnAtPercent: 50 }, 'person');
    const matching = budgets.matching(call);
    const { warned } = await ledger.record({ ...call, usage: { inputTokens: 600, outputTokens: 0 }, price: { source: 'person', inputPer1k: 0, outputPer1k: 0 } }, budgets.warningChecks(matching));
    assert.deepEqual(warned.map((each) => each.budgetId), [daily.id]);
    assert.deepEqual(budgets.warnings(matching, warned), ['The daily budget of the agent has passed 50%: 600 tokens of 1,000 tokens used today. At the limit, calls are refused.']);
  });

  it('writes dollars with cents, and with four digits under a cent', () => {
    assert.deepEqual([0, 1e7, 5e6, 1.5e9, -5e6].map(formatDollars), ['$0.00', '$0.01', '$0.0050', '$1.50', '$-0.0050']);
    assert.equal(amount({ limit: { unit: 'tokens', tokens: 1 } }, 1234567), '1,234,567 tokens');
  });
});

describe('Usage: settling what a provider reported', () => {
  const messages = [{ role: 'user' as const, content: 'x'.repeat(40) }];

  it('keeps complete counts as reported, not estimated', () => {
    assert.deepEqual(settleUsage({ inputTokens: 7, outputTokens: 3, cacheReadTokens: 2, reasoningTokens: 1 }, messages, 'abc'), { inputTokens: 7, outputTokens: 3, cacheReadTokens: 2, reasoningTokens: 1 });
  });

  it('estimates what is missing and marks it', () => {
    assert.deepEqual(settleUsage(undefined, messages, 'x'.repeat(8)), { inputTokens: 10, outputTokens: 2, estimated: true });
    assert.deepEqual(settleUsage({ inputTokens: 5, outputTokens: 0 }, messages, 'x'.repeat(8)), { inputTokens: 5, outputTokens: 2, estimated: true });
  });

  it('drops parts larger than their whole (contradictory usage) and marks it', () => {
    assert.deepEqual(settleUsage({ inputTokens: 5, outputTokens: 3, cacheReadTokens: 9, reasoningTokens: 4 }, messages, 'abc'), { inputTokens: 5, outputTokens: 3, estimated: true });
    // The cache's reads and writes together are the part: each alone fits, both do not.
    assert.deepEqual(settleUsage({ inputTokens: 5, outputTokens: 3, cacheReadTokens: 3, cacheWriteTokens: 3 }, messages, 'abc'), { inputTokens: 5, outputTokens: 3, estimated: true });
  });

  it('keeps parts exactly as large as their whole, a prompt all cached, an answer all reasoning', () => {
    assert.deepEqual(settleUsage({ inputTokens: 5, outputTokens: 3, cacheReadTokens: 3, cacheWriteTokens: 2, reasoningTokens: 3 }, messages, 'abc'), { inputTokens: 5, outputTokens: 3, cacheReadTokens: 3, cacheWriteTokens: 2, reasoningTokens: 3 });
  });

  it("keeps a provider's own estimate marked, and leaves a count of 0 that nothing contradicts", () => {
    assert.deepEqual(settleUsage({ inputTokens: 5, outputTokens: 3, estimated: true }, messages, 'abc'), { inputTokens: 5, outputTokens: 3, estimated: true });
    // No prompt text and no answer: 0 and 0 are right, not left out.
    assert.deepEqual(settleUsage({ inputTokens: 0, outputTokens: 0 }, [{ role: 'user', content: '' }], ''), { inputTokens: 0, outputTokens: 0 });
  });
});

describe('Usage: prices and costs', () => {
  const cloud = { providerId: 'openai', baseUrl: 'https://api.openai.com/v1' };

  it('is free on Ollama and on loopback unless the person set a price; unknown when nothing says', () => {
    assert.equal(priceOf({ providerId: 'ollama', baseUrl: 'http://gpu-box:11434' }, 'llama3', undefined).source, 'local');
    assert.equal(priceOf({ providerId: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1' }, 'qwen', undefined).source, 'local');
    assert.equal(priceOf({ providerId: 'openai-compatible', baseUrl: 'https://example.com/v1' }, 'qwen', undefined).source, 'unknown');
    assert.equal(priceOf(cloud, 'gpt-4o-mini', undefined).source, 'builtin');
    assert.equal(priceOf(cloud, 'gpt-4o-mini', undefined).date?.length, 10);
  });

  it('counts cached prompt tokens at the cached price and rounds once', () => {
    const price = { source: 'person' as const, inputPer1k: 0.001, outputPer1k: 0.002, cachedInputPer1k: 0.0001 };
    assert.equal(costNano({ inputTokens: 1000, outputTokens: 500, cacheReadTokens: 400 }, price), 600 * 1000 + 400 * 100 + 500 * 2000);
    assert.equal(costNano({ inputTokens: 3, outputTokens: 0 }, { source: 'builtin', inputPer1k: 0.00015, outputPer1k: 0 }), 450);
    assert.equal(costNano({ inputTokens: 3, outputTokens: 0 }, { source: 'unknown', inputPer1k: 0, outputPer1k: 0 }), undefined);
  });
});

describe('Usage ledger: running totals and reports in SQL', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  afterEach(async () => temp?.cleanup());
  const price = { source: 'person' as const, inputPer1k: 1, outputPer1k: 1 };
  const call = (fields: Partial<Parameters<UsageLedger['record']>[0]> = {}) => ({
    requesterId: 'person',
    connectionId: CONNECTION,
    providerId: 'openai',
    modelRef: 'gpt',
    usage: { inputTokens: 10, outputTokens: 5 },
    price,
    ...fields,
  });
  const request = (fields: Partial<UsageReportRequest> = {}): UsageReportRequest => ({ period: 'day', groupBy: 'model', from: '2026-11-20', to: '2026-11-23', utcOffsetMinutes: 0, filter: {}, ...fields });

  it("keeps day and month totals in the person's time zone, moved in the insert's transaction", async () => {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-30T23:30:00.000Z'));
    // Two hours east of UTC: 23:30 UTC on the 30th is already December the 1st.
    const ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 120 });
    await ledger.record(call());
    assert.deepEqual(ledger.period('day').start, '2026-12-01');
    assert.deepEqual(ledger.total({ kind: 'connection', id: CONNECTION }, 'month', '2026-12-01'), { calls: 1, tokens: 15, costNano: 15 * 1e6 });
    assert.deepEqual(ledger.total({ kind: 'connection', id: CONNECTION }, 'month', '2026-11-01'), { calls: 0, tokens: 0, costNano: 0 });
    assert.equal(ledger.period('day').endsAt.toISOString(), '2026-12-01T22:00:00.000Z');
  });

  it('groups by period and group in SQL, every period present, the smallest groups summed as other', async () => {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-21T12:00:00.000Z'));
    const ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 });
    for (let i = 0; i < 14; i++) await ledger.record(call({ modelRef: `m${String(i).padStart(2, '0')}`, usage: { inputTokens: 100 - i, outputTokens: 0 } }));
    clock.time = new Date('2026-11-23T12:00:00.000Z');
    await ledger.record(call({ modelRef: 'm00', usage: { inputTokens: 1, outputTokens: 1 }, price: { source: 'unknown', inputPer1k: 0, outputPer1k: 0 } }));
    const report = ledger.report(request(), (_dimension, key) => `model ${key}`);
    assert.deepEqual(report.periods, ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
    assert.equal(report.groups.length, 13);
    assert.equal(report.groups[0]?.key, 'm00');
    assert.equal(report.groups[0]?.label, 'model m00');
    assert.equal(report.groups[12]?.key, 'other');
    assert.equal(report.groups[12]?.totals.calls, 2);
    assert.equal(report.cells[0]?.[3]?.unpricedCalls, 1);
    assert.equal(report.totals.calls, 15);
    assert.equal(report.totals.costNano, Array.from({ length: 14 }, (_, i) => (100 - i) * 1e6).reduce((a, b) => a + b));
    // A filter narrows in SQL; a week starts on Monday.
    const weekly = ledger.report(request({ period: 'week', filter: { modelRef: 'm00' } }), (_d, key) => key);
    assert.deepEqual(weekly.periods, ['2026-11-16', '2026-11-23']);
    assert.deepEqual(weekly.cells[0]?.map((cell) => cell.calls), [1, 1]);
  });

  it('answers an unfiltered report from the daily sums exactly as from the calls, and reads the calls for another offset', async () => {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-20T01:00:00.000Z'));
    const ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 });
    for (let i = 0; i < 30; i++) {
      clock.time = new Date(Date.parse('2026-11-20T01:00:00.000Z') + i * 3_600_000 * 3);
      await ledger.record(call({ modelRef: `m${i % 4}`, ...(i % 2 ? { agentId: CONNECTION } : {}), usage: { inputTokens: 10 + i, outputTokens: i, ...(i % 3 ? {} : { cacheReadTokens: 2, estimated: true }) }, ...(i % 5 ? {} : { price: { source: 'unknown' as const, inputPer1k: 0, outputPer1k: 0 } }) }));
    }
    for (const groupBy of ['connection', 'model', 'agent', 'requester'] as const) {
      for (const period of ['day', 'week', 'month'] as const) {
        const fromDays = ledger.report(request({ groupBy, period }), (_d, key) => key);
        // Every call is on CONNECTION: the same calls, read from the ledger itself.
        const fromCalls = ledger.report(request({ groupBy, period, filter: { connectionId: CONNECTION } }), (_d, key) => key);
        assert.deepEqual(fromDays, fromCalls, `${groupBy} by ${period}`);
      }
    }
    // Two hours east: the days start elsewhere, so the calls are read.
    const east = ledger.report(request({ utcOffsetMinutes: 120 }), (_d, key) => key);
    assert.equal(east.totals.calls, 30);
  });

  it('fills the daily sums from the calls already stored when an older file is opened (migration 6)', async () => {
    temp = await tempDatabase();
    const raw = new DatabaseSync(temp.file);
    raw.exec(`${MIGRATIONS.slice(0, 5).join('\n')} PRAGMA user_version = 5;`);
    raw.exec(`INSERT INTO usage_calls (id, time, requester_id, connection_id, provider_id, model_ref, input_tokens, output_tokens, estimated, cost_nano, price_source) VALUES ('a', ${Date.parse('2026-11-21T12:00:00Z')}, 'person', '${CONNECTION}', 'openai', 'gpt', 10, 5, 0, 15000000, 'person')`);
    raw.close();
    const ledger = new UsageLedger({ db: temp.db, utcOffsetMinutes: () => 0 });
    const report = ledger.report(request(), (_d, key) => key);
    assert.deepEqual(report.groups.map((group) => [group.key, group.totals.calls, group.totals.costNano]), [['gpt', 1, 15000000]]);
    assert.deepEqual(report.cells[0]?.map((cell) => cell.calls), [0, 1, 0, 0]);
  });

  it('keeps every call, total and daily sum when an older file is opened (migration 7 rebuilds the ledger)', async () => {
    temp = await tempDatabase();
    // As version 6 left a file: two calls, their running totals, and their daily sums (migration 6 sums the calls).
    const raw = new DatabaseSync(temp.file);
    raw.exec(`${MIGRATIONS.slice(0, 5).join('\n')} PRAGMA user_version = 5;`);
    const time = Date.parse('2026-11-21T12:00:00Z');
    raw.exec(`INSERT INTO usage_calls (id, time, agent_id, requester_id, connection_id, provider_id, model_ref, input_tokens, output_tokens, estimated, cost_nano, price_source) VALUES
      ('a', ${time}, 'agent', 'person', '${CONNECTION}', 'openai', 'gpt', 10, 5, 0, 15000000, 'person'), ('b', ${time + 1}, NULL, 'person', '${CONNECTION}', 'openai', 'other', 1, 1, 0, 2000000, 'person')`);
    raw.exec(`${MIGRATIONS[5]} PRAGMA user_version = 6;`);
    raw.exec(`INSERT INTO usage_totals (scope_kind, scope_id, period_kind, period_start, calls, tokens, cost_nano) VALUES
      ('connection', '${CONNECTION}', 'month', '2026-11-01', 2, 17, 17000000), ('all', '', 'month', '2026-11-01', 2, 17, 17000000), ('agent', 'agent', 'day', '2026-11-21', 1, 15, 15000000)`);
    raw.close();
    const ledger = new UsageLedger({ db: temp.db, clock: new FixedClock(new Date('2026-11-21T12:00:00Z')), utcOffsetMinutes: () => 0 });
    assert.deepEqual(ledger.calls(request()).map((row) => [row.modelRef, row.agentId, row.inputTokens]), [['gpt', 'agent', 10], ['other', undefined, 1]]);
    assert.deepEqual(ledger.total({ kind: 'connection', id: CONNECTION }, 'month', '2026-11-01'), { calls: 2, tokens: 17, costNano: 17 * 1e6 });
    assert.deepEqual(ledger.report(request(), (_d, key) => key).groups.map((group) => [group.key, group.totals.calls]), [['gpt', 1], ['other', 1]]);
    // The rebuilt tables go on counting.
    await ledger.record(call());
    assert.deepEqual(ledger.currentTotals([{ scope: { kind: 'agent', id: 'agent' }, period: 'day' }, { scope: { kind: 'all', id: '' }, period: 'month' }]).map((total) => total.calls), [1, 3]);
    ledger.dispose();
  });

  /** A ledger in this window and one in another, on the same file, at the same time. */
  async function twoWindows() {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-21T12:00:00Z'));
    return { mine: new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 }), theirs: new UsageLedger({ db: temp.open(), clock, utcOffsetMinutes: () => 0 }) };
  }

  it("reads a budget's total again once another window has committed, though this one read it before", async () => {
    const { mine, theirs } = await twoWindows();
    const asked = [{ scope: { kind: 'requester' as const, id: 'person' }, period: 'day' as const }];
    assert.deepEqual(mine.currentTotals(asked), [{ calls: 0, tokens: 0, costNano: 0 }]);
    await theirs.record(call());
    assert.deepEqual(mine.currentTotals(asked), [{ calls: 1, tokens: 15, costNano: 15 * 1e6 }], "the other window's call counts at once");
    // This window's own call is known from what its write returned.
    await mine.record(call());
    assert.deepEqual(mine.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30 * 1e6 }]);
    mine.dispose();
    theirs.dispose();
  });

  it('marks a budget warned when a call takes its own scope to the threshold exactly, once a period, and clears the writer rows of windows long gone', async () => {
    temp = await tempDatabase();
    const clock = new FixedClock(new Date('2026-11-21T12:00:00Z'));
    const ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 });
    const now = clock.time.getTime();
    temp.db.writeNow((sql) => {
      for (const id of ['person-budget', 'connection-budget']) sql.run(`INSERT INTO ${TABLES.budgets} (id, body) VALUES (?, '{}')`, id);
      sql.run(`INSERT INTO ${TABLES.usageWriters} (writer_id, seq, time) VALUES ('gone', 5, ?), ('recent', 5, ?)`, now - 8 * 86_400_000, now - 86_400_000);
    });
    const day = ledger.periodStart('day');
    const checks: WarningCheck[] = [
      // 50% of 1,000 tokens of the requester's day; 50% of 2,000 of the connection's.
      { budgetId: 'person-budget', total: totalKey({ kind: 'requester', id: 'person' }, 'day'), unit: 'tokens', limit: 1_000, warnAtPercent: 50, periodStart: day },
      { budgetId: 'connection-budget', total: totalKey({ kind: 'connection', id: CONNECTION }, 'day'), unit: 'tokens', limit: 2_000, warnAtPercent: 50, periodStart: day },
    ];
    // Another requester's calls count in the connection's and everyone's totals, not the person's.
    await ledger.record(call({ requesterId: 'other', usage: { inputTokens: 400, outputTokens: 0 } }));
    const person = (tokens: number) => ledger.record(call({ usage: { inputTokens: tokens, outputTokens: 0 } }), checks).then(({ warned }) => warned);
    assert.deepEqual(await person(499), [], 'the person at 499 of 500; everyone at 899');
    assert.deepEqual(await person(1), [{ budgetId: 'person-budget', used: 500 }], 'at the threshold exactly');
    assert.deepEqual(await person(1), [], 'once a period');
    assert.deepEqual(await person(99), [{ budgetId: 'connection-budget', used: 1_000 }], 'the connection at 1,000 of 2,000');
    const writers = temp.db.read((sql) => sql.all<{ writer_id: string }>(`SELECT writer_id FROM ${TABLES.usageWriters} ORDER BY writer_id`)).map((row) => row.writer_id);
    assert.equal(writers.length, 2);
    assert.ok(writers.includes('recent') && !writers.includes('gone'), writers.join(', '));
    ledger.dispose();
  });

  it("reads again the totals another window's write moved, though this window's own write came after it", async () => {
    const { mine, theirs } = await twoWindows();
    const asked = [{ scope: { kind: 'requester' as const, id: 'a' }, period: 'day' as const }, { scope: { kind: 'requester' as const, id: 'b' }, period: 'day' as const }];
    assert.deepEqual(mine.currentTotals(asked).map((total) => total.calls), [0, 0]);
    await theirs.record(call({ requesterId: 'b' }));
    // This window's write answers with the totals it moved (a's), one version after the other window's.
    await mine.record(call({ requesterId: 'a' }));
    assert.deepEqual(mine.currentTotals(asked).map((total) => total.calls), [1, 1]);
    await mine.record(call({ requesterId: 'a' }));
    assert.deepEqual(mine.currentTotals(asked).map((total) => total.calls), [2, 1], 'its own next write, known from its answer');
    mine.dispose();
    theirs.dispose();
  });

  it('tells of recorded calls at once, then at most once a second however many follow', async () => {
    temp = await tempDatabase();
    const timers = new ManualTimers();
    const ledger = new UsageLedger({ db: temp.db, utcOffsetMinutes: () => 0, timers });
    let told = 0;
    ledger.onDidRecord(() => told++);
    await ledger.record(call());
    assert.equal(told, 1);
    for (let i = 0; i < 5; i++) await ledger.record(call());
    assert.equal(told, 1, 'the calls within the second wait');
    assert.equal(timers.fire(RECORDED_NOTICE_MS), 1);
    assert.equal(told, 2, 'one notice for the five');
    assert.equal(timers.fire(RECORDED_NOTICE_MS), 1);
    assert.equal(told, 2, 'nothing new, no notice');
    await ledger.record(call());
    assert.equal(told, 3);
    ledger.dispose();
  });

  it("tells a watch of another window's calls and of a new day, not of its own window's, and stops looking once no watch is open", async () => {
    temp = await tempDatabase();
    const timers = new ManualTimers();
    const clock = new FixedClock(new Date('2026-11-21T12:00:00Z'));
    const mine = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0, timers });
    const theirs = new UsageLedger({ db: temp.open(), clock, utcOffsetMinutes: () => 0 });
    let told = 0;
    const watch = mine.watchElsewhere(() => told++);
    assert.equal(timers.fire(ELSEWHERE_CHECK_MS), 1);
    assert.equal(told, 0, 'nothing changed');
    await mine.record(call());
    timers.fire(ELSEWHERE_CHECK_MS);
    assert.equal(told, 0, "this window's own call is told by onDidRecord, not here");
    await theirs.record(call());
    timers.fire(ELSEWHERE_CHECK_MS);
    assert.equal(told, 1, "another window's call");
    clock.time = new Date('2026-11-22T00:00:01Z');
    timers.fire(ELSEWHERE_CHECK_MS);
    assert.equal(told, 2, 'a new day');
    watch.dispose();
    assert.equal(timers.fire(ELSEWHERE_CHECK_MS), 0, 'no look once the last watch is closed');
    mine.dispose();
    theirs.dispose();
  });

  it('refuses a range that ends before it starts, or spans too many periods', async () => {
    temp = await tempDatabase();
    const ledger = new UsageLedger({ db: temp.db, utcOffsetMinutes: () => 0 });
    assert.throws(() => ledger.report(request({ from: '2026-11-23', to: '2026-11-20' }), String), (error: SwitchboardError) => error.code === 'invalid_input');
    assert.throws(() => ledger.report(request({ from: '2020-01-01', to: '2026-01-01' }), String), (error: SwitchboardError) => error.code === 'invalid_input');
  });
});

describe("Usage ledger: the writer thread writes off the host's thread, and budgets count what it has not written yet", function () {
  this.timeout(30_000);
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  let ledger: UsageLedger | undefined;
  let blocker: DatabaseSync | undefined;
  afterEach(async () => {
    if (blocker?.isOpen) blocker.close();
    await ledger?.close();
    ledger?.dispose();
    await temp?.cleanup();
  });
  const call = { requesterId: 'person', connectionId: CONNECTION, providerId: 'openai', modelRef: 'gpt', usage: { inputTokens: 10, outputTokens: 5 }, price: { source: 'person' as const, inputPer1k: 1, outputPer1k: 1 } };
  const asked = [{ scope: { kind: 'connection' as const, id: CONNECTION }, period: 'day' as const }];
  /** One statement's row, read on a connection of its own, as another window would. */
  const readOnce = <T>(file: string, text: string): T => {
    const reader = new DatabaseSync(file);
    try {
      return reader.prepare(text).get() as T;
    } finally {
      reader.close();
    }
  };
  const rows = (file: string) => Number(readOnce<{ n: number }>(file, `SELECT count(*) AS n FROM ${TABLES.usage}`).n);

  async function writerLedger(writerWorker?: string) {
    temp = await tempDatabase();
    const logger = new MemoryLogger();
    ledger = new UsageLedger({ db: temp.db, logger, clock: new FixedClock(new Date('2026-11-21T12:00:00Z')), utcOffsetMinutes: () => 0, writerWorker: writerWorker ?? (await worker(LEDGER_WRITER_ENTRY)) });
    // Opened (its schema current) before another connection takes the lock.
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 0, tokens: 0, costNano: 0 }]);
    return { ledger, logger };
  }

  /** Holds the write lock on another connection, as another window's long write would. */
  function holdLock(): DatabaseSync {
    blocker = new DatabaseSync(temp.file);
    blocker.exec('BEGIN IMMEDIATE');
    return blocker;
  }

  it('counts a call in budget checks from when it is recorded, and once only when its write lands before its answer', async () => {
    const { ledger } = await writerLedger();
    // One call written already: the file holds this window's first.
    await ledger.record(call);
    assert.equal(ledger.writtenBy, 'writer thread');
    const lock = holdLock();
    const recorded = ledger.record(call);
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30e6 }], 'counted while the writer waits for the lock');
    // A scope this window knows nothing of is read from the file now, which holds the first call
    // and not the second: the second still counts.
    const agent = { scope: { kind: 'agent' as const, id: 'someone' }, period: 'day' as const };
    assert.deepEqual(ledger.currentTotals([...asked, agent]).map((total) => total.calls), [2, 0], 'a read does not drop a call the file does not hold');
    assert.equal(rows(temp.file), 1, 'the second not written yet');
    // The calls of a turn go to the writer after it.
    await new Promise((resolve) => setImmediate(resolve));
    lock.exec('COMMIT');
    // Wait on this thread, so the writer's answer cannot be handled meanwhile: once the row is in
    // the file, the check reads it there and must not count the call a second time.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (const deadline = Date.now() + 10_000; rows(temp.file) === 1 && Date.now() < deadline; ) Atomics.wait(pause, 0, 0, 2);
    assert.equal(rows(temp.file), 2, 'the writer thread wrote it');
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30e6 }], 'read from the file, not counted twice');
    const { record } = await recorded;
    assert.equal(record.inputTokens, 10);
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30e6 }]);
  });

  it("gives the write gate back while it waits for another window's lock, so the host's writes do not wait at it", async () => {
    const { ledger } = await writerLedger();
    // The writer thread started, with a call written.
    await ledger.record(call);
    const lock = holdLock();
    const recorded = ledger.record(call);
    // The writer meets the lock at once and tries again from timers, longer than SQLite's own
    // wait; between its tries the gate is free.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(enterGate(temp.db.writeGate, GATE_HOST, 1_000), true, 'the host had the gate within a second');
    leaveGate(temp.db.writeGate);
    lock.exec('COMMIT');
    await recorded;
    assert.equal(rows(temp.file), 2, 'and the call was written once the lock was given back');
  });

  it('writes on the host once its writer thread cannot start, and says so', async () => {
    const broken = join(tempDirRemovedAtExit('switchboard-writer-'), 'broken-writer.js');
    await writeFile(broken, 'throw new Error("this writer is broken");');
    const { ledger, logger } = await writerLedger(broken);
    await ledger.record(call);
    await ledger.record(call);
    assert.equal(rows(temp.file), 2);
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30e6 }]);
    assert.ok(logger.lines.some((line) => /writer thread stopped \(.*this writer is broken/.test(line)), logger.lines.join('\n'));
  });

  it('does not write twice a call its writer thread wrote before it stopped without answering', async () => {
    // The real writer, whose answers never leave: it ends as it is about to answer its first write.
    const real = await worker(LEDGER_WRITER_ENTRY);
    const silent = join(tempDirRemovedAtExit('switchboard-writer-'), 'silent-writer.js');
    await writeFile(silent, `const { parentPort } = require('node:worker_threads'); parentPort.postMessage = () => process.exit(3); require(${JSON.stringify(real)});`);
    const { ledger, logger } = await writerLedger(silent);
    const first = await ledger.record(call);
    assert.equal(first.record.inputTokens, 10);
    assert.equal(rows(temp.file), 1, 'written once, by the writer thread');
    await ledger.record(call);
    assert.equal(rows(temp.file), 2, 'the next call is written on the host');
    assert.deepEqual(ledger.currentTotals(asked), [{ calls: 2, tokens: 30, costNano: 30e6 }]);
    assert.ok(logger.lines.some((line) => /writer thread stopped \(the thread ended \(code 3\)\)/.test(line)), logger.lines.join('\n'));
  });

  /** The write-ahead log's frames, and how many of them are copied into the database, counted without copying any. */
  const wal = (file: string) => {
    const { log, checkpointed } = readOnce<{ log: number; checkpointed: number }>(file, 'PRAGMA wal_checkpoint(NOOP)');
    return { log, checkpointed };
  };

  it("copies the host's writes into the database before its next write once the log is long, so the log starts over without the host doing it", async () => {
    const { ledger } = await writerLedger();
    await ledger.record(call);
    // The host writes about 600 pages in one go: past the writer's threshold, short of the host's own (SQLite's 1,000).
    await temp.db.write((sql) => {
      sql.run('CREATE TABLE filler (bytes BLOB)');
      for (let i = 0; i < 600; i++) sql.run('INSERT INTO filler VALUES (randomblob(3000))');
    });
    const before = wal(temp.file);
    assert.ok(before.log - before.checkpointed >= CHECKPOINT_AFTER_FRAMES && before.log < 1_000, `the host left the log long and did not copy it: ${JSON.stringify(before)}`);
    const sizeBefore = (await stat(temp.file)).size;
    await ledger.record(call);
    const after = wal(temp.file);
    assert.ok(after.log < 50, `the log started over at the writer's write: ${JSON.stringify(after)}`);
    assert.ok((await stat(temp.file)).size >= sizeBefore + 600 * 3_000, "the host's pages are in the database file");
    assert.equal(rows(temp.file), 2);
  });

  it('leaves a short log as it is: a call does not cost a checkpoint', async () => {
    const { ledger } = await writerLedger();
    await ledger.record(call);
    const before = wal(temp.file);
    assert.ok(before.log - before.checkpointed < CHECKPOINT_AFTER_FRAMES, JSON.stringify(before));
    await ledger.record(call);
    const after = wal(temp.file);
    assert.ok(after.log > before.log && after.checkpointed === before.checkpointed, `nothing copied, the log grew: ${JSON.stringify({ before, after })}`);
  });

  it('writes every recorded call before close resolves', async () => {
    const { ledger } = await writerLedger();
    const lock = holdLock();
    for (let i = 0; i < 5; i++) void ledger.record(call);
    setTimeout(() => lock.exec('COMMIT'), 20);
    await ledger.close();
    assert.equal(rows(temp.file), 5);
  });
});
