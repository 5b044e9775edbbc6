import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { SwitchboardApiV1 } from '../../src/api/types';
import type { TestingApi } from '../../src/vscode/testing';
import { activate, addConnection, deleteConnection, fixtureUrl, testConnection } from './helpers';

/** A port nothing listens on: the kernel hands out a free one, and we close it again. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connections against the fixture servers', () => {
  let api: SwitchboardApiV1;
  let testing: TestingApi;
  const created: string[] = [];

  before(async () => {
    ({ api, testing } = await activate());
  });

  after(async () => {
    for (const id of created) await deleteConnection(testing, id);
  });

  it('creates an Ollama connection from command arguments and tests it as valid', async () => {
    const connection = await addConnection({ name: 'Fixture Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    created.push(connection.id);
    assert.equal(connection.providerId, 'ollama');
    assert.equal(connection.baseUrl.replace(/\/$/, ''), fixtureUrl('ollama'));

    const result = await testConnection(connection.id);
    assert.equal(result.status, 'valid', `test result: ${result.message}`);
    assert.ok(Number.isFinite(result.latencyMs) && result.latencyMs >= 0, `latency ${result.latencyMs}`);
    assert.equal(api.listConnections().find((c) => c.id === connection.id)?.status, 'valid');
  });

  it('makes the first connection added the default when there is none, and says so in a notification', async () => {
    const config = () => vscode.workspace.getConfiguration('switchboard');
    const before = config().get<string>('defaultConnectionId');
    await config().update('defaultConnectionId', undefined, vscode.ConfigurationTarget.Global);
    try {
      const first = await addConnection({ name: 'First of all', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
      created.push(first.id);
      assert.equal(config().get('defaultConnectionId'), first.id);
      assert.ok(testing.notices().includes('"First of all" is now the default connection, since there was none: runs that name no connection use it.'), testing.notices().join('\n'));
      const second = await addConnection({ name: 'Second of all', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
      created.push(second.id);
      assert.equal(config().get('defaultConnectionId'), first.id, 'a default that exists stays');
    } finally {
      await config().update('defaultConnectionId', before || undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('reports a refused port as invalid and not reachable', async () => {
    const baseUrl = `http://127.0.0.1:${await refusedPort()}`;
    const connection = await addConnection({ name: 'Nobody home', providerId: 'ollama', baseUrl });
    created.push(connection.id);

    const result = await testConnection(connection.id);
    assert.equal(result.status, 'invalid');
    assert.match(result.message, /not reachable/i);
    assert.equal(api.listConnections().find((c) => c.id === connection.id)?.status, 'invalid');
  });
});
