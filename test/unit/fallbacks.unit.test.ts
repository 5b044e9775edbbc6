import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/contracts/agents';
import { BASE_BACKOFF_MS, backoffCeilingMs, backoffMs, judge } from '../../src/core/calls/retryPolicy';
import { Cooldowns } from '../../src/core/calls/cooldowns';
import { SwitchboardError } from '../../src/core/base/errors';
import { ChatRecordStore } from '../../src/core/chat/chatRecordStore';
import { ChatService } from '../../src/core/chat/chatService';
import { retryFacts } from '../../src/core/http/httpClient';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort } from '../fixtures/expectFailure';
import { FaultServer, type Fault } from '../fixtures/faultServer';
import { ManualTimers, ScriptedInteractions } from '../helpers/fakes';
import { FromAgentsViewSchema } from '../../src/contracts/agentsView';
import { attemptLines } from '../../webview/agents/format';
import { ConnectionsSnapshotSchema, type ConnectionsSnapshot } from '../../src/contracts/connectionsView';
import { ConnectionActions } from '../../src/core/connections/connectionActions';
import { ModelActions } from '../../src/core/models/modelActions';
import { createConnectionsController } from '../../src/core/views/connectionsController';
import { discovered, makeStack } from '../helpers/stacks';
import { serveDuringSuite } from '../helpers/providerTestKit';
import type { ConsentAnswer } from '../../src/core/keys/consent';
import { personAt, requesterIds } from '../../src/core/keys/requesters';

/** The person's click on Run in the Agents view: their consent for the run's keys. */
const person = personAt(requesterIds.agentsView);

/** How many tries a run's detail would list. */
const attemptLinesOf = (run: RunRecord) => attemptLines(run.routing ?? { attempts: [] }, []).length;

/** The jitter of these tests: every back-off is half its ceiling, so a wait can be named exactly. */
const HALF = () => 0.5;
/** The request timeout of these tests, a value no back-off takes, fired by the test. */
const REQUEST_TIMEOUT_MS = 45_000;

