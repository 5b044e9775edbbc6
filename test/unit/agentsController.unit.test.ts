import * as assert from 'node:assert/strict';
import { ToAgentsViewSchema, type AgentsSnapshot, type ToAgentsView } from '../../src/contracts/agentsView';
import { createAgentsController } from '../../src/core/views/agentsController';
import { Emitter } from '../../src/core/base/events';
import { GatewaySync } from '../../src/core/gateway/gatewaySync';
import { ProviderRegistry } from '../../src/core/providers/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { GatewayFixture } from '../fixtures/gatewayFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { ScriptedInteractions } from '../helpers/fakes';
import { makeStack } from '../helpers/stacks';

describe('Agents controller', function () {
  this.timeout(20_000);
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  before(() => openai.start());
  after(() => openai.stop());

  async function setup() {
    // Any consent question is answered no: the person's click on Run needs none.
    const stack = await makeStack({ answers: [] });
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
      post: (message) => {
        posted.push(ToAgentsViewSchema.parse(message));
        for (const wake of onPost.splice(0)) wake();
      },
    });
    const snapshots = () => posted.filter((m): m is AgentsSnapshot => m.type === 'snapshot');
    const replies = () => posted.filter((m) => m.type === 'reply');
    /** Resolves once `condition` holds, checking after each message the controller posts. */
    const posts = async (condition: () => boolean) => {
      while (!condition()) await new Promise<void>((wake) => onPost.push(wake));
    };
    return { stack, controller, gateway, posted, snapshots, replies, posts };
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

  it("starts a run on the person's click, without a consent question, replies with its id at once, and shows it succeeded in a later snapshot with its routing", async () => {
    const { stack, controller, replies, snapshots, posts } = await setup();
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
      await posts(() => ['succeeded', 'failed', 'cancelled'].includes(snapshots().at(-1)?.runs.find((r) => r.id === runId)?.status ?? ''));
      const run = snapshots().at(-1)!.runs.find((r) => r.id === runId)!;
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.deepEqual(run.routing?.sources, { connectionId: 'agent', modelRef: 'agent' });
      assert.equal(snapshots().at(-1)!.connections[0]?.models[0]?.providerModelId, 'gpt-4o-mini');
      // The view reads who asked for the run as the host names it, never the id.
      assert.deepEqual(snapshots().at(-1)!.requesterNames, { [run.requesterId]: 'the Agents view' });
      // The click on Run is the person's consent for this run: no modal, audited as theirs.
      assert.deepEqual(stack.prompts, []);
      const reads = (await stack.audit.read()).filter((e) => e.kind === 'key_read');
      assert.deepEqual(reads.map((e) => [e.requesterId, e.purpose, e.runId, e.origin, e.outcome]), [['switchboard.agentsView', 'chat', runId, new URL(openai.url).origin, 'granted_by_person']]);
      assertNoCanary(stack.logger.lines);
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
