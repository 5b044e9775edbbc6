import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Connection } from '../../src/contracts/connections';
import type { RegisteredModel } from '../../src/contracts/models';
import type { TestingApi } from '../../src/vscode/testing';
import { type ChatFixture, activateChatFixture, addKeyedConnection, waitForChatModels } from './chatFixture';
import { activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded, waitFor } from './helpers';

/** What the Ollama fixture's thinking model thinks, and what the Anthropic fixture thinks with thinking on (FIXTURE_THOUGHTS). */
const OLLAMA_THOUGHTS = 'Pondering the greeting before answering it.';
const ANTHROPIC_THOUGHTS = 'The user greets me.';

/** The text of the answer's parts, joined. */
function answerText(parts: readonly { json: string }[]): string {
  return parts.map((part) => (JSON.parse(part.json) as { value: string }).value).join('');
}

describe('reasoning a model streams stays out of what VS Code chat gets', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let local: Connection;
  let claude: Connection;
  let fixture: ChatFixture;
  const sonnet = () => `${claude.id}/claude-sonnet-4-5-20250929`;

  before(async () => {
    ({ testing } = await activate());
    await fetch(`${fixtureUrl('ollama')}/__fixture/reset`, { method: 'POST' });
    await fetch(`${fixtureUrl('ollama')}/__fixture/models`, {
      method: 'POST',
      body: JSON.stringify({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: OLLAMA_THOUGHTS }] }),
    });
    local = await addConnection({ name: 'Reasoning local', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    testing.queueAnswers('qwen3:8b');
    await vscode.commands.executeCommand('switchboard.discoverModels', local.id);
    await fetch(`${fixtureUrl('anthropic')}/__fixture/reset`, { method: 'POST' });
    claude = await addKeyedConnection(testing, { name: 'Reasoning Claude', providerId: 'anthropic', baseUrl: fixtureUrl('anthropic') }, 'Claude Sonnet 4.5');
    fixture = await activateChatFixture();
    await waitForChatModels(testing, fixture, [`${local.id}/qwen3:8b`, sonnet()]);
  });

  after(async () => {
    await deleteConnection(testing, local.id);
    await deleteConnection(testing, claude.id);
    await fetch(`${fixtureUrl('ollama')}/__fixture/reset`, { method: 'POST' });
    await fetch(`${fixtureUrl('anthropic')}/__fixture/reset`, { method: 'POST' });
  });

  it("Ollama's thinking is not in the answer: chat gets the answer's text parts alone", async () => {
    const parts = await fixture.askParts(`${local.id}/qwen3:8b`, 'hello');

    assert.deepEqual(parts.map((part) => part.kind), parts.map(() => 'text'));
    assert.equal(answerText(parts), 'You said: hello');
    // The provider did think aloud: the fixture sent its thoughts.
    const [chat] = (await recorded('ollama')).filter((request) => request.url === '/api/chat');
    assert.ok(chat, 'the chat request reached Ollama');
  });

  it('the thinking budget and output limit set with the command reach Anthropic, and neither the thinking nor the key reaches chat', async () => {
    const model = testing.storedModels().find((m) => m.connectionId === claude.id && m.providerModelId === 'claude-sonnet-4-5-20250929');
    assert.ok(model, 'Claude Sonnet 4.5 is registered');
    // VS Code is told the provider's output limit (Anthropic's max_tokens, 64,000), taken from the 1M window.
    const inputTokens = async () => (await vscode.lm.selectChatModels({ vendor: 'switchboard', id: sonnet() }))[0]?.maxInputTokens;
    assert.equal(await inputTokens(), 1_000_000 - 64_000);
    testing.queueAnswers('1024', '2048');
    const saved = await vscode.commands.executeCommand<RegisteredModel>('switchboard.setModelReasoning', model.id);
    assert.deepEqual([saved?.reasoning, saved?.outputLimitOverride], [{ budgetTokens: 1024 }, 2048]);
    // Then the person's limit.
    await waitFor("the person's output limit told to VS Code", async () => ((await inputTokens()) === 1_000_000 - 2048 ? true : undefined));
    // The fixture puts the key it was sent into its thinking, in two deltas, and into the answer.
    await fetch(`${fixtureUrl('anthropic')}/__fixture/behaviour`, { method: 'POST', body: JSON.stringify({ behaviour: 'stream-echo-key' }) });

    testing.queueAnswers('once');
    const parts = await fixture.askParts(sonnet(), 'hello');

    assert.deepEqual(parts.map((part) => part.kind), parts.map(() => 'text'));
    // The answer alone, the key in it blanked; the thinking (which held the key too) is nowhere.
    const text = answerText(parts);
    assert.match(text, /^Your key is \*+, is it not\?$/);
    assert.ok(!text.includes(ANTHROPIC_THOUGHTS), text);
    assertNoCanary('the answer VS Code chat got', parts);
    const [sent] = (await recorded('anthropic')).filter((request) => request.url === '/v1/messages');
    const body = JSON.parse(sent?.body ?? '{}') as { thinking?: unknown; max_tokens?: number };
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 1024 });
    assert.equal(body.max_tokens, 2048);
  });

  it('a setting the provider does not take is refused with the reason, and nothing changes', async () => {
    const model = testing.storedModels().find((m) => m.connectionId === local.id);
    assert.ok(model);
    const errorsBefore = testing.shownErrors().length;
    testing.queueAnswers('4096', '');
    await vscode.commands.executeCommand('switchboard.setModelReasoning', model.id).then(
      () => undefined,
      () => undefined,
    );
    const shown = testing.shownErrors().slice(errorsBefore).filter((error) => /Ollama takes a reasoning effort/.test(error.message));
    assert.equal(shown.length, 1, 'the reason is shown');
    assert.equal(testing.storedModels().find((m) => m.id === model.id)?.reasoning, undefined);
  });
});
