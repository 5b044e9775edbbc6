import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, secretName } from './helpers';

const NEW_KEY = 'sk-int-rotated-9f1e7c3a5b';
const WRONG_KEY = 'sk-int-wrong-2d8b6a4c0e';

describe('Replace API Key in a real extension host', function () {
  this.timeout(60_000);
  // A provider in this process that accepts only the new key: the canary is being rotated out.
  const provider = new OpenAiFixture({ apiKey: NEW_KEY });
  let testing: TestingApi;
  let cloud: Connection;

  const stored = () => ((testing.globalState()['switchboard.connections'] ?? []) as Connection[]).find((c) => c.id === cloud.id)!;

  before(async () => {
    ({ testing } = await activate());
    await provider.start();
    cloud = await addConnection({ name: 'Rotating OpenAI', providerId: 'openai', baseUrl: `${provider.url}/v1` });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
  });

  after(async () => {
    await deleteConnection(testing, cloud.id);
    await provider.stop();
  });

  it('keeps the old key when the new one fails its test, and replaces it only after a passing test', async () => {
    const before = stored();
    testing.queueAnswers(WRONG_KEY);
    assert.equal(await vscode.commands.executeCommand('switchboard.replaceApiKey', cloud.id), undefined, 'a failed test replaces nothing');
    assert.equal(await testing.readSecret(secretName(cloud.id)), CANARY_KEY);
    assert.deepEqual([stored().keyId, stored().keyHint], [before.keyId, before.keyHint]);

    testing.queueAnswers(NEW_KEY);
    const result = await vscode.commands.executeCommand<{ replaced: boolean; keyHint: string }>('switchboard.replaceApiKey', cloud.id);
    assert.deepEqual(result, { replaced: true, keyHint: `****${NEW_KEY.slice(-4)}` });
    assert.equal(await testing.readSecret(secretName(cloud.id)), NEW_KEY);
    assert.notEqual(stored().keyId, before.keyId, 'a new key id ends the standing permissions of the old key');
    assert.deepEqual(provider.authorizationHeaders(), [`Bearer ${WRONG_KEY}`, `Bearer ${NEW_KEY}`]);
    for (const key of [CANARY_KEY, NEW_KEY, WRONG_KEY]) {
      const text = JSON.stringify([testing.globalState(), testing.logLines(), testing.webviewMessages(), await testing.auditEntries()]);
      assert.ok(!text.includes(key), 'a key leaked into globalState, the log, a webview message or the audit log');
    }
    assertNoCanary('the output channel', testing.logLines());
  });
});
