// Every core adapter's chatStream against its fixture, through real HTTP on 127.0.0.1: the same
// behaviours, checked the same way, for the six wire formats.
import * as assert from 'node:assert/strict';
import type { ChatRequest, ChatStreamPart, Tool } from '../../src/contracts/models';
import type { SwitchboardError } from '../../src/core/base/errors';
import type { CallContext, ConnectionTarget, ProviderAdapter } from '../../src/core/providers/adapter';
import { anthropicAdapter } from '../../src/core/providers/anthropic';
import { azureOpenAiAdapter } from '../../src/core/providers/azureOpenai';
import { geminiAdapter } from '../../src/core/providers/gemini';
import { ollamaAdapter } from '../../src/core/providers/ollama';
import { openAiAdapter } from '../../src/core/providers/openai';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';
import { collectChat, eachPart, streamChatBatches } from '../../src/core/providers/streaming';
import { AnthropicFixture } from '../fixtures/anthropicFixture';
import { AzureFixture } from '../fixtures/azureFixture';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import type { FixtureServer } from '../fixtures/fixtureServer';
import { GEMINI_THOUGHT_SIGNATURE, GeminiFixture } from '../fixtures/geminiFixture';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { callContextPerTest, serveDuringSuite } from '../helpers/providerTestKit';

/** The parts of streamChatBatches one by one, as the tests read them. */
const streamChat = (...args: Parameters<typeof streamChatBatches>) => eachPart(streamChatBatches(...args));

interface ProviderCase {
  name: string;
  fixture: FixtureServer;
  adapter: ProviderAdapter;
  target(fixture: FixtureServer): ConnectionTarget;
  modelRef: string;
  /** The model the answer names. */
  answeredBy: string;
  stopReason: string;
  toolReason: string;
  /** The code an `error` in the middle of the stream maps to, as its status would. */
  midStreamErrorCode: SwitchboardError['code'];
  /** The request carried the tool call and its result back in the provider's own shape. */
  checkToolTurn(body: Record<string, unknown>): void;
  /** How the request says the model must call a tool; undefined when the provider has no way (it is refused). */
  requiredMode: ((body: Record<string, unknown>) => void) | undefined;
  /** Whether the adapter reads a whole JSON answer to its streaming request (a server that does not stream). */
  readsWholeJson?: true;
}

const WEATHER: Tool = {
  name: 'get_weather',
  description: 'The weather in a city now',
  parameters: { type: 'object', properties: { text: { type: 'string' }, unit: { type: 'string' } }, required: ['text'] },
};
const ARGUMENTS = { text: 'Weather in Zürich?', unit: '°C' };
const RESULT = '21 °C and sunny';

