import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, extension } from './helpers';

const COMMANDS = [
  'switchboard.addConnection',
  'switchboard.editConnection',
  'switchboard.deleteConnection',
  'switchboard.testConnection',
  'switchboard.setApiKey',
  'switchboard.setCredentialHeader',
  'switchboard.setDefaultConnection',
  'switchboard.discoverModels',
  'switchboard.focusConnections',
];

describe('activation', () => {
  it('is loaded as switchboard-dev.switchboard and stays inactive until it is used', () => {
    // Activation must stay lazy (no `*`, no onStartupFinished): nothing has used it yet.
    assert.equal(extension().isActive, false);
  });

  it('activates when its Focus Connections command runs', async () => {
    await vscode.commands.executeCommand('switchboard.focusConnections');
    assert.equal(extension().isActive, true);
  });

  it('contributes and registers every Switchboard command', async () => {
    const contributed = (extension().packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS) {
      assert.ok(contributed.includes(command), `${command} is not contributed in package.json`);
      assert.ok(registered.has(command), `${command} is not registered after activation`);
    }
  });

  it('returns API version 1 listing the Ollama and OpenAI providers', async () => {
    const { api } = await activate();
    assert.equal(api.apiVersion, 1);
    const ids = api.listProviders().map((p) => p.id);
    assert.ok(ids.includes('ollama') && ids.includes('openai'), `providers: ${ids.join(', ')}`);
  });
});