describe('Retries and fallback chains on the one call path, against loopback fault servers', function () {
  this.timeout(30_000);
  const primary = new FaultServer();
  const second = new FaultServer();
  const third = new FaultServer();
  serveDuringSuite(primary);
  serveDuringSuite(second);
  serveDuringSuite(third);
  let stack: Awaited<ReturnType<typeof makeStack>>;
  afterEach(async () => {
    await stack?.cleanup();
  });

  /**
   * Three keyed OpenAI connections (key CANARY_KEY) at the three fault servers, each with its
   * model registered, and an agent on the first whose fallbacks are the other two. Back-offs and
   * Retry-After waits run on `callTimers`, request timeouts on `httpTimers`: the test fires both.
   */
  async function chain(options: { maxAttempts?: number; maxWaitMs?: number; answers?: ConsentAnswer[]; fallbacks?: 0 | 1 | 2; random?: () => number; disabledModels?: string[] } = {}) {
    const callTimers = new ManualTimers();
    const httpTimers = new ManualTimers();
    stack = await makeStack({
      ...{ callTimers, timers: httpTimers, random: options.random ?? HALF, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      ...(options.answers ? { answers: options.answers } : {}),
      ...(options.disabledModels ? { disabledModels: options.disabledModels } : {}),
    });
    stack.settings.retrySettings = { maxAttempts: options.maxAttempts ?? 3, maxWaitMs: options.maxWaitMs ?? 30_000 };
    const connections = [];
    for (const [name, server, model] of [['Primary', primary, 'gpt-4o-mini'], ['Second', second, 'gpt-4o'], ['Third', third, 'o3-mini']] as const) {
      const connection = await stack.connections.create({ name, providerId: 'openai', baseUrl: `${server.url}/v1` });
      await stack.connections.setKey(connection.id, CANARY_KEY);
      await stack.models.register(connection.id, [discovered(model)]);
      connections.push({ connectionId: connection.id, modelRef: model });
    }
    const [first, ...rest] = connections;
    const fallbacks = rest.slice(0, options.fallbacks ?? 2);
    const agent = await stack.agents.create({ name: 'resilient', connectionId: first!.connectionId, modelRef: first!.modelRef, fallbacks });
    return { callTimers, httpTimers, agent, targets: connections };
  }

  /** The outcome, status and wait of each try of the run. */
  const tries = (run: RunRecord) => run.routing?.attempts?.map((a) => [a.modelRef, a.outcome, a.status ?? null, a.waitMs]);
  const modelCalls = async () => (await stack.audit.read()).filter((entry) => entry.kind === 'model_call').reverse();

  /** Fires the next back-off timer once it is running, and says how long it was. */
  async function nextWait(timers: ManualTimers, ms: number): Promise<void> {
    await timers.started(ms);
    assert.equal(timers.fire(ms), 1, `one wait of ${ms} ms`);
  }

  it('tries a target again after a 503 with a full-jitter back-off on the injected timers, and records both tries', async () => {
    const { callTimers, agent } = await chain();
    primary.plan({ kind: 'status', status: 503 });
    const run = stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    await nextWait(callTimers, BASE_BACKOFF_MS / 2);
    const done = await run;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'endpoint_unreachable', 503, 0],
      ['gpt-4o-mini', 'ok', null, BASE_BACKOFF_MS / 2],
    ]);
    assert.equal(done.routing?.answeredBy, undefined, 'the primary answered');
    assert.equal(second.chats().length + third.chats().length, 0);
    assert.deepEqual((await modelCalls()).map((e) => [e.modelRef, e.outcome]), [['gpt-4o-mini', 'endpoint_unreachable'], ['gpt-4o-mini', 'ok']]);
  });

  it('waits what a 429 Retry-After in seconds says, and what one as an HTTP date says against the injected clock', async () => {
    const { callTimers, agent } = await chain();
    const inThreeSeconds = new Date(stack.clock.now().getTime() + 3000).toUTCString();
    primary.plan({ kind: 'status', status: 429, headers: { 'retry-after': '2' } }, { kind: 'status', status: 429, headers: { 'retry-after': inThreeSeconds } });
    const run = stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    await nextWait(callTimers, 2000);
    await nextWait(callTimers, 3000);
    const done = await run;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'rate_limited', 429, 0],
      ['gpt-4o-mini', 'rate_limited', 429, 2000],
      ['gpt-4o-mini', 'ok', null, 3000],
    ]);
  });

  it('moves to the fallback at once when a Retry-After does not fit the time left, and says which target answered', async () => {
    const { callTimers, agent, targets } = await chain({ maxWaitMs: 10_000 });
    primary.plan({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'rate_limited', 429, 0],
      ['gpt-4o', 'ok', null, 0],
    ]);
    assert.deepEqual(done.routing?.answeredBy, targets[1]);
    assert.deepEqual(done.routing?.fallbacks, targets.slice(1));
    assert.equal(callTimers.fire(), 0, 'nothing waited');
    assert.match(done.output ?? '', /hello/);
  });

  it('retries a 429 without Retry-After within the back-off bounds, then falls over when the tries are used up', async () => {
    const { callTimers, agent } = await chain({ maxAttempts: 3, random: Math.random });
    primary.plan(...Array.from({ length: 3 }, (): Fault => ({ kind: 'status', status: 429 })));
    const run = stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    // Whatever the jitter drew, fire each back-off as it starts.
    for (let fired = 0; fired < 2; ) {
      fired += callTimers.fire();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const done = await run;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const waits = done.routing!.attempts!.map((a) => a.waitMs);
    assert.equal(waits.length, 4);
    assert.ok(waits[1]! >= 0 && waits[1]! < backoffCeilingMs(1), `first back-off ${waits[1]} within [0, ${backoffCeilingMs(1)})`);
    assert.ok(waits[2]! >= 0 && waits[2]! < backoffCeilingMs(2), `second back-off ${waits[2]} within [0, ${backoffCeilingMs(2)})`);
    assert.equal(waits[3], 0, 'the fallback is tried at once');
    assert.deepEqual(done.routing!.attempts!.map((a) => a.outcome), ['rate_limited', 'rate_limited', 'rate_limited', 'ok']);
    assert.equal(primary.chats().length, 3);
  });

  it('falls over when the first byte does not come in time, and when the connection is reset in the middle of the headers', async () => {
    const { httpTimers, agent } = await chain({ maxAttempts: 1 });
    primary.plan({ kind: 'hang' });
    second.plan({ kind: 'reset-headers' });
    const run = stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    while (primary.chats().length < 1) await new Promise((resolve) => setImmediate(resolve));
    await httpTimers.started(REQUEST_TIMEOUT_MS);
    httpTimers.fire(REQUEST_TIMEOUT_MS);
    const done = await run;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'timeout', null, 0],
      ['gpt-4o', 'endpoint_unreachable', null, 0],
      ['o3-mini', 'ok', null, 0],
    ]);
    assert.deepEqual((await modelCalls()).map((e) => e.outcome), ['timeout', 'endpoint_unreachable', 'ok']);
  });

  it('does not retry or fall over on a 401: the key was rejected, and no other target can fix that', async () => {
    const { callTimers, agent } = await chain();
    primary.plan({ kind: 'status', status: 401 });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'auth_failed');
    assert.deepEqual(tries(done), [['gpt-4o-mini', 'auth_failed', 401, 0]]);
    assert.equal(primary.chats().length, 1);
    assert.equal(second.chats().length + third.chats().length, 0);
    assert.equal(callTimers.fire(), 0);
  });

  it('never replays a call that failed after its first token, even with a status another try could fix', async () => {
    const { agent } = await chain();
    primary.plan({ kind: 'fail-after-token' });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello there' }, person);
    assert.equal(done.status, 'failed');
    assert.deepEqual(tries(done), [['gpt-4o-mini', 'bad_response', 500, 0]]);
    assert.equal(primary.chats().length, 1);
    assert.equal(second.chats().length + third.chats().length, 0, 'nothing was sent elsewhere');
  });

  it("skips a fallback whose key is denied (the denial audited, nothing sent to it) and uses the next; another extension's run asks for each", async () => {
    const { agent, targets } = await chain({ maxAttempts: 1, answers: ['once', 'deny', 'once'] });
    primary.plan({ kind: 'status', status: 503 });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, 'other.extension');
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(stack.prompts, ['other.extension@Primary', 'other.extension@Second', 'other.extension@Third']);
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'endpoint_unreachable', 503, 0],
      ['gpt-4o', 'consent_denied', null, 0],
      ['o3-mini', 'ok', null, 0],
    ]);
    assert.deepEqual(done.routing?.answeredBy, targets[2]);
    assert.equal(second.requests.length, 0, 'the denied target received nothing, its key least of all');
    assert.equal(third.chats()[0]?.authorization, `Bearer ${CANARY_KEY}`);
    const entries = await stack.audit.read();
    assert.deepEqual(
      entries.filter((e) => e.kind === 'key_read').reverse().map((e) => [e.connectionName, e.outcome]),
      [['Primary', 'granted_once'], ['Second', 'denied'], ['Third', 'granted_once']],
    );
    assertNoCanary(done);
    assertNoCanary(entries);
  });

  it('fails with the denial when the primary target is denied: consent is never routed around', async () => {
    const { agent } = await chain({ answers: ['deny'] });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, 'other.extension');
    assert.equal(done.error?.code, 'consent_denied');
    assert.equal(primary.requests.length + second.requests.length + third.requests.length, 0);
  });

  it('puts a target that failed too often in a cool-down, in which calls skip it (audited) and go straight to the fallback', async () => {
    const { agent, targets } = await chain({ maxAttempts: 1, fallbacks: 1 });
    stack.settings.cooldownSettings = { failures: 2, windowMs: 60_000, periodMs: 60_000 };
    primary.plan({ kind: 'status', status: 500 }, { kind: 'status', status: 502 });
    for (const input of ['one', 'two']) assert.equal((await stack.service.start({ agentId: agent.id, input }, person)).status, 'succeeded');
    const third = await stack.service.start({ agentId: agent.id, input: 'three' }, person);
    assert.equal(third.status, 'succeeded', JSON.stringify(third.error));
    assert.deepEqual(tries(third), [
      ['gpt-4o-mini', 'cooling_down', null, 0],
      ['gpt-4o', 'ok', null, 0],
    ]);
    assert.equal(primary.chats().length, 2, 'the cooling target was not called');
    assert.equal((await modelCalls()).filter((e) => e.outcome === 'cooling_down').length, 1);
    // The Connections view shows the cool-down on the connection's row, until when.
    const posted: unknown[] = [];
    const interactions = new ScriptedInteractions();
    const view = createConnectionsController({
      ...{ connections: stack.connections, models: stack.models, registry: stack.registry, settings: stack.settings, consent: stack.consent, logger: stack.logger },
      actions: new ConnectionActions(stack.connections, stack.settings, interactions),
      modelActions: new ModelActions(stack.connections, stack.models, interactions),
      cooldowns: stack.modelCaller.cooldowns,
      post: (message) => posted.push(message),
    });
    await view.handle({ type: 'ready' });
    const snapshot = posted.at(-1) as ConnectionsSnapshot;
    assert.deepEqual(snapshot.coolingDown, [{ connectionId: targets[0]!.connectionId, modelRef: 'gpt-4o-mini', until: new Date(stack.clock.time.getTime() + 60_000).toISOString() }]);
    assert.ok(ConnectionsSnapshotSchema.safeParse(snapshot).success);
    view.dispose();
    // The cool-down ends with its period.
    stack.clock.time = new Date(stack.clock.time.getTime() + 61_000);
    const fourth = await stack.service.start({ agentId: agent.id, input: 'four' }, person);
    assert.deepEqual(tries(fourth), [['gpt-4o-mini', 'ok', null, 0]]);
  });

  it("retries a refused Ollama in Ollama's own words, then falls over to the fallback", async () => {
    const { agent, callTimers, targets } = await chain({ maxAttempts: 2 });
    const down = await stack.connections.create({ name: 'Down', providerId: 'ollama', baseUrl: `http://127.0.0.1:${await closedPort()}` });
    await stack.agents.update(agent.id, { name: 'resilient', connectionId: down.id, modelRef: 'llama3.2', fallbacks: [targets[1]] });
    const run = stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    await nextWait(callTimers, BASE_BACKOFF_MS / 2);
    const done = await run;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(tries(done), [
      ['llama3.2', 'endpoint_unreachable', null, 0],
      ['llama3.2', 'endpoint_unreachable', null, BASE_BACKOFF_MS / 2],
      ['gpt-4o', 'ok', null, 0],
    ]);
  });

  it('uses switchboard.fallbacks for an agent that names none', async () => {
    const { agent, targets } = await chain({ maxAttempts: 1, fallbacks: 0 });
    stack.settings.fallbacks = [targets[2]!];
    primary.plan({ kind: 'status', status: 504 });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.deepEqual(tries(done), [
      ['gpt-4o-mini', 'endpoint_unreachable', 504, 0],
      ['o3-mini', 'ok', null, 0],
    ]);
  });

  it('never tries a fallback whose model was disabled in the registry since', async () => {
    const { agent, targets } = await chain({ maxAttempts: 1, fallbacks: 0, disabledModels: ['o3-mini'] });
    stack.settings.fallbacks = [targets[2]!];
    primary.plan({ kind: 'status', status: 504 });
    const done = await stack.service.start({ agentId: agent.id, input: 'hello' }, person);
    assert.equal(done.error?.code, 'endpoint_unreachable');
    assert.deepEqual(tries(done), [['gpt-4o-mini', 'endpoint_unreachable', 504, 0]]);
    assert.equal(done.routing?.fallbacks, undefined);
    assert.equal(third.requests.length, 0);
  });

  it("moves a VS Code chat request to switchboard.fallbacks, each target's key asked for, and its record keeps the tries", async () => {
    const { targets } = await chain({ maxAttempts: 1, answers: ['once', 'once'] });
    stack.settings.fallbacks = [targets[1]!];
    const records = new ChatRecordStore({ db: stack.db, logger: stack.logger, retention: () => 10 });
    const chat = new ChatService({ ...stack, records, clock: stack.clock, fallbacks: () => stack.settings.defaultFallbacks() });
    primary.plan({ kind: 'status', status: 529 });
    const result = await chat.respond({ modelId: `${targets[0]!.connectionId}/gpt-4o-mini`, requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: 'hi chat' }] }, new AbortController().signal, () => undefined);
    assert.match(result.content, /hi chat/);
    assert.deepEqual(stack.prompts, [`${requesterIds.vscodeChat}@Primary`, `${requesterIds.vscodeChat}@Second`]);
    const [record] = records.page({ limit: 1 }).records;
    assert.deepEqual(record?.attempts?.map((a) => [a.modelRef, a.outcome, a.status ?? null]), [['gpt-4o-mini', 'endpoint_unreachable', 529], ['gpt-4o', 'ok', null]]);
    assert.deepEqual(record?.answeredBy, targets[1]);
  });

  it('moves a VS Code chat request with an image only to fallbacks that read images', async () => {
    const { targets } = await chain({ maxAttempts: 1, answers: ['once', 'once'] });
    // gpt-4o-mini (the request's model) and o3-mini read images here; gpt-4o is marked as not reading them.
    for (const [target, vision] of [[targets[0]!, true], [targets[1]!, false], [targets[2]!, true]] as const) {
      const model = stack.models.list().find((m) => m.connectionId === target.connectionId)!;
      await stack.models.setCapabilities(model.id, { vision, tools: true });
    }
    stack.settings.fallbacks = [targets[1]!, targets[2]!];
    const records = new ChatRecordStore({ db: stack.db, logger: stack.logger, retention: () => 10 });
    const chat = new ChatService({ ...stack, records, clock: stack.clock, fallbacks: () => stack.settings.defaultFallbacks() });
    primary.plan({ kind: 'status', status: 503 });
    const image = { mimeType: 'image/png' as const, data: 'iVBORw0KGgo=' };
    const result = await chat.respond(
      { modelId: `${targets[0]!.connectionId}/gpt-4o-mini`, requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: 'what is this?', images: [image] }] },
      new AbortController().signal,
      () => undefined,
    );
    assert.match(result.content, /what is this/);
    assert.equal(second.chats().length, 0, 'the fallback that cannot read images was skipped');
    assert.deepEqual(records.page({ limit: 1 }).records[0]?.answeredBy, targets[2]);
  });

  it("makes a call wait its turn for the connection's rate limit, shown as a step of the run while it waits, and a cancel ends the wait with nothing sent", async () => {
    const { callTimers, agent, targets } = await chain({ fallbacks: 0 });
    // The connection's own limit (switchboard.rateLimit.perConnection); the others have none.
    stack.settings.ratesPerConnection = { [targets[0]!.connectionId]: { requestsPerMinute: 1, tokensPerMinute: 0 } };
    assert.equal((await stack.service.start({ agentId: agent.id, input: 'one' }, person)).status, 'succeeded');
    const told: { runId: string; ms: number }[] = [];
    stack.service.onDidWaitForRateLimit((wait) => told.push(wait));
    const second = await stack.service.launch({ agentId: agent.id, input: 'two' }, person);
    await callTimers.started(60_000);
    assert.deepEqual(told, [{ runId: second.runId, ms: 60_000 }], 'progress hears of the wait');
    while (!stack.runs.get(second.runId)?.trace.some((step) => step.name === 'wait for the rate limit')) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(primary.chats().length, 1, 'not sent while it waits');
    stack.clock.time = new Date(stack.clock.time.getTime() + 60_000);
    callTimers.fire(60_000);
    const done = await second.finished;
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(primary.chats().length, 2);
    const waited = done.trace.find((step) => step.name === 'wait for the rate limit');
    assert.equal(waited?.durationMs, 60_000);

    const third = await stack.service.launch({ agentId: agent.id, input: 'three' }, person);
    await callTimers.started(60_000);
    stack.service.cancel(third.runId);
    const cancelled = await third.finished;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(primary.chats().length, 2, 'a cancelled wait sends nothing');
  });

  it('reads runs stored before attempts were kept as they were, and keeps the tries of new ones in the run store', async () => {
    const { agent, targets } = await chain({ fallbacks: 0 });
    const old: RunRecord = {
      id: '11111111-1111-4111-8111-111111111111',
      agentId: agent.id,
      agentName: 'resilient',
      requesterId: 'switchboard.agentsView',
      status: 'succeeded',
      input: 'from an older build',
      output: 'fine',
      routing: { connectionId: targets[0]!.connectionId, providerId: 'openai', modelRef: 'gpt-4o-mini', sources: { connectionId: 'agent', modelRef: 'agent' } },
      trace: [],
      createdAt: '2026-11-01T10:00:00.000Z',
      finishedAt: '2026-11-01T10:00:01.000Z',
    };
    await stack.runs.add(old);
    assert.deepEqual(stack.runs.get(old.id), old);
    assert.equal(attemptLinesOf(stack.runs.get(old.id)!), 0, 'an old run shows no attempts');
    primary.plan({ kind: 'status', status: 503 });
    stack.settings.retrySettings = { maxAttempts: 2, maxWaitMs: 0 };
    const done = await stack.service.start({ agentId: agent.id, input: 'new' }, person);
    assert.deepEqual(stack.runs.get(done.id)?.routing?.attempts?.map((a) => a.outcome), ['endpoint_unreachable'], 'a wait that does not fit ends a call with nowhere else to go at once');
    assert.equal(done.status, 'failed');
  });

  it('refuses a fallback list it could not use when the agent is saved, with the reason', async () => {
    const { agent, targets } = await chain();
    const [own, other] = targets;
    const save = (fallbacks: unknown) => stack.agents.update(agent.id, { name: 'resilient', connectionId: own!.connectionId, modelRef: own!.modelRef, fallbacks });
    const refused = async (fallbacks: unknown, code: string, words: RegExp) => {
      await assert.rejects(save(fallbacks), (error: SwitchboardError) => (assert.equal(error.code, code), assert.match(error.message, words), true));
    };
    await refused([own], 'invalid_input', /Fallback 1 is the agent's own connection and model/);
    await refused([other, other], 'invalid_input', /Fallback 2 names the same connection and model/);
    await refused([{ connectionId: other!.connectionId, modelRef: 'not-registered' }], 'invalid_input', /Fallback 1 names the model "not-registered", which is not an enabled model/);
    await refused([{ connectionId: '00000000-0000-4000-8000-000000000000', modelRef: 'x' }], 'missing_connection', /Fallback 1 names a connection that does not exist/);
    await refused(Array.from({ length: 6 }, () => other), 'invalid_input', /at most 5 fallback targets/);
    const disabled = stack.models.list({ connectionId: other!.connectionId })[0]!;
    await stack.models.setEnabled(disabled.id, false);
    await refused([other], 'invalid_input', /not an enabled model/);
    assert.deepEqual((await save([targets[2]])).fallbacks, [targets[2]]);
  });
});

