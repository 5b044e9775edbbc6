import * as assert from 'node:assert/strict';
import { ToAgentsViewSchema, type AgentsSnapshot, type ToAgentsView } from '../../src/contracts/agentsView';
import { createAgentsController, RUN_CHANGES_MS } from '../../src/core/views/agentsController';
import { applyRunsChanged } from '../../webview/agents/runsChanged';
import { Emitter } from '../../src/core/base/events';
import { GatewaySync } from '../../src/core/gateway/gatewaySync';
import { ProviderRegistry } from '../../src/core/providers/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { GatewayFixture } from '../fixtures/gatewayFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { ManualTimers, ScriptedInteractions } from '../helpers/fakes';
import { makeStack } from '../helpers/stacks';

describe('Agents controller', function () {
  this.timeout(20_000);
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  before(() => openai.start());
  after(() => openai.stop());

  async function setup(options: { timers?: ManualTimers; retention?: () => number } = {}) {
    // Any consent question is answered no: the person's click on Run needs none.
    const stack = await makeStack({ answers: [], ...(options.retention ? { retention: options.retention } : {}) });
    const registry = new ProviderRegistry();
    registerCoreProviders(registry);
    const posted: ToAgentsView[] = [];
    const onPost: (() => void)[] = [];
    const gateway = new GatewaySync({ ...stack, registry });
    gateway.start();
    const controller = createAgentsController({
      ...stack,
      runService: stack.service,
      registry,
      gateway,
      interactions: new ScriptedInteractions([true]),
      registeredModels: () => new Map(stack.connections.list().map((c) => [c.id, [{ providerModelId: 'gpt-4o-mini', displayName: 'GPT-4o mini', enabled: true }]])),
      modelsChanged: new Emitter<void>().event,
      chooseDefaultConnection: async () => '',
      describeRequester: (id) => (id === 'switchboard.agentsView' ? 'the Agents view' : id),
      ...(options.timers ? { timers: options.timers } : {}),
      post: (message) => {
        posted.push(ToAgentsViewSchema.parse(message));
        for (const wake of onPost.splice(0)) wake();
      },
    });
    const snapshots = () => posted.filter((m): m is AgentsSnapshot => m.type === 'snapshot');
    const replies = () => posted.filter((m) => m.type === 'reply');
    /** What the view shows: the last snapshot with the runs' changes since, applied as the webview applies them. */
    const shown = () => posted.reduce<AgentsSnapshot | undefined>((view, m) => (m.type === 'snapshot' ? m : m.type === 'runsChanged' && view ? applyRunsChanged(view, m) : view), undefined);
    /** Resolves once `condition` holds, checking after each message the controller posts. */
    const posts = async (condition: () => boolean) => {
      while (!condition()) await new Promise<void>((wake) => onPost.push(wake));
    };
    return { stack, controller, gateway, posted, snapshots, replies, shown, posts };
  }

  it('answers malformed messages with invalid_input and changes nothing', async () => {
    const { stack, controller, replies } = await setup();
    try {
      const before = stack.store.dump();
      await controller.handle({ type: 'request', id: 'a', method: 'createAgent', params: { input: { name: '' } } });
      await controller.handle({ type: 'request', id: 'b', method: 'startRun', params: { request: { agentId: 'x', input: 'hi' } } });
      await controller.handle({ type: 'request', id: 'c', method: 'startRun', params: { request: { agentId: '11111111-1111-4111-8111-111111111111', input: 'hi', apiKey: CANARY_KEY } } });
      await controller.handle({ type: 'request', id: 'd', method: 'updateAgent', params: { id: '11111111-1111-4111-8111-111111111111', input: { name: 'x', connectionId: 'nope' } } });
      await controller.handle({ type: 'request', id: 'e', method: 'runShell', params: {} });
      assert.deepEqual(replies().map((r) => [r.id, r.ok === false && r.error.code]), [['a', 'invalid_input'], ['b', 'invalid_input'], ['c', 'invalid_input'], ['d', 'invalid_input'], ['e', 'invalid_input']]);
      assert.equal(stack.store.dump(), before);
    } finally {
      await stack.cleanup();
    }
  });

  it("starts a run on the person's click, without a consent question, replies with its id at once, and shows it succeeded with its routing", async () => {
    const { stack, controller, replies, shown, posts } = await setup();
    try {
      await controller.handle({ type: 'ready' });
      const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1`, defaultModel: 'gpt-4o-mini' });
      await stack.connections.setKey(connection.id, CANARY_KEY);
      await controller.handle({ type: 'request', id: 'new', method: 'createAgent', params: { input: { name: 'writer', connectionId: connection.id, modelRef: 'gpt-4o-mini' } } });
      const agentId = (replies()[0] as { value: { id: string } }).value.id;
      await controller.handle({ type: 'request', id: 'run', method: 'startRun', params: { request: { agentId, input: 'write a haiku' } } });
      const reply = replies().find((r) => r.id === 'run');
      assert.ok(reply?.ok);
      const { runId } = reply.value as { runId: string };
      await posts(() => ['succeeded', 'failed', 'cancelled'].includes(shown()?.runs.find((r) => r.id === runId)?.status ?? ''));
      const run = shown()!.runs.find((r) => r.id === runId)!;
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.deepEqual(run.routing?.sources, { connectionId: 'agent', modelRef: 'agent' });
      assert.equal(shown()!.connections[0]?.models[0]?.providerModelId, 'gpt-4o-mini');
      // The view reads who asked for the run as the host names it, never the id.
      assert.deepEqual(shown()!.requesterNames, { [run.requesterId]: 'the Agents view' });
      assert.equal(shown()!.runsTotal, 1);
      // The click on Run is the person's consent for this run: no modal, audited as theirs.
      assert.deepEqual(stack.prompts, []);
      const reads = (await stack.audit.read()).filter((e) => e.kind === 'key_read');
      assert.deepEqual(reads.map((e) => [e.requesterId, e.purpose, e.runId, e.origin, e.outcome]), [['switchboard.agentsView', 'chat', runId, new URL(openai.url).origin, 'granted_by_person']]);
      assertNoCanary(stack.logger.lines);
    } finally {
      await stack.cleanup();
    }
  });

  it("sends a run's progress as that run's changes, at most one message a frame, never a snapshot", async () => {
    const timers = new ManualTimers();
    const { stack, controller, posted, shown } = await setup({ timers });
    try {
      const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1`, defaultModel: 'gpt-4o-mini' });
      const agent = await stack.agents.create({ name: 'writer', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
      const older = { id: '00000000-0000-4000-8000-0000000000a1', agentId: agent.id, agentName: agent.name, requesterId: 'switchboard.agentsView', status: 'succeeded' as const, input: 'before', trace: [], createdAt: '2026-12-01T00:00:00.000Z' };
      await stack.runs.add(older);
      assert.equal(timers.fire(RUN_CHANGES_MS), 0, 'nothing kept for a view with no page: its ready brings a snapshot');
      await controller.handle({ type: 'ready' });
      const before = posted.length;
      const run = { ...older, id: '00000000-0000-4000-8000-0000000000a2', status: 'queued' as const, input: 'now' };
      await stack.runs.add(run);
      await stack.runs.update(run.id, { status: 'running' });
      await stack.runs.update(run.id, { output: 'half' });
      assert.equal(posted.length, before, 'nothing posted within the frame');
      assert.equal(timers.fire(RUN_CHANGES_MS), 1);
      const [change, ...more] = posted.slice(before);
      assert.equal(more.length, 0, 'one message for the three changes');
      assert.equal(change?.type, 'runsChanged');
      assert.deepEqual(change?.type === 'runsChanged' && [change.runs.map((r) => [r.id, r.status, r.output]), change.added], [[[run.id, 'running', 'half']], [run.id]]);
      assert.deepEqual(shown()?.runs.map((r) => r.id), [run.id, older.id], 'the new run on top');
      assert.equal(shown()?.runsTotal, 2);
      // A change of the run already shown replaces it in place, and counts nothing.
      await stack.runs.update(older.id, { output: 'edited' });
      timers.fire(RUN_CHANGES_MS);
      assert.deepEqual(shown()?.runs.map((r) => [r.id, r.output]), [[run.id, 'half'], [older.id, 'edited']]);
      assert.equal(shown()?.runsTotal, 2);
      assert.ok(posted.slice(before).every((m) => m.type === 'runsChanged'), 'no snapshot for a run\'s progress');
      // The agent's own change is a snapshot, which carries the runs' changes made so far.
      await stack.runs.update(run.id, { status: 'succeeded', output: 'done' });
      await stack.agents.update(agent.id, { name: 'renamed', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
      assert.equal(posted.at(-1)?.type, 'snapshot');
      assert.equal(timers.fire(RUN_CHANGES_MS), 0, 'the pending change went with the snapshot');
      assert.deepEqual(shown()?.runs.map((r) => [r.id, r.status]), [[run.id, 'succeeded'], [older.id, 'succeeded']]);
    } finally {
      await stack.cleanup();
    }
  });

  it('tells of the old runs a new run removed past the retention as removed, and sends a snapshot for a long trim', async () => {
    const timers = new ManualTimers();
    let retention = 2;
    const { stack, controller, posted, shown } = await setup({ timers, retention: () => retention });
    try {
      const base = { agentId: '00000000-0000-4000-8000-0000000000b0', agentName: 'writer', requesterId: 'switchboard.agentsView', status: 'succeeded' as const, input: 'x', trace: [], createdAt: '2026-12-01T00:00:00.000Z' };
      const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      await stack.runs.add({ ...base, id: id(1) });
      await stack.runs.add({ ...base, id: id(2) });
      await controller.handle({ type: 'ready' });
      const before = posted.length;
      await stack.runs.add({ ...base, id: id(3) });
      timers.fire(RUN_CHANGES_MS);
      assert.deepEqual(posted.slice(before).map((m) => m.type === 'runsChanged' && [m.added, m.removed]), [[[id(3)], [id(1)]]]);
      assert.deepEqual(shown()?.runs.map((r) => r.id), [id(3), id(2)]);
      assert.equal(shown()?.runsTotal, 2);
      // Two starts within one frame: the first's run is removed by the second's before the view heard of it.
      retention = 1;
      await stack.runs.add({ ...base, id: id(160) });
      await stack.runs.add({ ...base, id: id(161) });
      timers.fire(RUN_CHANGES_MS);
      assert.deepEqual(posted.at(-1)?.type === 'runsChanged' && [posted.at(-1)], [{ ...posted.at(-1), added: [id(161)] }]);
      assert.deepEqual(shown()?.runs.map((r) => r.id), [id(161)]);
      assert.equal(shown()?.runsTotal, 1);
      retention = 2;
      // The retention lowered to one after 150 more runs (kept with a high one): the next run's start removes them all at once.
      retention = 1_000;
      for (let n = 4; n < 154; n++) await stack.runs.add({ ...base, id: id(n) });
      timers.fire(RUN_CHANGES_MS);
      retention = 1;
      const beforeTrim = posted.length;
      await stack.runs.add({ ...base, id: id(200) });
      assert.deepEqual(posted.slice(beforeTrim).map((m) => m.type), ['snapshot'], 'at once, not as one run\'s change');
      assert.deepEqual(shown()?.runs.map((r) => r.id), [id(200)]);
      assert.equal(shown()?.runsTotal, 1);
      assert.equal(timers.fire(RUN_CHANGES_MS), 0);
    } finally {
      await stack.cleanup();
    }
  });

  it('never posts the key to the view', async () => {
    const { stack, controller, posted } = await setup();
    try {
      await controller.handle({ type: 'ready' });
      const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
      await stack.connections.setKey(connection.id, CANARY_KEY);
      assert.ok(posted.length >= 2);
      assertNoCanary(posted);
    } finally {
      await stack.cleanup();
    }
  });

  it("shows each agent's gateway sync state, and Sync now replies with it", async () => {
    const token = 'gw-view-token-3e8a1f6c';
    const gatewayServer = new GatewayFixture({ token });
    await gatewayServer.start();
    const { stack, controller, gateway, replies, snapshots } = await setup();
    try {
      await controller.handle({ type: 'ready' });
      assert.deepEqual(snapshots().at(-1)?.gateway, { configured: false, agents: {}, pendingDeletes: [] });
      stack.settings.gateway = gatewayServer.url;
      stack.settings.fireChange();
      await stack.keys.storeGatewayToken(token, stack.settings.gatewayUrl());
      const connection = await stack.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
      await controller.handle({ type: 'request', id: 'new', method: 'createAgent', params: { input: { name: 'synced', connectionId: connection.id } } });
      const agentId = (replies()[0] as { value: { id: string } }).value.id;
      await gateway.idle();
      assert.equal(snapshots().at(-1)?.gateway.agents[agentId]?.state, 'synced');

      gatewayServer.setBehaviour('server-error');
      await controller.handle({ type: 'request', id: 'sync', method: 'syncAgent', params: { id: agentId } });
      const reply = replies().find((r) => r.id === 'sync');
      assert.ok(reply?.ok);
      const state = reply.value as { state: string; error?: { message: string } };
      assert.equal(state.state, 'failed');
      assert.match(state.error?.message ?? '', /answered 500/);
      assert.equal(snapshots().at(-1)?.gateway.agents[agentId]?.state, 'failed');
      assert.deepEqual(gatewayServer.calls(), ['POST /v1/agents', `PUT /v1/agents/${agentId}`]);
    } finally {
      gateway.dispose();
      await stack.cleanup();
      await gatewayServer.stop();
    }
  });
});
