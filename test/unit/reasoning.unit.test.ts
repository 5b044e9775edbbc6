import * as assert from 'node:assert/strict';
import type { ChatRequest, ChatStreamPart } from '../../src/contracts/models';
import type { ConnectionTarget, ProviderAdapter } from '../../src/core/providers/adapter';
import { ollamaAdapter } from '../../src/core/providers/ollama';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { callContextPerTest, serveDuringSuite } from '../helpers/providerTestKit';

const THOUGHTS = 'The user greets me. I should greet them back briefly.';

/** The answer's text, streamed and whole. */
async function answers(adapter: ProviderAdapter, target: ConnectionTarget, request: ChatRequest, context: ReturnType<typeof callContextPerTest>) {
  let streamed = '';
  const parts: ChatStreamPart[] = [];
  for await (const part of adapter.chatStream!(target, request, context)) {
    parts.push(part);
    if (part.type === 'text') streamed += part.text;
  }
  const whole = (await adapter.chat!(target, request, context)).content;
  return { streamed, whole, parts };
}

describe('reasoning that a provider streams stays out of the answer', function () {
  this.timeout(30_000);
  const context = callContextPerTest();

  describe('Ollama\'s `thinking`', () => {
    const fixture = new OllamaFixture();
    serveDuringSuite(fixture);

    it('gives out the content alone, streamed and whole', async () => {
      fixture.setModels([{ name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS }]);
      const { streamed, whole, parts } = await answers(ollamaAdapter, { baseUrl: fixture.url, options: {} }, { modelRef: 'qwen3:8b', messages: [{ role: 'user', content: 'hello' }] }, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      assert.doesNotMatch(JSON.stringify(parts), /greet/);
      // The provider did send the thoughts: a raw call shows them.
      const raw = await fetch(`${fixture.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hello' }], stream: false }) });
      assert.equal(((await raw.json()) as { message: { thinking?: string } }).message.thinking, THOUGHTS);
    });
  });

  describe('an OpenAI-compatible server\'s `reasoning_content`', () => {
    const fixture = new OpenAiCompatibleFixture();
    serveDuringSuite(fixture);

    it('gives out the content alone, streamed and whole', async () => {
      fixture.setModels([{ id: 'deepseek-r1-distill-qwen-7b', reasoning: THOUGHTS }]);
      const { streamed, whole, parts } = await answers(openAiCompatibleAdapter, { baseUrl: `${fixture.url}/v1`, options: {} }, { modelRef: 'deepseek-r1-distill-qwen-7b', messages: [{ role: 'user', content: 'hello' }] }, context);

      assert.equal(streamed, 'You said: hello');
      assert.equal(whole, 'You said: hello');
      assert.doesNotMatch(JSON.stringify(parts), /greet/);
      const raw = await fetch(`${fixture.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek-r1-distill-qwen-7b', messages: [{ role: 'user', content: 'hello' }], stream: true }) });
      assert.match(await raw.text(), /"reasoning_content":"The /);
    });
  });
});