describe('How a failed try is judged, and how long a call waits', () => {
  const failure = (code: 'rate_limited' | 'endpoint_unreachable' | 'auth_failed' | 'cancelled' | 'bad_response', facts?: SwitchboardError['facts']) =>
    new SwitchboardError(code, 'x', facts ? { facts } : undefined);

  it('retries 429, 500, 502, 503, 504 and 529, a timeout to the first byte and a refused or reset connection; nothing else', () => {
    for (const status of [429, 500, 502, 503, 504, 529]) assert.equal(judge(failure('bad_response', { status }), 0).kind, 'retry', String(status));
    for (const status of [400, 401, 403, 404, 422]) assert.equal(judge(failure('bad_response', { status }), 0).kind, 'final', String(status));
    assert.equal(judge(failure('endpoint_unreachable', { transient: true }), 0).kind, 'retry');
    assert.equal(judge(failure('endpoint_unreachable'), 0).kind, 'final', 'a DNS or TLS failure is not retried');
    assert.equal(judge(failure('cancelled', { transient: true }), 0).kind, 'final');
    assert.equal(judge(new Error('boom'), 0).kind, 'final');
    // The status goes with the verdict when an answer came, and only then.
    assert.deepEqual(judge(failure('bad_response', { status: 503 }), 0), { code: 'bad_response', kind: 'retry', status: 503 });
    assert.deepEqual(judge(failure('endpoint_unreachable', { transient: true }), 0), { code: 'endpoint_unreachable', kind: 'retry' });
  });

  it('reads Retry-After in seconds, as an HTTP date, retry-after-ms and the providers\' reset headers', () => {
    assert.deepEqual(retryFacts({ 'retry-after': '7' }), { retryAfterMs: 7000 });
    assert.deepEqual(retryFacts({ 'retry-after-ms': '1500' }), { retryAfterMs: 1500 });
    assert.deepEqual(retryFacts({ 'retry-after': 'Sun, 22 Nov 2026 10:00:05 GMT' }), { retryAt: Date.parse('2026-11-22T10:00:05Z') });
    assert.deepEqual(retryFacts({ 'anthropic-ratelimit-requests-reset': '2026-11-22T10:00:09Z' }), { retryAt: Date.parse('2026-11-22T10:00:09Z') });
    assert.deepEqual(retryFacts({ 'x-ratelimit-reset-requests': '1m2.5s' }), { retryAfterMs: 62_500 });
    assert.deepEqual(retryFacts({ 'retry-after': 'soon' }), {});
    const at = judge(failure('rate_limited', { status: 429, retryAt: Date.parse('2026-11-22T10:00:05Z') }), Date.parse('2026-11-22T10:00:00Z'));
    assert.equal(at.retryAfterMs, 5000);
    assert.equal(judge(failure('rate_limited', { status: 429, retryAt: 0 }), 1000).retryAfterMs, 0, 'a date in the past: at once');
  });

  it('draws each back-off from zero to a ceiling that doubles, up to its cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(backoffCeilingMs), [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(backoffMs(3, () => 0), 0);
    assert.equal(backoffMs(3, () => 0.999999), 1999);
  });
});

