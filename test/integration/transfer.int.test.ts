import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl } from './helpers';

const PASSPHRASE = 'integration passphrase';

describe('Export and Import Connections in a real extension host', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let cloud: Connection;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-transfer-'));

  before(async () => {
    ({ testing } = await activate());
    cloud = await addConnection({ name: 'Transfer OpenAI', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
  });

  it('writes keys only encrypted, each key read asked for and audited', async () => {
    const path = join(dir, 'with-keys.swbx');
    const before = (await testing.auditEntries()).length;
    // Other suites in this host may have left keyed connections: each needs its own answer.
    const stored = (testing.globalState()['switchboard.connections'] ?? []) as { keyHint?: string; credentialHeaders?: unknown[] }[];
    const keyed = stored.filter((c) => c.keyHint || c.credentialHeaders?.length).length;
    // The choice, the passphrase twice, then Allow Once for each keyed connection (a script named the file).
    testing.queueAnswers('Include API Keys', PASSPHRASE, PASSPHRASE, ...Array.from({ length: keyed }, () => 'once'));
    const result = await vscode.commands.executeCommand<{ exported: number }>('switchboard.exportConnections', { path });
    assert.ok(result && result.exported >= 1, 'nothing exported');
    assertNoCanary('the export file', readFileSync(path).toString('latin1'));
    const reads = (await testing.auditEntries()).slice(before).filter((e) => e.kind === 'key_read' && e.connectionId === cloud.id);
    assert.deepEqual(reads.map((e) => [e.requesterId, e.purpose, e.outcome]), [['switchboard.commandArgument', 'export', 'granted_once']]);
  });

  it('imports what a deleted connection was, from a file without keys', async () => {
    const path = join(dir, 'without-keys.swbx');
    testing.queueAnswers('Without Keys', PASSPHRASE, PASSPHRASE);
    await vscode.commands.executeCommand('switchboard.exportConnections', { path });
    await deleteConnection(testing, cloud.id);

    testing.queueAnswers('wrong passphrase');
    assert.equal(await vscode.commands.executeCommand('switchboard.importConnections', { path }), undefined, 'a wrong passphrase imports nothing');

    testing.queueAnswers(PASSPHRASE, 'Import');
    const result = await vscode.commands.executeCommand<{ added: number; changed: number }>('switchboard.importConnections', { path });
    assert.deepEqual(result, { added: 1, changed: 0 });
    const imported = (await activate()).api.listConnections().find((c) => c.name === 'Transfer OpenAI');
    assert.ok(imported, 'the connection is back');
    assert.equal(imported.hasCredentials, false, 'imported without its key');
    assertNoCanary('the output channel', testing.logLines());
    assertNoCanary('globalState', testing.globalState());
    await deleteConnection(testing, imported.id);
  });
});
