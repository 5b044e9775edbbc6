import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { type ChatFixture, activateChatFixture, addKeyedConnection, waitForChatModels } from './chatFixture';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded, waitFor } from './helpers';

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('images and cache breakpoints from another extension through vscode.lm', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let local: Connection;
  let keyed: Connection;
  let claude: Connection;
  let fixture: ChatFixture;

  before(async () => {
    ({ testing } = await activate());
    await fetch(`${fixtureUrl('ollama')}/__fixture/reset`, { method: 'POST' });
    await fetch(`${fixtureUrl('openai')}/__fixture/reset`, { method: 'POST' });
    // Ollama says llava reads images (`vision`) and llama3.2 does not.
    local = await addConnection({ name: 'Images local', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    testing.queueAnswers('llava:latest\nllama3.2:latest');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
    keyed = await addKeyedConnection(testing, { name: 'Images cloud', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` }, 'gpt-4o-mini');
    await fetch(`${fixtureUrl('anthropic')}/__fixture/reset`, { method: 'POST' });
    claude = await addKeyedConnection(testing, { name: 'Images Claude', providerId: 'anthropic', baseUrl: fixtureUrl('anthropic') }, 'Claude Sonnet 4.5');
    fixture = await activateChatFixture();
    await waitForChatModels(testing, fixture, [`${local.id}/llava:latest`, `${local.id}/llama3.2:latest`, `${keyed.id}/gpt-4o-mini`, `${claude.id}/claude-sonnet-4-5-20250929`]);
  });

  after(async () => {
    await deleteConnection(testing, local.id);
    await deleteConnection(testing, keyed.id);
    await deleteConnection(testing, claude.id);
  });

  const chats = async (kind: 'ollama' | 'openai' | 'anthropic', path: string) => (await recorded(kind)).filter((request) => request.url.endsWith(path));

  it('an image part reaches a vision model in its provider\'s form, with the text, and a cache_control part is ignored there', async () => {
    const answer = await fixture.askWith(`${local.id}/llava:latest`, [{ text: 'what is in this picture?' }, { image: PNG, mimeType: 'image/png' }, { cache: true }]);

    assert.equal(answer, 'You said: what is in this picture?');
    const [sent] = await chats('ollama', '/api/chat');
    const body = JSON.parse(sent?.body ?? '{}') as { model?: string; messages?: unknown[] };
    assert.equal(body.model, 'llava:latest');
    assert.deepEqual(body.messages, [{ role: 'user', content: 'what is in this picture?', images: [PNG] }]);
  });

  it('a model without vision refuses with a LanguageModelError naming the model, and nothing is sent', async () => {
    const before = (await chats('ollama', '/api/chat')).length;
    const error = await fixture.askWith(`${local.id}/llama3.2:latest`, [{ text: 'and this one?' }, { image: PNG, mimeType: 'image/png' }]).then(
      () => assert.fail('the request was answered'),
      (failure: unknown) => failure,
    );

    assert.ok(error instanceof vscode.LanguageModelError, `not a LanguageModelError: ${String(error)}`);
    assert.match(error.message, /The model "llama3\.2:latest" \(Images local\) cannot read images, so the request was not sent\. Pick a model that reads images, or ask again without the image\. If this model does read images, say so with Switchboard: Set Model Capabilities\./);
    assert.equal((await chats('ollama', '/api/chat')).length, before, 'nothing reached Ollama');
    const [record] = testing.chatRecords();
    assert.equal(record?.status, 'failed');
  });

  it('a person who says the model reads images (Set Model Capabilities) lets its images through, and discovery keeps their word', async () => {
    const llama = testing.storedModels().find((m) => m.connectionId === local.id && m.providerModelId === 'llama3.2:latest')!;
    testing.queueAnswers('vision\ntools'); // the pick of capabilities, by value
    await vscode.commands.executeCommand('switchboard.setModelCapabilities', llama.id);
    testing.queueAnswers('llava:latest\nllama3.2:latest');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
    const stored = testing.storedModels().find((m) => m.id === llama.id)!;
    assert.deepEqual([stored.modalities.includes('vision'), stored.sources.modalities], [true, 'user']);

    const answer = await fixture.askWith(`${local.id}/llama3.2:latest`, [{ text: 'and now?' }, { image: PNG, mimeType: 'image/png' }]);
    assert.equal(answer, 'You said: and now?');
    const sent = (await chats('ollama', '/api/chat')).at(-1)!;
    assert.deepEqual((JSON.parse(sent.body) as { messages: unknown[] }).messages, [{ role: 'user', content: 'and now?', images: [PNG] }]);
  });

  it('a keyed vision model gets the image as a data URL, and the key only in its Authorization header', async () => {
    testing.queueAnswers('always'); // the chat request's consent
    const answer = await fixture.askWith(`${keyed.id}/gpt-4o-mini`, [{ text: 'describe it' }, { image: PNG, mimeType: 'image/png' }, { cache: true }]);

    assert.equal(answer, 'You said: describe it');
    const sent = await chats('openai', '/chat/completions');
    assert.equal(sent.length, 1);
    assert.deepEqual((JSON.parse(sent[0].body) as { messages: unknown }).messages, [
      { role: 'user', content: [{ type: 'text', text: 'describe it' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
    assert.equal(sent[0].headers.authorization, `Bearer ${CANARY_KEY}`);
    assertNoCanary('the image request body', sent[0].body);
    assertNoCanary('the chat records', testing.chatRecords());
    assertNoCanary('the audit log', await testing.auditEntries());
    assertNoCanary('the output channel', testing.logLines());
  });

  it('a cache_control part becomes Anthropic\'s cache_control on the block before it, the image a base64 block, and the key only in x-api-key', async () => {
    testing.queueAnswers('always');
    const answer = await fixture.askWith(`${claude.id}/claude-sonnet-4-5-20250929`, [{ image: PNG, mimeType: 'image/png' }, { text: 'a long document to keep' }, { cache: true }]);

    assert.equal(answer, 'You said: a long document to keep');
    const sent = await chats('anthropic', '/v1/messages');
    assert.equal(sent.length, 1);
    assert.deepEqual((JSON.parse(sent[0].body) as { messages: unknown }).messages, [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'text', text: 'a long document to keep', cache_control: { type: 'ephemeral' } },
        ],
      },
    ]);
    assert.equal(sent[0].headers['x-api-key'], CANARY_KEY);
    assertNoCanary('the cached request body', sent[0].body);
    // The fixture wrote the prefix to its cache; the chat record keeps that with the usage.
    const [record] = testing.chatRecords();
    assert.ok(record?.usage?.cacheWriteTokens && record.usage.cacheWriteTokens > 0, JSON.stringify(record));
    await vscode.commands.executeCommand('switchboard.showChatRecords');
    // A document another test left open is drawn again a moment after the command.
    const line = `${record.usage!.cacheWriteTokens} written to the prompt cache`;
    await waitFor('the cache write in Show Chat Requests', () =>
      (vscode.window.activeTextEditor?.document.getText() ?? '').split('\n').some((shown) => shown.includes('model claude-sonnet-4-5-20250929') && shown.includes(line)) || undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a tool result\'s image goes inside Anthropic\'s tool_result, and a cache_control part right after the result marks that block', async () => {
    await fetch(`${fixtureUrl('anthropic')}/__fixture/reset`, { method: 'POST' });
    const answer = await fixture.askConversation(
      `${claude.id}/claude-sonnet-4-5-20250929`,
      [
        { role: 'user', parts: [{ text: 'take a screenshot' }] },
        { role: 'assistant', parts: [{ toolCall: { id: 'toolu_shot', name: 'screenshot', input: {} } }] },
        { role: 'user', parts: [{ toolResult: { id: 'toolu_shot', parts: [{ text: 'the screenshot' }, { image: PNG, mimeType: 'image/png' }] } }, { cache: true }] },
      ],
      [{ name: 'screenshot', description: 'takes a screenshot' }],
    );

    assert.equal(answer, 'The tool said: the screenshot');
    const [sent] = await chats('anthropic', '/v1/messages');
    assert.deepEqual((JSON.parse(sent!.body) as { messages: unknown[] }).messages.at(-1), {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_shot',
          content: [{ type: 'text', text: 'the screenshot' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }],
          cache_control: { type: 'ephemeral' },
        },
      ],
    });
    assertNoCanary('the request body', sent!.body);
  });

  it('counts an OpenAI model\'s tokens with OpenAI\'s tokenizer (its own bundle, loaded on demand) and estimates the others', async () => {
    // 17 tokens to gpt-tokenizer's o200k_base (test/unit/tokenCount.unit.test.ts), 7 at four characters a token.
    const text = '日本語のテキストは四文字で一トークンではありません。';
    assert.equal(await fixture.countTokens(`${keyed.id}/gpt-4o-mini`, text), 17);
    assert.equal(await fixture.countTokens(`${local.id}/llama3.2:latest`, text), 7);
    assert.ok(!testing.logLines().some((line) => line.includes('tokenizer')), testing.logLines().join('\n'));
  });
});
