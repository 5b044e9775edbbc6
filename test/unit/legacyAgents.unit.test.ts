import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Agent } from '../../src/contracts/agents';
import { migrateLegacyAgents } from '../../src/core/runs/legacyAgents';
import type { KeyValueStore } from '../../src/core/base/ports';
import { AGENTS_KEY } from '../../src/core/store/storageKeys';
import { buildConnectionsStack } from '../fixtures/keyPathKit';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { buildRunStack } from '../fixtures/runStack';
import { serveDuringSuite } from '../helpers/providerTestKit';
import { AGENT_HOST_ENTRY, worker } from '../helpers/stacks';

/** An agent as an older version or an import left it: a `<providerType>/<model>` string, no connection. */
async function writeLegacyAgent(store: KeyValueStore, name: string, model: string): Promise<Agent> {
  const now = '2026-01-01T00:00:00.000Z';
  const agent: Agent = { id: randomUUID(), name, role: '', soul: '', guardrails: '', model, createdAt: now, updatedAt: now };
  const existing = (store.get(AGENTS_KEY) as unknown[] | undefined) ?? [];
  await store.update(AGENTS_KEY, [...existing, agent]);
  return agent;
}

describe('Agents with a legacy model string', function () {
  this.timeout(30_000);
  const ollama = new OllamaFixture();
  serveDuringSuite(ollama);

  it('run on a connection of their provider type, and the run says so; an unknown type fails clearly', async () => {
    const s = await buildRunStack({ workerPath: await worker(AGENT_HOST_ENTRY), consentPrompt: { ask: async () => 'once', allowGatewayToken: async () => false } });
    try {
      const connection = await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
      const legacy = await writeLegacyAgent(s.store, 'Old timer', 'ollama/llama3.2:latest');
      const run = await s.service.start({ agentId: legacy.id, input: 'still here?' }, 'view:agents');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.match(run.output ?? '', /still here\?/);
      assert.deepEqual(run.routing, {
        connectionId: connection.id,
        providerId: 'ollama',
        modelRef: 'llama3.2:latest',
        sources: { connectionId: 'legacy', modelRef: 'legacy' },
        legacyModel: 'ollama/llama3.2:latest',
        attempts: [{ connectionId: connection.id, modelRef: 'llama3.2:latest', outcome: 'ok', latencyMs: run.routing!.attempts![0]!.latencyMs, waitMs: 0 }],
      });
      assert.equal(JSON.parse(ollama.requests.at(-1)!.body).model, 'llama3.2:latest');

      const unknown = await writeLegacyAgent(s.store, 'Stranger', 'mystery/model-9');
      const failed = await s.service.start({ agentId: unknown.id, input: 'hi' }, 'view:agents');
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.code, 'missing_connection');
      assert.match(failed.error?.message ?? '', /provider type "mystery", which Switchboard does not know/);
    } finally {
      await s.cleanup();
    }
  });

  it('migrate to a connection and a registered model, registering it where needed, and report what they could not', async () => {
    const s = buildConnectionsStack();
    const { agents } = s;
    const local = await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    await s.models.register(local.id, [{ providerModelId: 'qwen2.5:7b', displayName: 'Qwen', modalities: ['text'], sources: {} }]);
    const known = await writeLegacyAgent(s.store, 'Known', 'ollama/qwen2.5:7b');
    const fresh = await writeLegacyAgent(s.store, 'Fresh', 'ollama/llama3.2:latest');
    const noConnection = await writeLegacyAgent(s.store, 'Cloudless', 'openai/gpt-4o');
    const unknownType = await writeLegacyAgent(s.store, 'Odd', 'mystery/x');
    const modern = await agents.create({ name: 'Modern', connectionId: local.id });

    const report = await migrateLegacyAgents({ agents, connections: s.connections, models: s.models, registry: s.registry, settings: s.settings });

    assert.deepEqual(
      report.changed.map((c) => [c.name, c.from, c.connectionName, c.modelRef, c.registered]),
      [
        ['Known', 'ollama/qwen2.5:7b', 'Local', 'qwen2.5:7b', false],
        ['Fresh', 'ollama/llama3.2:latest', 'Local', 'llama3.2:latest', true],
      ],
    );
    assert.deepEqual(
      report.failed.map((f) => [f.name, f.from]),
      [
        ['Cloudless', 'openai/gpt-4o'],
        ['Odd', 'mystery/x'],
      ],
    );
    assert.match(report.failed[0]!.reason, /no OpenAI connection/);
    assert.match(report.failed[1]!.reason, /"mystery" is not a provider type/);

    const after = (id: string) => agents.require(id);
    assert.deepEqual([after(known.id).connectionId, after(known.id).modelRef, after(known.id).model], [local.id, 'qwen2.5:7b', undefined]);
    assert.deepEqual([after(fresh.id).connectionId, after(fresh.id).modelRef, after(fresh.id).model], [local.id, 'llama3.2:latest', undefined]);
    assert.equal(after(noConnection.id).model, 'openai/gpt-4o');
    assert.equal(after(unknownType.id).model, 'mystery/x');
    assert.deepEqual(after(modern.id), modern);
    assert.deepEqual(s.models.list({ connectionId: local.id }).map((m) => m.providerModelId).sort(), ['llama3.2:latest', 'qwen2.5:7b']);

    // Run again: nothing left to do for the migrated ones.
    const again = await migrateLegacyAgents({ agents, connections: s.connections, models: s.models, registry: s.registry, settings: s.settings });
    assert.deepEqual(again.changed, []);
    assert.equal(again.failed.length, 2);
  });

  it('keeps the legacy string through an edit that names no connection, and drops it when the edit names one', async () => {
    const s = buildConnectionsStack();
    const { agents } = s;
    const local = await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    const legacy = await writeLegacyAgent(s.store, 'Editable', 'ollama/qwen');
    assert.equal((await agents.update(legacy.id, { name: 'Edited', soul: 'New soul.' })).model, 'ollama/qwen');
    const moved = await agents.update(legacy.id, { name: 'Edited', connectionId: local.id });
    assert.deepEqual([moved.model, moved.connectionId], [undefined, local.id]);
  });

  it("drops the legacy string when the edit names a model of the default connection, and keeps the agent without a connection", async () => {
    const s = buildConnectionsStack();
    const { agents } = s;
    const legacy = await writeLegacyAgent(s.store, 'On default', 'ollama/qwen');
    const edited = await agents.update(legacy.id, { name: 'On default', modelRef: 'llama3.2:latest' });
    assert.deepEqual([edited.model, edited.connectionId, edited.modelRef], [undefined, undefined, 'llama3.2:latest']);
  });
});
