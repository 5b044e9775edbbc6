import * as assert from 'node:assert/strict';
import type { ChatRequest, DiscoveredModel } from '../../src/contracts/models';
import type { ProviderAdapter } from '../../src/core/providers/adapter';
import { expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { serveDuringSuite } from '../helpers/providerTestKit';
import { makeStack } from '../helpers/stacks';

const THOUGHTS = 'The user greets me. I should greet them back briefly.';

/** A thinking model as discovery reports it, with the output limit its provider gives. */
function thinkingModel(providerModelId: string, maxOutputTokens?: number): DiscoveredModel {
  return {
    providerModelId,
    displayName: providerModelId,
    modalities: ['text', 'tools', 'reasoning'],
    ...(maxOutputTokens ? { maxOutputTokens } : {}),
    sources: { modalities: 'api', ...(maxOutputTokens ? { maxOutputTokens: 'api' as const } : {}) },
  };
}

describe("a registered model's reasoning setting and output limit", function () {
  this.timeout(30_000);
  const ollama = new OllamaFixture();
  let stack: Awaited<ReturnType<typeof makeStack>>;
  serveDuringSuite(ollama);
  afterEach(async () => {
    await stack?.cleanup();
  });

  async function setUp() {
    stack = await makeStack();
    ollama.setModels([
      { name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS },
      { name: 'gpt-oss:20b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS },
    ]);
    const connection = await stack.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    const { models } = await stack.models.register(connection.id, [thinkingModel('qwen3:8b', 8192), thinkingModel('gpt-oss:20b')]);
    return { connection, qwen: models[0]!, gptOss: models[1]! };
  }

  function sentBodies(): Record<string, unknown>[] {
    return ollama.requests.filter((request) => request.url === '/api/chat').map((request) => JSON.parse(request.body) as Record<string, unknown>);
  }

  it('sends them with every run, and keeps the reasoning in the run record apart from the output', async () => {
    const { connection, qwen } = await setUp();
    await stack.models.setReasoning(qwen.id, { effort: 'high' });
    await stack.models.setOutputLimit(qwen.id, 2000);
    const agent = await stack.agents.create({ name: 'thinker', connectionId: connection.id, modelRef: 'qwen3:8b' });

    const run = await stack.service.start({ agentId: agent.id, input: 'hello' }, 'view:agents');

    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.output, 'You said: hello');
    assert.equal(run.reasoning, THOUGHTS);
    const [body] = sentBodies();
    assert.equal(body!.think, true);
    assert.deepEqual(body!.options, { num_predict: 2000 });
  });

  it("lets an agent's own setting win on its model, and only there", async () => {
    const { connection, gptOss } = await setUp();
    await stack.models.setReasoning(gptOss.id, { effort: 'high' });
    const agent = await stack.agents.create({ name: 'quick', connectionId: connection.id, modelRef: 'gpt-oss:20b', reasoning: { effort: 'low' } });

    await stack.service.start({ agentId: agent.id, input: 'hello' }, 'view:agents');
    // The same agent sent to another model by the request: that model's own setting (none).
    await stack.service.start({ agentId: agent.id, input: 'hello', modelRef: 'qwen3:8b' }, 'view:agents');

    assert.deepEqual(sentBodies().map((body) => body.think), ['low', undefined]);
  });

  it('refuses a setting the provider does not take, with the reason, and changes nothing', async () => {
    const { connection, qwen } = await setUp();

    await expectFailure(stack.models.setReasoning(qwen.id, { budgetTokens: 4096 }), 'invalid_input', /Ollama takes a reasoning effort/);
    await expectFailure(stack.models.setReasoning(qwen.id, { effort: 'extreme' }), 'invalid_input', /effort \(low, medium or high\) or a thinking budget/);
    await expectFailure(stack.agents.create({ name: 'budgeted', connectionId: connection.id, modelRef: 'qwen3:8b', reasoning: { budgetTokens: 4096 } }), 'invalid_input', /Ollama takes a reasoning effort/);
    await expectFailure(stack.agents.create({ name: 'adrift', reasoning: { effort: 'low' } }), 'invalid_input', /goes with its own model/);
    const [plain] = (await stack.models.register(connection.id, [{ providerModelId: 'llama3.2:latest', displayName: 'llama3.2:latest', modalities: ['text', 'tools'], sources: { modalities: 'api' } }])).models;
    await expectFailure(stack.models.setReasoning(plain!.id, { effort: 'low' }), 'invalid_input', /Ollama says "llama3.2:latest" does not reason/);

    assert.equal(stack.models.get(qwen.id)?.reasoning, undefined);
    assert.deepEqual(stack.agents.list(), []);
  });

  it('refuses an output limit above what the provider says the model writes, keeps the person\'s values through discovery, and clears them', async () => {
    const { connection, qwen } = await setUp();

    await expectFailure(stack.models.setOutputLimit(qwen.id, 9000), 'invalid_input', /writes at most 8,192 tokens in one answer \(reported by the provider\)/);
    await expectFailure(stack.models.setOutputLimit(qwen.id, 0), 'invalid_input', /whole number of tokens/);
    assert.equal(stack.models.get(qwen.id)?.outputLimitOverride, undefined);

    await stack.models.setOutputLimit(qwen.id, 4096);
    await stack.models.setReasoning(qwen.id, { effort: 'medium' });
    await stack.models.register(connection.id, [thinkingModel('qwen3:8b', 16384)]);
    const refreshed = stack.models.get(qwen.id)!;
    assert.deepEqual([refreshed.outputLimitOverride, refreshed.maxOutputTokens, refreshed.reasoning], [4096, 16384, { effort: 'medium' }]);

    await stack.models.setOutputLimit(qwen.id, null);
    await stack.models.setReasoning(qwen.id, null);
    const cleared = stack.models.get(qwen.id)!;
    assert.deepEqual([cleared.outputLimitOverride, cleared.maxOutputTokens, cleared.reasoning], [undefined, 16384, undefined]);
    assert.deepEqual(stack.models.callSettings(connection.id, 'qwen3:8b'), {});
  });

  it("never sends a reasoning setting to an adapter without one (another extension's), even when a call names one", async () => {
    stack = await makeStack();
    const seen: ChatRequest[] = [];
    const adapter: ProviderAdapter = {
      testConnection: async () => 'ok',
      chat: async (_target, request) => {
        seen.push(request);
        return { content: 'fine', modelRef: request.modelRef, usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    stack.registry.register(
      { id: 'acme', displayName: 'Acme AI', source: 'acme.acme-ai', fields: [{ key: 'baseUrl', label: 'Base URL', kind: 'url', required: true }], defaults: {}, capabilities: { test: true, discovery: false, chat: true } },
      adapter,
      'acme.acme-ai',
    );
    const connection = await stack.connections.create({ name: 'Acme', providerId: 'acme.acme-ai/acme', baseUrl: ollama.url });

    const answer = await stack.modelCaller.call({ requester: { id: 'switchboard.agentsView', byPerson: true }, connectionId: connection.id, modelRef: 'acme-1', messages: [{ role: 'user', content: 'hi' }], reasoning: { effort: 'high' } }, new AbortController().signal);

    assert.equal(answer.output, 'fine');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.reasoning, undefined);
  });
});
