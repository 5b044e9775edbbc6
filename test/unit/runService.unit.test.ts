import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/contracts/agents';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SwitchboardError, toErrorInfo } from '../../src/core/base/errors';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { buildRunStack } from '../fixtures/runStack';
import { databaseText } from '../fixtures/tempDatabase';
import { WaveServer } from '../fixtures/waveServer';
import { ManualTimers } from '../helpers/fakes';
import { DATABASE_FILE } from '../../src/core/store/storageKeys';
import { AGENT_HOST_ENTRY, makeStack, worker } from '../helpers/stacks';
import { serveDuringSuite } from '../helpers/providerTestKit';
import { commandRequester, personAt, requesterIds } from '../../src/core/keys/requesters';

describe('RunService with a real agent host worker', function () {
  this.timeout(30_000);
  const ollama = new OllamaFixture();
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  /** A second Ollama that holds its calls, beside one that answers. */
  const held = new OllamaFixture();
  let stack: Awaited<ReturnType<typeof makeStack>>;

  serveDuringSuite(ollama);
  serveDuringSuite(openai);
  serveDuringSuite(held);
  afterEach(async () => {
    await stack?.cleanup();
  });

  async function ollamaAgent(s: typeof stack, name = 'helper') {
    const connection = await s.connections.create({ name: `Local ${name}`, providerId: 'ollama', baseUrl: ollama.url });
    const agent = await s.agents.create({ name, role: 'a tester', soul: 'You are terse.', guardrails: 'Never lie.' });
    return { connection, agent };
  }

  it('runs on the default connection when nothing else names one, and stores the effective routing', async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    await stack.settings.setDefaultConnectionId(connection.id);
    const run = await stack.service.start({ agentId: agent.id, input: 'hello there' }, 'view:agents');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.match(run.output ?? '', /hello there/);
    const latencyMs = run.routing?.attempts?.[0]?.latencyMs ?? -1;
    assert.deepEqual(run.routing, {
      connectionId: connection.id,
      providerId: 'ollama',
      modelRef: 'llama3.2',
      sources: { connectionId: 'default', modelRef: 'provider' },
      attempts: [{ connectionId: connection.id, modelRef: 'llama3.2', outcome: 'ok', latencyMs, waitMs: 0 }],
    });
    assert.ok(latencyMs >= 0);
    assert.deepEqual(run.trace.map((s) => s.name), ['build messages', 'call llama3.2']);
    const chat = ollama.requests.find((r) => r.url === '/api/chat');
    const sent = JSON.parse(chat?.body ?? '{}') as { messages: { role: string; content: string }[]; stream: boolean };
    assert.equal(sent.stream, true, 'runs stream');
    assert.equal(sent.messages[0]?.role, 'system');
    assert.match(sent.messages[0]!.content, /You are terse\.[\s\S]*a tester[\s\S]*Never lie\./);
    const calls = (await stack.audit.read()).filter((e) => e.kind === 'model_call');
    assert.deepEqual(calls.map((e) => [e.runId, e.requesterId, e.outcome]), [[run.id, 'view:agents', 'ok']]);
  });

  it("runs on the default connection's first enabled registered model, never a disabled one, rather than the provider's nominal default", async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    await stack.settings.setDefaultConnectionId(connection.id);
    const nominal = await stack.models.addById(connection.id, 'llama3.2');
    await stack.models.setEnabled(nominal.id, false);
    await stack.models.addById(connection.id, 'llama3.2:latest');
    const run = await stack.service.start({ agentId: agent.id, input: 'hello there' }, 'view:agents');
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const { attempts, ...routing } = run.routing ?? {};
    assert.deepEqual(routing, { connectionId: connection.id, providerId: 'ollama', modelRef: 'llama3.2:latest', sources: { connectionId: 'default', modelRef: 'registry' } });
    assert.deepEqual(attempts?.map((a) => a.outcome), ['ok']);
    const chat = ollama.requests.find((r) => r.url === '/api/chat');
    assert.equal((JSON.parse(chat?.body ?? '{}') as { model?: string }).model, 'llama3.2:latest');
  });

  it("asks Ollama for the person's context window (num_ctx) and, once it is cleared, for none: the window the Models tab shows", async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    const { models } = await stack.models.discover(connection.id, personAt(requesterIds.connectionsView));
    const [llama] = (await stack.models.register(connection.id, models.filter((m) => m.providerModelId === 'llama3.2:latest'))).models;
    const sentOptions = async () => {
      ollama.reset();
      const run = await stack.service.start({ agentId: agent.id, input: 'hello', connectionId: connection.id, modelRef: 'llama3.2:latest' }, 'view:agents');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      return (JSON.parse(ollama.requests.find((r) => r.url === '/api/chat')?.body ?? '{}') as { options?: unknown }).options;
    };

    assert.equal(await sentOptions(), undefined, "Ollama's own window: nothing to ask for");
    await stack.models.setContextWindow(llama!.id, 32768);
    assert.deepEqual(await sentOptions(), { num_ctx: 32768 });
    await stack.models.clearContextWindow(llama!.id);
    assert.equal(await sentOptions(), undefined);
  });

  it('stores the output as it streams in, with the time to the first token, and keeps it, marked partial, when the run is cancelled', async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    // The fixture sends the first half of its answer, then nothing more.
    ollama.setBehaviour('stream-endless');
    const { runId, finished } = await stack.service.launch({ agentId: agent.id, input: 'a long answer please', connectionId: connection.id }, 'view:agents');
    let running = stack.runs.get(runId);
    while (!(running?.status === 'running' && running.output)) {
      await new Promise((resolve) => setImmediate(resolve));
      running = stack.runs.get(runId);
    }
    assert.ok(running.firstTokenMs !== undefined, 'the time to the first token is stored with the first output');
    stack.service.cancel(runId);
    const run = await finished;
    assert.equal(run.status, 'cancelled');
    assert.equal(run.outputPartial, true);
    assert.ok(run.output && run.output.length >= running.output!.length && 'You said: a long answer please'.startsWith(run.output.trim()), run.output);
    // The host passed the answer on as the run's output itself: the worker asked for that, and
    // heard none of its pieces.
    const kinds = new Set(stack.workerMessages.map((m) => (m as { type: string }).type));
    assert.ok(stack.workerMessages.some((m) => (m as { type: string; stream?: string }).type === 'invoke' && (m as { stream?: string }).stream === 'output'));
    assert.ok(!kinds.has('invokeDelta'), [...kinds].join(', '));
  });

  it('uses the request override over the agent and the default', async () => {
    stack = await makeStack();
    const { connection: first, agent } = await ollamaAgent(stack);
    const second = await stack.connections.create({ name: 'Other', providerId: 'ollama', baseUrl: ollama.url });
    await stack.agents.update(agent.id, { name: agent.name, connectionId: first.id, modelRef: 'qwen2.5-coder:7b' });
    const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: second.id, modelRef: 'llava:latest' }, 'palette');
    assert.equal(run.status, 'succeeded');
    assert.equal(run.routing?.connectionId, second.id);
    assert.equal(run.routing?.modelRef, 'llava:latest');
    assert.deepEqual(run.routing?.sources, { connectionId: 'request', modelRef: 'request' });
  });

  it('refuses a model the person disabled in the registry, without calling the provider', async () => {
    stack = await makeStack({ disabledModels: ['llava:latest'] });
    const { connection, agent } = await ollamaAgent(stack);
    const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id, modelRef: 'llava:latest' }, 'view:agents');
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'model_not_found');
    assert.match(run.error!.message, /disabled in the registry/);
    assert.ok(!ollama.requests.some((r) => r.url === '/api/chat'));
  });

  it('fails with missing_connection, stored once as failed, when nothing names a connection', async () => {
    stack = await makeStack();
    const agent = await stack.agents.create({ name: 'lonely' });
    const changes: string[] = [];
    stack.runs.onDidChangeRun(({ run }) => changes.push(run?.status ?? 'several'));
    const run = await stack.service.start({ agentId: agent.id, input: 'hi' }, 'view:agents');
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'missing_connection');
    assert.equal(stack.runs.get(run.id)?.status, 'failed');
    assert.deepEqual(changes, ['failed']);
  });

  it('stores a run once before its call, running with its routing, and once more at its end', async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    const changes: { status: string; routed: boolean }[] = [];
    stack.runs.onDidChangeRun(({ run }) => changes.push({ status: run?.status ?? 'several', routed: run?.routing?.connectionId === connection.id }));
    const { runId, finished } = await stack.service.launch({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents');
    assert.deepEqual(stack.runs.get(runId)?.routing?.connectionId, connection.id, 'stored with its routing before the call');
    const run = await finished;
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(changes, [{ status: 'running', routed: true }, { status: 'succeeded', routed: true }]);
    assert.deepEqual(run, stack.runs.get(runId), 'the run as it was written at its end');
  });

  it("takes the person's Run (a view, the editor's Re-run, the palette's pick) as consent with no question, and asks for a run whose agent came as a command's argument", async () => {
    stack = await makeStack({ answers: ['deny', 'deny'] });
    const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1`, defaultModel: 'gpt-4o-mini' });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    const agent = await stack.agents.create({ name: 'cloudy', connectionId: connection.id });
    const request = { agentId: agent.id, input: 'hi' };
    for (const requester of [personAt(requesterIds.agentsView), personAt(requesterIds.editor), commandRequester(undefined)]) {
      const run = await stack.service.start(request, requester);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    }
    assert.deepEqual(stack.prompts, [], 'no modal for the person\'s own click');
    for (const arg of [agent.id, request]) {
      const run = await stack.service.start(request, commandRequester(arg));
      assert.equal(run.error?.code, 'consent_denied');
    }
    assert.deepEqual(stack.prompts, [`${requesterIds.commandArgument}@Cloud`, `${requesterIds.commandArgument}@Cloud`]);
    const reads = (await stack.audit.read()).filter((e) => e.kind === 'key_read').reverse();
    assert.deepEqual(reads.map((e) => [e.requesterId, e.outcome]), [
      [requesterIds.agentsView, 'granted_by_person'],
      [requesterIds.editor, 'granted_by_person'],
      [requesterIds.palette, 'granted_by_person'],
      [requesterIds.commandArgument, 'denied'],
      [requesterIds.commandArgument, 'denied'],
    ]);
  });

  it('asks consent before an OpenAI key is used; a denial fails the run with consent_denied and makes no call', async () => {
    stack = await makeStack({ answers: ['deny', 'once'] });
    const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1`, defaultModel: 'gpt-4o-mini' });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    const agent = await stack.agents.create({ name: 'cloudy', connectionId: connection.id });
    const denied = await stack.service.start({ agentId: agent.id, input: 'hi' }, 'other.extension');
    assert.equal(denied.status, 'failed');
    assert.equal(denied.error?.code, 'consent_denied');
    assert.equal(openai.requests.length, 0);
    const allowed = await stack.service.start({ agentId: agent.id, input: 'hi again' }, 'other.extension');
    assert.equal(allowed.status, 'succeeded', JSON.stringify(allowed.error));
    assert.deepEqual(openai.authorizationHeaders(), [`Bearer ${CANARY_KEY}`]);
    assert.deepEqual(stack.prompts, ['other.extension@Cloud', 'other.extension@Cloud']);
    const reads = (await stack.audit.read()).filter((e) => e.kind === 'key_read').map((e) => e.outcome);
    assert.deepEqual(reads, ['granted_once', 'denied']);
    assert.ok(stack.workerMessages.some((m) => (m as { type: string }).type === 'invoke'), 'the worker asked the host for the model call');
    assertNoCanary({
      runs: stack.runs.page({ limit: 100 }).runs,
      state: stack.store.dump(),
      database: await databaseText(stack.db),
      log: stack.logger.lines,
      worker: stack.workerMessages,
    });
  });

  it('cancels a run whose caller cancelled before it started, e.g. while it was being stored, and calls no model', async () => {
    stack = await makeStack();
    const { connection, agent } = await ollamaAgent(stack);
    const controller = new AbortController();
    controller.abort();
    const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents', controller.signal);
    assert.equal(run.status, 'cancelled');
    assert.equal(ollama.requests.filter((r) => r.url === '/api/chat').length, 0);
  });

  it('makes no model call for a run that cannot be stored: its launch fails with the storage error, and the next run works', async () => {
    stack = await makeStack({ lockWaitMs: 50 });
    const { connection, agent } = await ollamaAgent(stack);
    const request = { agentId: agent.id, input: 'hi', connectionId: connection.id };
    // Another window holds the database's write lock for longer than a write waits.
    const other = new DatabaseSync(join(stack.dir, DATABASE_FILE));
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(stack.service.launch(request, 'view:agents'), (error: unknown) => toErrorInfo(error).code === 'storage_unavailable');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const next = await stack.service.start(request, 'view:agents');
    assert.equal(next.status, 'succeeded');
    assert.equal(ollama.requests.filter((r) => r.url === '/api/chat').length, 1, 'only the stored run called the model');
    assert.deepEqual(stack.runs.page({ limit: 10 }).runs.map((r) => r.id), [next.id]);
    assert.equal((await stack.audit.read()).filter((e) => e.kind === 'model_call').length, 1);
  });

  it('fails with endpoint_unreachable when the model endpoint is down, and the host keeps working', async () => {
    stack = await makeStack();
    const port = await closedPort();
    const down = await stack.connections.create({ name: 'Down', providerId: 'ollama', baseUrl: `http://127.0.0.1:${port}` });
    const agent = await stack.agents.create({ name: 'a', connectionId: down.id });
    const run = await stack.service.start({ agentId: agent.id, input: 'hi' }, 'view:agents');
    assert.equal(run.error?.code, 'endpoint_unreachable');
    assert.match(run.error!.message, /not reachable/);
    const { agent: working } = await ollamaAgent(stack, 'b');
    const good = await stack.service.start({ agentId: working.id, input: 'hi', connectionId: stack.connections.list()[1]!.id }, 'view:agents');
    assert.equal(good.status, 'succeeded');
  });

  /** Starts a run on Ollama whose model call hangs at the provider; resolves once the call has reached it, however long the worker took to ask, with the run's end to come. */
  async function runWithHangingCall(signal?: AbortSignal): Promise<{ finished: Promise<RunRecord> }> {
    const { connection, agent } = await ollamaAgent(stack);
    ollama.setBehaviour('hang');
    const called = ollama.nextRequest('/api/chat');
    const finished = stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents', signal);
    await called;
    return { finished };
  }

  it('cancels a run under way: the HTTP call is aborted and the run is stored as cancelled', async () => {
    stack = await makeStack();
    const controller = new AbortController();
    const { finished: pending } = await runWithHangingCall(controller.signal);
    controller.abort();
    const run = await pending;
    assert.equal(run.status, 'cancelled');
    const outcome = (await stack.audit.read()).find((e) => e.kind === 'model_call')?.outcome;
    assert.equal(outcome, 'cancelled');
  });

  it('fails the run of a worker that crashes with a clear error, and starts a new worker for the next run', async () => {
    stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures/crashingWorker.ts') });
    const { connection, agent } = await ollamaAgent(stack);
    for (const input of ['first', 'second']) {
      // Were the dead worker reused, the second run would wait for an answer that never comes.
      const run = await stack.service.start({ agentId: agent.id, input, connectionId: connection.id }, 'view:agents');
      assert.equal(run.status, 'failed');
      assert.match(run.error?.message ?? '', /agent host stopped unexpectedly \(it exited with code 3\)/);
    }
  });

  /**
   * A run on a worker fixture whose model call gets the first half of its answer and then
   * nothing, with timeouts longer than the test may take: a run that waited for the call would
   * not end in time, and its call would end as a timeout, not cancelled. The run, and its call's
   * audited outcome.
   */
  async function runWithEndlessCall(fixture: string) {
    stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures', fixture) });
    stack.settings.requestTimeout = 600_000;
    stack.settings.streamIdleTimeout = 600_000;
    const { connection, agent } = await ollamaAgent(stack);
    ollama.setBehaviour('stream-endless');
    const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents');
    const outcome = (await stack.audit.read()).find((e) => e.kind === 'model_call')?.outcome;
    return { run, outcome };
  }

  it('aborts the model call of a worker that crashes while it waits, so the run fails at once', async () => {
    // The worker dies when the first half of the answer reaches it.
    const { run, outcome } = await runWithEndlessCall('crashMidCallWorker.ts');
    assert.equal(run.status, 'failed');
    assert.match(run.error?.message ?? '', /agent host stopped unexpectedly \(it exited with code 4\)/);
    assert.equal(outcome, 'cancelled');
  });

  it('gives a step that asks for the answer only whole nothing of it as it streams: no piece to the worker, none as the output', async () => {
    stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures/wholeAnswerWorker.ts') });
    const { connection, agent } = await ollamaAgent(stack);
    const pieces: string[] = [];
    const { finished } = await stack.service.launch({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents', undefined, (text) => pieces.push(text));
    const run = await finished;
    assert.equal(run.status, 'succeeded');
    assert.equal(run.output, 'You said: hi');
    assert.deepEqual(pieces, []);
    assert.equal(run.firstTokenMs, undefined);
    assert.ok(!stack.workerMessages.some((m) => (m as { type: string }).type === 'invokeDelta'));
  });

  it('aborts the model call of a worker that says its run failed while the call streams, so none of the answer reaches the run', async () => {
    const { run, outcome } = await runWithEndlessCall('failsMidCallWorker.ts');
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.message, 'the steps gave up');
    assert.equal(run.output, undefined, "no piece of the answer follows the run's end");
    assert.equal(outcome, 'cancelled');
  });

  it('fails a run whose worker hangs with timeout, and ends the stuck worker', async () => {
    const timers = new ManualTimers();
    stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures/hangingWorker.ts'), silenceLimitMs: 500, timers });
    const { connection, agent } = await ollamaAgent(stack);
    const pending = stack.service.start({ agentId: agent.id, input: 'hang', connectionId: connection.id }, 'view:agents');
    // The worker has its run and says nothing more: its silence reaches the limit.
    await timers.started(500);
    timers.fire(500);
    const run = await pending;
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'timeout');
    assert.match(run.error!.message, /did not answer within 1 s/);
    assert.ok(!stack.logger.lines.some((line) => line.includes('stopped answering')), 'the worker has its ping time yet');
    // Nor does it answer the ping: it is ended.
    await timers.started(2_000);
    timers.fire(2_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(stack.logger.lines.some((line) => line.includes('The agent host stopped answering; it was ended')), stack.logger.lines.join('\n'));
  });

  it("starts the agent host with none of the extension host's environment, where keys often are", async () => {
    process.env.SWITCHBOARD_TEST_HOST_ONLY = 'the host alone sees this';
    try {
      stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures/envWorker.ts') });
      const { connection, agent } = await ollamaAgent(stack);
      const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents');
      assert.equal(run.status, 'succeeded');
      assert.deepEqual(JSON.parse(run.output!), [], 'no variable at all');
    } finally {
      delete process.env.SWITCHBOARD_TEST_HOST_ONLY;
    }
  });

  it("does not take a long model call for the worker's silence", async () => {
    const timers = new ManualTimers();
    stack = await makeStack({ silenceLimitMs: 500, timers });
    const controller = new AbortController();
    const { finished } = await runWithHangingCall(controller.signal);
    assert.equal(timers.fire(500), 0, 'no watchdog runs while the call is under way');
    controller.abort();
    assert.equal((await finished).status, 'cancelled', 'the run went on until its caller cancelled it');
  });

  it('watches the worker again once its call is answered: a run whose steps stop after the call fails with timeout', async () => {
    const timers = new ManualTimers();
    stack = await makeStack({ workerEntry: resolve(__dirname, '../fixtures/silentAfterCallWorker.ts'), silenceLimitMs: 500, timers });
    const { connection, agent } = await ollamaAgent(stack);
    const pending = stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents');
    /** Gives the event loop turns until `done` (a bounded number: no wall clock). */
    const turnsUntil = async (done: () => boolean | Promise<boolean>) => {
      for (let turn = 0; turn < 10_000 && !(await done()); turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    // The call is answered and audited; then the worker says nothing more.
    await turnsUntil(async () => (await stack.audit.read()).some((entry) => entry.kind === 'model_call'));
    await timers.started(500);
    timers.fire(500);
    const run = await pending;
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'timeout');
    // The thread itself answers the ping that follows: it is kept, not ended.
    const ponged = () => stack.workerMessages.some((message) => (message as { type?: string }).type === 'pong');
    await turnsUntil(ponged);
    assert.ok(ponged(), 'the worker answered the ping');
    assert.equal(timers.fire(2_000), 0, "the ping's own limit was cancelled");
    assert.ok(!stack.logger.lines.some((line) => line.includes('stopped answering')), stack.logger.lines.join('\n'));
  });

  it('cancels the runs under way when the agent host is disposed (the window closes)', async () => {
    stack = await makeStack();
    const { finished } = await runWithHangingCall();
    stack.agentHost.dispose();
    assert.equal((await finished).status, 'cancelled');
  });

  it('fails with bad_response at once when a contributed provider answers a chat with the wrong shape', async () => {
    // A watchdog that cannot fire during the test: the run must end on the answer itself
    // (with bad_response; the watchdog would say timeout).
    stack = await makeStack({ silenceLimitMs: 600_000 });
    stack.registry.register(
      { id: 'acme', displayName: 'Acme', source: 'acme.ext', fields: [], defaults: { baseUrl: 'http://127.0.0.1:9', modelRef: 'm' }, capabilities: { test: true, discovery: false, chat: true } },
      // No usage, and content that is not text: the contract says otherwise.
      { testConnection: async () => 'ok', chat: async () => ({ content: 42, modelRef: 'm' }) as never },
      'acme.ext',
    );
    const connection = await stack.connections.create({ name: 'Acme', providerId: 'acme.ext/acme' });
    const agent = await stack.agents.create({ name: 'acme agent' });
    const run = await stack.service.start({ agentId: agent.id, input: 'hi', connectionId: connection.id }, 'view:agents');
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'bad_response', JSON.stringify(run.error));
    const calls = (await stack.audit.read()).filter((e) => e.kind === 'model_call');
    assert.deepEqual(calls.map((e) => e.outcome), ['bad_response']);
  });

  it('keeps the key out of the run, the worker and storage when a contributed adapter puts it in its error', async () => {
    stack = await makeStack({ answers: ['always'] });
    const thrown = [
      (key: string) => new Error(`upstream refused key ${key}`),
      (key: string) => new SwitchboardError('auth_failed', `The key ${key} was rejected.`),
    ];
    stack.registry.register(
      {
        id: 'leaky',
        displayName: 'Leaky',
        source: 'leaky.ext',
        fields: [{ key: 'apiKey', label: 'API key', kind: 'secret', required: true }],
        defaults: { baseUrl: 'http://127.0.0.1:9', modelRef: 'm' },
        capabilities: { test: true, discovery: false, chat: true },
      },
      { testConnection: async () => 'ok', chat: async (target) => Promise.reject(thrown.shift()!(target.apiKey ?? '')) },
      'leaky.ext',
    );
    const connection = await stack.connections.create({ name: 'Leaky', providerId: 'leaky.ext/leaky' });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    const agent = await stack.agents.create({ name: 'leaky agent', connectionId: connection.id });
    const runs = [];
    for (const input of ['one', 'two']) runs.push(await stack.service.start({ agentId: agent.id, input }, 'other.extension'));
    assert.deepEqual(runs.map((r) => [r.status, r.error?.code]), [['failed', 'internal'], ['failed', 'auth_failed']]);
    assertNoCanary({ runs, stored: stack.runs.page({ limit: 100 }).runs, database: await databaseText(stack.db), state: stack.store.dump(), worker: stack.workerMessages, log: stack.logger.lines });
  });

  /** A keyed OpenAI connection with room for one call at a time, and an agent on it. */
  async function oneSlotStack(requestTimeoutMs: number, timers?: ManualTimers) {
    const s = await buildRunStack({
      workerPath: await worker(AGENT_HOST_ENTRY),
      maxConcurrentRequests: 1,
      requestTimeoutMs,
      consentPrompt: { ask: async () => 'once', allowGatewayToken: async () => false },
      ...(timers ? { timers } : {}),
    });
    const connection = await s.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1`, defaultModel: 'gpt-4o-mini' });
    await s.connections.setKey(connection.id, CANARY_KEY);
    const agent = await s.agents.create({ name: 'cloudy', connectionId: connection.id });
    return { stack: { ...s, prompts: [] as string[] }, agent };
  }

  const chatRequests = () => openai.requests.filter((r) => r.url.endsWith('/chat/completions'));

  /** Resolves once the fixture has received `count` chat requests. */
  async function chatsReceived(count: number): Promise<void> {
    while (chatRequests().length < count) await new Promise((resolve) => setImmediate(resolve));
  }

  it('queues calls beyond the per-connection limit, and the wait in the queue does not count against the request timeout', async () => {
    const timers = new ManualTimers();
    const held = await oneSlotStack(2_000, timers);
    stack = held.stack;
    // The first call holds the only slot until its own timeout ends it: the fixture never answers it.
    openai.setBehaviour('hang');
    const first = stack.service.start({ agentId: held.agent.id, input: 'one' }, 'first');
    await chatsReceived(1);
    openai.setBehaviour('normal');
    const second = stack.service.start({ agentId: held.agent.id, input: 'two' }, 'second');
    // The second call's key was read for it (its key_read is written just before it queues): it waits for the slot.
    const keyReads = async () => (await stack.audit.read()).filter((entry) => entry.kind === 'key_read').length;
    while ((await keyReads()) < 2) await new Promise((resolve) => setImmediate(resolve));
    // The request timeout runs out: the first call's, and any the second had started while it waited.
    timers.fire(2_000);
    assert.equal((await first).error?.code, 'timeout');
    const done = await second;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(chatRequests().length, 2);
  });

  it('cancels a call that waits in the queue without sending it', async () => {
    const held = await oneSlotStack(60_000);
    stack = held.stack;
    openai.setBehaviour('hang');
    const first = await stack.service.launch({ agentId: held.agent.id, input: 'one' }, 'first');
    await chatsReceived(1);
    const { runId, finished } = await stack.service.launch({ agentId: held.agent.id, input: 'two' }, 'second');
    // Cancelled once the worker has asked for its call, which then waits for the held slot.
    const invoked = () => stack.workerMessages.some((m) => (m as { type?: string; runId?: string }).type === 'invoke' && (m as { runId?: string }).runId === runId);
    while (!invoked()) await new Promise((resolve) => setImmediate(resolve));
    stack.service.cancel(runId);
    assert.equal((await finished).status, 'cancelled');
    stack.service.cancel(first.runId);
    assert.equal((await first.finished).status, 'cancelled');
    assert.equal(chatRequests().length, 1, 'only the first call was sent');
  });

  it('keeps a run in flight stored, and finishes it, however many newer runs finish past the retention', async () => {
    stack = await makeStack({ retention: 2 });
    const { connection, agent } = await ollamaAgent(stack);
    const slow = await stack.connections.create({ name: 'Held', providerId: 'ollama', baseUrl: held.url });
    held.setBehaviour('hang');
    const called = held.nextRequest('/api/chat');
    const { runId, finished } = await stack.service.launch({ agentId: agent.id, input: 'held', connectionId: slow.id }, 'view:agents');
    await called;
    // Four finished runs: the fourth is added when three are finished, past the retention of two.
    for (const input of ['one', 'two', 'three', 'four']) {
      const run = await stack.service.start({ agentId: agent.id, input, connectionId: connection.id }, 'view:agents');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    }
    assert.equal(stack.runs.get(runId)?.status, 'running', 'the run in flight is still stored');
    stack.service.cancel(runId);
    assert.equal((await finished).status, 'cancelled');
    assert.deepEqual(stack.runs.page({ limit: 10 }).runs.map((r) => [r.input, r.status]), [
      ['four', 'succeeded'],
      ['three', 'succeeded'],
      ['two', 'succeeded'],
      ['held', 'cancelled'],
    ]);
  });

  it('runs a thousand runs at once against a slow server: at most the limit in flight, all stored, audited, the chain intact', async function () {
    // No timeout of the test or of a request is meant to be reached: the server answers in
    // waves of exactly the limit, so it is as slow as the client's queue makes it.
    this.timeout(600_000);
    const limit = 4;
    const server = new WaveServer(limit);
    await server.start();
    try {
      // A retention above the number of runs: what is stored does not depend on how far the
      // runs got before the last was added (retention is the test above).
      stack = await makeStack({ maxConcurrentRequests: limit, requestTimeoutMs: 600_000, retention: 1000 });
      const connection = await stack.connections.create({ name: 'Slow', providerId: 'ollama', baseUrl: server.url, defaultModel: 'llama3.2:latest' });
      const agent = await stack.agents.create({ name: 'many', connectionId: connection.id });
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => stack.service.start({ agentId: agent.id, input: `n${i}` }, 'view:agents')));
      assert.equal(results.filter((r) => r.status === 'succeeded').length, 1000, JSON.stringify(results.find((r) => r.status !== 'succeeded')?.error));
      assert.equal(server.maxInFlight, limit, 'never more calls in flight on the connection than the limit');
      const stored = stack.runs.page({ limit: 2000 });
      assert.equal(stored.total, 1000);
      assert.ok(stored.runs.every((r) => r.status === 'succeeded' && r.output === `echo ${r.input}`));
      const calls = (await stack.audit.read()).filter((e) => e.kind === 'model_call');
      assert.equal(new Set(calls.map((e) => e.runId)).size, 1000);
      assert.deepEqual(await stack.audit.verify(), { ok: true, entries: 1001 }, 'the connection_created entry and one model_call per run');
    } finally {
      await server.stop();
    }
  });
});
