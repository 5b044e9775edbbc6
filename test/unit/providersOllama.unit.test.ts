import * as assert from 'node:assert/strict';
import { ProviderDescriptorSchema } from '../../src/contracts/providers';
import { HttpClient } from '../../src/core/http/httpClient';
import type { ProxySettings } from '../../src/core/ports';
import type { CallContext, ConnectionTarget } from '../../src/core/providers/adapter';
import { ollamaAdapter, ollamaDescriptor } from '../../src/core/providers/ollama';
import { CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';

describe('Ollama adapter', () => {
  const fixture = new OllamaFixture();
  const settings: ProxySettings = { noProxy: [], strictSSL: true };
  let context: CallContext;

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY, ...overrides };
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

  it('has a valid core descriptor with the local default URL and model', () => {
    const descriptor = ProviderDescriptorSchema.parse(ollamaDescriptor);

    assert.equal(descriptor.source, 'core');
    assert.equal(descriptor.defaults.baseUrl, 'http://localhost:11434');
    assert.equal(descriptor.defaults.modelRef, 'llama3.2');
    assert.deepEqual(
      descriptor.fields.map(({ key, kind, required }) => ({ key, kind, required })),
      [
        { key: 'baseUrl', kind: 'url', required: true },
        { key: 'apiKey', kind: 'secret', required: false },
      ],
    );
  });

  describe('testConnection', () => {
    it('reports the version and the number of installed models, asking /api/version then /api/tags', async () => {
      const summary = await ollamaAdapter.testConnection(target(), context);

      assert.equal(summary, 'Ollama 0.12.3, 3 models installed');
      assert.deepEqual(fixture.requests.map((request) => `${request.method} ${request.url}`), ['GET /api/version', 'GET /api/tags']);
      assert.deepEqual(fixture.authorizationHeaders(), [`Bearer ${CANARY_KEY}`, `Bearer ${CANARY_KEY}`]);
    });

    it('sends no Authorization header when the connection has no key, and counts one model in the singular', async () => {
      fixture.setModels(['llama3.2']);

      const summary = await ollamaAdapter.testConnection(target({ apiKey: undefined }), context);

      assert.equal(summary, 'Ollama 0.12.3, 1 model installed');
      assert.deepEqual(fixture.authorizationHeaders(), [undefined, undefined]);
    });

    it('says how to start Ollama when the connection is refused', async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}`;

      const error = await expectFailure(ollamaAdapter.testConnection(target({ baseUrl }), context), 'endpoint_unreachable');

      assert.equal(error.message, `Ollama is not reachable at ${baseUrl}. Is it running? Start it with \`ollama serve\`.`);
    });

    it('maps 401 to auth_failed saying the key was rejected', async () => {
      fixture.setBehaviour('unauthorized');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'auth_failed');

      assert.match(error.message, /the key was rejected/);
      assert.match(error.message, /Ollama said: "invalid API key"/);
      assert.equal(fixture.authorizationHeaders()[0], `Bearer ${CANARY_KEY}`);
    });

    it('maps 403 to auth_failed', async () => {
      fixture.setBehaviour('forbidden');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'auth_failed');

      assert.match(error.message, /answered 403: the key was rejected/);
    });

    it('rejects a wrong key when Ollama sits behind authentication', async () => {
      const guarded = new OllamaFixture({ apiKey: 'the-right-key-123' });
      await guarded.start();
      try {
        const error = await expectFailure(ollamaAdapter.testConnection(target({ baseUrl: guarded.url }), context), 'auth_failed');
        assert.match(error.message, /the key was rejected/);
        assert.equal(guarded.authorizationHeaders()[0], `Bearer ${CANARY_KEY}`);
      } finally {
        await guarded.stop();
      }
    });

    it('fails only at /api/tags when only that endpoint rejects the key', async () => {
      fixture.setBehaviour('unauthorized', '/api/tags');

      await expectFailure(ollamaAdapter.testConnection(target(), context), 'auth_failed');

      assert.deepEqual(fixture.requests.map((request) => request.url), ['/api/version', '/api/tags']);
    });

    it('times out when Ollama never answers', async () => {
      fixture.setBehaviour('hang');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), { ...context, timeoutMs: 200 }), 'timeout');

      assert.match(error.message, new RegExp(`No answer from ${fixture.url.replace(/\./g, '\\.')} within 0\\.2 s`));
    });

    it('says the server does not look like Ollama when the body is not JSON', async () => {
      fixture.setBehaviour('garbage');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, new RegExp(`${fixture.url.replace(/\./g, '\\.')}/api/version does not look like the Ollama API`));
    });

    it('says the server does not look like Ollama when the JSON has another shape', async () => {
      fixture.setBehaviour('wrong-shape', '/api/tags');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /\/api\/tags does not look like the Ollama API: its answer has an unexpected shape \(at models\)/);
    });

    it('refuses a huge body with bad_response', async () => {
      fixture.setBehaviour('huge', '/api/tags');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'bad_response');

      assert.match(error.message, /\/api\/tags is larger than 8 MiB/);
    });

    it('turns a closed socket into endpoint_unreachable without the "ollama serve" hint', async () => {
      fixture.setBehaviour('close-socket');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'endpoint_unreachable');

      assert.doesNotMatch(error.message, /ollama serve/);
    });

    it('keeps a key that the server echoes out of the error', async () => {
      fixture.setBehaviour('echo-key');

      const error = await expectFailure(ollamaAdapter.testConnection(target(), context), 'auth_failed');

      assert.match(error.message, /\[redacted\]/);
      assert.equal(fixture.authorizationHeaders()[0], `Bearer ${CANARY_KEY}`);
    });
  });
});