const cases: ProviderCase[] = [
  {
    name: 'Ollama (/api/chat NDJSON)',
    readsWholeJson: true,
    fixture: new OllamaFixture({ apiKey: CANARY_KEY }),
    adapter: ollamaAdapter,
    target: (fixture) => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY }),
    modelRef: 'llama3.2',
    answeredBy: 'llama3.2:latest',
    stopReason: 'stop',
    toolReason: 'stop',
    midStreamErrorCode: 'bad_response',
    requiredMode: undefined,
    checkToolTurn(body) {
      const messages = body.messages as Record<string, unknown>[];
      assert.deepEqual(messages.at(-2), { role: 'assistant', content: 'Let me check.', tool_calls: [{ function: { name: 'get_weather', arguments: ARGUMENTS } }] });
      assert.deepEqual(messages.at(-1), { role: 'tool', content: RESULT, tool_name: 'get_weather' });
      assert.deepEqual(body.tools, [{ type: 'function', function: { name: WEATHER.name, description: WEATHER.description, parameters: WEATHER.parameters } }]);
    },
  },
  {
    name: 'OpenAI (chat completions SSE)',
    readsWholeJson: true,
    fixture: new OpenAiFixture({ apiKey: CANARY_KEY }),
    adapter: openAiAdapter,
    target: (fixture) => ({ baseUrl: `${fixture.url}/v1`, options: {}, apiKey: CANARY_KEY }),
    modelRef: 'gpt-4o-mini',
    answeredBy: 'gpt-4o-mini',
    stopReason: 'stop',
    toolReason: 'tool_calls',
    midStreamErrorCode: 'bad_response',
    checkToolTurn: checkOpenAiToolTurn,
    requiredMode: (body) => assert.equal(body.tool_choice, 'required'),
  },
  {
    name: 'Azure OpenAI (chat completions SSE)',
    readsWholeJson: true,
    fixture: new AzureFixture({ apiKey: CANARY_KEY }),
    adapter: azureOpenAiAdapter,
    target: (fixture) => ({ baseUrl: fixture.url, options: { deployments: 'gpt-4o-mini' }, apiKey: CANARY_KEY }),
    modelRef: 'gpt-4o-mini',
    answeredBy: 'gpt-4o-mini-2024-07-18',
    stopReason: 'stop',
    toolReason: 'tool_calls',
    midStreamErrorCode: 'bad_response',
    checkToolTurn: checkOpenAiToolTurn,
    requiredMode: (body) => assert.equal(body.tool_choice, 'required'),
  },
  {
    name: 'OpenAI-compatible (chat completions SSE, usage with null choices)',
    readsWholeJson: true,
    fixture: new OpenAiCompatibleFixture({ apiKey: CANARY_KEY }),
    adapter: openAiCompatibleAdapter,
    target: (fixture) => ({ baseUrl: `${fixture.url}/v1`, options: {}, apiKey: CANARY_KEY }),
    modelRef: 'qwen2.5-7b-instruct',
    answeredBy: 'qwen2.5-7b-instruct',
    stopReason: 'stop',
    toolReason: 'tool_calls',
    midStreamErrorCode: 'bad_response',
    checkToolTurn: checkOpenAiToolTurn,
    requiredMode: (body) => assert.equal(body.tool_choice, 'required'),
  },
  {
    name: 'Anthropic (Messages SSE)',
    fixture: new AnthropicFixture({ apiKey: CANARY_KEY }),
    adapter: anthropicAdapter,
    target: (fixture) => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY }),
    modelRef: 'claude-haiku-4-5',
    answeredBy: 'claude-haiku-4-5-20251001',
    stopReason: 'end_turn',
    toolReason: 'tool_use',
    // overloaded_error comes with 529.
    midStreamErrorCode: 'endpoint_unreachable',
    requiredMode: (body) => assert.deepEqual(body.tool_choice, { type: 'any' }),
    checkToolTurn(body) {
      const messages = body.messages as Record<string, unknown>[];
      assert.deepEqual(messages.at(-2), {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_fixture0001', name: 'get_weather', input: ARGUMENTS },
        ],
      });
      assert.deepEqual(messages.at(-1), { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fixture0001', content: RESULT }] });
      assert.deepEqual(body.tools, [{ name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.parameters }]);
      assert.deepEqual(body.tool_choice, { type: 'auto' });
    },
  },
  {
    name: 'Gemini (streamGenerateContent SSE)',
    fixture: new GeminiFixture({ apiKey: CANARY_KEY }),
    adapter: geminiAdapter,
    target: (fixture) => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY }),
    modelRef: 'gemini-2.0-flash',
    answeredBy: 'gemini-2.0-flash',
    stopReason: 'STOP',
    toolReason: 'STOP',
    // 503 UNAVAILABLE.
    midStreamErrorCode: 'endpoint_unreachable',
    requiredMode: (body) => assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY' } }),
    checkToolTurn(body) {
      const contents = body.contents as Record<string, unknown>[];
      assert.deepEqual(contents.at(-2), { role: 'model', parts: [{ text: 'Let me check.' }, { functionCall: { name: 'get_weather', args: ARGUMENTS }, thoughtSignature: GEMINI_THOUGHT_SIGNATURE }] });
      assert.deepEqual(contents.at(-1), { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: RESULT } } }] });
      assert.deepEqual(body.tools, [{ functionDeclarations: [{ name: WEATHER.name, description: WEATHER.description, parametersJsonSchema: WEATHER.parameters }] }]);
      assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
    },
  },
];

function checkOpenAiToolTurn(body: Record<string, unknown>): void {
  const messages = body.messages as Record<string, unknown>[];
  assert.deepEqual(messages.at(-2), {
    role: 'assistant',
    content: 'Let me check.',
    tool_calls: [{ id: 'call_fixture0001', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(ARGUMENTS) } }],
  });
  assert.deepEqual(messages.at(-1), { role: 'tool', tool_call_id: 'call_fixture0001', content: RESULT });
  assert.deepEqual(body.tools, [{ type: 'function', function: { name: WEATHER.name, description: WEATHER.description, parameters: WEATHER.parameters } }]);
  assert.equal(body.tool_choice, 'auto');
}