describe('Cool-downs: a target that failed too often lately is skipped for a while', () => {
  function cooldowns(settings = { failures: 3, windowMs: 60_000, periodMs: 30_000 }) {
    let now = 1_000_000;
    const target = new Cooldowns(() => settings, () => now);
    let changes = 0;
    target.onDidChange(() => changes++);
    return { target, pass: (ms: number) => (now += ms), now: () => now, changes: () => changes };
  }

  it('cools a target down after its failures within the window, until the period ends and not a millisecond longer', () => {
    const { target, pass, now, changes } = cooldowns();
    target.noteFailure('a');
    target.noteFailure('a');
    assert.equal(target.coolingUntil('a'), undefined, 'two of three');
    target.noteFailure('a');
    const until = now() + 30_000;
    assert.equal(target.coolingUntil('a'), until);
    assert.equal(changes(), 1);
    pass(29_999);
    assert.equal(target.coolingUntil('a'), until, 'still cooling a millisecond before its end');
    pass(1);
    assert.equal(target.coolingUntil('a'), undefined, 'over at its end');
    assert.deepEqual(target.cooling(), []);
  });

  it('counts only the failures within the window, and starts over after a cool-down', () => {
    const { target, pass } = cooldowns();
    target.noteFailure('a');
    pass(60_000);
    // The first failure is exactly a window old now: it no longer counts.
    target.noteFailure('a');
    target.noteFailure('a');
    assert.equal(target.coolingUntil('a'), undefined, 'the failure a window ago does not count');
    target.noteFailure('a');
    assert.notEqual(target.coolingUntil('a'), undefined);
    pass(30_000);
    target.noteFailure('a');
    target.noteFailure('a');
    assert.equal(target.coolingUntil('a'), undefined, 'the failures that cooled it down do not count again');
  });

  it('never cools down when the setting is off (no failures count)', () => {
    const { target, changes } = cooldowns({ failures: 0, windowMs: 60_000, periodMs: 30_000 });
    for (let i = 0; i < 10; i++) target.noteFailure('a');
    assert.equal(target.coolingUntil('a'), undefined);
    assert.equal(changes(), 0);
  });

  it('an answer forgets the failures before it, and ends a cool-down early, telling the views only then', () => {
    const { target, changes } = cooldowns();
    target.noteFailure('a');
    target.noteFailure('a');
    target.noteSuccess('a');
    assert.equal(changes(), 0, 'nothing the views show changed');
    target.noteFailure('a');
    assert.equal(target.coolingUntil('a'), undefined, 'the failures before the answer were forgotten');
    target.noteFailure('a');
    target.noteFailure('a');
    assert.notEqual(target.coolingUntil('a'), undefined);
    assert.equal(changes(), 1);
    target.noteSuccess('a');
    assert.equal(target.coolingUntil('a'), undefined);
    assert.equal(changes(), 2, 'the cool-down ended early');
  });
});

describe("The Agents view's messages about fallbacks", () => {
  const ID = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';
  const create = (fallbacks: unknown) => FromAgentsViewSchema.safeParse({ type: 'request', id: 'r1', method: 'createAgent', params: { input: { name: 'a', fallbacks } } });

  it('accepts a list of connection and model targets, and refuses anything else before it reaches the service', () => {
    assert.ok(create([{ connectionId: ID, modelRef: 'gpt-4o' }]).success);
    assert.ok(create([]).success);
    for (const bad of [
      [{ connectionId: 'not-a-uuid', modelRef: 'gpt-4o' }],
      [{ connectionId: ID, modelRef: '' }],
      [{ connectionId: ID, modelRef: 'gpt-4o', apiKey: 'sk-smuggled' }],
      [{ connectionId: ID }],
      Array.from({ length: 6 }, () => ({ connectionId: ID, modelRef: 'gpt-4o' })),
      'gpt-4o',
    ]) {
      assert.equal(create(bad).success, false, JSON.stringify(bad));
    }
  });
});

