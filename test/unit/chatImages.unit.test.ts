import * as assert from 'node:assert/strict';
import { ChatRequestSchema, type ChatRequest, type ChatStreamPart, type ConversationMessage, type ImagePart } from '../../src/contracts/models';
import { imagePartOf } from '../../src/core/chat/chatParts';
import type { ConnectionTarget, ProviderAdapter } from '../../src/core/providers/adapter';
import { anthropicAdapter } from '../../src/core/providers/anthropic';
import { azureOpenAiAdapter } from '../../src/core/providers/azureOpenai';
import { geminiAdapter } from '../../src/core/providers/gemini';
import { ollamaAdapter } from '../../src/core/providers/ollama';
import { openAiAdapter } from '../../src/core/providers/openai';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';
import { AnthropicFixture } from '../fixtures/anthropicFixture';
import { AzureFixture } from '../fixtures/azureFixture';
import { assertCanaryOnlyInHeader, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import { GeminiFixture } from '../fixtures/geminiFixture';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { callContextPerTest, serveDuringSuite } from '../helpers/providerTestKit';

/** A 1×1 PNG, and a GIF: small, real images. */
const PNG: ImagePart = { mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' };
const GIF: ImagePart = { mimeType: 'image/gif', data: 'R0lGODlhAQABAAAAACw=' };
const MB = 1024 * 1024;

/** A base64 text of `chars` characters: an "image" of that size as sent. */
function imageOf(chars: number, mimeType: ImagePart['mimeType'] = 'image/jpeg'): ImagePart {
  return { mimeType, data: 'A'.repeat(chars) };
}

/** The conversation every provider gets: a system prompt, a user's text and image, a tool call whose result carries an image, and the user's next words. */
function conversation(modelRef: string, marks: { system?: boolean; user?: boolean; tool?: boolean } = {}): ChatRequest {
  const cache = (on: boolean | undefined) => (on ? { cacheBreakpoint: true as const } : {});
  const messages: ConversationMessage[] = [
    { role: 'system', content: 'Be brief.', ...cache(marks.system) },
    { role: 'user', content: 'What is in this picture?', images: [PNG], ...cache(marks.user) },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'screenshot', arguments: { window: 'main' } }] },
    { role: 'tool', toolCallId: 'call_1', content: 'the screenshot', images: [GIF], ...cache(marks.tool) },
    { role: 'user', content: 'and now?' },
  ];
  return { modelRef, messages };
}

function body(fixture: { requests: { body: string }[] }, index = 0): Record<string, unknown> {
  const request = fixture.requests[index];
  assert.ok(request, `no request ${index} reached the fixture`);
  return JSON.parse(request.body) as Record<string, unknown>;
}

async function streamed(adapter: ProviderAdapter, target: ConnectionTarget, request: ChatRequest, context: ReturnType<typeof callContextPerTest>): Promise<ChatStreamPart[]> {
  const parts: ChatStreamPart[] = [];
  for await (const part of adapter.chatStream!(target, request, context)) parts.push(part);
  return parts;
}

