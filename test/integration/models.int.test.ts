import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegisteredModel } from '../../src/contracts/models';
import type { TestingApi } from '../../src/vscode/testing';
import { activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl } from './helpers';

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

  it('removes the models with their connection, and keeps no key anywhere', async () => {
    assertNoCanary('globalState', testing.globalState());
    await deleteConnection(testing, connectionId);
    assert.equal(storedModels(testing).filter((model) => model.connectionId === connectionId).length, 0);
    connectionId = '';
  });
});
