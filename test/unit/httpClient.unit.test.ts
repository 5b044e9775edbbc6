import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { SwitchboardError } from '../../src/core/base/errors';
import { HttpClient } from '../../src/core/http/httpClient';
import { NetworkError, type ApiProfile } from '../../src/core/http/httpErrors';
import type { ProxySettings } from '../../src/core/base/ports';
import { CANARY_KEY, assertNoCanary } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { selfSignedCert } from '../fixtures/selfSignedCert';
import { serveDuringSuite } from '../helpers/providerTestKit';
import { ManualTimers, PATIENT_TIMEOUT_MS } from '../helpers/fakes';

const VersionSchema = z.object({ version: z.string() });
const TagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });
const ollamaLike: ApiProfile = { name: 'Ollama' };
const auth = { authorization: `Bearer ${CANARY_KEY}` };

describe('HttpClient', () => {
  const fixture = new OllamaFixture();
  let settings: ProxySettings;
  let http: HttpClient;

  serveDuringSuite(fixture);
  beforeEach(() => {
    settings = { noProxy: [], strictSSL: true };
    // An empty env keeps the machine's HTTP(S)_PROXY out of these tests.
    http = new HttpClient({ proxy: () => settings, env: {} });
  });
  afterEach(async () => {
    await http.dispose();
  });

  describe('answers', () => {
    it('returns the JSON of a 2xx answer validated by the schema and sends the key only in the Authorization header', async () => {
      const answer = await http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS });

      assert.deepEqual(answer, { version: '0.12.3' });
      assert.equal(fixture.requests.length, 1);
      assert.equal(fixture.requests[0].url, '/api/version');
      assert.ok(!fixture.requests[0].url.includes(CANARY_KEY));
      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
      assert.equal(fixture.requests[0].headers.accept, 'application/json');
    });

    it('posts a JSON body with a JSON content type', async () => {
      const ChatSchema = z.object({ message: z.object({ content: z.string() }), done: z.boolean() });
      const answer = await http.postJson(
        `${fixture.url}/api/chat`,
        { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'ping' }] },
        ChatSchema,
        { api: ollamaLike, timeoutMs: PATIENT_TIMEOUT_MS },
      );

      assert.equal(answer.message.content, 'You said: ping');
      assert.equal(fixture.requests[0].headers['content-type'], 'application/json');
      assert.equal(JSON.parse(fixture.requests[0].body).model, 'llama3.2');
    });
  });

  describe('timeouts and cancellation', () => {
    it('throws timeout naming the origin and the seconds when the server never answers', async () => {
      // The server never answers, so only the call's own timeout can end it.
      fixture.setBehaviour('hang');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: 300 }), 'timeout');

      assert.match(error.message, new RegExp(`^No answer from ${escape(fixture.url)} within 0\\.3 s\\.`));
      assert.match(error.message, /switchboard\.requestTimeoutSeconds/);
      assert.equal(fixture.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
    });

    it('counts reading the body against the timeout, not only waiting for headers', async () => {
      // huge-declared sends headers and a few bytes, then nothing; a cap above its length lets the read start.
      fixture.setBehaviour('huge-declared');

      await expectFailure(http.getJson(`${fixture.url}/api/tags`, TagsSchema, { api: ollamaLike, headers: auth, timeoutMs: 300, maxResponseBytes: 2 * 1024 ** 3 }), 'timeout');
    });

    it('throws cancelled when the caller aborts a running request', async () => {
      fixture.setBehaviour('hang');
      const controller = new AbortController();
      void fixture.nextRequest().then(() => controller.abort());

      const error = await expectFailure(
        http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: 5000, signal: controller.signal }),
        'cancelled',
      );

      assert.match(error.message, /was cancelled/);
      assert.equal(fixture.requests.length, 1);
    });

    it('refuses a timeout no timer can keep (past 2^31-1 ms, 0 or less, not a number) before sending anything', async () => {
      for (const timeoutMs of [2 ** 31, 30 * 24 * 3600 * 1000, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs }), 'invalid_input');
        assert.match(error.message, /^A timeout of .* ms cannot be kept: it must be more than 0 and at most 2147483647 ms/);
      }
      const stream = http.postStream(`${fixture.url}/api/chat`, {}, { api: ollamaLike, headers: auth, timeoutMs: 5000, idleTimeoutMs: 2 ** 31, accept: 'application/x-ndjson' });
      await expectFailure((async () => {
        for await (const chunk of stream) assert.fail(`nothing should be read, got ${chunk}`);
      })(), 'invalid_input');
      // The longest a timer keeps is still accepted.
      assert.deepEqual(await http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, timeoutMs: 2 ** 31 - 1 }), { version: '0.12.3' });
      assert.equal(fixture.requests.length, 1);
    });

    it('throws cancelled without sending anything when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();

      await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: 5000, signal: controller.signal }), 'cancelled');

      assert.equal(fixture.requests.length, 0);
    });
  });

  it("leaves no timer running and no listener on the caller's signal once a call is over, answered or not", async () => {
    const timers = new ManualTimers();
    const client = new HttpClient({ proxy: () => settings, env: {}, timers });
    const caller = new AbortController();
    try {
      const options = { api: ollamaLike, headers: auth, timeoutMs: 5000, signal: caller.signal };
      for (let i = 0; i < 3; i++) await client.getJson(`${fixture.url}/api/version`, VersionSchema, options);
      await expectFailure(client.getJson(`${fixture.url}/api/version`, TagsSchema, options), 'bad_response');
      for await (const _text of client.postStream(`${fixture.url}/api/chat`, { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }, { ...options, idleTimeoutMs: 5000, accept: 'application/x-ndjson' })) {
        // read to its end
      }
      assert.equal(getEventListeners(caller.signal, 'abort').length, 0, "the caller's signal keeps no listener");
      assert.equal(timers.fire(), 0, 'no timeout left running');
    } finally {
      await client.dispose();
    }
  });

  describe('response size cap', () => {
    it('stops reading a chunked body without content-length past the default 8 MiB', async () => {
      fixture.setBehaviour('huge');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/tags`, TagsSchema, { api: ollamaLike, headers: auth, timeoutMs: 5000 }), 'bad_response');

      assert.match(error.message, /larger than 8 MiB/);
      assert.match(error.message, new RegExp(`${escape(fixture.url)}/api/tags`));
    });

    it('applies a per-request cap', async () => {
      // The normal /api/tags answer is a few KiB; 512 bytes is too little.
      const error = await expectFailure(http.getJson(`${fixture.url}/api/tags`, TagsSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS, maxResponseBytes: 512 }), 'bad_response');

      assert.match(error.message, /larger than 512 bytes/);
    });

    it('applies the cap from the client options', async () => {
      const small = new HttpClient({ proxy: () => settings, env: {}, maxResponseBytes: 1024 });
      try {
        const error = await expectFailure(small.getJson(`${fixture.url}/api/tags`, TagsSchema, { api: ollamaLike, timeoutMs: PATIENT_TIMEOUT_MS }), 'bad_response');
        assert.match(error.message, /larger than 1 KiB/);
      } finally {
        await small.dispose();
      }
    });

    it('refuses up front when content-length is above the cap, without waiting for the body', async () => {
      // The body never completes: a client that waited for it would fail with timeout instead.
      fixture.setBehaviour('huge-declared');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/tags`, TagsSchema, { api: ollamaLike, headers: auth, timeoutMs: 5000 }), 'bad_response');

      assert.match(error.message, /larger than 8 MiB/);
    });
  });

  describe('answers that are not the provider', () => {
    it('throws bad_response naming the endpoint and the expected provider for a non-JSON body', async () => {
      fixture.setBehaviour('garbage');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'bad_response');

      assert.equal(error.message, `The server at ${fixture.url}/api/version does not look like the Ollama API: its answer is not JSON. Check the connection's base URL.`);
    });

    it('throws bad_response naming the mismatched paths for JSON of the wrong shape', async () => {
      fixture.setBehaviour('wrong-shape');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'bad_response');

      assert.match(error.message, /does not look like the Ollama API: its answer has an unexpected shape \(at version\)/);
    });
  });

  describe('network failures', () => {
    it('maps a refused connection to endpoint_unreachable', async () => {
      const port = await closedPort();

      const error = await expectFailure(http.getJson(`http://127.0.0.1:${port}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'endpoint_unreachable');

      assert.ok(error instanceof NetworkError);
      assert.equal(error.reason, 'refused');
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}: the connection was refused`));
    });

    it('maps a DNS failure to endpoint_unreachable saying it could not resolve the host', async () => {
      const error = await expectFailure(http.getJson('http://switchboard-fixture.invalid/api/version', VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: 5000 }), 'endpoint_unreachable');

      assert.ok(error instanceof NetworkError);
      assert.equal(error.reason, 'dns');
      assert.match(error.message, /could not resolve host "switchboard-fixture\.invalid"/i);
    });

    it('maps a closed socket to endpoint_unreachable', async () => {
      fixture.setBehaviour('close-socket');

      const error = await expectFailure(http.getJson(`${fixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'endpoint_unreachable');

      assert.ok(error instanceof NetworkError);
      assert.equal(error.reason, 'reset');
      assert.match(error.message, /was closed before an answer arrived/);
    });

    it('refuses a URL with credentials in it and does not echo them', async () => {
      const error = await expectFailure(http.getJson(`http://user:${CANARY_KEY}@127.0.0.1:1/api/version`, VersionSchema, { api: ollamaLike, timeoutMs: PATIENT_TIMEOUT_MS }), 'invalid_input');

      assert.match(error.message, /holds a user name or password/);
    });
  });

  describe('TLS', () => {
    const tlsFixture = new OllamaFixture({ tls: selfSignedCert() });
    before(async () => {
      await tlsFixture.start();
    });
    after(async () => {
      await tlsFixture.stop();
    });

    it('rejects a self-signed certificate with a TLS message that mentions http.proxyStrictSSL', async () => {
      const error = await expectFailure(http.getJson(`${tlsFixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'endpoint_unreachable');

      assert.ok(error instanceof NetworkError);
      assert.equal(error.reason, 'tls');
      assert.match(error.message, new RegExp(`TLS connection to ${escape(tlsFixture.url)} failed: the certificate is self-signed`));
      assert.match(error.message, /http\.proxyStrictSSL/);
    });

    it('accepts the self-signed certificate when http.proxyStrictSSL is false', async () => {
      settings = { noProxy: [], strictSSL: false };

      const answer = await http.getJson(`${tlsFixture.url}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS });

      assert.equal(answer.version, '0.12.3');
      assert.equal(tlsFixture.requests.at(-1)?.headers.authorization, `Bearer ${CANARY_KEY}`);
    });

    it('says to use http:// when an https:// URL points at a plain HTTP server, without mentioning http.proxyStrictSSL', async () => {
      const plainAsHttps = fixture.url.replace('http://', 'https://');

      const error = await expectFailure(http.getJson(`${plainAsHttps}/api/version`, VersionSchema, { api: ollamaLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'endpoint_unreachable');

      assert.match(error.message, /does not speak TLS.*use http:\/\//);
      assert.doesNotMatch(error.message, /proxyStrictSSL/);
    });
  });

  describe('HTTP status errors', () => {
    const openAi = new OpenAiFixture();
    const ModelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });
    const openAiLike: ApiProfile = { name: 'OpenAI' };
    serveDuringSuite(openAi);

    it('maps 401 to auth_failed with the Set API Key action and the provider message', async () => {
      openAi.setBehaviour('unauthorized');

      const error = await expectFailure(http.getJson(`${openAi.url}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'auth_failed');

      assert.match(error.message, /answered 401: the key was rejected/);
      assert.match(error.message, /Switchboard: Set API Key/);
      assert.match(error.message, /OpenAI said: "invalid API key"$/);
      assert.equal(openAi.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
    });

    it('maps 403 to auth_failed', async () => {
      openAi.setBehaviour('forbidden');

      const error = await expectFailure(http.getJson(`${openAi.url}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'auth_failed');

      assert.match(error.message, /answered 403: the key was rejected/);
    });

    it('maps 429 to rate_limited with the Retry-After wait', async () => {
      openAi.setBehaviour('rate-limited');

      const error = await expectFailure(http.getJson(`${openAi.url}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'rate_limited');

      assert.match(error.message, /Try again in 7 s/);
    });

    it('maps 500 to bad_response', async () => {
      openAi.setBehaviour('server-error');

      const error = await expectFailure(http.getJson(`${openAi.url}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'bad_response');

      assert.match(error.message, /answered 500: the server failed/);
    });

    it('maps 404 to model_not_found when the caller says a 404 means the model', async () => {
      const error = await expectFailure(
        http.postJson(`${openAi.url}/v1/chat/completions`, { model: 'gpt-nope', messages: [] }, z.object({}), { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS, notFound: 'model_not_found' }),
        'model_not_found',
      );

      assert.match(error.message, /The model `gpt-nope` does not exist/);
    });

    it('redacts the key when the provider echoes it in its error message', async () => {
      openAi.setBehaviour('echo-key');

      const error = await expectFailure(http.getJson(`${openAi.url}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }), 'auth_failed');

      // The header's value is `Bearer <key>`: the key inside it is blanked, the scheme left.
      assert.match(error.message, /the key in "Bearer \*\*\*\*" is not valid/);
      assertNoCanary(error.message);
    });

    it('blanks a whole header value whose key alone is too short to blank, and leaves other headers alone', async () => {
      // A 7-character token is below the length blanking takes; the value with its scheme is not.
      const short = { authorization: 'Bearer s3cr3t7', 'x-request-tag': 'plain-tag-value' };
      const server = createServer((req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad "${req.headers.authorization}" with ${req.headers['x-request-tag']}` } })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const error = await expectFailure(http.getJson(`http://127.0.0.1:${port}/v1/models`, ModelsSchema, { api: openAiLike, headers: short, timeoutMs: 2000 }), 'auth_failed');
        assert.match(error.message, /bad "\*\*\*\*" with plain-tag-value/);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('blanks a key the provider echoes JSON-escaped where the message is cut, so no part of it survives', async () => {
      const escaped = [...CANARY_KEY].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      // The key starts a few characters before the provider message's 300-character cut.
      const body = `{"error":{"message":"${'x'.repeat(290)} ${escaped} is not a valid key"}}`;
      const server = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const error = await expectFailure(http.getJson(`http://127.0.0.1:${port}/v1/models`, ModelsSchema, { api: openAiLike, headers: auth, timeoutMs: 2000 }), 'auth_failed');
        assert.match(error.message, / \*\*\*\* is n/);
        assert.ok(!/canary|sk-c/.test(error.message), `part of the key survived: ${error.message}`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('lets a provider profile classify a status before the generic mapping', async () => {
      const rejectsKeysWith400: ApiProfile = {
        name: 'Strict',
        classify: (response, message) => (response.status === 400 ? new SwitchboardError('auth_failed', `bad key: ${message}`) : undefined),
      };

      const error = await expectFailure(
        http.postJson(`${openAi.url}/v1/chat/completions`, { nothing: true }, z.object({}), { api: rejectsKeysWith400, headers: auth, timeoutMs: PATIENT_TIMEOUT_MS }),
        'auth_failed',
      );

      assert.match(error.message, /^bad key: Missing required parameter/);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
