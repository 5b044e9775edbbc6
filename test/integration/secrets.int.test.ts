import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchboardApiV1 } from '../../src/api/types';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded, secretName, testConnection, waitFor } from './helpers';

describe('API keys (canary)', () => {
  let api: SwitchboardApiV1;
  let testing: TestingApi;

  before(async () => {
    ({ api, testing } = await activate());
    // Open the view so the host posts snapshots to a webview: they must not carry the key.
    await vscode.commands.executeCommand('switchboard.focusConnections');
  });

  async function openAiWithCanaryKey(name: string) {
    const connection = await addConnection({ name, providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    testing.queueAnswers(CANARY_KEY); // the answer to the password box
    await vscode.commands.executeCommand('switchboard.setApiKey', connection.id);
    return connection;
  }

  it('stores the key from the password box in SecretStorage and sends it only as a Bearer header', async () => {
    const connection = await openAiWithCanaryKey('Canary OpenAI');
    try {
      assert.equal(await testing.readSecret(secretName(connection.id)), CANARY_KEY);
      // Other extensions learn only that a key is stored, not even its hint.
      const listed = api.listConnections().find((c) => c.id === connection.id);
      assert.equal(listed?.hasCredentials, true);
      assert.ok(!JSON.stringify(listed).includes(CANARY_KEY.slice(-4)), 'the API shows the key hint');

      testing.queueAnswers('once'); // a command called with an argument needs consent
      const result = await testConnection(connection.id);
      assert.equal(result.status, 'valid', `test result: ${result.message}`);
      assertNoCanary('the test result', result);

      const withKey = (await recorded('openai')).filter((r) => JSON.stringify(r).includes(CANARY_KEY));
      assert.ok(withKey.length > 0, 'the fixture never received the key');
      for (const request of withKey) {
        assert.equal(request.headers.authorization, `Bearer ${CANARY_KEY}`);
        assert.ok(!request.url.includes(CANARY_KEY), 'the key was sent in a URL');
      }

      assertNoCanary('globalState', testing.globalState());
      assertNoCanary('the output channel', testing.logLines());
      assertNoCanary('the API', api.listConnections());
    } finally {
      await deleteConnection(testing, connection.id);
    }
  });

  it('shows the Connections view only the key hint, never the key', async () => {
    const connection = await openAiWithCanaryKey('Canary in the view');
    try {
      const hint = `****${CANARY_KEY.slice(-4)}`;
      // Snapshots follow every change; wait for one that already knows about the key.
      await waitFor('a snapshot with the key hint', () => JSON.stringify(testing.webviewMessages()).includes(hint) || undefined);
      assertNoCanary('the messages posted to webviews', testing.webviewMessages());
    } finally {
      await deleteConnection(testing, connection.id);
    }
  });

  it('deletes the key when the connection is deleted', async () => {
    const connection = await openAiWithCanaryKey('Canary to delete');
    assert.equal(await testing.readSecret(secretName(connection.id)), CANARY_KEY);

    await deleteConnection(testing, connection.id);
    assert.equal(await testing.readSecret(secretName(connection.id)), undefined);
    assert.ok(!api.listConnections().some((c) => c.id === connection.id), 'the connection is still listed');
    assertNoCanary('globalState after the delete', testing.globalState());
  });
});
