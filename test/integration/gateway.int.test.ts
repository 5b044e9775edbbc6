import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Agent } from '../../src/contracts/agents';
import type { Connection } from '../../src/contracts/connections';
import type { AgentSyncState } from '../../src/contracts/gateway';
import type { TestingApi } from '../../src/vscode/testing';
import { GatewayFixture } from '../fixtures/gatewayFixture';
import { CANARY_KEY, activate, addConnection, assertNoCanary, deleteConnection, fixtureUrl } from './helpers';

const TOKEN = 'gw-int-token-6b2f9e4d1c8a';

/** Fails when the gateway token is anywhere in `value`. */
function assertNoToken(where: string, value: unknown): void {
  assert.ok(!JSON.stringify(value).includes(TOKEN), `the gateway token leaked into ${where}`);
}

describe('AI gateway sync in a real extension host', function () {
  this.timeout(60_000);
  // A real gateway on 127.0.0.1, in the extension host's own process: it records what arrives.
  const gateway = new GatewayFixture({ token: TOKEN });
  let testing: TestingApi;
  let cloud: Connection;
  const config = () => vscode.workspace.getConfiguration('switchboard');

  before(async () => {
    ({ testing } = await activate());
    await gateway.start();
    cloud = await addConnection({ name: 'Gateway OpenAI', providerId: 'openai', baseUrl: `${fixtureUrl('openai')}/v1` });
    testing.queueAnswers(CANARY_KEY);
    await vscode.commands.executeCommand('switchboard.setApiKey', cloud.id);
  });

  after(async () => {
    await config().update('gateway.url', undefined, vscode.ConfigurationTarget.Global);
    await deleteConnection(testing, cloud.id);
    await gateway.stop();
  });

  it('keeps the token typed into Set Gateway Token in SecretStorage only', async () => {
    testing.queueAnswers(TOKEN);
    const result = await vscode.commands.executeCommand<{ stored: boolean }>('switchboard.setGatewayToken');
    assert.deepEqual(result, { stored: true });
    assert.equal(await testing.readSecret('switchboard.gateway.token'), TOKEN);
    assertNoToken('globalState', testing.globalState());
    assertNoToken('the output channel', testing.logLines());
  });

  it('creates, syncs and deletes an agent on the gateway, each key sent after consent and audited once', async () => {
    await config().update('gateway.url', gateway.url, vscode.ConfigurationTarget.Global);

    const created = gateway.nextRequest('/v1/agents');
    const asked = testing.answeredQuestions().length;
    // The token was set before the gateway URL: it asks where it may go, then the key's consent names the gateway.
    testing.queueAnswers(true, 'once');
    const agent = await vscode.commands.executeCommand<Agent>('switchboard.createAgent', { name: 'Synced agent', soul: 'Be precise.', connectionId: cloud.id, modelRef: 'gpt-4o-mini' });
    const post = await created;
    assert.deepEqual(testing.answeredQuestions().slice(asked), [`Send the AI gateway token to ${new URL(gateway.url).origin}?`, 'The AI gateway sync wants to use the API key of "Gateway OpenAI".']);
    assert.equal(post.method, 'POST');
    assert.equal(post.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(post.body), {
      id: agent.id,
      name: 'Synced agent',
      model: 'openai/gpt-4o-mini',
      apiKey: CANARY_KEY,
      baseUrl: `${fixtureUrl('openai')}/v1`,
      soul: 'Be precise.',
      guardrails: '',
    });

    testing.queueAnswers('once');
    const state = await vscode.commands.executeCommand<AgentSyncState>('switchboard.syncAgent', agent.id);
    assert.equal(state.state, 'synced', JSON.stringify(state));
    assert.equal(gateway.calls().at(-1), `PUT /v1/agents/${agent.id}`);

    const deleted = gateway.nextRequest(`/v1/agents/${agent.id}`);
    testing.queueAnswers(true); // the delete confirmation
    await vscode.commands.executeCommand('switchboard.deleteAgent', agent.id);
    assert.equal((await deleted).method, 'DELETE');

    const reads = (await testing.auditEntries()).filter((entry) => entry.kind === 'key_read' && entry.requesterId === 'switchboard.gateway');
    assert.deepEqual(
      reads.map((entry) => [entry.purpose, entry.outcome]),
      [
        ['gateway', 'granted_once'],
        ['gateway', 'granted_once'],
      ],
    );
    assert.equal(gateway.requests.filter((request) => request.body.includes(CANARY_KEY)).length, reads.length, 'one key_read per request that carried the key');
    assertNoCanary('globalState', testing.globalState());
    assertNoCanary('the output channel', testing.logLines());
    assertNoCanary('the messages posted to webviews', testing.webviewMessages());
    assertNoToken('the output channel', testing.logLines());
    assertNoToken('globalState', testing.globalState());
  });

  it('sends an agent again when Migrate Agents to Registered Models gives it a connection and a model', async () => {
    const local = await addConnection({ name: 'Gateway legacy Ollama', providerId: 'ollama', baseUrl: fixtureUrl('ollama') });
    const now = new Date().toISOString();
    const id = randomUUID();
    // As an older version left it: a legacy string, no connection.
    await testing.storeAgentRecord({ id, name: 'Gateway legacy agent', role: '', soul: 'Old soul.', guardrails: '', model: 'ollama/llama3.2:latest', createdAt: now, updatedAt: now });
    try {
      // Pointing sync at the gateway takes in every agent as it is now, the legacy one included.
      await config().update('gateway.url', undefined, vscode.ConfigurationTarget.Global);
      await config().update('gateway.url', gateway.url, vscode.ConfigurationTarget.Global);
      const state = await vscode.commands.executeCommand<AgentSyncState>('switchboard.syncAgent', id);
      assert.equal(state.state, 'synced', JSON.stringify(state));
      const sent = JSON.parse(gateway.requests.at(-1)!.body) as { model: string };

      const resent = gateway.nextRequest(`/v1/agents/${id}`);
      const report = await vscode.commands.executeCommand<{ changed: { agentId: string }[] }>('switchboard.migrateLegacyAgents');
      assert.ok(report.changed.some((change) => change.agentId === id), JSON.stringify(report));
      // Told in a notification, not a modal nobody can script: a modal would wait on the person.
      assert.match(testing.notices().at(-1) ?? '', /^\d+ agent\(s\) migrated to registered models, 0 could not be\.$/);
      const put = await resent;
      assert.equal(put.method, 'PUT');
      assert.equal((JSON.parse(put.body) as { model: string }).model, sent.model);
    } finally {
      testing.queueAnswers(true);
      await vscode.commands.executeCommand('switchboard.deleteAgent', id);
      await deleteConnection(testing, local.id);
    }
  });

  it('takes the gateway URL from the person\'s settings only: a workspace cannot set it', async () => {
    await assert.rejects(Promise.resolve(config().update('gateway.url', 'https://elsewhere.example', vscode.ConfigurationTarget.Workspace)));
    assert.equal(config().inspect('gateway.url')?.workspaceValue, undefined);
    assert.equal(config().get('gateway.url'), gateway.url);
  });
});
