import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AuditEntry } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { TestingApi } from '../../src/vscode/testing';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl, recorded, testConnection } from './helpers';

/** The key_read entries of one connection, oldest first, as the database holds them. */
async function keyReads(testing: TestingApi, connectionId: string): Promise<AuditEntry[]> {
  return (await testing.auditEntries()).filter((entry) => entry.kind === 'key_read' && entry.connectionId === connectionId);
}

describe('the key path in a real extension host', function () {
  this.timeout(60_000);
  let testing: TestingApi;
  let cloud: Connection;

  before(async () => {
    ({ testing } = await activate());
    await fetch(`${fixtureUrl('openai')}/__fixture/reset`, { method: 'POST' });
    cloud = await addConnection({ name: 'Key path OpenAI', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    testing.queueAnswers(CANARY_KEY); // the answer to the password box
    await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
  });

  after(() => deleteConnection(testing, cloud.id));

  it('asks before a command called with an argument tests or discovers with the key, and audits every use once', async () => {
    testing.queueAnswers('deny');
    const denied = await testConnection(cloud.id);
    assert.equal(denied.code, 'consent_denied', denied.message);

    testing.queueAnswers('once');
    assert.equal((await testConnection(cloud.id)).status, 'valid');

    // Consent, then the multi-select of discovered models, cancelled.
    testing.queueAnswers('once', undefined);
    await vscode.commands.executeCommand('switchboard.discoverModels', cloud.id);

    const reads = await keyReads(testing, cloud.id);
    assert.deepEqual(
      reads.map((entry) => [entry.requesterId, entry.purpose, entry.outcome]),
      [
        ['switchboard.commandArgument', 'test', 'denied'],
        ['switchboard.commandArgument', 'test', 'granted_once'],
        ['switchboard.commandArgument', 'discover', 'granted_once'],
      ],
    );
    const withKey = (await recorded('openai')).filter((request) => JSON.stringify(request).includes(CANARY_KEY));
    assert.equal(withKey.length, reads.filter((entry) => entry.outcome?.startsWith('granted')).length, 'one granted key_read per request that carried the key');
    assertNoCanary('the audit log', await testing.auditEntries());
    assertNoCanary('the output channel', testing.logLines());
  });

  it('refuses a request timeout past its bound with a message, and uses the default instead of an overflowing timer', async () => {
    const config = vscode.workspace.getConfiguration('switchboard');
    await config.update('requestTimeoutSeconds', 10 ** 9, vscode.ConfigurationTarget.Global);
    try {
      testing.queueAnswers('once');
      const result = await testConnection(cloud.id);
      assert.equal(result.status, 'valid', result.message);
      assert.ok(
        testing.logLines().some((line) => line.includes('switchboard.requestTimeoutSeconds must be a number of seconds greater than 0 and at most 3600')),
        'no warning about the setting',
      );
    } finally {
      await config.update('requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
