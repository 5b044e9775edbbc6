import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
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
  'switchboard.setModelCapabilities',
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

  it('activates without an error or a deprecation in the extension host log', async () => {
    const { testing } = await activate();
    const hostFolder = path.dirname(testing.logFolder);
    const hostLogs = readdirSync(hostFolder).filter((name) => name.endsWith('exthost.log'));
    assert.ok(hostLogs.length > 0, `no extension host log in ${hostFolder}`);
    const lines = hostLogs.flatMap((name) => readFileSync(path.join(hostFolder, name), 'utf8').split('\n'));
    assert.ok(lines.some((line) => line.includes('switchboard-dev.switchboard')), 'the log does not mention Switchboard\'s activation: is it the right file?');
    // A PendingMigrationError names no extension on its first line: VS Code logs it when anything
    // reads the global navigator, as zod's bundle did.
    const problems = lines.filter((line) => line.includes('PendingMigrationError') || (/\[(error|warning)\]/.test(line) && /switchboard/i.test(line)));
    assert.deepEqual(problems, []);
  });
});
