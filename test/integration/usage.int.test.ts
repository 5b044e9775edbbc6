import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Agent } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { UsageReport } from '../../src/contracts/usage';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, waitFor } from './helpers';
import { FIXTURE_ID, type FixtureExtension, activateProviderFixture } from './providerFixture';


/** Today in this machine's time zone, as the ledger's periods count it. */
function today(): { day: string; utcOffsetMinutes: number } {
  const utcOffsetMinutes = -new Date().getTimezoneOffset();
  return { day: new Date(Date.now() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10), utcOffsetMinutes };
}

describe('Usage, spend and budgets in the real extension host', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let fixture: FixtureExtension;
  let connection: Connection;
  let agent: Agent;

  before(async () => {
    ({ testing } = await activate());
    fixture = await activateProviderFixture();
    if (!fixture.listProviders().some((provider) => provider.id === fixture.providerId)) fixture.register();
    connection = await addConnection({ name: 'Echo usage', providerId: fixture.providerId, baseUrl: fixture.baseUrl });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', connection.id);
    testing.queueAnswers('once', 'echo-1');
    await vscode.commands.executeCommand('switchboard.discoverModels', connection.id);
    agent = (await vscode.commands.executeCommand<Agent>('switchboard.createAgent', { name: 'Usage agent', connectionId: connection.id, modelRef: 'echo-1' }))!;
  });

  it("records each run's call in the ledger, and the API gives an extension its own usage only", async () => {
    const before = testing.usageCalls().length;
    // The bench's requester asks once for the key; "Always Allow" covers its later runs.
    testing.queueAnswers('always');
    const mine = await testing.startRun({ agentId: agent.id, input: 'counted by the person' });
    assert.equal(mine.status, 'succeeded', JSON.stringify(mine.error));
    // Unused when an earlier suite already gave the bench's requester its standing permission.
    testing.drainAnswers();
    testing.queueAnswers('once');
    const theirs = await fixture.startAgentRun({ agentId: agent.id, input: 'counted for the fixture' });
    assert.equal(theirs.status, 'succeeded', JSON.stringify(theirs.error));
    const calls = testing.usageCalls().slice(before);
    assert.deepEqual(calls.map((call) => [call.runId, call.agentId, call.connectionId]), [[mine.id, agent.id, connection.id], [theirs.id, agent.id, connection.id]]);
    assert.ok(calls.every((call) => call.inputTokens > 0 && call.outputTokens > 0), JSON.stringify(calls));
    assert.equal(testing.usageWrittenBy(), 'writer thread', 'the packaged writer thread started in the extension host');
    assert.deepEqual(calls.map((call) => call.requesterId), ['switchboard.bench', FIXTURE_ID]);

    const { day, utcOffsetMinutes } = today();
    const request = { period: 'day', groupBy: 'requester', from: day, to: day, utcOffsetMinutes };
    for (const filter of [undefined, {}, { requesterId: 'switchboard.bench' }]) {
      const report = fixture.raw('usage', { ...request, ...(filter ? { filter } : {}) }) as UsageReport;
      assert.deepEqual(report.groups.map((group) => group.key), [FIXTURE_ID], JSON.stringify(filter));
      assert.ok(report.totals.calls >= 1);
    }
  });

  it('refuses a run past its budget with budget_exceeded before anything is sent, and audits the refusal', async () => {
    const id = await testing.setBudget({ scope: { kind: 'agent', agentId: agent.id }, period: 'day', limit: { unit: 'tokens', tokens: 1 } });
    try {
      const run = await testing.startRun({ agentId: agent.id, input: 'one too many' });
      assert.equal(run.error?.code, 'budget_exceeded', JSON.stringify(run.error));
      assert.match(run.error!.message, /daily budget of Usage agent is used up/);
      const entries = await testing.auditEntries();
      assert.ok(entries.some((entry) => entry.kind === 'budget_refused' && entry.runId === run.id));
      assert.ok(entries.some((entry) => entry.kind === 'budget_changed' && entry.requesterId === 'switchboard.editor'));
    } finally {
      assert.equal(await testing.deleteBudget(id), true);
    }
    assert.equal((await testing.startRun({ agentId: agent.id, input: 'room again' })).status, 'succeeded');
  });

  it('tells the person once when a budget passes its warning threshold', async () => {
    // A limit 100 times what the connection used so far, warning at 1%: the next call passes the threshold, not the limit.
    const used = testing.usageCalls().filter((call) => call.connectionId === connection.id).reduce((sum, call) => sum + call.inputTokens + call.outputTokens, 0);
    assert.ok(used > 0);
    const id = await testing.setBudget({ scope: { kind: 'connection', connectionId: connection.id }, period: 'month', limit: { unit: 'tokens', tokens: used * 100 }, warnAtPercent: 1 });
    try {
      const notices = testing.notices().length;
      assert.equal((await testing.startRun({ agentId: agent.id, input: 'warn me' })).status, 'succeeded');
      assert.equal((await testing.startRun({ agentId: agent.id, input: 'do not warn me again' })).status, 'succeeded');
      const shown = testing.notices().slice(notices).filter((notice) => /monthly budget of Echo usage has passed 1%/.test(notice));
      assert.equal(shown.length, 1, testing.notices().slice(notices).join('\n'));
    } finally {
      await testing.deleteBudget(id);
    }
  });

  it('keeps the key out of the ledger, the database and the CSV export; Show Usage opens the editor on the Usage tab', async () => {
    const csv = testing.usageCsv();
    assert.match(csv, /^"time","run"/);
    assert.ok(csv.includes('"Usage agent"'), 'agents by name');
    assertNoCanary('the usage CSV', csv);
    assertNoCanary('the usage ledger', testing.usageCalls());
    assert.ok(!(await testing.databaseBytes()).includes(CANARY_KEY), 'no key in the database files');
    await vscode.commands.executeCommand('switchboard.showUsage');
    await waitFor('a snapshot that shows the Usage tab', () =>
      testing.webviewMessages().some((message) => (message as { type?: string; show?: { tab?: string } }).type === 'snapshot' && (message as { show?: { tab?: string } }).show?.tab === 'usage') || undefined,
    );
  });

  it('sets a model price from the palette (Set Model Price…), refusing a negative one with the reason and changing nothing', async () => {
    const model = testing.storedModels().find((m) => m.connectionId === connection.id && m.providerModelId === 'echo-1')!;
    const errors = testing.shownErrors().length;
    testing.queueAnswers('-1, 2');
    await vscode.commands.executeCommand('switchboard.setModelPrice', model.id);
    assert.match(testing.shownErrors().slice(errors).map((shown) => shown.message).join('\n'), /cannot be negative/);
    assert.deepEqual(testing.storedModels().find((m) => m.id === model.id), model, 'nothing changed');
    testing.queueAnswers('0.5, 1.5');
    await vscode.commands.executeCommand('switchboard.setModelPrice', model.id);
    const priced = testing.storedModels().find((m) => m.id === model.id)!;
    assert.deepEqual([priced.inputCostPer1k, priced.outputCostPer1k, priced.sources.costs], [0.5, 1.5, 'user']);
    const run = await testing.startRun({ agentId: agent.id, input: 'priced now' });
    const call = testing.usageCalls().find((c) => c.runId === run.id)!;
    assert.equal(call.priceSource, 'person');
    assert.equal(call.costNano, (call.inputTokens * 0.5 + call.outputTokens * 1.5) * 1e6);
  });

  it("shows today's spend in the status bar only when switchboard.statusBar.showSpend is on", async () => {
    const config = () => vscode.workspace.getConfiguration('switchboard');
    assert.doesNotMatch(testing.statusBar().text, /\$\d/);
    await config().update('statusBar.showSpend', true, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the spend in the status bar', () => /· \$\d+\.\d+/.test(testing.statusBar().text) || undefined);
    } finally {
      await config().update('statusBar.showSpend', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
