import * as assert from 'node:assert/strict';
import { describeDiscovery } from '../../src/contracts/modelFacts';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import { ProviderDescriptorSchema } from '../../src/contracts/providers';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { isOpenAiChatModel, openAiAdapter, openAiDescriptor } from '../../src/core/providers/openai';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { FIXTURE_REASONING_TOKENS, OpenAiFixture } from '../fixtures/openaiFixture';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';

describe('OpenAI adapter', () => {
  const fixture = new OpenAiFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const context = callContextPerTest();

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: `${fixture.url}/v1`, options: {}, apiKey: CANARY_KEY, ...overrides };
  }

  it('has a valid core descriptor: a required key, an optional base URL and organization id', () => {
    const descriptor = ProviderDescriptorSchema.parse(openAiDescriptor());

    assert.equal(descriptor.source, 'core');
    assert.equal(descriptor.defaults.baseUrl, 'https://api.openai.com/v1');
    assert.deepEqual(descriptor.capabilities, { test: true, discovery: true, chat: true });
    assert.deepEqual(
      descriptor.fields.map(({ key, kind, required, default: value }) => ({ key, kind, required, value })),
      [
        { key: 'apiKey', kind: 'secret', required: true, value: undefined },
        { key: 'baseUrl', kind: 'url', required: false, value: 'https://api.openai.com/v1' },
        { key: 'organizationId', kind: 'text', required: false, value: undefined },
      ],
    );
  });

  describe('testConnection', () => {
    it('lists models with the key as a Bearer token and reports how many', async () => {
      const summary = await openAiAdapter.testConnection(target(), context);

      // The fixture's default list has two that are not for chat, left out as Discover leaves them out.
      assert.equal(summary, 'Connected: 5 models available, 3 for chat; left out: 2 non-chat models (embedding, speech, image, moderation or legacy, by name)');
      assert.equal(fixture.requests.length, 1);
      assert.equal(fixture.requests[0].url, '/v1/models');
      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
      assert.equal(fixture.requests[0].headers['openai-organization'], undefined);
    });

    it('sends the organization id as the OpenAI-Organization header', async () => {
      fixture.setModels(['gpt-4o-mini']);

      const summary = await openAiAdapter.testConnection(target({ options: { organizationId: 'org-fixture' } }), context);

      assert.equal(summary, 'Connected: 1 model available');
      assert.equal(fixture.requests[0].headers['openai-organization'], 'org-fixture');
    });

    it('asks for a key without calling OpenAI when the connection has none', async () => {
      const error = await expectFailure(openAiAdapter.testConnection(target({ apiKey: undefined }), context), 'auth_failed');

      assert.match(error.message, /Switchboard: Set API Key/);
      assert.equal(fixture.requests.length, 0);
    });

    it('maps a rejected key (401) to auth_failed with OpenAI\'s masked message', async () => {
      const error = await expectFailure(openAiAdapter.testConnection(target({ apiKey: `${CANARY_KEY}-wrong` }), context), 'auth_failed');

      assert.match(error.message, /answered 401: the key was rejected/);
      assert.match(error.message, /OpenAI said: "Incorrect API key provided: sk-\*+rong/);
      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}-wrong`);
    });

    it('maps 403 to auth_failed', async () => {
      fixture.setBehaviour('forbidden');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'auth_failed');

      assert.match(error.message, /answered 403: the key was rejected/);
      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
    });

    it('maps a refused connection to endpoint_unreachable naming the address', async () => {
      const port = await closedPort();

      const error = await expectFailure(openAiAdapter.testConnection(target({ baseUrl: `http://127.0.0.1:${port}/v1` }), context), 'endpoint_unreachable');

      assert.match(error.message, new RegExp(`Could not connect to http://127\\.0\\.0\\.1:${port}: the connection was refused`));
    });

    it('times out when OpenAI never answers', async () => {
      fixture.setBehaviour('hang');

      await expectFailure(openAiAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');

      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
    });

    it('is cancelled by the caller\'s signal', async () => {
      fixture.setBehaviour('hang');
      const controller = new AbortController();
      void fixture.nextRequest().then(() => controller.abort());

      await expectFailure(openAiAdapter.testConnection(target(), { ...context, timeoutMs: 5000, signal: controller.signal }), 'cancelled');
    });

    it('says the server does not look like OpenAI when the body is not JSON', async () => {
      fixture.setBehaviour('garbage');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /\/v1\/models does not look like the OpenAI API: its answer is not JSON/);
    });

    it('says the server does not look like OpenAI when the JSON has another shape', async () => {
      fixture.setBehaviour('wrong-shape');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /does not look like the OpenAI API: its answer has an unexpected shape \(at data\)/);
    });

    it('refuses a huge body with bad_response', async () => {
      fixture.setBehaviour('huge');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /larger than 8 MiB/);
    });

    it('maps 429 to rate_limited', async () => {
      fixture.setBehaviour('rate-limited');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'rate_limited');

      assert.match(error.message, /Try again in 7 s/);
    });

    it('keeps a key that the server echoes out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => openAiAdapter.testConnection(target(), context));
    });

    it('maps a base URL without /v1 (a 404 from the server) to not_found with a hint about the base URL', async () => {
      const error = await expectFailure(openAiAdapter.testConnection(target({ baseUrl: fixture.url }), context), 'not_found');

      assert.match(error.message, /Check the connection's base URL; it must point at the OpenAI API/);
    });
  });
  describe('discoverModels', () => {
    const LISTED = [
      'gpt-4o', 'gpt-4o-mini-2024-07-18', 'o3', 'o4-mini', 'chatgpt-4o-latest', 'gpt-4.1', 'gpt-9-experimental',
      'ft:gpt-4o-mini-2024-07-18:acme::abc123',
      'text-embedding-3-large', 'tts-1', 'whisper-1', 'dall-e-3', 'gpt-image-1', 'gpt-4o-audio-preview', 'gpt-4o-realtime-preview',
      'gpt-4o-transcribe', 'gpt-4o-mini-tts', 'omni-moderation-latest', 'gpt-4o-search-preview', 'babbage-002', 'davinci-002',
      'gpt-3.5-turbo-instruct', 'codex-mini-latest', 'computer-use-preview',
    ];

    it('keeps only chat models, sorted, from GET /v1/models, and counts the rest as its Test does', async () => {
      fixture.setModels(LISTED);

      const { models, leftOut } = await openAiAdapter.discoverModels!(target(), context);
      const summary = await openAiAdapter.testConnection(target(), context);

      assert.deepEqual(models.map((model) => model.providerModelId), [
        'chatgpt-4o-latest',
        'ft:gpt-4o-mini-2024-07-18:acme::abc123',
        'gpt-4.1',
        'gpt-4o',
        'gpt-4o-mini-2024-07-18',
        'gpt-9-experimental',
        'o3',
        'o4-mini',
      ]);
      assert.deepEqual(leftOut, [{ count: 16, kind: 'non-chat model', why: 'embedding, speech, image, moderation or legacy, by name' }]);
      assert.equal(summary, `Connected: 24 models available, 8 for chat; left out: 16 non-chat models (embedding, speech, image, moderation or legacy, by name)`);
      assert.equal(describeDiscovery(models.length, leftOut), 'Found 24 models, 8 for chat; left out: 16 non-chat models (embedding, speech, image, moderation or legacy, by name).');
      for (const model of models) DiscoveredModelSchema.parse(model);
      assert.deepEqual(fixture.requests.map((request) => `${request.method} ${request.url}`), ['GET /v1/models', 'GET /v1/models']);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 2);
      assertNoCanary(models);
    });

    it('fills context windows, prices and modalities from the built-in table, marked builtin, only for known models', async () => {
      fixture.setModels(['gpt-4o-mini-2024-07-18', 'gpt-9-experimental', 'ft:gpt-4o-mini-2024-07-18:acme::abc123']);

      const models = (await openAiAdapter.discoverModels!(target(), context)).models;
      const byId = Object.fromEntries(models.map((model) => [model.providerModelId, model]));

      assert.deepEqual(byId['gpt-4o-mini-2024-07-18'], {
        providerModelId: 'gpt-4o-mini-2024-07-18',
        displayName: 'gpt-4o-mini-2024-07-18',
        modalities: ['text', 'vision', 'tools'],
        contextWindow: 128000,
        inputCostPer1k: 0.00015,
        outputCostPer1k: 0.0006,
        sources: { modalities: 'builtin', contextWindow: 'builtin', costs: 'builtin' },
        metadata: { ownedBy: 'system' },
      });
      // Nothing is made up for a model the table does not know, nor for a fine-tune's prices.
      assert.deepEqual(byId['gpt-9-experimental'], { providerModelId: 'gpt-9-experimental', displayName: 'gpt-9-experimental', modalities: ['text'], sources: {}, metadata: { ownedBy: 'system' } });
      assert.equal(byId['ft:gpt-4o-mini-2024-07-18:acme::abc123'].inputCostPer1k, undefined);
    });

    it('tells chat models from the rest by name', () => {
      assert.deepEqual(LISTED.filter(isOpenAiChatModel).sort(), ['chatgpt-4o-latest', 'ft:gpt-4o-mini-2024-07-18:acme::abc123', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-9-experimental', 'o3', 'o4-mini']);
      assert.equal(isOpenAiChatModel('o1-2024-12-17'), true);
      assert.equal(isOpenAiChatModel('GPT-4O'), true);
      assert.equal(isOpenAiChatModel('omni-moderation-latest'), false);
      assert.equal(isOpenAiChatModel('text-embedding-ada-002'), false);
    });

    it('maps a rejected key to auth_failed without the key in the error', async () => {
      const error = await expectFailure(openAiAdapter.discoverModels!(target({ apiKey: `${CANARY_KEY}-wrong` }), context), 'auth_failed');

      assert.match(error.message, /OpenAI said: "Incorrect API key provided/);
    });

    it('times out naming the discovery setting', async () => {
      fixture.setBehaviour('hang');

      const error = await expectFailure(openAiAdapter.discoverModels!(target(), { ...context, timeoutMs: 200 }), 'timeout');

      assert.match(error.message, /switchboard\.discoveryTimeoutSeconds/);
    });

    it('maps a refused port to endpoint_unreachable', async () => {
      const port = await closedPort();

      await expectFailure(openAiAdapter.discoverModels!(target({ baseUrl: `http://127.0.0.1:${port}/v1` }), context), 'endpoint_unreachable');
    });

    it('says the server does not look like OpenAI when the list is not JSON', async () => {
      fixture.setBehaviour('garbage');

      await expectFailure(openAiAdapter.discoverModels!(target(), context), 'bad_response');
    });
  });

  describe('chat', () => {
    const request: ChatRequest = { modelRef: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] };

    it('posts to /v1/chat/completions and returns the reply, the model, usage and the finish reason', async () => {
      const result = await openAiAdapter.chat!(target({ options: { organizationId: 'org-fixture' } }), { ...request, maxTokens: 50 }, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'gpt-4o-mini', usage: { inputTokens: 4, outputTokens: 4 }, finishReason: 'stop' });
      assert.equal(fixture.requests[0].url, '/v1/chat/completions');
      assert.deepEqual(JSON.parse(fixture.requests[0].body), {
        model: 'gpt-4o-mini',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }],
        stream: false,
        max_completion_tokens: 50,
      });
      assert.equal(fixture.requests[0].headers['openai-organization'], 'org-fixture');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
      assertNoCanary(result);
    });

    it('limits reasoning models with max_completion_tokens, which they accept', async () => {
      const result = await openAiAdapter.chat!(target(), { ...request, modelRef: 'o3-mini', maxTokens: 20 }, context);

      assert.equal(result.content, 'You said: hello there');
      // The thinking is counted within the output, as OpenAI counts it, and said apart.
      assert.deepEqual(result.usage, { inputTokens: 4, outputTokens: 4 + FIXTURE_REASONING_TOKENS, reasoningTokens: FIXTURE_REASONING_TOKENS });
    });

    it('maps an unknown model to model_not_found with OpenAI\'s message', async () => {
      const error = await expectFailure(openAiAdapter.chat!(target(), { ...request, modelRef: 'gpt-nope' }, context), 'model_not_found');

      assert.match(error.message, /OpenAI said: "The model `gpt-nope` does not exist/);
    });

    it('maps "Invalid URL" (a base URL without /v1) to not_found about the base URL, not a missing model', async () => {
      const error = await expectFailure(openAiAdapter.chat!(target({ baseUrl: fixture.url }), request, context), 'not_found');

      assert.match(error.message, /Check the connection's base URL/);
    });

    it('maps 429 to rate_limited and 500 to bad_response', async () => {
      fixture.setBehaviour('rate-limited');
      await expectFailure(openAiAdapter.chat!(target(), request, context), 'rate_limited');
      fixture.setBehaviour('server-error');
      await expectFailure(openAiAdapter.chat!(target(), request, context), 'bad_response');
    });

    it('says the server does not look like OpenAI when the answer has another shape', async () => {
      fixture.setBehaviour('wrong-shape');

      const error = await expectFailure(openAiAdapter.chat!(target(), request, context), 'bad_response');

      assert.match(error.message, /unexpected shape \(at choices\)/);
    });

    it('times out and can be cancelled', async () => {
      fixture.setBehaviour('hang');
      await expectFailure(openAiAdapter.chat!(target(), request, { ...context, timeoutMs: 200 }), 'timeout');
      const controller = new AbortController();
      void fixture.nextRequest().then(() => controller.abort());
      await expectFailure(openAiAdapter.chat!(target(), request, { ...context, timeoutMs: 5000, signal: controller.signal }), 'cancelled');
    });

    it('asks for a key without calling OpenAI when the connection has none', async () => {
      await expectFailure(openAiAdapter.chat!(target({ apiKey: undefined }), request, context), 'auth_failed');

      assert.equal(fixture.requests.length, 0);
    });

    it('keeps an echoed key out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => openAiAdapter.chat!(target(), request, context));
    });
  });
});
