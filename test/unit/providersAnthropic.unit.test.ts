import * as assert from 'node:assert/strict';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { ANTHROPIC_PAGE_SIZE, anthropicAdapter, anthropicHeaders } from '../../src/core/providers/anthropic';
import { ANTHROPIC_BUILTIN } from '../../src/core/providers/builtinModels';
import { AnthropicFixture } from '../fixtures/anthropicFixture';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';

describe('Anthropic adapter', () => {
  const fixture = new AnthropicFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const context = callContextPerTest();

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY, ...overrides };
  }
  const v2026 = { apiVersion: '2026-10-21' };
  const request: ChatRequest = { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] };

  describe('headers', () => {
    it('sends x-api-key and anthropic-version 2023-06-01 by default', () => {
      assert.deepEqual(anthropicHeaders(target()), { 'x-api-key': CANARY_KEY, 'anthropic-version': '2023-06-01' });
    });

    it('sends Authorization: Bearer under 2026-10-21', () => {
      assert.deepEqual(anthropicHeaders(target({ options: v2026 })), { authorization: `Bearer ${CANARY_KEY}`, 'anthropic-version': '2026-10-21' });
    });

    it('refuses an API version that is not a date, and a missing key, before sending anything', async () => {
      await expectFailure(anthropicAdapter.testConnection(target({ options: { apiVersion: 'latest' } }), context), 'invalid_input');
      await expectFailure(anthropicAdapter.testConnection(target({ apiKey: undefined }), context), 'auth_failed');
      assert.equal(fixture.requests.length, 0);
    });
  });

  describe('testConnection', () => {
    it('asks GET /v1/models?limit=1 with x-api-key and the explicit version under 2023-06-01', async () => {
      const summary = await anthropicAdapter.testConnection(target(), context);

      assert.equal(summary, 'Connected to Anthropic (API version 2023-06-01), newest model Claude Opus 4.5');
      assert.equal(fixture.requests[0].url, '/v1/models?limit=1');
      assert.equal(fixture.requests[0].headers['anthropic-version'], '2023-06-01');
      assert.equal(fixture.requests[0].headers.authorization, undefined);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-api-key'), 1);
    });

    it('sends the key as a Bearer token and no x-api-key under 2026-10-21', async () => {
      const summary = await anthropicAdapter.testConnection(target({ options: v2026 }), context);

      assert.match(summary, /API version 2026-10-21/);
      assert.equal(fixture.requests[0].headers['anthropic-version'], '2026-10-21');
      assert.equal(fixture.requests[0].headers['x-api-key'], undefined);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
    });

    it('maps a wrong key to auth_failed with Anthropic\'s message', async () => {
      const error = await expectFailure(anthropicAdapter.testConnection(target({ apiKey: 'sk-ant-wrong-key-0000' }), context), 'auth_failed');

      assert.match(error.message, /Anthropic said: "invalid x-api-key"/);
    });

    it('maps a refused port to endpoint_unreachable', async () => {
      await expectFailure(anthropicAdapter.testConnection(target({ baseUrl: `http://127.0.0.1:${await closedPort()}` }), context), 'endpoint_unreachable');
    });

    it('times out when Anthropic never answers', async () => {
      fixture.setBehaviour('hang');

      await expectFailure(anthropicAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');
    });

    it('says the server does not look like Anthropic for garbage', async () => {
      fixture.setBehaviour('garbage');

      const error = await expectFailure(anthropicAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /does not look like the Anthropic API/);
    });

    it('keeps an echoed key out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => anthropicAdapter.testConnection(target(), context));
    });
  });

  describe('discoverModels', () => {
    it('reads context from max_input_tokens, vision and reasoning from capabilities, tool use from the API itself, with prices from the table', async () => {
      const models = (await anthropicAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual(models.map((model) => model.providerModelId), ['claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'claude-3-5-haiku-20241022']);
      assert.deepEqual(models[2], {
        providerModelId: 'claude-sonnet-4-5-20250929',
        displayName: 'Claude Sonnet 4.5',
        modalities: ['text', 'vision', 'tools', 'reasoning'],
        contextWindow: 1000000,
        maxOutputTokens: 64000,
        inputCostPer1k: 0.003,
        outputCostPer1k: 0.015,
        sources: { modalities: 'api', contextWindow: 'api', maxOutputTokens: 'api', costs: 'builtin' },
      });
      assert.deepEqual(models[3].modalities, ['text', 'tools']);
      for (const model of models) DiscoveredModelSchema.parse(model);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-api-key'), 1);
      assertNoCanary(models);
    });

    it('follows has_more with after_id=last_id until the last page', async () => {
      fixture.generateModels(ANTHROPIC_PAGE_SIZE * 2 + 5);

      const models = (await anthropicAdapter.discoverModels!(target({ options: v2026 }), context)).models;

      assert.equal(models.length, ANTHROPIC_PAGE_SIZE * 2 + 5);
      assert.equal(new Set(models.map((model) => model.providerModelId)).size, models.length);
      assert.deepEqual(fixture.requests.map((request) => request.url), [
        `/v1/models?limit=${ANTHROPIC_PAGE_SIZE}`,
        `/v1/models?limit=${ANTHROPIC_PAGE_SIZE}&after_id=claude-fixture-0100`,
        `/v1/models?limit=${ANTHROPIC_PAGE_SIZE}&after_id=claude-fixture-0200`,
      ]);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 3);
    });

    it('uses the table where the API has no capabilities or context for a model, and marks it builtin', async () => {
      fixture.setModels([{ id: 'claude-haiku-4-5-20251001', noCapabilities: true, maxInputTokens: null }, { id: 'claude-new-9', noCapabilities: true }]);

      const [known, unknown] = (await anthropicAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual(known.sources, { modalities: 'builtin', contextWindow: 'builtin', costs: 'builtin' });
      assert.equal(known.contextWindow, 200000);
      assert.deepEqual(unknown, { providerModelId: 'claude-new-9', displayName: 'claude-new-9', modalities: ['text'], sources: {} });
    });

    it('falls back to the built-in list only when GET /v1/models answers 404', async () => {
      fixture.setBehaviour('not-found', '/v1/models');

      const models = (await anthropicAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual(models.map((model) => model.providerModelId), ANTHROPIC_BUILTIN.map((model) => model.id));
      assert.ok(models.every((model) => model.sources.contextWindow === 'builtin' && model.sources.modalities === 'builtin'));
    });

    it('does not fall back for other failures: a 500 stays bad_response', async () => {
      fixture.setBehaviour('server-error', '/v1/models');

      await expectFailure(anthropicAdapter.discoverModels!(target(), context), 'bad_response');
    });

    it('maps 429 to rate_limited', async () => {
      fixture.setBehaviour('rate-limited');

      await expectFailure(anthropicAdapter.discoverModels!(target(), context), 'rate_limited');
    });
  });

  describe('chat', () => {
    it('posts /v1/messages with the system prompt in `system`, max_tokens and no sampling parameters (2023-06-01)', async () => {
      const result = await anthropicAdapter.chat!(target(), request, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'claude-sonnet-4-5-20250929', usage: { inputTokens: 4, outputTokens: 4 }, finishReason: 'end_turn' });
      const body = JSON.parse(fixture.requests[0].body) as Record<string, unknown>;
      assert.deepEqual(body, { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'hello there' }], system: 'Be brief.' });
      assert.equal(fixture.requests[0].headers['anthropic-version'], '2023-06-01');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-api-key'), 1);
      assertNoCanary(result);
    });

    it('streams back a header value that is no credential, such as the API version, as it is', async () => {
      const asked: ChatRequest = { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Is anthropic-version 2023-06-01 still served?' }] };
      let text = '';
      for await (const part of anthropicAdapter.chatStream!(target(), asked, context)) if (part.type === 'text') text += part.text;

      assert.equal(text, 'You said: Is anthropic-version 2023-06-01 still served?');
      assert.equal(fixture.requests[0].headers['anthropic-version'], '2023-06-01');
    });

    it('under 2026-10-21 sends Bearer auth and never temperature, top_p or top_k', async () => {
      const result = await anthropicAdapter.chat!(target({ options: v2026 }), { ...request, maxTokens: 200 }, context);

      assert.equal(result.content, 'You said: hello there');
      const body = JSON.parse(fixture.requests[0].body) as Record<string, unknown>;
      assert.ok(!('temperature' in body) && !('top_p' in body) && !('top_k' in body), fixture.requests[0].body);
      assert.equal(body.max_tokens, 200);
      assert.equal(fixture.requests[0].headers['anthropic-version'], '2026-10-21');
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
    });

    it('maps an unknown model to model_not_found with Anthropic\'s message', async () => {
      const error = await expectFailure(anthropicAdapter.chat!(target(), { ...request, modelRef: 'claude-nope' }, context), 'model_not_found');

      assert.match(error.message, /Anthropic said: "model: claude-nope"/);
    });

    it('refuses a conversation with only a system prompt before sending anything', async () => {
      const error = await expectFailure(anthropicAdapter.chat!(target(), { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'x' }] }, context), 'invalid_input');

      assert.match(error.message, /at least one user message/);
      assert.equal(fixture.requests.length, 0);
    });

    it('maps 500 to bad_response, garbage to bad_response and a hang to timeout', async () => {
      fixture.setBehaviour('server-error');
      await expectFailure(anthropicAdapter.chat!(target(), request, context), 'bad_response');
      fixture.setBehaviour('garbage');
      await expectFailure(anthropicAdapter.chat!(target(), request, context), 'bad_response');
      fixture.setBehaviour('hang');
      await expectFailure(anthropicAdapter.chat!(target(), request, { ...context, timeoutMs: 200 }), 'timeout');
    });
  });
});
