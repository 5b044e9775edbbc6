import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeDiscovery, OLLAMA_ASSUMED_DEFAULT_CONTEXT } from '../../src/contracts/modelFacts';
import { DiscoveredModelSchema, type ChatRequest } from '../../src/contracts/models';
import { ProviderDescriptorSchema } from '../../src/contracts/providers';
import type { CallContext, ConnectionTarget } from '../../src/core/providers/adapter';
import { OLLAMA_SHOW_CONCURRENCY, ollamaAdapter, ollamaBaseUrl, ollamaContext, ollamaDescriptor, ollamaModalities } from '../../src/core/providers/ollama';
import { collectChat } from '../../src/core/providers/streaming';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { callContextPerTest, expectEchoedKeyRedacted, serveDuringSuite } from '../helpers/providerTestKit';

describe('Ollama adapter', () => {
  const fixture = new OllamaFixture();
  serveDuringSuite(fixture);
  const context = callContextPerTest();

  function target(overrides: Partial<ConnectionTarget> = {}): ConnectionTarget {
    return { baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY, ...overrides };
  }

  it('has a valid core descriptor with the local default URL and model, able to test, discover and chat', () => {
    const descriptor = ProviderDescriptorSchema.parse(ollamaDescriptor());

    assert.deepEqual(descriptor.capabilities, { test: true, discovery: true, chat: true });
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

  it('takes the local address from OLLAMA_HOST as Ollama reads it, and falls back to localhost:11434', () => {
    const at = (host: string | undefined) => ollamaBaseUrl({ OLLAMA_HOST: host });
    assert.equal(at(undefined), 'http://localhost:11434');
    assert.equal(at('  '), 'http://localhost:11434');
    assert.equal(at('127.0.0.1:11435'), 'http://127.0.0.1:11435');
    assert.equal(at('ollama.lan'), 'http://ollama.lan:11434', 'a bare host gets http and the port 11434');
    assert.equal(at('0.0.0.0'), 'http://localhost:11434', 'listening everywhere means this machine');
    assert.equal(at('http://127.0.0.1:40123/'), 'http://127.0.0.1:40123');
    assert.equal(at('https://ollama.example.com'), 'https://ollama.example.com', 'a scheme brings its own default port');
    assert.equal(at('ftp://nope'), 'http://localhost:11434');
    assert.equal(at('http://[broken'), 'http://localhost:11434');
    assert.equal(ollamaDescriptor({ OLLAMA_HOST: '127.0.0.1:11435' }).defaults.baseUrl, 'http://127.0.0.1:11435', 'the descriptor offers it');
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

      assert.equal(error.message, `Ollama is not reachable at ${baseUrl}. Is it running? Start it with the command "ollama serve".`);
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
      await expectEchoedKeyRedacted(fixture, () => ollamaAdapter.testConnection(target(), context));
      assert.equal(fixture.authorizationHeaders()[0], `Bearer ${CANARY_KEY}`);
    });
  });
  describe('discoverModels', () => {
    const discover = (overrides: Partial<ConnectionTarget> = {}, ctx: CallContext = context) => ollamaAdapter.discoverModels!(target(overrides), ctx);

    it('lists /api/tags, then asks /api/show for each model and reports capabilities, both context figures and details', async () => {
      const { models, leftOut } = await discover();

      assert.deepEqual(models, [
        {
          providerModelId: 'llama3.2:latest',
          displayName: 'llama3.2:latest',
          modalities: ['text', 'tools'],
          // No num_ctx in its Modelfile: Ollama's default, which /api/show does not report, so assumed.
          contextWindow: OLLAMA_ASSUMED_DEFAULT_CONTEXT,
          maxContextWindow: 131072,
          sources: { modalities: 'api', contextWindow: 'default', maxContextWindow: 'api' },
          metadata: { family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
        },
        {
          providerModelId: 'qwen2.5-coder:7b',
          displayName: 'qwen2.5-coder:7b',
          modalities: ['text', 'tools'],
          // num_ctx 16384 in the Modelfile is what a run gets; the architecture allows 32768.
          contextWindow: 16384,
          maxContextWindow: 32768,
          sources: { modalities: 'api', contextWindow: 'api', maxContextWindow: 'api' },
          metadata: { family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
        },
        {
          providerModelId: 'llava:latest',
          displayName: 'llava:latest',
          modalities: ['text', 'vision'],
          contextWindow: 4096,
          maxContextWindow: 4096,
          sources: { modalities: 'api', contextWindow: 'default', maxContextWindow: 'api' },
          metadata: { family: 'llama', parameter_size: '7B', quantization_level: 'Q4_K_M' },
        },
      ]);
      assert.deepEqual(leftOut, []);
      for (const model of models) DiscoveredModelSchema.parse(model);
      assert.deepEqual(fixture.requests.map((request) => `${request.method} ${request.url} ${request.body}`), [
        'GET /api/tags ',
        'POST /api/show {"model":"llama3.2:latest"}',
        'POST /api/show {"model":"qwen2.5-coder:7b"}',
        'POST /api/show {"model":"llava:latest"}',
      ]);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 4);
      assertNoCanary(models);
    });

    it('maps thinking to reasoning, and leaves embedding models out saying how many and why', async () => {
      fixture.setModels([
        { name: 'qwen3:8b', family: 'qwen3', capabilities: ['completion', 'tools', 'thinking'] },
        { name: 'nomic-embed-text', family: 'nomic-bert', contextLength: 2048, capabilities: ['embedding'] },
        { name: 'mxbai-embed-large', family: 'bert', contextLength: 512, capabilities: ['embedding'] },
        { name: 'flux-image', family: 'flux', capabilities: ['image'] },
      ]);

      const { models, leftOut } = await discover();

      assert.deepEqual(models.map((model) => [model.providerModelId, model.modalities]), [['qwen3:8b', ['text', 'tools', 'reasoning']]]);
      assert.deepEqual(leftOut, [
        { count: 2, kind: 'embedding model', why: 'cannot chat' },
        { count: 1, kind: 'non-chat model', why: 'no "completion" capability' },
      ]);
    });

    it('counts the models as its Test does, on a server with chat and embedding models', async () => {
      fixture.setModels([
        { name: 'llama3.2', capabilities: ['completion', 'tools'] },
        { name: 'qwen3:8b', family: 'qwen3', capabilities: ['completion', 'thinking'] },
        { name: 'nomic-embed-text', family: 'nomic-bert', contextLength: 2048, capabilities: ['embedding'] },
      ]);

      const { models, leftOut } = await discover();
      const summary = await ollamaAdapter.testConnection(target(), context);

      assert.equal(models.length, 2);
      assert.equal(describeDiscovery(models.length, leftOut), 'Found 3 models, 2 for chat; left out: 1 embedding model (cannot chat).');
      assert.equal(summary, 'Ollama 0.12.3, 3 models installed, 2 for chat; left out: 1 embedding model (cannot chat)');
    });

    it('keeps at most four /api/show calls in flight', async () => {
      // Shows are answered only once four wait, so reaching four does not depend on timing.
      fixture.generateModels(14, { holdShowsUntilInFlight: 4, showDelayMs: 25 });

      const { models, leftOut } = await discover();

      assert.equal(OLLAMA_SHOW_CONCURRENCY, 4);
      assert.equal(fixture.maxShowsInFlight, 4);
      // Every fourth generated model is an embedding model.
      assert.equal(models.length, 11);
      assert.deepEqual(leftOut, [{ count: 3, kind: 'embedding model', why: 'cannot chat' }]);
      assert.deepEqual(models.slice(0, 2).map((model) => model.providerModelId), ['model-0001:latest', 'model-0002:latest']);
    });

    it('discovers hundreds of generated models with their mixed capabilities', async () => {
      fixture.generateModels(400);

      const { models, leftOut } = await discover(undefined, { ...context, timeoutMs: 20000 });

      assert.equal(models.length, 300);
      assert.deepEqual(leftOut, [{ count: 100, kind: 'embedding model', why: 'cannot chat' }]);
      assert.deepEqual(models[1].modalities, ['text', 'tools', 'reasoning']);
      assert.deepEqual(models[2].modalities, ['text', 'vision']);
      assert.equal(models[3].providerModelId, 'model-0005:latest', 'model-0004, an embedding model, is left out');
      assert.deepEqual([models[0].contextWindow, models[0].sources.contextWindow], [8192, 'api'], 'every third model has num_ctx 8192');
      assert.deepEqual([models[1].contextWindow, models[1].maxContextWindow, models[1].sources.contextWindow], [OLLAMA_ASSUMED_DEFAULT_CONTEXT, 40960, 'default']);
    });

    it('keeps a model with what /api/tags said when /api/show cannot describe it', async () => {
      fixture.setBehaviour('not-found', '/api/show');

      const { models } = await discover();

      assert.equal(models.length, 3);
      // Without /api/show the parameters are unknown, so the window is too; the tags' context_length is the maximum.
      assert.deepEqual(models[1], {
        providerModelId: 'qwen2.5-coder:7b',
        displayName: 'qwen2.5-coder:7b',
        modalities: ['text', 'tools'],
        maxContextWindow: 32768,
        sources: { modalities: 'api', maxContextWindow: 'api' },
        metadata: { family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
      });
    });

    it('stops with auth_failed when /api/show rejects the key, without describing the other models', async () => {
      fixture.setBehaviour('unauthorized', '/api/show');

      const error = await expectFailure(discover(), 'auth_failed');

      assert.match(error.message, /\/api\/show answered 401/);
    });

    it('times out as a whole within the discovery time, naming the discovery setting', async () => {
      fixture.setBehaviour('hang', '/api/show');

      const error = await expectFailure(discover(undefined, { ...context, timeoutMs: 300 }), 'timeout');

      assert.match(error.message, /Listing the models at http:\/\/127\.0\.0\.1:\d+ took longer than 0\.3 s/);
      assert.match(error.message, /switchboard\.discoveryTimeoutSeconds/);
    });

    it('is cancelled by the caller\'s signal', async () => {
      fixture.setBehaviour('hang', '/api/show');
      const controller = new AbortController();
      void fixture.nextRequest('/api/show').then(() => controller.abort());

      await expectFailure(discover(undefined, { ...context, timeoutMs: 5000, signal: controller.signal }), 'cancelled');
    });

    it('says how to start Ollama when the connection is refused', async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}`;

      const error = await expectFailure(discover({ baseUrl }), 'endpoint_unreachable');

      assert.match(error.message, /Is it running\? Start it with the command "ollama serve"/);
    });

    it('says the server does not look like Ollama when /api/tags is not JSON', async () => {
      fixture.setBehaviour('garbage', '/api/tags');

      const error = await expectFailure(discover(), 'bad_response');

      assert.match(error.message, /\/api\/tags does not look like the Ollama API/);
    });

    it('reads the window from num_ctx in the parameters, else assumes Ollama\'s default, cut to the architecture\'s context length', () => {
      const llama = { 'general.architecture': 'llama', 'llama.context_length': 131072 };
      assert.deepEqual(ollamaContext({ parameters: 'stop "<|eot_id|>"\nnum_ctx                        8192', model_info: llama }), { max: 131072, window: 8192, windowSource: 'api' });
      assert.deepEqual(ollamaContext({ parameters: 'stop "x"', model_info: { 'general.architecture': 'gemma3', 'gemma3.context_length': 131072 } }), { max: 131072, window: 4096, windowSource: 'default' });
      // Ollama cuts a num_ctx above what the model was trained for.
      assert.deepEqual(ollamaContext({ parameters: 'num_ctx 65536', model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 } }), { max: 32768, window: 32768, windowSource: 'api' });
      assert.deepEqual(ollamaContext({ parameters: null, model_info: null }), { window: 4096, windowSource: 'default' });
      assert.deepEqual(ollamaContext({ parameters: 'num_ctx 0', model_info: { 'general.architecture': 'x', 'x.context_length': 'big' } }, 2048), { max: 2048, window: 2048, windowSource: 'default' });
      assert.deepEqual(ollamaContext(undefined, 8192), { max: 8192 });
      assert.deepEqual(ollamaModalities(['completion', 'insert', 'image', 'audio']), ['text', 'audio']);
    });
  });

  describe('chat', () => {
    const request: ChatRequest = { modelRef: 'llama3.2', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] };

    it('posts to /api/chat with stream false and returns the reply, the model and the token counts', async () => {
      const result = await ollamaAdapter.chat!(target(), { ...request, maxTokens: 64 }, context);

      assert.deepEqual(result, { content: 'You said: hello there', modelRef: 'llama3.2:latest', usage: { inputTokens: 4, outputTokens: 4 }, finishReason: 'stop' });
      assert.equal(fixture.requests[0].url, '/api/chat');
      assert.deepEqual(JSON.parse(fixture.requests[0].body), {
        model: 'llama3.2',
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }],
        stream: false,
        options: { num_predict: 64 },
      });
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
      assertNoCanary(result);
    });

    it('asks for the person\'s context window as options.num_ctx, streamed or not, and sends no num_ctx without one', async () => {
      await ollamaAdapter.chat!(target(), { ...request, maxTokens: 64, contextWindow: 32768 }, context);
      await collectChat(ollamaAdapter.chatStream!(target(), { ...request, contextWindow: 8192 }, context));
      await ollamaAdapter.chat!(target(), request, context);

      assert.deepEqual(
        fixture.requests.map((recorded) => JSON.parse(recorded.body).options),
        [{ num_predict: 64, num_ctx: 32768 }, { num_ctx: 8192 }, undefined],
      );
    });

    it('counts 0 tokens where Ollama leaves the zero counts out', async () => {
      fixture.setModels([{ name: 'cached', reply: '', cachedPrompt: true }]);
      // What the fixture sends, as Ollama's omitempty does: no prompt_eval_count, no eval_count.
      const raw = (await (await fetch(`${fixture.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'cached', stream: false, messages: [{ role: 'user', content: 'hi' }] }) })).json()) as Record<string, unknown>;
      assert.ok(!('prompt_eval_count' in raw) && !('eval_count' in raw) && 'total_duration' in raw);

      const result = await ollamaAdapter.chat!(target(), { modelRef: 'cached', messages: [{ role: 'user', content: 'hi' }] }, context);

      assert.deepEqual(result, { content: '', modelRef: 'cached:latest', usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop' });
    });

    it('maps an unknown model to model_not_found with the ollama pull command', async () => {
      const error = await expectFailure(ollamaAdapter.chat!(target(), { ...request, modelRef: 'mistral' }, context), 'model_not_found');

      assert.match(error.message, /Pull it with the command "ollama pull mistral"/);
      assert.match(error.message, /Ollama said: "model 'mistral' not found"/);
    });

    it('never suggests "ollama pull" for a name that command cannot take, and refuses such a name before it is sent', async () => {
      const error = await expectFailure(ollamaAdapter.chat!(target(), { ...request, modelRef: 'my fancy model' }, context), 'model_not_found');

      assert.doesNotMatch(error.message, /ollama pull/);
      assert.match(error.message, /Pick one from the connection's model list\. Ollama said: "model 'my fancy model' not found"/);
      assert.match(ollamaAdapter.validateModelRef!('my fancy model') ?? '', /Ollama model names have no spaces/);
      assert.equal(ollamaAdapter.validateModelRef!('hf.co/org/repo:Q4_K_M'), undefined);
    });

    it('maps Go\'s plain 404 page (a wrong base URL) to not_found, not to a missing model', async () => {
      const error = await expectFailure(ollamaAdapter.chat!(target({ baseUrl: `${fixture.url}/v1` }), request, context), 'not_found');

      assert.match(error.message, /Check the connection's base URL; it must point at the Ollama API/);
    });

    it('times out when Ollama never answers', async () => {
      fixture.setBehaviour('hang');

      const error = await expectFailure(ollamaAdapter.chat!(target(), request, { ...context, timeoutMs: 200 }), 'timeout');

      assert.match(error.message, /switchboard\.requestTimeoutSeconds/);
    });

    it('says the server does not look like Ollama when the answer is not JSON', async () => {
      fixture.setBehaviour('garbage');

      await expectFailure(ollamaAdapter.chat!(target(), request, context), 'bad_response');
    });

    it('maps 429 to rate_limited', async () => {
      fixture.setBehaviour('rate-limited');

      const error = await expectFailure(ollamaAdapter.chat!(target(), request, context), 'rate_limited');

      assert.match(error.message, /Try again in 7 s/);
    });

    it('refuses a request without messages before sending anything', async () => {
      await expectFailure(ollamaAdapter.chat!(target(), { modelRef: 'llama3.2', messages: [] }, context), 'invalid_input');

      assert.equal(fixture.requests.length, 0);
    });

    it('says how to start Ollama when the connection is refused', async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}`;

      const error = await expectFailure(ollamaAdapter.chat!(target({ baseUrl }), request, context), 'endpoint_unreachable');

      assert.match(error.message, /ollama serve/);
    });
  });
});

describe('Ollama streamed lines read by hand', () => {
  // Lines that look like a piece of text but carry more, or a field of the wrong type: each must
  // be read as the schema reads it, not taken as plain text.
  let lines: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // One write: every line arrives in one piece, as a fast model's do.
      res.end(lines.map((line) => `${line}\n`).join(''));
    });
  });
  before(() => new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening)));
  after(() => new Promise<void>((closed) => server.close(() => closed())));
  const context = callContextPerTest();
  const chat = () => collectChat(ollamaAdapter.chatStream!({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options: {} }, { modelRef: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }, context));
  const done = JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 2, eval_count: 3 });
  const text = (fields: Record<string, unknown>, message: Record<string, unknown> = {}) => JSON.stringify({ model: 'llama3.2', done: false, ...fields, message: { role: 'assistant', content: 'a', ...message } });

  it('keeps the reasoning and the tool calls of a line that also has text, and the model it names', async () => {
    lines = [text({ model: 'llama3.2:1b' }), text({}, { thinking: 'hmm' }), text({}, { content: '', tool_calls: [{ function: { name: 'look', arguments: { q: 1 } } }] }), done];

    const answer = await chat();

    assert.equal(answer.content, 'aa');
    assert.equal(answer.reasoning, 'hmm');
    assert.deepEqual(answer.toolCalls?.map((call) => [call.name, call.arguments]), [['look', { q: 1 }]]);
    assert.equal(answer.modelRef, 'llama3.2:1b');
  });

  for (const [what, line] of [
    ['a model that is not a string', text({ model: 5 })],
    ['a role that is not a string', text({}, { role: 7 })],
    ['a count that is not a number', text({ eval_count: 'three' })],
    ['a done reason that is not a string', text({ done_reason: 1 })],
    ['a duration that is not a number', text({ total_duration: 'long' })],
    ['a prompt count that is not a number', text({ prompt_eval_count: [] })],
    ['thinking that is not a string', text({}, { thinking: 1 })],
    ['tool calls that are not a list', text({}, { tool_calls: 'none' })],
  ] as const) {
    it(`refuses a line with ${what} with bad_response, keeping the text before it`, async () => {
      lines = [text({}, { content: 'before ' }), line, done];

      const error = await expectFailure(chat(), 'bad_response');

      assert.equal(error.partialOutput, 'before ');
    });
  }

  it('ends the answer at a last line that says only that it is done', async () => {
    lines = [text({}), JSON.stringify({ done: true, message: { content: 'b' } })];

    const answer = await chat();

    assert.equal(answer.content, 'ab');
    assert.deepEqual(answer.usage, { inputTokens: 0, outputTokens: 0 });
  });

  it('refuses a line that is JSON but not an object (null, a number, text) with bad_response', async () => {
    for (const line of ['null', '5', '"text"']) {
      lines = [line, done];
      await expectFailure(chat(), 'bad_response');
    }
  });

  it("stops at a line that is Ollama's error, though it also looks like a piece of text", async () => {
    lines = [text({ error: 'model unloaded' }), done];

    const error = await expectFailure(chat(), 'bad_response');

    assert.match(error.message, /\(mid-stream\) answered 500.*model unloaded/);
  });
});
