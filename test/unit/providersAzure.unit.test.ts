import * as assert from 'node:assert/strict';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { azureChatUrl, azureDeployments, azureOpenAiAdapter } from '../../src/core/providers/azureOpenai';
import { AzureFixture } from '../fixtures/azureFixture';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';

describe('Azure OpenAI adapter', () => {
  const fixture = new AzureFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const context = callContextPerTest();

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: fixture.url, options: { deployments: 'gpt-4o-prod, gpt-4o-mini' }, apiKey: CANARY_KEY, ...overrides };
  }
  const request: ChatRequest = { modelRef: 'gpt-4o-prod', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] };

  describe('URLs and options', () => {
    it('builds {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21 by default', () => {
      const base = { baseUrl: 'https://my-resource.openai.azure.com', options: {}, apiKey: CANARY_KEY };

      assert.equal(azureChatUrl(base, 'gpt-4o'), 'https://my-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
      assert.equal(
        azureChatUrl({ ...base, baseUrl: 'https://my-resource.openai.azure.com/openai', options: { apiVersion: '2025-01-01-preview' } }, 'chat.v2_prod'),
        'https://my-resource.openai.azure.com/openai/deployments/chat.v2_prod/chat/completions?api-version=2025-01-01-preview',
      );
    });

    it('refuses deployment names and API versions that could change the URL', () => {
      const base = { baseUrl: 'https://r.openai.azure.com', options: {}, apiKey: CANARY_KEY };

      assert.throws(() => azureChatUrl(base, '../models'), /not a valid Azure deployment name/);
      assert.throws(() => azureChatUrl({ ...base, options: { apiVersion: '2024-10-21&x=1' } }, 'gpt-4o'), /API version must look like/);
      assert.throws(() => azureDeployments({ ...base, options: { deployments: 'ok, bad name' } }), /Deployment number 2/);
      assert.throws(() => azureDeployments({ ...base, options: { deployments: ' , ' } }), /names no deployment/);
    });

    it('splits the deployment list on commas and drops repeats', () => {
      assert.deepEqual(azureDeployments({ baseUrl: 'https://r.openai.azure.com', options: { deployments: ' a ,b,, a ' } }), ['a', 'b']);
    });
  });

  describe('testConnection', () => {
    it('asks the first deployment for one token, with the api-key header and the api-version query', async () => {
      const summary = await azureOpenAiAdapter.testConnection(target(), context);

      assert.equal(summary, 'Connected: deployment gpt-4o-prod answered (model gpt-4o-2024-08-06)');
      assert.equal(fixture.requests.length, 1);
      assert.equal(fixture.requests[0].url, '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
      const body = JSON.parse(fixture.requests[0].body) as Record<string, unknown>;
      assert.equal(body.max_tokens, 1);
      assert.equal(body.model, undefined, 'the deployment is chosen by the path');
      assert.equal(fixture.requests[0].headers.authorization, undefined);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'api-key'), 1);
    });

    it('repeats the call with max_completion_tokens when a reasoning deployment refuses max_tokens', async () => {
      const summary = await azureOpenAiAdapter.testConnection(target({ options: { deployments: 'o3-mini-reasoning' } }), context);

      assert.match(summary, /o3-mini-reasoning answered/);
      assert.deepEqual(fixture.requests.map((recorded) => Object.keys(JSON.parse(recorded.body) as object).filter((key) => key.startsWith('max'))), [['max_tokens'], ['max_completion_tokens']]);
    });

    it('maps DeploymentNotFound to model_not_found naming the deployments to check', async () => {
      const error = await expectFailure(azureOpenAiAdapter.testConnection(target({ options: { deployments: 'gpt-5-missing' } }), context), 'model_not_found');

      assert.match(error.message, /this resource has no such deployment/);
      assert.match(error.message, /Azure said: "The API deployment for this resource does not exist/);
    });

    it('maps "Resource not found" (a wrong endpoint or api-version) to not_found', async () => {
      const error = await expectFailure(azureOpenAiAdapter.testConnection(target({ baseUrl: `${fixture.url}/wrong` }), context), 'not_found');

      assert.match(error.message, /Check the resource endpoint/);
    });

    it('maps a wrong key to auth_failed with Azure\'s message', async () => {
      const error = await expectFailure(azureOpenAiAdapter.testConnection(target({ apiKey: 'wrong-azure-key-000' }), context), 'auth_failed');

      assert.match(error.message, /Azure OpenAI said: "Access denied due to invalid subscription key/);
    });

    it('asks for the deployments without calling Azure when there are none', async () => {
      await expectFailure(azureOpenAiAdapter.testConnection(target({ options: {} }), context), 'invalid_input');

      assert.equal(fixture.requests.length, 0);
    });

    it('maps a refused port, a hang and garbage', async () => {
      await expectFailure(azureOpenAiAdapter.testConnection(target({ baseUrl: `http://127.0.0.1:${await closedPort()}` }), context), 'endpoint_unreachable');
      fixture.setBehaviour('hang');
      await expectFailure(azureOpenAiAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');
      fixture.setBehaviour('garbage');
      await expectFailure(azureOpenAiAdapter.testConnection(target(), context), 'bad_response');
    });

    it('keeps an echoed key out of the error', async () => {
      await expectEchoedKeyRedacted(fixture, () => azureOpenAiAdapter.testConnection(target(), context));
    });
  });

  describe('discoverModels', () => {
    it('lists the configured deployments without asking Azure', async () => {
      const models = (await azureOpenAiAdapter.discoverModels!(target(), context)).models;

      assert.deepEqual(models, [
        { providerModelId: 'gpt-4o-prod', displayName: 'gpt-4o-prod', modalities: ['text'], sources: {}, metadata: { deployment: true } },
        { providerModelId: 'gpt-4o-mini', displayName: 'gpt-4o-mini', modalities: ['text'], sources: {}, metadata: { deployment: true } },
      ]);
      for (const model of models) DiscoveredModelSchema.parse(model);
      assert.equal(fixture.requests.length, 0);
      assertNoCanary(models);
    });
  });

  describe('chat', () => {
    it('posts to the deployment and returns the reply with the model behind it', async () => {
      const result = await azureOpenAiAdapter.chat!(target({ options: { deployments: 'x', apiVersion: '2024-06-01' } }), { ...request, maxTokens: 30 }, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'gpt-4o-2024-08-06', usage: { inputTokens: 4, outputTokens: 4 }, finishReason: 'stop' });
      assert.equal(fixture.requests[0].url, '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-06-01');
      assert.deepEqual(JSON.parse(fixture.requests[0].body), { messages: request.messages, stream: false, max_tokens: 30 });
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'api-key'), 1);
      assertNoCanary(result);
    });

    it('maps an unknown deployment to model_not_found', async () => {
      await expectFailure(azureOpenAiAdapter.chat!(target(), { ...request, modelRef: 'nope' }, context), 'model_not_found');
    });

    it('maps 429 to rate_limited and 500 to bad_response', async () => {
      fixture.setBehaviour('rate-limited');
      await expectFailure(azureOpenAiAdapter.chat!(target(), request, context), 'rate_limited');
      fixture.setBehaviour('server-error');
      await expectFailure(azureOpenAiAdapter.chat!(target(), request, context), 'bad_response');
    });
  });
});
