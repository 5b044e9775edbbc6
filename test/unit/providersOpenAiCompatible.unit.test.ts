import * as assert from 'node:assert/strict';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';

describe('OpenAI-compatible adapter', () => {
  const fixture = new OpenAiCompatibleFixture({ apiKey: CANARY_KEY, requiredHeaders: { 'X-Tenant': 'team-a' } });
  serveDuringSuite(fixture);
  const context = callContextPerTest();
  const tenant = { customHeaders: 'X-Tenant: team-a; X-Title: Switchboard' };

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: `${fixture.url}/v1`, options: tenant, apiKey: CANARY_KEY, ...overrides };
  }
  const request: ChatRequest = { modelRef: 'qwen2.5-7b-instruct', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] };

  describe('testConnection', () => {
    it('asks GET {base}/models with the custom headers and the key as a Bearer token', async () => {
      const summary = await openAiCompatibleAdapter.testConnection(target(), context);

      assert.equal(summary, 'Connected: 3 models available');
      assert.equal(fixture.requests[0].url, '/v1/models');
      assert.equal(fixture.requests[0].headers['x-tenant'], 'team-a');
      assert.equal(fixture.requests[0].headers['x-title'], 'Switchboard');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
    });

    it('sends no Authorization header without a key', async () => {
      const open = new OpenAiCompatibleFixture();
      await open.start();
      try {
        await openAiCompatibleAdapter.testConnection({ baseUrl: `${open.url}/v1`, options: {} }, context);
        assert.equal(open.requests[0].headers.authorization, undefined);
      } finally {
        await open.stop();
      }
    });

    it('refuses a custom Authorization header before sending anything, naming it but not its value', async () => {
      const error = await expectFailure(openAiCompatibleAdapter.testConnection(target({ options: { customHeaders: `Authorization: Bearer ${CANARY_KEY}` } }), context), 'invalid_input');

      assert.match(error.message, /Custom header "Authorization" carries a credential/);
      assert.equal(fixture.requests.length, 0);
    });

    it('maps a missing required header (the server\'s 401) to auth_failed', async () => {
      await expectFailure(openAiCompatibleAdapter.testConnection(target({ options: {} }), context), 'auth_failed');
    });

    it('maps a refused port, a hang, garbage and a wrong shape', async () => {
      await expectFailure(openAiCompatibleAdapter.testConnection(target({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` }), context), 'endpoint_unreachable');
      fixture.setBehaviour('hang');
      await expectFailure(openAiCompatibleAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');
      fixture.setBehaviour('garbage');
      await expectFailure(openAiCompatibleAdapter.testConnection(target(), context), 'bad_response');
      fixture.setBehaviour('wrong-shape');
      const error = await expectFailure(openAiCompatibleAdapter.testConnection(target(), context), 'bad_response');
      assert.match(error.message, /does not look like the OpenAI-compatible API/);
    });

    it('keeps an echoed key out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => openAiCompatibleAdapter.testConnection(target(), context));
    });
  });

  describe('discoverModels', () => {
    it('lists every model the server serves, unfiltered, with a context length where the server gives one', async () => {
      const models = (await openAiCompatibleAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual(models, [
        { providerModelId: 'qwen2.5-7b-instruct', displayName: 'qwen2.5-7b-instruct', modalities: ['text'], contextWindow: 32768, sources: { contextWindow: 'api' }, metadata: { ownedBy: 'organization_owner' } },
        { providerModelId: 'llama-3.2-3b-instruct', displayName: 'llama-3.2-3b-instruct', modalities: ['text'], sources: {}, metadata: { ownedBy: 'organization_owner' } },
        { providerModelId: 'text-embedding-nomic-embed-text-v1.5', displayName: 'text-embedding-nomic-embed-text-v1.5', modalities: ['text'], sources: {}, metadata: { ownedBy: 'organization_owner' } },
      ]);
      for (const model of models) DiscoveredModelSchema.parse(model);
      assert.equal(fixture.requests[0].headers['x-tenant'], 'team-a');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
      assertNoCanary(models);
    });

    it('times out naming the discovery setting', async () => {
      fixture.setBehaviour('hang');

      const error = await expectFailure(openAiCompatibleAdapter.discoverModels!(target(), { ...context, timeoutMs: 200 }), 'timeout');

      assert.match(error.message, /discoveryTimeoutSeconds/);
    });
  });

  describe('chat', () => {
    it('posts {base}/chat/completions with max_tokens and the custom headers, and reads a reply without usage as 0 tokens', async () => {
      const result = await openAiCompatibleAdapter.chat!(target(), { ...request, maxTokens: 64 }, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'qwen2.5-7b-instruct', usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop' });
      assert.equal(fixture.requests[0].url, '/v1/chat/completions');
      assert.deepEqual(JSON.parse(fixture.requests[0].body), { model: 'qwen2.5-7b-instruct', messages: request.messages, stream: false, max_tokens: 64 });
      assert.equal(fixture.requests[0].headers['x-title'], 'Switchboard');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
      assertNoCanary(result);
    });

    it('maps the server\'s 404 for an unloaded model to model_not_found', async () => {
      const error = await expectFailure(openAiCompatibleAdapter.chat!(target(), { ...request, modelRef: 'not-loaded' }, context), 'model_not_found');

      assert.match(error.message, /OpenAI-compatible said: "Model "not-loaded" not found/);
    });

    it('refuses hop-by-hop custom headers before sending anything', async () => {
      const error = await expectFailure(openAiCompatibleAdapter.chat!(target({ options: { customHeaders: 'Transfer-Encoding: chunked' } }), request, context), 'invalid_input');

      assert.match(error.message, /"Transfer-Encoding" is not allowed/);
      assert.equal(fixture.requests.length, 0);
    });

    it('maps 429 to rate_limited and 500 to bad_response', async () => {
      fixture.setBehaviour('rate-limited');
      await expectFailure(openAiCompatibleAdapter.chat!(target(), request, context), 'rate_limited');
      fixture.setBehaviour('server-error');
      await expectFailure(openAiCompatibleAdapter.chat!(target(), request, context), 'bad_response');
    });
  });
});