describe('images and cache breakpoints on the wire', function () {
  this.timeout(30_000);
  const context = callContextPerTest();

  describe('OpenAI, Azure OpenAI and OpenAI-compatible servers', () => {
    const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
    const azure = new AzureFixture({ apiKey: CANARY_KEY });
    const compatible = new OpenAiCompatibleFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(openai);
    serveDuringSuite(azure);
    serveDuringSuite(compatible);

    /** What all three receive as `messages`: the user's image as a data URL part, the tool's image in a user message right after the results. */
    const expectedMessages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.data}` } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'screenshot', arguments: '{"window":"main"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'the screenshot' },
      { role: 'user', content: [{ type: 'text', text: 'Images from the result of tool call call_1:' }, { type: 'image_url', image_url: { url: `data:image/gif;base64,${GIF.data}` } }] },
      { role: 'user', content: 'and now?' },
    ];

    it('OpenAI gets images as image_url data URLs, a tool\'s images in a user message after the results, no cache_control, and the key only in Authorization', async () => {
      const target = { baseUrl: `${openai.url}/v1`, options: {}, apiKey: CANARY_KEY };
      const result = await openAiAdapter.chat!(target, conversation('gpt-4o-mini', { system: true, user: true, tool: true }), context);

      assert.equal(result.content, 'You said: and now?');
      assert.deepEqual(body(openai).messages, expectedMessages);
      assert.doesNotMatch(openai.requests[0].body, /cache_control/);
      assert.equal(assertCanaryOnlyInHeader(openai.requests, 'authorization'), 1);
    });

    it('OpenAI streams the same body, and a tool result\'s image right before the answer still reads as the tool\'s', async () => {
      const target = { baseUrl: `${openai.url}/v1`, options: {}, apiKey: CANARY_KEY };
      const request = conversation('gpt-4o-mini');
      const parts = await streamed(openAiAdapter, target, { ...request, messages: request.messages.slice(0, 4) }, context);

      assert.equal(parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''), 'The tool said: the screenshot');
      assert.deepEqual(body(openai).messages, expectedMessages.slice(0, 5));
      assert.equal(assertCanaryOnlyInHeader(openai.requests, 'authorization'), 1);
    });

    it('Azure OpenAI gets the same messages, the key only in api-key', async () => {
      const target = { baseUrl: azure.url, options: { deployments: 'gpt-4o-prod' }, apiKey: CANARY_KEY };
      await azureOpenAiAdapter.chat!(target, conversation('gpt-4o-prod', { user: true }), context);

      assert.deepEqual(body(azure).messages, expectedMessages);
      assert.equal(assertCanaryOnlyInHeader(azure.requests, 'api-key'), 1);
    });

    it('an OpenAI-compatible server gets the same messages, streamed', async () => {
      const target = { baseUrl: `${compatible.url}/v1`, options: {}, apiKey: CANARY_KEY };
      await streamed(openAiCompatibleAdapter, target, conversation('qwen2.5-7b-instruct', { tool: true }), context);

      assert.deepEqual(body(compatible).messages, expectedMessages);
      assert.equal(assertCanaryOnlyInHeader(compatible.requests, 'authorization'), 1);
    });

    it('refuses an image over 20 MB, and images over 50 MB together, before sending anything', async () => {
      const target = { baseUrl: `${openai.url}/v1`, options: {}, apiKey: CANARY_KEY };
      const one = await expectFailure(openAiAdapter.chat!(target, { modelRef: 'gpt-4o-mini', messages: [{ role: 'user', content: 'look', images: [PNG, imageOf(20 * MB + 4)] }] }, context), 'invalid_input');
      assert.equal(one.message, 'Image 2 is 20.0 MB as sent, and OpenAI takes at most 20.0 MB per image. Attach a smaller image (fewer pixels, or JPEG instead of PNG), then try again.');
      const many = await expectFailure(
        openAiAdapter.chat!(target, { modelRef: 'gpt-4o-mini', messages: [{ role: 'user', content: 'look', images: [imageOf(18 * MB), imageOf(18 * MB), imageOf(18 * MB)] }] }, context),
        'invalid_input',
      );
      assert.match(many.message, /^The 3 images of this request are 54\.0 MB together as sent, and OpenAI takes at most 50\.0 MB of images in one request\./);
      const azureTarget = { baseUrl: azure.url, options: { deployments: 'gpt-4o-prod' }, apiKey: CANARY_KEY };
      const onAzure = await expectFailure(azureOpenAiAdapter.chat!(azureTarget, { modelRef: 'gpt-4o-prod', messages: [{ role: 'user', content: 'look', images: [imageOf(21 * MB)] }] }, context), 'invalid_input');
      assert.match(onAzure.message, /Azure OpenAI takes at most 20\.0 MB per image/);
      assert.equal(openai.requests.length + azure.requests.length, 0);
    });
  });

  describe('Anthropic', () => {
    const fixture = new AnthropicFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);
    const target = (): ConnectionTarget => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY });
    const imageBlock = (image: ImagePart) => ({ type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.data } });
    const ephemeral = { type: 'ephemeral' };

    it('gets image blocks with a base64 source, a tool\'s image inside its tool_result, and cache_control on the marked blocks; the key only in x-api-key', async () => {
      await anthropicAdapter.chat!(target(), conversation('claude-sonnet-4-5', { system: true, user: true, tool: true }), context);

      assert.deepEqual(body(fixture), {
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        system: [{ type: 'text', text: 'Be brief.', cache_control: ephemeral }],
        messages: [
          { role: 'user', content: [imageBlock(PNG), { type: 'text', text: 'What is in this picture?', cache_control: ephemeral }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'screenshot', input: { window: 'main' } }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'the screenshot' }, imageBlock(GIF)], cache_control: ephemeral },
              { type: 'text', text: 'and now?' },
            ],
          },
        ],
      });
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-api-key'), 1);
    });

    it('keeps the plain form where nothing is marked: a string system prompt and string contents', async () => {
      await anthropicAdapter.chat!(target(), { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi', images: [GIF] }, { role: 'assistant', content: 'Hello.' }, { role: 'user', content: 'bye' }] }, context);

      const sent = body(fixture);
      assert.equal(sent.system, 'Be brief.');
      assert.deepEqual(sent.messages, [
        { role: 'user', content: [imageBlock(GIF), { type: 'text', text: 'hi' }] },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'bye' },
      ]);
    });

    it('marks at most four breakpoints, the last four, where Anthropic refuses a fifth', async () => {
      const messages: ConversationMessage[] = [{ role: 'system', content: 'Be brief.', cacheBreakpoint: true }];
      for (let turn = 1; turn <= 4; turn++) messages.push({ role: 'user', content: `question ${turn}`, cacheBreakpoint: true }, { role: 'assistant', content: `answer ${turn}` });
      messages.push({ role: 'user', content: 'last question' });
      const result = await anthropicAdapter.chat!(target(), { modelRef: 'claude-sonnet-4-5', messages }, context);

      assert.equal(result.content, 'You said: last question');
      const sent = body(fixture);
      assert.equal(sent.system, 'Be brief.', 'the earliest breakpoint, the system prompt\'s, is the one left out');
      const marked = (sent.messages as { content: unknown }[]).flatMap((message, index) => (Array.isArray(message.content) && JSON.stringify(message.content).includes('cache_control') ? [index] : []));
      assert.deepEqual(marked, [0, 2, 4, 6]);
    });

    it('reports the cache written by a first request and read by the next, with the call\'s usage, streamed or not', async () => {
      const request = conversation('claude-sonnet-4-5', { user: true });
      const first = await anthropicAdapter.chat!(target(), request, context);
      assert.ok(first.usage.cacheWriteTokens! > 0, JSON.stringify(first.usage));
      assert.equal(first.usage.cacheReadTokens, undefined);

      const parts = await streamed(anthropicAdapter, target(), request, context);
      const usage = parts.find((part) => part.type === 'usage');
      assert.deepEqual(usage, { type: 'usage', usage: { inputTokens: first.usage.inputTokens, outputTokens: first.usage.outputTokens, cacheReadTokens: first.usage.cacheWriteTokens } });
    });

    it('refuses an image over 5 MB as sent before sending anything, naming the image and the limit', async () => {
      const error = await expectFailure(anthropicAdapter.chat!(target(), { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'look', images: [PNG, imageOf(5 * MB + 4)] }] }, context), 'invalid_input');

      assert.equal(error.message, 'Image 2 is 5.0 MB as sent, and Anthropic takes at most 5.0 MB per image. Attach a smaller image (fewer pixels, or JPEG instead of PNG), then try again.');
      assert.equal(fixture.requests.length, 0);
    });

    it('sends an image of exactly 5 MB as sent, which Anthropic takes', async () => {
      await anthropicAdapter.chat!(target(), { modelRef: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'look', images: [imageOf(5 * MB)] }] }, context);
      assert.equal(fixture.requests.length, 1);
    });
  });

  describe('Gemini', () => {
    const fixture = new GeminiFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);
    const target = (): ConnectionTarget => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY });
    const inline = (image: ImagePart) => ({ inlineData: { mimeType: image.mimeType, data: image.data } });

    it('gets inline image parts after the text, a tool\'s image beside its functionResponse, and nothing of a breakpoint; the key only in x-goog-api-key', async () => {
      await geminiAdapter.chat!(target(), conversation('gemini-2.0-flash', { system: true, user: true, tool: true }), context);

      const sent = body(fixture);
      assert.deepEqual(sent.contents, [
        { role: 'user', parts: [{ text: 'What is in this picture?' }, inline(PNG)] },
        { role: 'model', parts: [{ functionCall: { name: 'screenshot', args: { window: 'main' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'screenshot', response: { output: 'the screenshot' } } }, inline(GIF)] },
        { role: 'user', parts: [{ text: 'and now?' }] },
      ]);
      assert.deepEqual(sent.systemInstruction, { parts: [{ text: 'Be brief.' }] });
      assert.doesNotMatch(fixture.requests[0].body, /cache/i);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'x-goog-api-key'), 1);
    });

    it('refuses images over 20 MB together before sending anything', async () => {
      const error = await expectFailure(geminiAdapter.chat!(target(), { modelRef: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'look', images: [imageOf(11 * MB), imageOf(11 * MB)] }] }, context), 'invalid_input');
      assert.match(error.message, /^The 2 images of this request are 22\.0 MB together as sent, and Gemini takes at most 20\.0 MB of images in one request\./);
      assert.equal(fixture.requests.length, 0);
    });
  });

  describe('Ollama', () => {
    const fixture = new OllamaFixture({ apiKey: CANARY_KEY });
    serveDuringSuite(fixture);
    const target = (): ConnectionTarget => ({ baseUrl: fixture.url, options: {}, apiKey: CANARY_KEY });

    it('gets bare base64 in the messages\' `images`, a tool result\'s too, and nothing of a breakpoint', async () => {
      const parts = await streamed(ollamaAdapter, target(), conversation('llava:latest', { user: true, tool: true }), context);

      assert.equal(parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''), 'You said: and now?');
      assert.deepEqual(body(fixture).messages, [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is in this picture?', images: [PNG.data] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'screenshot', arguments: { window: 'main' } } }] },
        { role: 'tool', content: 'the screenshot', tool_name: 'screenshot', images: [GIF.data] },
        { role: 'user', content: 'and now?' },
      ]);
      assert.equal(assertCanaryOnlyInHeader(fixture.requests, 'authorization'), 1);
    });
  });

  describe('the contract and the conversion from VS Code\'s bytes', () => {
    it('takes images only in user messages and tool results, at most 100 in a request, of the four types', () => {
      const parse = (messages: unknown[]) => ChatRequestSchema.safeParse({ modelRef: 'm', messages });
      assert.ok(parse([{ role: 'user', content: '', images: [PNG] }]).success);
      assert.ok(!parse([{ role: 'assistant', content: 'x', images: [PNG] }]).success);
      assert.ok(!parse([{ role: 'system', content: 'x', images: [PNG] }]).success);
      assert.ok(!parse([{ role: 'user', content: 'x', images: [{ mimeType: 'image/bmp', data: PNG.data }] }]).success);
      assert.ok(!parse([{ role: 'user', content: 'x', images: [{ mimeType: 'image/png', data: 'not base64!' }] }]).success);
      assert.ok(parse([{ role: 'user', content: 'x', images: Array(100).fill(GIF) }]).success);
      assert.ok(!parse([{ role: 'user', content: 'x', images: Array(60).fill(GIF) }, { role: 'user', content: 'y', images: Array(41).fill(GIF) }]).success);
    });

    it('encodes VS Code\'s bytes as base64, reads image/jpg as JPEG, and refuses a type no provider takes in words', () => {
      const bytes = Buffer.from(PNG.data, 'base64');
      // A view into a larger buffer, as VS Code's VSBuffer may hand over.
      const padded = new Uint8Array(bytes.length + 8);
      padded.set(bytes, 4);
      assert.deepEqual(imagePartOf('image/png', padded.subarray(4, 4 + bytes.length)), PNG);
      assert.equal(imagePartOf('image/jpg', bytes).mimeType, 'image/jpeg');
      assert.throws(() => imagePartOf('image/bmp', bytes), /Switchboard cannot send an image of type image\/bmp: the providers take PNG, JPEG, WebP and GIF images\./);
    });
  });
});
