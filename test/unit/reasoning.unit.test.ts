import * as assert from 'node:assert/strict';
import type { ChatRequest, ChatStreamPart } from '../../src/contracts/models';
import type { ConnectionTarget, ProviderAdapter } from '../../src/core/providers/adapter';
import { anthropicAdapter } from '../../src/core/providers/anthropic';
import { azureOpenAiAdapter } from '../../src/core/providers/azureOpenai';
import { geminiAdapter } from '../../src/core/providers/gemini';
import { ollamaAdapter } from '../../src/core/providers/ollama';
import { openAiAdapter } from '../../src/core/providers/openai';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';
import { collectChat, eachPart, streamChatBatches } from '../../src/core/providers/streaming';
import { AnthropicFixture, FIXTURE_THINKING_SIGNATURE, FIXTURE_THOUGHTS, FIXTURE_TOOL_USE_ID } from '../fixtures/anthropicFixture';
import { AzureFixture } from '../fixtures/azureFixture';
import { CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import { GeminiFixture } from '../fixtures/geminiFixture';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { callContextPerTest, serveDuringSuite } from '../helpers/providerTestKit';

/** The parts of streamChatBatches one by one, as the tests read them. */
const streamChat = (...args: Parameters<typeof streamChatBatches>) => eachPart(streamChatBatches(...args));

const THOUGHTS = 'The user greets me. I should greet them back briefly.';

/** The answer's text and reasoning, streamed and whole. */
async function answers(adapter: ProviderAdapter, target: ConnectionTarget, request: ChatRequest, context: ReturnType<typeof callContextPerTest>) {
  let streamed = '';
  let streamedReasoning = '';
  const parts: ChatStreamPart[] = [];
  for await (const part of adapter.chatStream!(target, request, context)) {
    parts.push(part);
    if (part.type === 'text') streamed += part.text;
    if (part.type === 'reasoning') streamedReasoning += part.text;
  }
  const result = await adapter.chat!(target, request, context);
  return { streamed, whole: result.content, parts, reasoning: { streamed: streamedReasoning, whole: result.reasoning ?? '' }, result };
}

/** The JSON body of each chat request a fixture received. */
function chatBodies(fixture: { requests: { method: string; body: string }[] }): Record<string, unknown>[] {
  return fixture.requests.filter((request) => request.method === 'POST').map((request) => JSON.parse(request.body) as Record<string, unknown>);
}

describe('reasoning that a provider streams stays out of the answer', function () {
  this.timeout(30_000);
  const context = callContextPerTest();

  describe('Ollama\'s `thinking`', () => {
    const fixture = new OllamaFixture();
    serveDuringSuite(fixture);

    it('gives out the content alone, streamed and whole, and the thinking as reasoning', async () => {
      fixture.setModels([{ name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS }]);
      const { streamed, whole, parts, reasoning } = await answers(ollamaAdapter, { baseUrl: fixture.url, options: {} }, { modelRef: 'qwen3:8b', messages: [{ role: 'user', content: 'hello' }] }, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      assert.doesNotMatch(JSON.stringify(parts.filter((part) => part.type !== 'reasoning')), /greet/);
      assert.deepEqual(reasoning, { streamed: THOUGHTS, whole: THOUGHTS });
      // The provider did send the thoughts: a raw call shows them.
      const raw = await fetch(`${fixture.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hello' }], stream: false }) });
      assert.equal(((await raw.json()) as { message: { thinking?: string } }).message.thinking, THOUGHTS);
    });
  });

  describe('an OpenAI-compatible server\'s `reasoning_content`', () => {
    const fixture = new OpenAiCompatibleFixture();
    serveDuringSuite(fixture);

    it('gives out the content alone, streamed and whole, and the reasoning_content as reasoning', async () => {
      fixture.setModels([{ id: 'deepseek-r1-distill-qwen-7b', reasoning: THOUGHTS }]);
      const { streamed, whole, parts, reasoning } = await answers(openAiCompatibleAdapter, { baseUrl: `${fixture.url}/v1`, options: {} }, { modelRef: 'deepseek-r1-distill-qwen-7b', messages: [{ role: 'user', content: 'hello' }] }, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      assert.doesNotMatch(JSON.stringify(parts.filter((part) => part.type !== 'reasoning')), /greet/);
      assert.deepEqual(reasoning, { streamed: THOUGHTS, whole: THOUGHTS });
      const raw = await fetch(`${fixture.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek-r1-distill-qwen-7b', messages: [{ role: 'user', content: 'hello' }], stream: true }) });
      assert.match(await raw.text(), /"reasoning_content":"The /);
    });
  });
});

describe('reasoning that Anthropic and Gemini stream is a part of its own', function () {
  this.timeout(30_000);
  const context = callContextPerTest();

  describe('Anthropic\'s thinking blocks', () => {
    const fixture = new AnthropicFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);
    const target = () => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY });
    const model = 'claude-sonnet-4-5-20250929';

    it('asks for extended thinking with the budget below max_tokens, and keeps the thinking and its signature apart from the answer', async () => {
      const request: ChatRequest = { modelRef: model, messages: [{ role: 'user', content: 'hello' }], reasoning: { budgetTokens: 2048 } };
      const { streamed, whole, reasoning, result, parts } = await answers(anthropicAdapter, target(), request, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      assert.deepEqual(reasoning, { streamed: FIXTURE_THOUGHTS, whole: FIXTURE_THOUGHTS });
      assert.deepEqual(result.reasoningBlocks, [{ text: FIXTURE_THOUGHTS, signature: FIXTURE_THINKING_SIGNATURE }]);
      assert.deepEqual(parts.find((part) => part.type === 'reasoning' && part.signature), { type: 'reasoning', text: '', signature: FIXTURE_THINKING_SIGNATURE });
      for (const body of chatBodies(fixture)) {
        assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 2048 });
        assert.equal(body.max_tokens, 2048 + 4096);
      }
    });

    it('sends a turn\'s signed thinking back before its tool calls, as Anthropic requires', async () => {
      const tools = [{ name: 'look_up', parameters: { type: 'object' } }];
      const first = await collectChat(anthropicAdapter.chatStream!(target(), { modelRef: model, messages: [{ role: 'user', content: 'weather?' }], tools, reasoning: { budgetTokens: 1024 } }, context));
      assert.equal(first.toolCalls?.[0]?.id, FIXTURE_TOOL_USE_ID);
      const followUp: ChatRequest = {
        modelRef: model,
        tools,
        reasoning: { budgetTokens: 1024 },
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: first.content, toolCalls: first.toolCalls!, reasoning: first.reasoningBlocks },
          { role: 'tool', toolCallId: FIXTURE_TOOL_USE_ID, content: 'sunny' },
        ],
      };

      const answer = await collectChat(anthropicAdapter.chatStream!(target(), followUp, context));

      assert.equal(answer.content, 'The tool said: sunny');
      const sent = chatBodies(fixture).at(-1)!;
      const assistant = (sent.messages as { role: string; content: { type: string; signature?: string }[] }[])[1]!;
      assert.deepEqual(assistant.content.map((block) => block.type), ['thinking', 'text', 'tool_use']);
      assert.equal(assistant.content[0]!.signature, FIXTURE_THINKING_SIGNATURE);
    });

    it('does not think in a request whose last tool turn lost its thinking (VS Code chat keeps none), so the answer still comes', async () => {
      const request: ChatRequest = {
        modelRef: model,
        tools: [{ name: 'look_up', parameters: { type: 'object' } }],
        reasoning: { budgetTokens: 1024 },
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: '', toolCalls: [{ id: FIXTURE_TOOL_USE_ID, name: 'look_up', arguments: {} }] },
          { role: 'tool', toolCallId: FIXTURE_TOOL_USE_ID, content: 'sunny' },
        ],
      };

      const answer = await collectChat(anthropicAdapter.chatStream!(target(), request, context));

      assert.equal(answer.content, 'The tool said: sunny');
      assert.equal(chatBodies(fixture).at(-1)!.thinking, undefined);
    });

    it('refuses an effort, a budget under 1,024 and an output limit not above the budget, before anything is sent', async () => {
      const base = { modelRef: model, messages: [{ role: 'user' as const, content: 'hello' }] };
      for (const [reasoning, maxTokens, words] of [
        [{ effort: 'high' }, undefined, /thinking budget in tokens, not an effort/],
        [{ budgetTokens: 512 }, undefined, /from 1,024 to/],
        [{ budgetTokens: 4096 }, 4096, /output limit \(4,096 tokens\) above the thinking budget \(4,096 tokens\)/],
      ] as const) {
        const error = await expectFailure(collectChat(anthropicAdapter.chatStream!(target(), { ...base, reasoning, ...(maxTokens ? { maxTokens } : {}) }, context)), 'invalid_input');
        assert.match(error.message, words);
      }
      assert.equal(fixture.requests.length, 0);
    });

    it('blanks the key in reasoning as in the answer, even when it is cut between two thinking deltas', async () => {
      fixture.setBehaviour('stream-echo-key');
      const seen: ChatStreamPart[] = [];
      const result = await collectChat(
        (async function* () {
          for await (const part of streamChat(anthropicAdapter, target(), { modelRef: model, messages: [{ role: 'user', content: 'hello' }], reasoning: { budgetTokens: 1024 } }, context)) {
            seen.push(part);
            yield part;
          }
        })(),
      );

      assert.match(result.reasoning ?? '', /Their key is \*+\./);
      assert.doesNotMatch(JSON.stringify(seen), new RegExp(CANARY_KEY));
      assert.doesNotMatch(JSON.stringify(result), new RegExp(CANARY_KEY));
      // The fixture did put the key in its thinking, in two deltas.
      assert.ok(CANARY_KEY.length > 12);
    });
  });

  describe('Gemini\'s thought parts', () => {
    const fixture = new GeminiFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);

    it('sends the thinking budget in generationConfig.thinkingConfig and gives the thoughts out as reasoning', async () => {
      const request: ChatRequest = { modelRef: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello' }], maxTokens: 900, reasoning: { budgetTokens: 512 } };
      const { streamed, reasoning } = await answers(geminiAdapter, { baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY }, request, context);

      assert.equal(streamed, 'You said: hello');
      assert.deepEqual(reasoning, { streamed: 'Thinking about it.', whole: 'Thinking about it.' });
      for (const body of chatBodies(fixture)) assert.deepEqual(body.generationConfig, { maxOutputTokens: 900, thinkingConfig: { thinkingBudget: 512, includeThoughts: true } });
    });

    it('refuses an effort and a budget above 32,768, before anything is sent', async () => {
      for (const reasoning of [{ effort: 'low' as const }, { budgetTokens: 40_000 }]) {
        await expectFailure(collectChat(geminiAdapter.chatStream!({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY }, { modelRef: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], reasoning }, context)), 'invalid_input');
      }
      assert.equal(fixture.requests.length, 0);
    });
  });
});

