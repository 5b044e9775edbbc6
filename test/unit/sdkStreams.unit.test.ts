// The official SDKs read the fixtures' streams: proof that the fixtures speak the providers' real
// protocols, so the adapters' tests against them mean something. (Gemini's SDK is not a dev
// dependency; its fixture follows docs/providers.md section 4.)
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import OpenAI, { AzureOpenAI } from 'openai';
import { AnthropicFixture } from '../fixtures/anthropicFixture';
import { AzureFixture } from '../fixtures/azureFixture';
import { CANARY_KEY } from '../fixtures/canary';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { serveDuringSuite } from '../helpers/providerTestKit';

const PARAMETERS = { type: 'object', properties: { text: { type: 'string' }, unit: { type: 'string' } }, required: ['text'] };
const ARGUMENTS = { text: 'Weather in Zürich?', unit: '°C' };

describe('the official openai SDK reads the OpenAI-style fixtures\' streams', () => {
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  const azure = new AzureFixture({ apiKey: CANARY_KEY });
  const compatible = new OpenAiCompatibleFixture();
  serveDuringSuite(openai);
  serveDuringSuite(azure);
  serveDuringSuite(compatible);
  const client = () => new OpenAI({ apiKey: CANARY_KEY, baseURL: `${openai.url}/v1`, maxRetries: 0 });

  it('streams text, cut at awkward bytes, and the usage chunk with empty choices', async () => {
    openai.setBehaviour('stream-split');
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Grüße aus Zürich' }],
      stream: true,
      stream_options: { include_usage: true },
    });

    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }

    assert.equal(text, 'You said: Grüße aus Zürich');
    assert.equal(usage?.completion_tokens, 5);
  });

  it('assembles a tool call streamed in fragments', async () => {
    const final = await client()
      .chat.completions.stream({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: ARGUMENTS.text }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: PARAMETERS } }],
      })
      .finalChatCompletion();

    const call = final.choices[0].message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), ARGUMENTS);
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  it('throws at the fixture\'s mid-stream error chunk', async () => {
    openai.setBehaviour('stream-error');
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there friend' }], stream: true });

    await assert.rejects(
      (async () => {
        for await (const _chunk of stream);
      })(),
      /The server had an error while processing your request/,
    );
  });

  it('reads Azure\'s stream, its first chunk without choices included, through AzureOpenAI', async () => {
    const azureClient = new AzureOpenAI({ apiKey: CANARY_KEY, endpoint: azure.url, apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });

    const final = await azureClient.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] }).finalChatCompletion();

    assert.equal(final.choices[0].message.content, 'You said: hello there');
    assert.equal(azure.requests[0].url, '/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
  });

  it('reads the compatible server\'s stream, its usage chunk with null choices included', async () => {
    const stream = await new OpenAI({ apiKey: 'not-needed', baseURL: `${compatible.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'qwen2.5-7b-instruct',
      messages: [{ role: 'user', content: 'hello there' }],
      stream: true,
      stream_options: { include_usage: true },
    });

    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices?.[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }

    assert.equal(text, 'You said: hello there');
    assert.equal(usage?.prompt_tokens, 2);
  });
});

describe('the official Anthropic SDK reads the Anthropic fixture\'s stream', () => {
  const fixture = new AnthropicFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const client = () => new Anthropic({ apiKey: CANARY_KEY, baseURL: fixture.url, maxRetries: 0 });

  it('accumulates text cut at awkward bytes and a tool_use whose input came in input_json_delta fragments, skipping ping and unknown events', async () => {
    fixture.setBehaviour('stream-split');

    const message = await client()
      .messages.stream({
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages: [{ role: 'user', content: ARGUMENTS.text }],
        tools: [{ name: 'get_weather', input_schema: PARAMETERS as Anthropic.Tool.InputSchema }],
      })
      .finalMessage();

    assert.deepEqual(
      message.content.map((block) => (block.type === 'text' ? block.text : block.type === 'tool_use' ? block.input : block.type)),
      ['Let me check.', ARGUMENTS],
    );
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.model, 'claude-haiku-4-5-20251001');
  });

  it('throws at the fixture\'s error event', async () => {
    fixture.setBehaviour('stream-error');

    await assert.rejects(
      client().messages.stream({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'hello there friend' }] }).finalMessage(),
      /Overloaded/,
    );
  });
});

describe('the official ollama SDK reads the Ollama fixture\'s NDJSON stream', () => {
  const fixture = new OllamaFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(fixture);
  const client = () => new Ollama({ host: fixture.url, headers: { authorization: `Bearer ${CANARY_KEY}` } });

  it('streams the text, cut at awkward bytes, then the done line with the counts, and a tool call', async () => {
    fixture.setBehaviour('stream-split');
    let text = '';
    let evalCount: number | undefined;
    for await (const part of await client().chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Grüße aus Zürich' }], stream: true })) {
      text += part.message.content;
      if (part.done) evalCount = part.eval_count;
    }
    assert.equal(text, 'You said: Grüße aus Zürich');
    assert.equal(evalCount, 5);

    const calls = [];
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: PARAMETERS } }];
    for await (const part of await client().chat({ model: 'llama3.2', messages: [{ role: 'user', content: ARGUMENTS.text }], stream: true, tools })) {
      calls.push(...(part.message.tool_calls ?? []));
    }
    assert.deepEqual(calls, [{ function: { name: 'get_weather', arguments: ARGUMENTS } }]);
  });

  it('throws at the fixture\'s error line', async () => {
    fixture.setBehaviour('stream-error');

    await assert.rejects(
      (async () => {
        for await (const _part of await client().chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hello there friend' }], stream: true }));
      })(),
      /unexpected EOF/,
    );
  });
});
