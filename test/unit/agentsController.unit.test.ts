import * as assert from 'node:assert/strict';
import { ToAgentsViewSchema, type AgentsSnapshot, type ToAgentsView } from '../../src/contracts/agentsView';
import { createAgentsController } from '../../src/core/agentsController';
import { Emitter } from '../../src/core/events';
import { GatewaySync } from '../../src/core/gatewaySync';
import { ProviderRegistry } from '../../src/core/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { ScriptedInteractions } from '../helpers/fakes';
import { makeStack } from '../helpers/stacks';

describe('Agents controller', function () {
  this.timeout(20_000);
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  before(() => openai.start());
  after(() => openai.stop());

  async function setup() {
    const stack = await makeStack({ answers: ['always'] });
    const registry = new ProviderRegistry();
    registerCoreProviders(registry);
    const posted: ToAgentsView[] = [];
    const onPost: (() => void)[] = [];
    const controller = createAgentsController({
      ...stack,
      runService: stack.service,
      registry,
      gateway: new GatewaySync({ ...stack, registry }),
      interactions: new ScriptedInteractions([true]),
      enabledModels: () => new Map(stack.connections.list().map((c) => [c.id, [{ providerModelId: 'gpt-4o-mini', displayName: 'GPT-4o mini' }]])),
      modelsChanged: new Emitter<void>().event,
      chooseDefaultConnection: async () => '',
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
    return { stack, controller, posted, snapshots, replies, posts };
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

  it('starts a run, replies with its id at once, and shows it succeeded in a later snapshot with its routing', async () => {
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
});
