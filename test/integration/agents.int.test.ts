import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Agent, AgentInput, AuditEntry, RunRecord, StartAgentRunRequest } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded, type RecordedRequest, waitFor } from './helpers';

/** The chat requests a fixture received whose body holds `marker` (each run's input is unique). */
async function chatsWith(kind: 'ollama' | 'openai', marker: string): Promise<RecordedRequest[]> {
  const path = kind === 'ollama' ? '/api/chat' : '/v1/chat/completions';
  return (await recorded(kind)).filter((r) => r.url.startsWith(path) && r.body.includes(marker));
}

async function createAgent(input: AgentInput): Promise<Agent> {
  const agent = await vscode.commands.executeCommand<Agent | undefined>('switchboard.createAgent', input);
  assert.ok(agent?.id, `switchboard.createAgent(${JSON.stringify(input)}) returned no agent`);
  return agent;
}

/** Runs through the command, with a limit: a run that waits on a consent dialog nobody answers fails here. */
async function runAgent(request: StartAgentRunRequest, limitMs = 20_000): Promise<RunRecord> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`switchboard.runAgent did not finish within ${limitMs} ms (did it open a consent dialog?)`)), limitMs);
  });
  try {
    const run = await Promise.race([Promise.resolve(vscode.commands.executeCommand<RunRecord | undefined>('switchboard.runAgent', request)), limit]);
    assert.ok(run?.id, `switchboard.runAgent(${JSON.stringify(request)}) returned no run record`);
    return run;
  } finally {
    clearTimeout(timer);
  }
}

/** The run as stored in the database, not as the command returned it. */
function storedRun(testing: TestingApi, id: string): RunRecord | undefined {
  return testing.storedRun(id);
}

/** The audit log's entries, oldest first, as the database holds them. */
async function auditEntries(testing: TestingApi): Promise<AuditEntry[]> {
  return testing.auditEntries();
}

/** The outcome of each key read a run made. */
async function keyReads(testing: TestingApi, runId: string): Promise<(string | undefined)[]> {
  return (await auditEntries(testing)).filter((e) => e.kind === 'key_read' && e.runId === runId).map((e) => e.outcome);
}

