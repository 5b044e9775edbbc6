import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Agent, RunRecord } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { assertCanaryOnlyInHeader } from '../fixtures/canary';
import { CANARY_KEY, activate, addConnection, assertNoCanary, fixtureUrl, waitFor } from './helpers';
import { FIXTURE_ID, type FixtureExtension, activateProviderFixture } from './providerFixture';

const IMPOSTOR_ID = 'switchboard-test.fixture-impostor';

/** What the impostor extension (test/fixtures/extensions/fixture-impostor) exports. */
interface ImpostorExtension {
  tryGetApi(caller?: string): { ok: boolean; code?: string; message?: string };
  listen(caller?: string): void;
  heardRuns(): string[];
}


async function refusal(call: () => unknown): Promise<{ code?: string; message: string }> {
  try {
    await call();
  } catch (error) {
    assertNoCanary('an API error', { code: (error as { code?: string }).code, message: (error as Error).message });
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  assert.fail('the call was not refused');
}

describe('Other extensions: the public API, with a fixture extension loaded beside Switchboard', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let fixture: FixtureExtension;
  let connection: Connection;
  let agent: Agent;

  before(async () => {
    ({ testing } = await activate());
    fixture = await activateProviderFixture();
  });

  it('sees the provider the fixture registers, creates a connection of it, discovers its models and runs an agent as the fixture', async () => {
    fixture.register();
    assert.ok(fixture.listProviders().some((p) => p.id === fixture.providerId && p.source === FIXTURE_ID));
    connection = await addConnection({ name: 'Echo via fixture', providerId: fixture.providerId, baseUrl: fixture.baseUrl });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', connection.id);
    // Discovery called with an argument asks consent, then the picker takes the model.
    testing.queueAnswers('once', 'echo-1');
    await vscode.commands.executeCommand('switchboard.discoverModels', connection.id);
    assert.deepEqual(fixture.listModels(connection.id).map((m) => m.providerModelId), ['echo-1']);
    agent = (await vscode.commands.executeCommand<Agent>('switchboard.createAgent', { name: 'Echo agent', connectionId: connection.id, modelRef: 'echo-1' }))!;

    const asked = testing.answeredQuestions().length;
    testing.queueAnswers('once');
    const run = await fixture.startAgentRun({ agentId: agent.id, input: 'hello from the fixture' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.match(run.output ?? '', /echo: /);
    assert.equal(run.requesterId, FIXTURE_ID);
    const question = testing.answeredQuestions().slice(asked).join('\n');
    assert.match(question, /Switchboard fixture provider/, `the consent prompt names the fixture extension: ${question}`);
    const calls = (await testing.auditEntries()).filter((e) => e.runId === run.id);
    assert.deepEqual([...new Set(calls.map((e) => e.requesterId))], [FIXTURE_ID]);
    assert.ok(calls.some((e) => e.kind === 'key_read' && e.outcome === 'granted_once'));
  });

  it('refuses an extension that names another, which never hears of the other\'s runs', async () => {
    const impostor = await vscode.extensions.getExtension<ImpostorExtension>(IMPOSTOR_ID)?.activate();
    assert.ok(impostor, `${IMPOSTOR_ID} is not installed: run the suite through scripts/harness/integration.mjs`);
    const refused = impostor.tryGetApi(FIXTURE_ID);
    assert.equal(refused.code, 'invalid_input');
    assert.match(refused.message ?? '', new RegExp(`extension ${IMPOSTOR_ID} but names ${FIXTURE_ID}`));
    assert.throws(() => impostor.listen(FIXTURE_ID), /but names/);
    assert.deepEqual(impostor.tryGetApi(), { ok: true }, 'without a name it is itself');
    assert.equal((await refusal(() => fixture.getApi(1, IMPOSTOR_ID))).code, 'invalid_input', 'nor may the fixture name the impostor');
    impostor.listen(IMPOSTOR_ID);

    testing.queueAnswers('once');
    const run = await fixture.startAgentRun({ agentId: agent.id, input: 'only for me' });

    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    // The run service tells of a run's end before the run's own promise resolves.
    assert.ok(fixture.seen().some((s) => s.label === 'onDidFinishRun' && (s.value as RunRecord).id === run.id), 'the fixture heard its run finish');
    assert.deepEqual(impostor.heardRuns(), [], 'the impostor heard of no run of the fixture');
  });

  it('marks the connection unavailable when the fixture disposes its provider, refuses runs on it, and runs again once it registers again', async () => {
    fixture.unregister();
    assert.equal(fixture.listConnections().find((c) => c.id === connection.id)?.providerAvailable, false);
    const refused = await fixture.startAgentRun({ agentId: agent.id, input: 'anyone there?' });
    assert.equal(refused.status, 'failed');
    assert.equal(refused.error?.code, 'missing_connection');
    assert.match(refused.error?.message ?? '', /not available/);

    fixture.register();
    assert.equal(fixture.listConnections().find((c) => c.id === connection.id)?.providerAvailable, true);
    testing.queueAnswers('once');
    const again = await fixture.startAgentRun({ agentId: agent.id, input: 'back again' });
    assert.equal(again.status, 'succeeded', JSON.stringify(again.error));
  });

  it('refuses malformed descriptors, a duplicate id, a bad request and an unknown version, changing nothing', async () => {
    const providers = fixture.listProviders();
    const adapter = { testConnection: async () => 'ok' };
    assert.equal((await refusal(() => fixture.raw('registerProvider', { id: 'Not An Id', displayName: 'x', fields: [], defaults: {}, capabilities: { test: true, discovery: false, chat: false } }, adapter))).code, 'invalid_input');
    assert.equal((await refusal(() => fixture.raw('registerProvider', { id: 'nofields' }, adapter))).code, 'invalid_input');
    assert.equal((await refusal(() => fixture.register())).code, 'conflict');
    assert.equal((await refusal(() => fixture.raw('startAgentRun', { agentId: 'not-a-uuid', input: 'x' }))).code, 'invalid_input');
    assert.equal((await refusal(() => fixture.getApi(2, FIXTURE_ID))).code, 'invalid_input');
    assert.deepEqual(fixture.listProviders(), providers);
  });

  it('never shows the canary key to the fixture: the key reached only its adapter, in the authorization header', async () => {
    assert.ok(assertCanaryOnlyInHeader(fixture.requests(), 'authorization') > 0, 'the adapter received the key');
    assertNoCanary('what the API gave the fixture', fixture.seen());
    assert.ok(fixture.seen().some((s) => s.label === 'onDidFinishRun'), 'the fixture heard its runs finish');
  });
});

describe('Switchboard models in VS Code chat (vscode.lm, vendor switchboard)', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let local: Connection;

  before(async () => {
    ({ testing } = await activate());
    local = await addConnection({ name: 'Chat Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    testing.queueAnswers('llama3.2:latest\nqwen2.5-coder:7b');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
  });

  const ids = async () => (await vscode.lm.selectChatModels({ vendor: 'switchboard' })).map((m) => m.id);
  /** How the Ollama fixture answers its next chats. */
  const control = (behaviour: string) =>
    fetch(`${fixtureUrl('ollama')}/__fixture/behaviour`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ behaviour, path: '/api/chat' }) });

  it('offers the enabled registered models, streams an answer, returns a tool call, and records each request', async () => {
    const llama = `${local.id}/llama3.2:latest`;
    await waitFor('the Ollama models in vscode.lm', async () => (await ids()).includes(llama) && (await ids()).includes(`${local.id}/qwen2.5-coder:7b`));
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: llama });
    assert.ok(model, 'selectChatModels found the model by id');
    assert.match(model.name, /Chat Ollama/);

    // The fixture sends its answer in pieces, a moment apart, as a model writes its tokens: each
    // reaches chat as it comes (what one network read brings goes on together).
    await control('stream-split');
    let text = '';
    let pieces = 0;
    try {
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('hello chat')], {}, new vscode.CancellationTokenSource().token);
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          text += part.value;
          pieces++;
        }
      }
    } finally {
      await control('normal');
    }
    assert.match(text, /You said: hello chat/);
    assert.ok(pieces > 1, 'the answer streamed in several parts');

    const withTools = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('weather in Paris?')],
      { tools: [{ name: 'get_weather', description: 'The weather in a city', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }] },
      new vscode.CancellationTokenSource().token,
    );
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of withTools.stream) if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    assert.deepEqual(calls.map((c) => c.name), ['get_weather']);

    const records = testing.chatRecords().filter((r) => r.connectionId === local.id);
    assert.equal(records.length, 2);
    assert.ok(records.every((r) => r.status === 'succeeded' && r.modelRef === 'llama3.2:latest' && r.usage));
    assert.equal(records[0]?.toolCalls, 1);
    const audited = (await testing.auditEntries()).filter((e) => e.kind === 'model_call' && e.connectionId === local.id);
    assert.equal(audited.length, 2);
    // VS Code names the extension that sent the request (here the suite, inside Switchboard): it is part of the requester.
    const requester = 'switchboard.vscodeChat/switchboard-dev.switchboard';
    assert.deepEqual([...new Set(audited.map((e) => e.requesterId))], [requester]);
    assert.ok(records.every((r) => r.requesterId === requester));
    const shown = await vscode.commands.executeCommand<unknown[]>('switchboard.showChatRecords');
    assert.ok(Array.isArray(shown) && shown.length >= 2, 'Show Chat Requests lists them');
  });

  it('sends tool results back, stops the request on cancel, and reports failures as LanguageModelErrors that say what to do', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'switchboard', id: `${local.id}/llama3.2:latest` });
    assert.ok(model);
    const tools = [{ name: 'get_weather', description: 'The weather in a city', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }];
    const followUp = await model.sendRequest(
      [
        vscode.LanguageModelChatMessage.User('weather in Oslo?'),
        vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelToolCallPart('call-1', 'get_weather', { text: 'Oslo' })]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('call-1', [new vscode.LanguageModelTextPart('3 degrees')])]),
      ],
      { tools },
    );
    let text = '';
    for await (const part of followUp.stream) if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    assert.match(text, /The tool said: 3 degrees/);

    try {
      await control('stream-endless');
      const source = new vscode.CancellationTokenSource();
      const endless = await model.sendRequest([vscode.LanguageModelChatMessage.User('go on forever')], {}, source.token);
      let first = '';
      try {
        for await (const part of endless.stream) {
          if (part instanceof vscode.LanguageModelTextPart) first += part.value;
          if (first) source.cancel();
        }
      } catch {
        // VS Code may end a cancelled stream with an error; the record below says what happened.
      }
      await waitFor('the cancelled request\'s record', () => testing.chatRecords().find((r) => r.connectionId === local.id && r.status === 'cancelled'));

      await control('not-found');
      let caught: unknown;
      try {
        const failing = await model.sendRequest([vscode.LanguageModelChatMessage.User('anything')], {});
        for await (const _part of failing.stream) void _part;
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof vscode.LanguageModelError, `expected a LanguageModelError, got ${String(caught)}`);
      assert.match((caught as Error).message, /model_not_found|not found|Edit|registry|pull/i);
      assertNoCanary('the chat error', (caught as Error).message);
    } finally {
      await control('normal');
    }
    const failed = testing.chatRecords().find((r) => r.connectionId === local.id && r.status === 'failed');
    assert.ok(failed?.error, 'the failed request is recorded with its error');
  });

  it('takes a disabled model off the list', async () => {
    const qwen = testing.storedModels().find((m) => m.connectionId === local.id && m.providerModelId === 'qwen2.5-coder:7b');
    assert.ok(qwen);
    await testing.setModelEnabled(qwen.id, false);
    await waitFor('qwen to leave vscode.lm', async () => !(await ids()).includes(`${local.id}/qwen2.5-coder:7b`));
    assert.ok((await ids()).includes(`${local.id}/llama3.2:latest`));
  });
});
