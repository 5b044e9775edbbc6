import * as assert from 'node:assert/strict';
import type { ChatStreamPart } from '../../src/contracts/models';
import { ChatRecordStore } from '../../src/core/chat/chatRecordStore';
import { ChatService } from '../../src/core/chat/chatService';
import { chatRequesterId, requesterIds } from '../../src/core/keys/requesters';
import { AnthropicFixture } from '../fixtures/anthropicFixture';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { databaseText } from '../fixtures/tempDatabase';
import { discovered, makeStack } from '../helpers/stacks';
import { serveDuringSuite } from '../helpers/providerTestKit';

describe('VS Code chat requests through ChatService and their records', function () {
  this.timeout(30_000);
  const ollama = new OllamaFixture();
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  const anthropic = new AnthropicFixture({ apiKey: CANARY_KEY });
  let stack: Awaited<ReturnType<typeof makeStack>>;

  serveDuringSuite(ollama);
  serveDuringSuite(openai);
  serveDuringSuite(anthropic);
  afterEach(async () => {
    await stack?.cleanup();
  });

  async function chatStack(answers: ('once' | 'always' | 'deny')[] = [], retention = 100) {
    stack = await makeStack({ answers });
    const records = new ChatRecordStore({ db: stack.db, logger: stack.logger, retention: () => retention });
    const chat = new ChatService({ ...stack, records, clock: { now: () => new Date() } });
    const local = await stack.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    await stack.models.register(local.id, [discovered('llama3.2:latest', { modalities: ['text', 'tools'], contextWindow: 16384 }), discovered('qwen2.5-coder:7b')]);
    return { records, chat, local };
  }

  const collect = () => {
    const parts: ChatStreamPart[] = [];
    return { parts, onPart: (part: ChatStreamPart) => parts.push(part) };
  };

  it('offers the enabled registered models of usable connections, and not a disabled one', async () => {
    const { chat, local } = await chatStack();
    assert.deepEqual(chat.models().map((m) => m.id).sort(), [`${local.id}/llama3.2:latest`, `${local.id}/qwen2.5-coder:7b`]);
    const qwen = stack.models.list().find((m) => m.providerModelId === 'qwen2.5-coder:7b')!;
    await stack.models.setEnabled(qwen.id, false);
    assert.deepEqual(chat.models().map((m) => m.id), [`${local.id}/llama3.2:latest`]);
  });

  it('lists a keyed connection\'s models without reading its key or asking; the first request asks, naming the extension, and "Always Allow" holds for that extension alone', async () => {
    const { chat } = await chatStack(['always', 'deny']);
    const keyed = await stack.connections.create({ name: 'Keyed', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await stack.connections.setKey(keyed.id, CANARY_KEY);
    await stack.models.register(keyed.id, [discovered('gpt-4o-mini')]);
    const id = `${keyed.id}/gpt-4o-mini`;
    assert.ok(chat.models().some((m) => m.id === id), 'a keyed model is on offer before any consent');
    assert.deepEqual(stack.prompts, [], 'listing asks nothing');
    assert.deepEqual((await stack.audit.read()).filter((e) => e.kind === 'key_read'), [], 'listing reads no key');

    const ask = (initiator: string) => {
      const { parts, onPart } = collect();
      const request = { modelId: id, requesterId: chatRequesterId(initiator), messages: [{ role: 'user', content: 'hi' }] };
      return chat.respond(request, new AbortController().signal, onPart).then((result) => ({ result, parts }));
    };
    const first = await ask('Acme.Helper');
    assert.ok(first.result.content.length > 0);
    const second = await ask('acme.helper');
    assert.ok(second.result.content.length > 0);
    await expectFailure(ask('other.extension'), 'consent_denied');
    const helper = `${requesterIds.vscodeChat}/acme.helper`;
    assert.deepEqual(stack.prompts, [`${helper}@Keyed`, `${requesterIds.vscodeChat}/other.extension@Keyed`], 'asked at the first request of each extension, once');
    const reads = (await stack.audit.read()).filter((e) => e.kind === 'key_read').reverse();
    assert.deepEqual(reads.map((e) => [e.requesterId, e.purpose, e.origin, e.outcome]), [
      [helper, 'chat', new URL(openai.url).origin, 'granted_always'],
      [helper, 'chat', new URL(openai.url).origin, 'granted_standing'],
      [`${requesterIds.vscodeChat}/other.extension`, 'chat', new URL(openai.url).origin, 'denied'],
    ]);
    assertNoCanary([first, second, await stack.audit.read(), stack.store.dump(), await databaseText(stack.db), stack.logger.lines]);
  });

  it('streams an answer and a tool call, sends the tool result back, and records each request with its routing and usage', async () => {
    const { chat, records, local } = await chatStack();
    const modelId = `${local.id}/llama3.2:latest`;
    const tools = [{ name: 'get_weather', description: 'the weather', parameters: { type: 'object', properties: { text: { type: 'string' } } } }];
    const first = collect();
    const asked = await chat.respond({ modelId, requesterId: chatRequesterId('Some.Extension'), messages: [{ role: 'user', content: 'weather in Paris?' }], tools, toolMode: 'auto' }, new AbortController().signal, first.onPart);
    const call = first.parts.find((p) => p.type === 'tool_call');
    assert.ok(call?.type === 'tool_call' && call.call.name === 'get_weather', JSON.stringify(first.parts));
    assert.ok(first.parts.some((p) => p.type === 'text'));

    const second = collect();
    const answered = await chat.respond(
      {
        modelId,
        requesterId: chatRequesterId('Some.Extension'),
        messages: [{ role: 'user', content: 'weather in Paris?' }, { role: 'assistant', content: asked.content, toolCalls: asked.toolCalls }, { role: 'tool', toolCallId: call.call.id, content: '21 degrees' }],
        tools,
      },
      new AbortController().signal,
      second.onPart,
    );
    assert.match(answered.content, /The tool said: 21 degrees/);

    const { records: stored, total } = records.page({ limit: 10 });
    assert.equal(total, 2);
    assert.deepEqual(stored.map((r) => [r.status, r.connectionId, r.providerId, r.modelRef, r.requesterId, r.toolCalls]), [
      ['succeeded', local.id, 'ollama', 'llama3.2:latest', `${requesterIds.vscodeChat}/some.extension`, 0],
      ['succeeded', local.id, 'ollama', 'llama3.2:latest', `${requesterIds.vscodeChat}/some.extension`, 1],
    ]);
    assert.ok(stored.every((r) => r.usage && r.usage.outputTokens > 0 && r.firstTokenMs !== undefined));
    const audited = (await stack.audit.read()).filter((e) => e.kind === 'model_call');
    assert.deepEqual(audited.map((e) => [e.requesterId, e.modelRef, e.outcome]), [
      [`${requesterIds.vscodeChat}/some.extension`, 'llama3.2:latest', 'ok'],
      [`${requesterIds.vscodeChat}/some.extension`, 'llama3.2:latest', 'ok'],
    ]);
  });

  it('refuses a disabled model, a gone connection and a malformed request, and records a failure or cancellation', async () => {
    const { chat, records, local } = await chatStack();
    const qwen = stack.models.list().find((m) => m.providerModelId === 'qwen2.5-coder:7b')!;
    await stack.models.setEnabled(qwen.id, false);
    const signal = new AbortController().signal;
    const none = () => undefined;
    await expectFailure(chat.respond({ modelId: `${local.id}/qwen2.5-coder:7b`, requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: 'x' }] }, signal, none), 'model_not_found', /Enable it/);
    await expectFailure(chat.respond({ modelId: 'nope/llama', requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: 'x' }] }, signal, none), 'missing_connection');
    await expectFailure(chat.respond({ modelId: `${local.id}/llama3.2:latest`, requesterId: requesterIds.vscodeChat, messages: [] }, signal, none), 'invalid_input');
    assert.equal(records.page({ limit: 10 }).total, 0, 'a refused request reaches no provider and stores nothing');

    ollama.setBehaviour('stream-endless');
    const controller = new AbortController();
    const pending = chat.respond({ modelId: `${local.id}/llama3.2:latest`, requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: 'go on' }] }, controller.signal, () => controller.abort());
    await expectFailure(pending, 'cancelled');
    const [cancelled] = records.page({ limit: 10 }).records;
    assert.equal(cancelled?.status, 'cancelled');
    assert.equal(cancelled?.error?.code, 'cancelled');
  });

  it('refuses an image to a model without vision in words naming the model, sends nothing, and records the failure; a vision model gets it', async () => {
    const { chat, records, local } = await chatStack();
    await stack.models.register(local.id, [discovered('llava:latest', { displayName: 'LLaVA', modalities: ['text', 'vision'] })]);
    const png = { mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' };
    const withImage = (model: string, role: 'user' | 'tool' = 'user') => ({
      modelId: `${local.id}/${model}`,
      requesterId: requesterIds.vscodeChat,
      messages:
        role === 'user'
          ? [{ role: 'user', content: 'what is this?', images: [png] }]
          : [{ role: 'user', content: 'look' }, { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'shot', arguments: {} }] }, { role: 'tool', toolCallId: 'c1', content: 'a shot', images: [png] }],
    });
    const signal = new AbortController().signal;
    for (const role of ['user', 'tool'] as const) {
      const error = await expectFailure(chat.respond(withImage('llama3.2:latest', role), signal, () => undefined), 'invalid_input');
      assert.equal(error.message, 'The model "llama3.2:latest" (Local) cannot read images, so the request was not sent. Pick a model that reads images, or ask again without the image. If this model does read images, say so with Switchboard: Set Model Capabilities.');
    }
    assert.equal(ollama.requests.filter((request) => request.url === '/api/chat').length, 0, 'nothing reached the provider');
    assert.deepEqual(records.page({ limit: 10 }).records.map((r) => [r.status, r.error?.code, r.modelRef]), [
      ['failed', 'invalid_input', 'llama3.2:latest'],
      ['failed', 'invalid_input', 'llama3.2:latest'],
    ]);

    const answer = await chat.respond(withImage('llava:latest'), signal, () => undefined);
    assert.equal(answer.content, 'You said: what is this?');
    const sent = JSON.parse(ollama.requests.find((request) => request.url === '/api/chat')!.body) as { messages: { images?: string[] }[] };
    assert.deepEqual(sent.messages[0].images, [png.data]);
  });

  it('stores the cache reads and writes the provider reports with the chat record\'s usage', async () => {
    const { chat, records } = await chatStack(['always']);
    const claude = await stack.connections.create({ name: 'Claude', providerId: 'anthropic', baseUrl: anthropic.url });
    await stack.connections.setKey(claude.id, CANARY_KEY);
    await stack.models.register(claude.id, [discovered('claude-sonnet-4-5', { modalities: ['text', 'vision', 'tools'] })]);
    const ask = () =>
      chat.respond(
        { modelId: `${claude.id}/claude-sonnet-4-5`, requesterId: requesterIds.vscodeChat, messages: [{ role: 'system', content: 'You are a careful reviewer of long documents.', cacheBreakpoint: true }, { role: 'user', content: 'summarise' }] },
        new AbortController().signal,
        () => undefined,
      );
    await ask();
    await ask();
    // Newest first: the second request read what the first wrote.
    const [second, first] = records.page({ limit: 10 }).records.map((r) => r.usage);
    assert.ok(first?.cacheWriteTokens && first.cacheWriteTokens > 0 && first.cacheReadTokens === undefined, JSON.stringify(first));
    assert.deepEqual([second?.cacheReadTokens, second?.cacheWriteTokens], [first.cacheWriteTokens, undefined]);
    assert.equal(assertCanaryOnlyInHeader(anthropic.requests, 'x-api-key'), 2);
    // The usage ledger has each request under its chat record, the cached prompt inside the input
    // count, once its writer thread has written them (a chat request does not wait for that).
    await stack.ledger.flushed();
    const ids = records.page({ limit: 10 }).records.map((r) => r.id).reverse();
    const calls = stack.ledger.calls({ from: '2000-01-01', to: '2100-01-01', utcOffsetMinutes: 0, filter: {} });
    assert.deepEqual(calls.map((call) => [call.chatId, call.requesterId, call.estimated]), ids.map((id) => [id, requesterIds.vscodeChat, false]));
    assert.ok(calls[0]!.inputTokens > calls[0]!.cacheWriteTokens!, JSON.stringify(calls[0]));
    assert.ok(calls[1]!.inputTokens > calls[1]!.cacheReadTokens!, JSON.stringify(calls[1]));
  });

  it('keeps only the newest records within the retention', async () => {
    const { records, local } = await chatStack([], 3);
    for (let i = 0; i < 5; i++) {
      records.add({ id: `00000000-0000-4000-8000-00000000000${i}`, requesterId: 'switchboard.vscodeChat', connectionId: local.id, providerId: 'ollama', modelRef: 'm', status: 'succeeded', toolCalls: 0, latencyMs: i, createdAt: new Date().toISOString() });
    }
    const { records: kept, total } = records.page({ limit: 10 });
    assert.equal(total, 3);
    assert.deepEqual(kept.map((r) => r.latencyMs), [4, 3, 2]);
  });
});
