import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegisteredModel } from '../../src/contracts/models';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded } from './helpers';

function storedModels(testing: TestingApi): RegisteredModel[] {
  return testing.storedModels();
}

describe('Discover Models from the palette', () => {
  let testing: TestingApi;
  let connectionId = '';

  before(async () => {
    ({ testing } = await activate());
    connectionId = (await addConnection({ name: 'Models fixture', providerId: 'ollama', baseUrl: fixtureUrl('ollama') })).id;
  });

  after(async () => {
    if (connectionId) await deleteConnection(testing, connectionId);
  });

  it('registers the models checked in the pick', async () => {
    // The pick's scripted answer: the labels to check, one per line.
    testing.queueAnswers('llama3.2:latest\nqwen2.5-coder:7b');
    const result = await vscode.commands.executeCommand('switchboard.discoverModels', connectionId);
    assert.deepEqual(result, { registered: 2, added: 2 });
    const mine = storedModels(testing).filter((model) => model.connectionId === connectionId);
    assert.deepEqual(mine.map((model) => model.providerModelId).sort(), ['llama3.2:latest', 'qwen2.5-coder:7b']);
    assert.ok(mine.every((model) => model.enabled));
  });

  it('adds a model discovery cannot list through "Enter a model id…"', async () => {
    testing.queueAnswers('enter-model-id', 'my-finetune:q4');
    const result = await vscode.commands.executeCommand('switchboard.discoverModels', connectionId);
    assert.deepEqual(result, { registered: 1, added: 1 });
    const added = storedModels(testing).find((model) => model.connectionId === connectionId && model.providerModelId === 'my-finetune:q4');
    assert.deepEqual(added?.modalities, ['text']);
  });

  it('discovers with a key and registers what the person picks, and the key is nowhere but in the request', async () => {
    const cloud = await addConnection({ name: 'Models OpenAI', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    try {
      testing.queueAnswers(CANARY_KEY); // the answer to the password box
      await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
      // A command called with an argument: consent first, then the pick.
      testing.queueAnswers('once', 'gpt-4o-mini');
      const result = await vscode.commands.executeCommand('switchboard.discoverModels', cloud.id);
      assert.deepEqual(result, { registered: 1, added: 1 });
      assert.ok((await recorded('openai')).some((request) => JSON.stringify(request).includes(CANARY_KEY)), 'the key went to the fixture');
      assert.deepEqual(storedModels(testing).filter((model) => model.connectionId === cloud.id).map((model) => model.providerModelId), ['gpt-4o-mini']);
      assertNoCanary('globalState', testing.globalState());
      assertNoCanary('the registered models', testing.storedModels());
      assertNoCanary('the database', await testing.databaseBytes());
      assertNoCanary('the output channel', testing.logLines());
    } finally {
      await deleteConnection(testing, cloud.id);
    }
  });

  it('removes the models with their connection', async () => {
    await deleteConnection(testing, connectionId);
    assert.equal(storedModels(testing).filter((model) => model.connectionId === connectionId).length, 0);
    connectionId = '';
  });
});
