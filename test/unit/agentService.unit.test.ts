import * as assert from 'node:assert/strict';
import type { Agent } from '../../src/contracts/agents';
import { SwitchboardError } from '../../src/core/base/errors';
import { AgentService } from '../../src/core/runs/agentService';
import { AGENTS_KEY } from '../../src/core/store/storageKeys';
import { FixedClock, MemoryLogger, MemoryStore } from '../helpers/fakes';

const CONNECTION = '22222222-2222-4222-8222-222222222222';
const GONE = '99999999-9999-4999-8999-999999999999';

function legacyAgent(): Agent {
  return { id: '11111111-1111-4111-8111-111111111111', name: 'Helper', role: '', soul: '', guardrails: '', model: 'openai/gpt-4o-mini', createdAt: '2026-11-01T10:00:00.000Z', updatedAt: '2026-11-01T10:00:00.000Z' };
}

describe('AgentService: changing an agent in place', () => {
  function setup() {
    const store = new MemoryStore();
    store.data.set(AGENTS_KEY, [legacyAgent()]);
    const clock = new FixedClock();
    const agents = new AgentService({ store, clock, logger: new MemoryLogger(), connectionExists: (id) => id === CONNECTION });
    return { store, clock, agents };
  }

  const code = (expected: string) => (error: unknown) => error instanceof SwitchboardError && error.code === expected;

  it('updates the agent where it stands, stamps updatedAt, and keeps a legacy model the form does not replace', async () => {
    const { agents, clock } = setup();
    const updated = await agents.update(legacyAgent().id, { name: 'Helper 2', role: 'reviews' });
    assert.equal(updated.updatedAt, clock.now().toISOString());
    assert.equal(updated.createdAt, legacyAgent().createdAt);
    assert.equal(updated.model, legacyAgent().model);
    assert.deepEqual(agents.list(), [updated]);
  });

  it('adopts a route in place of the legacy model string', async () => {
    const { agents } = setup();
    const adopted = await agents.adoptRoute(legacyAgent().id, { connectionId: CONNECTION, modelRef: 'gpt-4o-mini', expectedModel: 'openai/gpt-4o-mini' });
    assert.equal(adopted.model, undefined);
    assert.deepEqual([adopted.connectionId, adopted.modelRef], [CONNECTION, 'gpt-4o-mini']);
    assert.deepEqual(agents.list(), [adopted]);
  });

  it('answers not_found for an agent that is gone, and conflict for a changed legacy string; neither changes anything', async () => {
    const { agents, store } = setup();
    const before = structuredClone(store.data.get(AGENTS_KEY));
    await assert.rejects(agents.update(GONE, { name: 'Other' }), code('not_found'));
    await assert.rejects(agents.adoptRoute(GONE, { connectionId: CONNECTION, modelRef: 'm', expectedModel: 'openai/gpt-4o-mini' }), code('not_found'));
    await assert.rejects(agents.adoptRoute(legacyAgent().id, { connectionId: CONNECTION, modelRef: 'm', expectedModel: 'openai/other' }), code('conflict'));
    assert.deepEqual(store.data.get(AGENTS_KEY), before);
  });
});
