import * as assert from 'node:assert/strict';
import { ProviderDescriptorSchema } from '../../src/contracts/providers';
import { HttpClient } from '../../src/core/http/httpClient';
import type { ProxySettings } from '../../src/core/ports';
import type { CallContext, ConnectionTarget } from '../../src/core/providers/adapter';
import { openAiAdapter, openAiDescriptor } from '../../src/core/providers/openai';
import { CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OpenAiFixture } from '../fixtures/openaiFixture';

describe('OpenAI adapter', () => {
  const fixture = new OpenAiFixture({ apiKey: CANARY_KEY });
  const settings: ProxySettings = { noProxy: [], strictSSL: true };
  let context: CallContext;

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: `${fixture.url}/v1`, options: {}, apiKey: CANARY_KEY, ...overrides };
  }

  before(async () => {
    await fixture.start();
  });
  after(async () => {
    await fixture.stop();
  });
  beforeEach(() => {
    fixture.reset();
    context = { http: new HttpClient({ proxy: () => settings, env: {} }), timeoutMs: 2000 };
  });
  afterEach(async () => {
    await context.http.dispose();
  });

  it('has a valid core descriptor: a required key, an optional base URL and organization id', () => {
    const descriptor = ProviderDescriptorSchema.parse(openAiDescriptor);

    assert.equal(descriptor.source, 'core');
    assert.equal(descriptor.defaults.baseUrl, 'https://api.openai.com/v1');
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

      assert.equal(summary, 'Connected: 5 models available');
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
      setTimeout(() => controller.abort(), 30);

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
      fixture.setBehaviour('echo-key');

      const error = await expectFailure(openAiAdapter.testConnection(target(), context), 'auth_failed');

      assert.match(error.message, /\[redacted\]/);
    });

    it('maps a base URL without /v1 (a 404 from the server) to not_found with a hint about the base URL', async () => {
      const error = await expectFailure(openAiAdapter.testConnection(target({ baseUrl: fixture.url }), context), 'not_found');

      assert.match(error.message, /Check the connection's base URL; it must point at the OpenAI API/);
    });
  });
});