describe('the reasoning effort reaches the providers that take one', function () {
  this.timeout(30_000);
  const context = callContextPerTest();

  describe('OpenAI', () => {
    const fixture = new OpenAiFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);
    const target = () => ({ baseUrl: `${fixture.url}/v1`, options: {}, apiKey: CANARY_KEY });

    it('sends reasoning_effort, streamed and not', async () => {
      const request: ChatRequest = { modelRef: 'o3-mini', messages: [{ role: 'user', content: 'hello' }], reasoning: { effort: 'high' } };
      const { streamed, whole } = await answers(openAiAdapter, target(), request, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      const bodies = chatBodies(fixture);
      assert.equal(bodies.length, 2);
      for (const body of bodies) assert.equal(body.reasoning_effort, 'high');
    });

    it('refuses a thinking budget, saying OpenAI takes an effort, before anything is sent', async () => {
      const error = await expectFailure(openAiAdapter.chat!(target(), { modelRef: 'o3-mini', messages: [{ role: 'user', content: 'hi' }], reasoning: { budgetTokens: 2000 } }, context), 'invalid_input');
      assert.match(error.message, /reasoning effort \(low, medium or high\), not a budget/);
      assert.equal(fixture.requests.length, 0);
    });
  });

  describe('Azure OpenAI', () => {
    const fixture = new AzureFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);

    it('sends reasoning_effort to a reasoning deployment', async () => {
      const target = { baseUrl: fixture.url, options: { deployments: 'o3-mini-reasoning' }, apiKey: CANARY_KEY };
      const result = await collectChat(azureOpenAiAdapter.chatStream!(target, { modelRef: 'o3-mini-reasoning', messages: [{ role: 'user', content: 'hello' }], reasoning: { effort: 'low' } }, context));

      assert.equal(result.content, 'You said: hello');
      assert.equal(chatBodies(fixture)[0]!.reasoning_effort, 'low');
    });
  });

  describe('an OpenAI-compatible server', () => {
    const fixture = new OpenAiCompatibleFixture();
    serveDuringSuite(fixture);

    it('sends reasoning_effort', async () => {
      fixture.setModels([{ id: 'deepseek-r1-distill-qwen-7b', reasoning: THOUGHTS }]);
      await collectChat(openAiCompatibleAdapter.chatStream!({ baseUrl: `${fixture.url}/v1`, options: {} }, { modelRef: 'deepseek-r1-distill-qwen-7b', messages: [{ role: 'user', content: 'hello' }], reasoning: { effort: 'medium' } }, context));
      assert.equal(chatBodies(fixture)[0]!.reasoning_effort, 'medium');
    });
  });

  describe('Ollama', () => {
    const fixture = new OllamaFixture();
    serveDuringSuite(fixture);

    it('turns thinking on with think: true, and gives gpt-oss its level', async () => {
      fixture.setModels([
        { name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS },
        { name: 'gpt-oss:20b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS },
      ]);
      for (const modelRef of ['qwen3:8b', 'gpt-oss:20b']) {
        await collectChat(ollamaAdapter.chatStream!({ baseUrl: fixture.url, options: {} }, { modelRef, messages: [{ role: 'user', content: 'hello' }], reasoning: { effort: 'high' } }, context));
      }
      assert.deepEqual(chatBodies(fixture).map((body) => body.think), [true, 'high']);
    });

    it('refuses a budget of tokens before anything is sent', async () => {
      const error = await expectFailure(collectChat(ollamaAdapter.chatStream!({ baseUrl: fixture.url, options: {} }, { modelRef: 'llama3.2:latest', messages: [{ role: 'user', content: 'hi' }], reasoning: { budgetTokens: 4000 } }, context)), 'invalid_input');
      assert.match(error.message, /Ollama takes a reasoning effort/);
      assert.equal(chatBodies(fixture).length, 0);
    });
  });
});