function unique(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2, 10)}`;
}

describe('agents: runs through routing, consent and the audit log', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  const connections: string[] = [];
  const agents: string[] = [];
  /** The runs on the canary connection, whose snapshots the Agents view must have received. */
  const canaryRuns: string[] = [];

  before(async () => {
    ({ testing } = await activate());
    // Open the Agents view so the host posts run snapshots to a webview: they must not carry the key.
    await vscode.commands.executeCommand('switchboard.showRuns');
  });

  after(async () => {
    for (const id of agents) {
      testing.queueAnswers(true);
      await vscode.commands.executeCommand('switchboard.deleteAgent', id);
    }
    for (const id of connections) await deleteConnection(testing, id);
    // The default connection this suite set is gone; the suites after this one start without one.
    await vscode.workspace.getConfiguration('switchboard').update('defaultConnectionId', undefined, vscode.ConfigurationTarget.Global);
  });

  async function connection(input: Parameters<typeof addConnection>[0]): Promise<Connection> {
    const created = await addConnection(input);
    connections.push(created.id);
    return created;
  }

  async function agent(input: AgentInput): Promise<Agent> {
    const created = await createAgent(input);
    agents.push(created.id);
    return created;
  }

  it('creates an agent from an AgentInput argument', async () => {
    const created = await agent({ name: 'Integration helper', role: 'a tester', soul: 'You are terse.', guardrails: 'Never lie.' });
    assert.equal(created.name, 'Integration helper');
    assert.equal(created.role, 'a tester');
    assert.equal(created.soul, 'You are terse.');
    assert.equal(created.guardrails, 'Never lie.');
    assert.equal(created.connectionId, undefined);
    const stored = testing.globalState()['switchboard.agents'];
    assert.ok(Array.isArray(stored) && stored.some((a: Agent) => a.id === created.id), 'the agent is not in globalState');
  });

  it('runs on the default connection and stores the routing it used, sourced from the default', async () => {
    const local = await connection({ name: 'Agents default Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    await vscode.commands.executeCommand('switchboard.setDefaultConnection', local.id);
    const helper = await agent({ name: 'Default runner', soul: 'You are terse.' });
    const input = unique('hello from the default connection');

    const run = await runAgent({ agentId: helper.id, input });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.output, `You said: ${input}`);
    const modelRef = local.defaultModel ?? 'llama3.2';
    const expected = { connectionId: local.id, providerId: 'ollama', modelRef, sources: { connectionId: 'default', modelRef: local.defaultModel ? 'connection' : 'provider' } };
    const withTry = { ...expected, attempts: [{ connectionId: local.id, modelRef, outcome: 'ok', latencyMs: run.routing?.attempts?.[0]?.latencyMs ?? -1, waitMs: 0 }] };
    assert.deepEqual(run.routing, withTry, 'the routing keeps the one try');
    assert.deepEqual(storedRun(testing, run.id)?.routing, withTry, 'the stored run has other routing than the command returned');

    const [chat, ...more] = await chatsWith('ollama', input);
    assert.ok(chat && more.length === 0, 'the Ollama fixture did not receive exactly one chat for the run');
    const body = JSON.parse(chat.body) as { model: string; stream: boolean };
    assert.equal(body.stream, true, 'runs stream');
    assert.equal(body.model, modelRef);
  });

  it('moves a run whose connection cannot be reached to switchboard.fallbacks, as the retry settings say, and keeps each try', async () => {
    const down = await connection({ name: 'Agents unreachable Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:9' });
    const spare = await connection({ name: 'Agents spare Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const helper = await agent({ name: 'Falling runner', connectionId: down.id, modelRef: 'llama3.2' });
    const config = vscode.workspace.getConfiguration('switchboard');
    await config.update('retry.maxAttempts', 1, vscode.ConfigurationTarget.Global);
    await config.update('fallbacks', [{ connectionId: spare.id, modelRef: 'llama3.2' }], vscode.ConfigurationTarget.Global);
    try {
      const input = unique('fall over');
      const run = await runAgent({ agentId: helper.id, input });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.output, `You said: ${input}`);
      assert.deepEqual(run.routing?.fallbacks, [{ connectionId: spare.id, modelRef: 'llama3.2' }]);
      assert.deepEqual(run.routing?.attempts?.map((a) => [a.connectionId, a.outcome]), [[down.id, 'endpoint_unreachable'], [spare.id, 'ok']]);
      assert.deepEqual(run.routing?.answeredBy, { connectionId: spare.id, modelRef: 'llama3.2' });
    } finally {
      await config.update('retry.maxAttempts', undefined, vscode.ConfigurationTarget.Global);
      await config.update('fallbacks', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('stores the request override, not the agent routing or the default', async () => {
    const agentsOwn = await connection({ name: 'Agents own Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const override = await connection({ name: 'Agents override Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const helper = await agent({ name: 'Routed runner', connectionId: agentsOwn.id, modelRef: 'qwen2.5-coder:7b' });

    const own = await runAgent({ agentId: helper.id, input: unique('the agent routing') });
    assert.equal(own.status, 'succeeded', JSON.stringify(own.error));
    const { attempts, ...ownRouting } = own.routing ?? {};
    assert.deepEqual(ownRouting, { connectionId: agentsOwn.id, providerId: 'ollama', modelRef: 'qwen2.5-coder:7b', sources: { connectionId: 'agent', modelRef: 'agent' } });
    assert.deepEqual(attempts?.map((a) => [a.connectionId, a.modelRef, a.outcome]), [[agentsOwn.id, 'qwen2.5-coder:7b', 'ok']]);

    const input = unique('the override');
    const run = await runAgent({ agentId: helper.id, input, connectionId: override.id, modelRef: 'llava:latest' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const expected = {
      connectionId: override.id,
      providerId: 'ollama',
      modelRef: 'llava:latest',
      sources: { connectionId: 'request', modelRef: 'request' },
      attempts: [{ connectionId: override.id, modelRef: 'llava:latest', outcome: 'ok', latencyMs: run.routing?.attempts?.[0]?.latencyMs ?? -1, waitMs: 0 }],
    };
    assert.deepEqual(run.routing, expected);
    assert.deepEqual(storedRun(testing, run.id)?.routing, expected);
    const [chat] = await chatsWith('ollama', input);
    assert.equal((JSON.parse(chat?.body ?? '{}') as { model?: string }).model, 'llava:latest');
  });

  describe('an OpenAI connection with the canary key', () => {
    let cloud: Connection;
    let cloudy: Agent;

    before(async () => {
      cloud = await connection({ name: 'Agents canary OpenAI', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
      testing.queueAnswers(CANARY_KEY); // the answer to the password box
      await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
      cloudy = await agent({ name: 'Cloud runner', connectionId: cloud.id, modelRef: 'gpt-4o-mini' });
    });

    it('fails the run with consent_denied when the consent dialog is denied, and calls nothing', async () => {
      const input = unique('denied');
      testing.queueAnswers('deny');
      const run = await runAgent({ agentId: cloudy.id, input });
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'consent_denied', JSON.stringify(run.error));
      canaryRuns.push(run.id);
      assert.equal(storedRun(testing, run.id)?.status, 'failed');
      assert.deepEqual(await chatsWith('openai', input), [], 'a denied run reached the provider');
      assert.deepEqual(await keyReads(testing, run.id), ['denied']);
    });

    it('runs after "Always Allow", sends the key only as a Bearer header, and does not ask again', async () => {
      const input = unique('allowed');
      testing.queueAnswers('always');
      const run = await runAgent({ agentId: cloudy.id, input });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      canaryRuns.push(run.id);
      assert.equal(run.output, `You said: ${input}`);
      const [chat] = await chatsWith('openai', input);
      assert.equal(chat?.headers.authorization, `Bearer ${CANARY_KEY}`);
      assert.deepEqual(await keyReads(testing, run.id), ['granted_always']);
      const grants = testing.globalState()['switchboard.consents'];
      assert.ok(Array.isArray(grants) && grants.some((g: { connectionId: string }) => g.connectionId === cloud.id), 'no standing grant in globalState');

      // Nothing queued: were the dialog to open, the run would wait on it and fail its limit.
      const again = unique('allowed again');
      const next = await runAgent({ agentId: cloudy.id, input: again }, 15_000);
      canaryRuns.push(next.id);
      assert.equal(next.status, 'succeeded', JSON.stringify(next.error));
      assert.equal((await chatsWith('openai', again)).length, 1);
      assert.deepEqual(await keyReads(testing, next.id), ['granted_standing']);
    });
  });

  // Mocha runs a block's own tests before its nested blocks: these go last in a block of their own.
  describe('after the runs above', () => {
    it('keeps an audit log whose hash chain verifies', async () => {
      const result = await vscode.commands.executeCommand<{ ok: boolean; entries: number }>('switchboard.verifyAuditLog');
      assert.equal(result?.ok, true, JSON.stringify(result));
      assert.ok(result.entries >= 5, `only ${result.entries} audit entries after the runs above`);
    });

    it('shows the audit log in the Switchboard editor, leaving no dirty or untitled document', async () => {
      await vscode.commands.executeCommand('switchboard.showAuditLog');
      // The panel's tab reaches the extension host's tab model a moment after the command resolves.
      await waitFor('the Switchboard editor as the active tab', () => {
        const active = vscode.window.tabGroups.activeTabGroup.activeTab;
        return (active?.input instanceof vscode.TabInputWebview && active.input.viewType.endsWith('switchboard.editor')) || undefined;
      });
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled || d.isDirty), 'an untitled or dirty document is open');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('never lets the canary key into globalState, the output channel, webview messages or the audit log', async () => {
      assert.equal(canaryRuns.length, 3, 'the runs on the canary connection did not all run');
      // The Agents view follows runs in snapshots; wait until it has been sent the canary runs.
      await waitFor('Agents view snapshots with the canary runs', () => {
        const sent = JSON.stringify(testing.webviewMessages());
        return canaryRuns.every((id) => sent.includes(id)) || undefined;
      });
      assertNoCanary('globalState', testing.globalState());
      assertNoCanary('the output channel', testing.logLines());
      assertNoCanary('the messages posted to webviews', testing.webviewMessages());
      const stored = await testing.databaseBytes();
      assert.ok(JSON.stringify(await testing.auditEntries()).includes(canaryRuns[0]!), 'the audit log holds no entry of the canary runs');
      assert.ok(stored.includes(canaryRuns[0]!), 'the database files hold no record of the canary runs');
      assertNoCanary('the database files (runs, models, audit log)', stored);
    });
  });
});
