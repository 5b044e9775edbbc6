/**
 * The rough edges a new user met in their first hour (issue 20), each where they meet it: the
 * commands, their questions and notifications, and what the status bar says.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Agent, AgentInput, RunRecord, StartAgentRunRequest } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { SwitchboardApiV1 } from '../../src/api/types';
import type { TestingApi } from '../../src/vscode/testing';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { CANARY_KEY, activate, addConnection, deleteConnection, fixtureUrl, recorded } from './helpers';

const config = () => vscode.workspace.getConfiguration('switchboard');

function unique(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2, 8)}`;
}

describe('a new user’s first hour: questions, notifications and errors that say the right thing', function () {
  this.timeout(60_000);
  let api: SwitchboardApiV1;
  let testing: TestingApi;
  const connections: string[] = [];
  const agents: string[] = [];
  let defaultBefore: string | undefined;

  before(async () => {
    ({ api, testing } = await activate());
    defaultBefore = config().get<string>('defaultConnectionId') || undefined;
  });

  afterEach(() => {
    // A test that failed half-way must not leave answers for the next one's questions.
    testing.drainAnswers();
  });

  after(async () => {
    for (const id of agents) {
      testing.queueAnswers(true);
      await vscode.commands.executeCommand('switchboard.deleteAgent', id);
    }
    for (const id of connections) if (api.listConnections().some((c) => c.id === id)) await deleteConnection(testing, id);
    await config().update('defaultConnectionId', defaultBefore, vscode.ConfigurationTarget.Global);
  });

  async function connection(input: Parameters<typeof addConnection>[0]): Promise<Connection> {
    const created = await addConnection(input);
    connections.push(created.id);
    return created;
  }

  async function agent(input: AgentInput): Promise<Agent> {
    const created = await vscode.commands.executeCommand<Agent | undefined>('switchboard.createAgent', input);
    assert.ok(created?.id, 'switchboard.createAgent returned no agent');
    agents.push(created.id);
    return created;
  }

  async function runAgent(request: StartAgentRunRequest): Promise<RunRecord> {
    const run = await vscode.commands.executeCommand<RunRecord | undefined>('switchboard.runAgent', request);
    assert.ok(run?.id, 'switchboard.runAgent returned no run');
    return run;
  }

  async function chatsWith(marker: string) {
    return (await recorded('ollama')).filter((r) => r.url.startsWith('/api/chat') && r.body.includes(marker));
  }

  it('asks before deleting a connection agents run on, naming them, and speaks of a key only when there is one', async () => {
    const local = await connection({ name: unique('Shared Ollama'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    await vscode.commands.executeCommand('switchboard.setDefaultConnection', local.id);
    const own = await agent({ name: unique('Own runner'), connectionId: local.id });
    const viaDefault = await agent({ name: unique('Default runner') });

    testing.queueAnswers(false);
    const kept = await vscode.commands.executeCommand<{ deleted: boolean }>('switchboard.deleteConnection', local.id);
    assert.deepEqual(kept, { deleted: false });
    const question = testing.answeredQuestions().at(-1) ?? '';
    assert.match(question, new RegExp(`^Delete the connection "${local.name}"\\? Agents use it\\.`));
    assert.ok(question.includes(`"${own.name}"`) && question.includes(`"${viaDefault.name}"`), question);
    assert.doesNotMatch(question, /API key|SecretStorage/, 'a connection without a key was said to have one');
    assert.ok(api.listConnections().some((c) => c.id === local.id), 'answering no deleted the connection');

    const cloud = await connection({ name: unique('Keyed OpenAI'), providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
    testing.queueAnswers(false);
    await vscode.commands.executeCommand('switchboard.deleteConnection', cloud.id);
    const keyed = testing.answeredQuestions().at(-1) ?? '';
    assert.match(keyed, /Its API key is removed from SecretStorage too\./);
    assert.doesNotMatch(keyed, /Agents use it|runs? on it/, 'no agent runs on this connection');
  });

  it('offers Edit Agent for a run whose connection was deleted while a default is set, and Set Default Connection when none is', async () => {
    const home = await connection({ name: unique('Home Ollama'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    await vscode.commands.executeCommand('switchboard.setDefaultConnection', home.id);
    const gone = await connection({ name: unique('Soon gone'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const stranded = await agent({ name: unique('Stranded'), connectionId: gone.id });
    await deleteConnection(testing, gone.id);

    const errorsBefore = testing.shownErrors().length;
    const failed = await runAgent({ agentId: stranded.id, input: 'hello' });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 'missing_connection');
    const [shown] = testing.shownErrors().slice(errorsBefore);
    assert.deepEqual(shown?.actions, ['Edit Agent'], JSON.stringify(shown));
    assert.match(shown?.message ?? '', new RegExp(`Edit the agent: choose another connection, or none to run on the default connection "${home.name}"`));

    await config().update('defaultConnectionId', undefined, vscode.ConfigurationTarget.Global);
    const errorsNow = testing.shownErrors().length;
    await runAgent({ agentId: stranded.id, input: 'hello again' });
    assert.deepEqual(testing.shownErrors().slice(errorsNow).map((error) => error.actions), [['Set Default Connection']]);
  });

  it('marks the current default in the pick, says nothing when it is picked again, and the status bar reads its name without the icon', async () => {
    const first = await connection({ name: unique('First choice'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const second = await connection({ name: unique('Second choice'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    await vscode.commands.executeCommand('switchboard.setDefaultConnection', first.id);
    const notices = testing.notices().length;

    testing.queueAnswers(first.name);
    await vscode.commands.executeCommand('switchboard.setDefaultConnection');
    const pick = testing.answeredPicks().at(-1);
    assert.deepEqual(pick?.items[0], { label: first.name, description: 'Ollama · current default' });
    assert.ok(pick?.items.slice(1).every((item) => !item.description?.includes('current default')), JSON.stringify(pick));
    assert.equal(testing.notices().length, notices, `picking the default again added: ${testing.notices().slice(notices).join(' | ')}`);

    testing.queueAnswers(second.name);
    await vscode.commands.executeCommand('switchboard.setDefaultConnection');
    assert.deepEqual(testing.notices().slice(notices), [`"${second.name}" is now the default connection.`]);
    assert.equal(config().get('defaultConnectionId'), second.id);

    const bar = testing.statusBar();
    assert.equal(bar.text, `$(plug) ${second.name}`);
    assert.equal(bar.accessibilityLabel, `Switchboard default connection: ${second.name}`);
  });

  it('adds an Ollama connection from the palette without asking for its optional key', async () => {
    const name = unique('Keyless');
    // Provider, name, base URL, and one answer too many: a key question would take it.
    testing.queueAnswers('Ollama', name, fixtureUrl('ollama'), false);
    const created = await vscode.commands.executeCommand<Connection | undefined>('switchboard.addConnection');
    assert.ok(created?.id, 'no connection was added');
    connections.push(created.id);
    assert.deepEqual(testing.drainAnswers(), [false], `a question was asked: ${testing.answeredQuestions().at(-1)}`);
    assert.ok(testing.notices().includes(`Connection "${name}" added.`), testing.notices().join('\n'));
  });

  it('marks a connection invalid when a run finds it unreachable, and valid again when a run gets through', async () => {
    const server = new OllamaFixture();
    const url = await server.start();
    try {
      const local = await connection({ name: unique('Flaky Ollama'), providerId: 'ollama', baseUrl: url });
      const tested = await vscode.commands.executeCommand<{ status: string }>('switchboard.testConnection', local.id);
      assert.equal(tested.status, 'valid');
      const runner = await agent({ name: unique('Flaky runner'), connectionId: local.id });

      await server.stop();
      const failed = await runAgent({ agentId: runner.id, input: 'anyone there?' });
      assert.equal(failed.error?.code, 'endpoint_unreachable', JSON.stringify(failed.error));
      const broken = api.listConnections().find((c) => c.id === local.id);
      assert.equal(broken?.status, 'invalid');
      const stored = (testing.globalState()['switchboard.connections'] as Connection[]).find((c) => c.id === local.id);
      assert.ok(stored?.lastTestMessage?.startsWith('A model call failed: '), stored?.lastTestMessage);

      await server.start(Number(new URL(url).port));
      const worked = await runAgent({ agentId: runner.id, input: 'back again?' });
      assert.equal(worked.status, 'succeeded', JSON.stringify(worked.error));
      // The status is written through the connections' write queue, which other tests' writes may
      // hold up: waited for by its change event (mocha's timeout is the backstop), never by time.
      const valid = () => api.listConnections().find((c) => c.id === local.id)?.status === 'valid';
      if (!valid()) {
        await new Promise<void>((resolve) => {
          const listening = api.onDidChangeConnections(() => {
            if (!valid()) return;
            listening.dispose();
            resolve();
          });
        });
      }
      assert.ok(valid());
    } finally {
      await server.stop();
    }
  });

  it('refuses a model id with spaces for Ollama, when added and when run, and never suggests "ollama pull" for it', async () => {
    const local = await connection({ name: unique('Picky Ollama'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const errorsBefore = testing.shownErrors().length;
    testing.queueAnswers('$(edit) Enter a model id…', 'my fancy model');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
    const refused = testing.shownErrors().slice(errorsBefore).map((error) => error.message).join('\n');
    assert.match(refused, /"my fancy model" is not an Ollama model name: Ollama model names have no spaces/);
    assert.ok(!testing.storedModels().some((m) => m.providerModelId === 'my fancy model'), 'the model was registered');

    const input = unique('fancy');
    const run = await runAgent({ agentId: (await agent({ name: unique('Fancy runner'), connectionId: local.id })).id, input, modelRef: 'my fancy model' });
    assert.equal(run.error?.code, 'invalid_input', JSON.stringify(run.error));
    assert.match(run.error?.message ?? '', /no spaces/);
    assert.doesNotMatch(run.error?.message ?? '', /ollama pull/);
    assert.deepEqual(await chatsWith(input), [], 'the model id was sent to Ollama');
  });

  it('refuses a prompt far larger than the model’s context window before sending it', async () => {
    const local = await connection({ name: unique('Small window'), providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    // qwen2.5-coder:7b runs with num_ctx 16384 on the fixture: the registry says 16k.
    testing.queueAnswers('qwen2.5-coder:7b');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
    assert.equal(testing.storedModels().find((m) => m.connectionId === local.id)?.contextWindow, 16384);
    const runner = await agent({ name: unique('Verbose runner'), connectionId: local.id, modelRef: 'qwen2.5-coder:7b' });

    const marker = unique('huge');
    const run = await runAgent({ agentId: runner.id, input: `${marker} ${'x'.repeat(97_000)}` });
    assert.equal(run.error?.code, 'invalid_input', JSON.stringify(run.error));
    assert.match(run.error?.message ?? '', /The prompt is about 24,\d{3} tokens \(97,\d{3} characters\), more than the 16,384-token context window of qwen2\.5-coder:7b/);
    assert.deepEqual(await chatsWith(marker), [], 'the prompt was sent');

    const fits = unique('small');
    const ok = await runAgent({ agentId: runner.id, input: fits });
    assert.equal(ok.status, 'succeeded', JSON.stringify(ok.error));
  });

  it('shows the chat requests in a read-only document, never an Untitled one that asks to be saved', async () => {
    await vscode.commands.executeCommand('switchboard.showChatRecords');
    const document = vscode.window.activeTextEditor?.document;
    assert.ok(document, 'no document was shown');
    assert.equal(document.uri.scheme, 'switchboard');
    assert.equal(document.isUntitled, false);
    assert.equal(document.isDirty, false);
    assert.match(document.getText(), /^(Switchboard chat requests from VS Code chat|No request from VS Code chat yet)/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