async function partsOf(stream: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const parts: ChatStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function textOf(parts: readonly ChatStreamPart[]): string {
  return parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
}

/** Reads the stream until its first text part, calls `after`, and reads on to the end (or the failure). */
async function drainAfterFirstText(stream: AsyncIterable<ChatStreamPart>, after: () => void): Promise<void> {
  const iterator = stream[Symbol.asyncIterator]();
  for (let next = await iterator.next(); next.value?.type !== 'text'; next = await iterator.next()) {
    assert.ok(!next.done, 'the stream ended before any text');
  }
  after();
  for (let next = await iterator.next(); !next.done; next = await iterator.next());
}

for (const provider of cases) {
  describe(`Streaming chat: ${provider.name}`, () => {
    const { fixture, adapter } = provider;
    serveDuringSuite(fixture);
    const context = callContextPerTest();
    const target = () => provider.target(fixture);
    const ask = (content: string, more: Partial<ChatRequest> = {}): ChatRequest => ({ modelRef: provider.modelRef, messages: [{ role: 'user', content }], ...more });
    const stream = (request: ChatRequest, callContext: CallContext = context) => adapter.chatStream!(target(), request, callContext);

    it('streams the answer as several text parts, then the usage and the finish reason', async () => {
      const parts = await partsOf(stream(ask('hello there friend')));

      assert.equal(textOf(parts), 'You said: hello there friend');
      assert.ok(parts.filter((part) => part.type === 'text').length > 1, 'the text came in more than one part');
      assert.deepEqual(parts.at(-2), { type: 'usage', usage: { inputTokens: 3, outputTokens: 5 } });
      assert.deepEqual(parts.at(-1), { type: 'finish', modelRef: provider.answeredBy, finishReason: provider.stopReason });
      assert.equal(fixture.requests.length, 1);
      const body = JSON.parse(fixture.requests[0].body) as Record<string, unknown>;
      assert.notEqual(body.stream, false, 'the request asked for a stream');
      assertNoCanary(parts);
    });

    it('reads an answer cut inside UTF-8 characters, inside JSON strings and between data: and its value', async () => {
      fixture.setBehaviour('stream-split');

      const result = await collectChat(stream(ask('Grüße aus Zürich — 東京 🚀')));

      assert.equal(result.content, 'You said: Grüße aus Zürich — 東京 🚀');
      assert.equal(result.finishReason, provider.stopReason);
    });

    it('makes a tool-calling round trip: the call streamed in fragments and assembled, the result sent back, the final text', async () => {
      fixture.setBehaviour('stream-split');
      const question = ask(ARGUMENTS.text, { tools: [WEATHER] });

      const first = await partsOf(stream(question));

      assert.equal(textOf(first), 'Let me check.');
      const calls = first.flatMap((part) => (part.type === 'tool_call' ? [part.call] : []));
      assert.equal(calls.length, 1);
      assert.equal(calls[0].name, 'get_weather');
      assert.deepEqual(calls[0].arguments, ARGUMENTS);
      assert.ok(calls[0].id.length > 0);
      assert.deepEqual(first.at(-1), { type: 'finish', modelRef: provider.answeredBy, finishReason: provider.toolReason });

      const second = await collectChat(
        stream({
          ...question,
          messages: [...question.messages, { role: 'assistant', content: 'Let me check.', toolCalls: calls }, { role: 'tool', toolCallId: calls[0].id, content: RESULT }],
        }),
      );

      assert.equal(second.content, `The tool said: ${RESULT}`);
      assert.equal(second.toolCalls, undefined);
      provider.checkToolTurn(JSON.parse(fixture.requests[1].body) as Record<string, unknown>);
    });

    it('returns the same tool call from the non-streaming chat, which sends the same tools', async () => {
      const streamed = await collectChat(stream(ask(ARGUMENTS.text, { tools: [WEATHER] })));
      const whole = await adapter.chat!(target(), ask(ARGUMENTS.text, { tools: [WEATHER] }), context);

      assert.equal(whole.content, 'Let me check.');
      assert.deepEqual(whole.toolCalls?.map(({ name, arguments: args }) => ({ name, args })), [{ name: 'get_weather', args: ARGUMENTS }]);
      assert.deepEqual(streamed.toolCalls?.map(({ name, arguments: args }) => ({ name, args })), [{ name: 'get_weather', args: ARGUMENTS }]);
      const [first, second] = fixture.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
      assert.deepEqual(first.tools, second.tools);
    });

    it(provider.requiredMode ? 'asks the provider to call a tool in the tool mode "required"' : 'refuses the tool mode "required", which the provider cannot honour, with invalid_input', async () => {
      const request = ask('hi', { tools: [WEATHER], toolMode: 'required' });
      if (!provider.requiredMode) {
        await expectFailure(collectChat(stream(request)), 'invalid_input');
        assert.equal(fixture.requests.length, 0);
        return;
      }
      await collectChat(stream(request));
      provider.requiredMode(JSON.parse(fixture.requests[0].body) as Record<string, unknown>);
    });

    it('refuses tool arguments that are not valid JSON at the end of the stream with bad_response', async () => {
      fixture.brokenToolArguments = true;

      const error = await expectFailure(collectChat(stream(ask('hi', { tools: [WEATHER] }))), 'bad_response');

      assert.match(error.message, /get_weather.*not a JSON object/);
      assert.equal(error.partialOutput, 'Let me check.');
    });

    it('refuses a tool schema that is not a JSON object schema with invalid_input, before sending anything', async () => {
      const bad = { ...WEATHER, parameters: { type: 'string' } };

      const error = await expectFailure(collectChat(stream(ask('hi', { tools: [bad] }))), 'invalid_input');

      assert.match(error.message, /tools\.0\.parameters: a tool's parameters must be a JSON object schema/);
      assert.equal(fixture.requests.length, 0);
    });

    it('refuses a tool result for a call id no earlier message made, with invalid_input', async () => {
      const request = ask('hi', { tools: [WEATHER] });
      request.messages.push({ role: 'tool', toolCallId: 'call_unknown', content: RESULT });

      const error = await expectFailure(collectChat(stream(request)), 'invalid_input');

      assert.match(error.message, /messages\.1\.toolCallId: no earlier tool call has this id/);
      assert.equal(fixture.requests.length, 0);
    });

    it('keeps the text received so far when the connection is cut midway', async () => {
      fixture.setBehaviour('stream-cut');

      const error = await expectFailure(collectChat(stream(ask('hello there friend'))), 'endpoint_unreachable');

      assert.ok(error.partialOutput, 'some text had arrived');
      assert.ok('You said: hello there friend'.startsWith(error.partialOutput), `${error.partialOutput} is the start of the answer`);
      assert.ok(error.partialOutput.length < 'You said: hello there friend'.length);
    });

    it(`maps an error sent in the middle of the stream as its status would be (${provider.midStreamErrorCode}), keeping the text so far`, async () => {
      fixture.setBehaviour('stream-error');

      const error = await expectFailure(collectChat(stream(ask('hello there friend'))), provider.midStreamErrorCode);

      assert.match(error.message, /\(mid-stream\)/);
      assert.ok(error.partialOutput && 'You said: hello there friend'.startsWith(error.partialOutput));
    });

    it('stops with bad_response at a malformed chunk, keeping the text so far', async () => {
      fixture.setBehaviour('stream-malformed');

      const error = await expectFailure(collectChat(stream(ask('hello there friend'))), 'bad_response');

      assert.ok(error.partialOutput && 'You said: hello there friend'.startsWith(error.partialOutput));
      assert.ok(!error.message.includes('oops'), 'the malformed text is not quoted');
    });

    it('is cancelled mid-stream by the caller\'s signal, which closes the connection at once', async () => {
      fixture.setBehaviour('stream-endless');
      const controller = new AbortController();
      const closed = fixture.nextStreamClosedByClient();

      const error = await expectFailure(
        drainAfterFirstText(stream(ask('hello there friend'), { ...context, timeoutMs: 60_000, idleTimeoutMs: 60_000, signal: controller.signal }), () => controller.abort()),
        'cancelled',
      );
      await closed;

      assert.ok(error.partialOutput?.startsWith('You'));
    });

    it('gives up with timeout when the stream falls silent for longer than the idle timeout, keeping the text so far', async () => {
      fixture.setBehaviour('stream-endless');
      const closed = fixture.nextStreamClosedByClient();

      // The fixture never sends again, so the silence is real whatever the machine's load.
      const error = await expectFailure(collectChat(stream(ask('hello there friend'), { ...context, timeoutMs: 60_000, idleTimeoutMs: 100 })), 'timeout');
      await closed;

      assert.match(error.message, /switchboard\.streamIdleTimeoutSeconds/);
      assert.ok(error.partialOutput?.startsWith('You'));
    });

    it('gives up with timeout naming the request timeout when no byte of the answer comes', async () => {
      fixture.setBehaviour('hang');

      const error = await expectFailure(collectChat(stream(ask('hi'), { ...context, timeoutMs: 150, idleTimeoutMs: 60_000 })), 'timeout');

      assert.match(error.message, /switchboard\.requestTimeoutSeconds/);
      assert.equal(error.partialOutput, undefined);
    });

    it('maps a status error exactly as the non-streaming chat does', async () => {
      for (const behaviour of ['unauthorized', 'rate-limited', 'server-error'] as const) {
        fixture.setBehaviour(behaviour);
        const streamed = await collectChat(stream(ask('hi'))).catch((error: SwitchboardError) => error);
        const whole = await adapter.chat!(target(), ask('hi'), context).catch((error: SwitchboardError) => error);
        assert.ok(streamed instanceof Error && whole instanceof Error);
        assert.equal(streamed.code, whole.code, behaviour);
        assertNoCanary(streamed);
      }
    });

    it('stops with bad_response when the answer grows past the 8 MiB cap', async () => {
      fixture.setBehaviour('huge');

      const error = await expectFailure(collectChat(stream(ask('hi'))), 'bad_response');

      assert.match(error.message, /larger than 8 MiB/);
    });

    it('stops with bad_response when the server answers a web page instead of a stream', async () => {
      fixture.setBehaviour('garbage');

      await expectFailure(collectChat(stream(ask('hi'))), 'bad_response');
    });

    it('reads a stream labelled application/json as the stream it is', async () => {
      fixture.setBehaviour('stream-json-typed');

      const result = await collectChat(stream(ask('hello there friend')));

      assert.equal(result.content, 'You said: hello there friend');
      assert.equal(result.finishReason, provider.stopReason);
    });

    if (provider.readsWholeJson) {
      it('reads a whole JSON answer to its streaming request as the non-streaming chat reads it, tool calls and usage included', async () => {
        for (const question of [ask('hello there friend'), ask(ARGUMENTS.text, { tools: [WEATHER] })]) {
          fixture.setBehaviour('normal');
          const whole = await adapter.chat!(target(), question, context);
          fixture.setBehaviour('stream-as-json');

          const streamed = await collectChat(stream(question));

          const comparable = ({ toolCalls, ...rest }: typeof whole) => ({ ...rest, toolCalls: toolCalls?.map(({ name, arguments: args }) => ({ name, args })) });
          assert.deepEqual(comparable(streamed), comparable(whole));
          assert.notEqual((JSON.parse(fixture.requests.at(-1)!.body) as { stream?: unknown }).stream, false, 'the request asked for a stream');
        }
        assert.equal(fixture.requests.length, 4);
      });
    }

    it('never gives out the key a server echoes in its stream, even cut across two parts and two chunks', async () => {
      fixture.setBehaviour('stream-echo-key');

      const parts = await partsOf(streamChat(adapter, target(), ask('what is my key?'), context));

      assert.equal(textOf(parts), 'Your key is ****, is it not?');
      assertNoCanary(parts);
      assertNoCanary(textOf(parts));
    });

    it('never gives out a key cut around a tool call (text, tool call, text), and gives the call out whole', async () => {
      fixture.setBehaviour('stream-key-around-tool');

      const parts = await partsOf(streamChat(adapter, target(), ask('what is my key?', { tools: [WEATHER] }), context));

      assert.equal(textOf(parts), 'Your key is ****, is it not?');
      assert.deepEqual(parts.filter((part) => part.type === 'tool_call').map((part) => [part.call.name, part.call.arguments]), [['get_weather', { text: 'checking' }]]);
      assert.equal(parts.at(-1)?.type, 'finish');
      assertNoCanary(parts);
      assertNoCanary(textOf(parts));
    });

    it('never gives out a key cut around a usage report (text, usage, text)', async () => {
      fixture.setBehaviour('stream-key-around-usage');

      const parts = await partsOf(streamChat(adapter, target(), ask('what is my key?'), context));

      assert.equal(textOf(parts), 'Your key is ****, is it not?');
      assert.ok(parts.some((part) => part.type === 'usage'));
      assertNoCanary(parts);
      assertNoCanary(textOf(parts));
    });

    it('blanks the key inside a tool call\'s arguments', async () => {
      fixture.setBehaviour('stream-key-in-tool-arguments');

      const parts = await partsOf(streamChat(adapter, target(), ask('what is my key?', { tools: [WEATHER] }), context));

      assert.deepEqual(parts.filter((part) => part.type === 'tool_call').map((part) => part.call.arguments), [{ text: 'my key is ****', unit: '°C' }]);
      assertNoCanary(parts);
    });
  });
}
