import * as assert from 'node:assert/strict';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { CHAT_FIXTURE, type ChatFixture, activateChatFixture, addKeyedConnection, waitForChatModels } from './chatFixture';
import { CANARY_KEY, activate, assertNoCanary, deleteConnection, fixtureUrl, recorded, testConnection } from './helpers';

describe('a keyed model in VS Code chat, used by another extension through vscode.lm', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let keyed: Connection;
  let fixture: ChatFixture;

  before(async () => {
    ({ testing } = await activate());
    await fetch(`${fixtureUrl('openai')}/__fixture/reset`, { method: 'POST' });
    keyed = await addKeyedConnection(testing, { name: 'Chat gateway', providerId: 'openai-compatible', baseUrl: `${fixtureUrl('openai')}/v1` }, 'gpt-4o-mini');
    fixture = await activateChatFixture();
  });

  after(() => deleteConnection(testing, keyed.id));

  it('is listed without a key read, asks at the first request naming the extension, and "Always Allow" holds for its next request', async () => {
    const modelId = `${keyed.id}/gpt-4o-mini`;
    const chatRequester = `switchboard.vscodeChat/${CHAT_FIXTURE}`;
    const chatEntries = async (kind: 'key_read' | 'model_call') =>
      (await testing.auditEntries()).filter((entry) => entry.kind === kind && entry.connectionId === keyed.id && entry.requesterId === chatRequester);

    // VS Code lists silently: a keyed model must be there all the same.
    await waitForChatModels(testing, fixture, [modelId]);
    assert.deepEqual(await chatEntries('key_read'), [], 'listing read no key');

    const asked = testing.answeredQuestions().length;
    testing.queueAnswers('always');
    const answer = await fixture.ask(modelId, 'hello from another extension');
    assert.match(answer, /You said: hello from another extension/);
    const questions = testing.answeredQuestions().slice(asked);
    assert.equal(questions.length, 1, questions.join('\n'));
    assert.match(questions[0] ?? '', /^VS Code chat, for the extension "Switchboard chat fixture" \(switchboard-test\.fixture-chat\) wants to use the API key of "Chat gateway"\.$/);

    // The next request goes on the standing permission: the answer queued here is left for the
    // test below, which a question from the chat request would have taken instead.
    testing.queueAnswers('deny');
    assert.match(await fixture.ask(modelId, 'and again'), /You said: and again/);
    assert.equal(testing.answeredQuestions().length, asked + 1, 'the second request asked nothing');
    const leftover = await testConnection(keyed.id);
    assert.equal(leftover.code, 'consent_denied', 'the queued answer was still there for the next question');

    const origin = new URL(fixtureUrl('openai')).origin;
    assert.deepEqual(
      (await chatEntries('key_read')).map((entry) => [entry.purpose, entry.origin, entry.outcome]),
      [
        ['chat', origin, 'granted_always'],
        ['chat', origin, 'granted_standing'],
      ],
    );
    assert.deepEqual(
      (await chatEntries('model_call')).map((entry) => [entry.modelRef, entry.outcome]),
      [
        ['gpt-4o-mini', 'ok'],
        ['gpt-4o-mini', 'ok'],
      ],
    );

    // The key went to the provider in its Authorization header, and nowhere else.
    const chats = (await recorded('openai')).filter((request) => request.url.endsWith('/chat/completions'));
    assert.equal(chats.length, 2);
    for (const request of chats) {
      assert.equal(request.headers.authorization, `Bearer ${CANARY_KEY}`);
      assertNoCanary('the chat request body', request.body);
    }
    assertNoCanary('the answers the other extension read', [answer]);
    assertNoCanary('the consent question', questions);
    assertNoCanary('the audit log', await testing.auditEntries());
    assertNoCanary('the chat records', testing.chatRecords());
    assertNoCanary('globalState', testing.globalState());
    assertNoCanary('the output channel', testing.logLines());
    assertNoCanary('the messages posted to webviews', testing.webviewMessages());
    assertNoCanary('the database', await testing.databaseBytes());
  });
});
