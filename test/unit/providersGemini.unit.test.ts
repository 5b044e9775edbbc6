import * as assert from 'node:assert/strict';
import * as z from 'zod';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { GEMINI_PAGE_SIZE, geminiAdapter, geminiApi, geminiModelPath } from '../../src/core/providers/gemini';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { GeminiFixture } from '../fixtures/geminiFixture';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';
import { PATIENT_TIMEOUT_MS } from '../helpers/fakes';

describe('Gemini adapter', () => {
  const fixture = new GeminiFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const context = callContextPerTest();

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY, ...overrides };
  }
  const request: ChatRequest = {
    modelRef: 'gemini-2.0-flash',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'hello there' },
    ],
  };

  /** The key is only ever in x-goog-api-key: never `?key=`, never the body. */
  function assertKeyOnlyInHeader(expected: number): void {
    for (const recorded of fixture.requests) assert.ok(!recorded.url.includes('key='), `the URL ${recorded.url} has a key parameter`);
    assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-goog-api-key'), expected);
  }

  describe('testConnection', () => {
    it('asks GET /v1beta/models?pageSize=1 with the key only in x-goog-api-key', async () => {
      const summary = await geminiAdapter.testConnection(target(), context);

      assert.equal(summary, 'Connected to the Gemini API');
      assert.deepEqual(fixture.requests.map((recorded) => recorded.url), ['/v1beta/models?pageSize=1']);
      assert.equal(fixture.requests[0].headers.authorization, undefined);
      assertKeyOnlyInHeader(1);
    });

    it('accepts a base URL typed with /v1beta already', async () => {
      await geminiAdapter.testConnection(target({ baseUrl: `${fixture.url}/v1beta` }), context);

      assert.equal(fixture.requests[0].url, '/v1beta/models?pageSize=1');
    });

    it('maps the 400 API_KEY_INVALID of a wrong key to auth_failed', async () => {
      const error = await expectFailure(geminiAdapter.testConnection(target({ apiKey: 'AIza-wrong-key-0000' }), context), 'auth_failed');

      assert.match(error.message, /answered 400 \(API_KEY_INVALID\): the key was rejected/);
      assert.match(error.message, /Gemini said: "API key not valid\. Please pass a valid API key\."/);
      assert.match(error.message, /Switchboard: Set API Key/);
    });

    it('keeps other 400s (INVALID_ARGUMENT without API_KEY_INVALID) as invalid_input', async () => {
      const error = await expectFailure(
        context.http.getJson(`${fixture.url}/v1beta/models?pageToken=nonsense`, z.object({}), { api: geminiApi, headers: { 'x-goog-api-key': CANARY_KEY }, timeoutMs: PATIENT_TIMEOUT_MS }),
        'invalid_input',
      );

      assert.match(error.message, /Gemini said: "Invalid page token\."/);
    });

    it('maps a refused port to endpoint_unreachable and a hang to timeout', async () => {
      await expectFailure(geminiAdapter.testConnection(target({ baseUrl: `http://127.0.0.1:${await closedPort()}` }), context), 'endpoint_unreachable');
      fixture.setBehaviour('hang');
      await expectFailure(geminiAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');
    });

    it('says the server does not look like Gemini for garbage', async () => {
      fixture.setBehaviour('garbage');

      const error = await expectFailure(geminiAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /does not look like the Gemini API/);
    });

    it('keeps an echoed key out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => geminiAdapter.testConnection(target(), context));
    });
  });

  describe('discoverModels', () => {
    it('keeps generateContent models, strips models/, reads inputTokenLimit and marks table modalities builtin', async () => {
      const { models, leftOut } = await geminiAdapter.discoverModels!(target(), context);

      assert.deepEqual(models.map((model) => model.providerModelId), ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash']);
      // Two embedding models and Imagen answer no generateContent.
      assert.deepEqual(leftOut, [{ count: 3, kind: 'non-chat model', why: 'no generateContent method' }]);
      assert.deepEqual(models[0], {
        providerModelId: 'gemini-2.5-flash',
        displayName: 'Gemini 2.5 Flash',
        modalities: ['text', 'vision', 'audio', 'tools', 'reasoning'],
        contextWindow: 1048576,
        maxOutputTokens: 65536,
        sources: { modalities: 'builtin', contextWindow: 'api', maxOutputTokens: 'api' },
        metadata: { version: '001' },
      });
      assert.deepEqual(models[2].modalities, ['text', 'vision', 'audio', 'tools']);
      for (const model of models) DiscoveredModelSchema.parse(model);
      assertKeyOnlyInHeader(1);
      assertNoCanary(models);
    });

    it('follows nextPageToken with pageToken until it is absent', async () => {
      fixture.generateModels(GEMINI_PAGE_SIZE * 2 + 10);

      const models = (await geminiAdapter.discoverModels!(target(), context)).models;

      // Every fourth generated model only embeds.
      assert.equal(models.length, (GEMINI_PAGE_SIZE * 2 + 10) - Math.floor((GEMINI_PAGE_SIZE * 2 + 10) / 4));
      assert.equal(fixture.requests.length, 3);
      assert.equal(fixture.requests[0].url, `/v1beta/models?pageSize=${GEMINI_PAGE_SIZE}`);
      assert.match(fixture.requests[1].url, new RegExp(`^/v1beta/models\\?pageSize=${GEMINI_PAGE_SIZE}&pageToken=[\\w-]+$`));
      assert.notEqual(fixture.requests[1].url, fixture.requests[2].url);
      assertKeyOnlyInHeader(3);
    });

    it('takes reasoning from the API\'s thinking flag when the table does not know the model', async () => {
      fixture.setModels([{ id: 'gemini-exp-thinker', thinking: true }, { id: 'gemini-exp-plain' }]);

      const [thinker, plain] = (await geminiAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual([thinker.modalities, thinker.sources.modalities], [['text', 'reasoning'], 'api']);
      assert.deepEqual([plain.modalities, plain.sources.modalities], [['text'], undefined]);
    });

    it('maps a wrong key to auth_failed', async () => {
      await expectFailure(geminiAdapter.discoverModels!(target({ apiKey: 'AIza-wrong-key-0000' }), context), 'auth_failed');
    });

    it('maps 429 to rate_limited', async () => {
      fixture.setBehaviour('rate-limited');

      await expectFailure(geminiAdapter.discoverModels!(target(), context), 'rate_limited');
    });
  });

  describe('chat', () => {
    it('posts generateContent with systemInstruction, the assistant as role model, and the key in the header only', async () => {
      const result = await geminiAdapter.chat!(target(), { ...request, maxTokens: 100 }, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'gemini-2.0-flash', usage: { inputTokens: 6, outputTokens: 4 }, finishReason: 'STOP' });
      assert.equal(fixture.requests[0].url, '/v1beta/models/gemini-2.0-flash:generateContent');
      assert.deepEqual(JSON.parse(fixture.requests[0].body), {
        contents: [
          { role: 'user', parts: [{ text: 'hi' }] },
          { role: 'model', parts: [{ text: 'Hello.' }] },
          { role: 'user', parts: [{ text: 'hello there' }] },
        ],
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        generationConfig: { maxOutputTokens: 100 },
      });
      assertKeyOnlyInHeader(1);
      assertNoCanary(result);
    });

    it('leaves thought parts out of the reply and counts thinking as output', async () => {
      const result = await geminiAdapter.chat!(target(), { modelRef: 'models/gemini-2.5-flash', messages: [{ role: 'user', content: 'hello' }] }, context);

      assert.equal(result.content, 'You said: hello');
      assert.deepEqual(result.usage, { inputTokens: 1, outputTokens: 3 + 7, reasoningTokens: 7 });
      assert.equal(fixture.requests[0].url, '/v1beta/models/gemini-2.5-flash:generateContent');
    });

    it('maps an unknown model, or one without generateContent, to model_not_found', async () => {
      const error = await expectFailure(geminiAdapter.chat!(target(), { ...request, modelRef: 'text-embedding-004' }, context), 'model_not_found');

      assert.match(error.message, /is not supported for generateContent/);
    });

    it('maps the HTML 404 of a wrong route to not_found about the base URL', async () => {
      const error = await expectFailure(geminiAdapter.chat!(target({ baseUrl: `${fixture.url}/wrong` }), request, context), 'not_found');

      assert.match(error.message, /Check the connection's base URL/);
    });

    it('maps a wrong key to auth_failed, 500 to bad_response and a hang to timeout', async () => {
      await expectFailure(geminiAdapter.chat!(target({ apiKey: 'AIza-wrong-key-0000' }), request, context), 'auth_failed');
      fixture.setBehaviour('server-error');
      await expectFailure(geminiAdapter.chat!(target(), request, context), 'bad_response');
      fixture.setBehaviour('hang');
      await expectFailure(geminiAdapter.chat!(target(), request, { ...context, timeoutMs: 200 }), 'timeout');
    });

    it('refuses a conversation with only a system prompt before sending anything', async () => {
      await expectFailure(geminiAdapter.chat!(target(), { modelRef: 'gemini-2.0-flash', messages: [{ role: 'system', content: 'x' }] }, context), 'invalid_input');

      assert.equal(fixture.requests.length, 0);
    });

    it('puts model references into the path safely', () => {
      assert.equal(geminiModelPath('gemini-2.5-flash'), 'models/gemini-2.5-flash');
      assert.equal(geminiModelPath('models/gemini-2.5-flash'), 'models/gemini-2.5-flash');
      assert.equal(geminiModelPath('tunedModels/my-model-1'), 'tunedModels/my-model-1');
      assert.equal(geminiModelPath('../../v1/evil?x=1'), 'models/..%2F..%2Fv1%2Fevil%3Fx%3D1');
    });
  });
});
