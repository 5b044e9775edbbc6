import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RunRecord } from '../../src/contracts/agents';
import { RUN_KEY_PREFIX, RunStore } from '../../src/core/runStore';
import { FixedClock, MemoryLogger, MemoryStore } from '../helpers/fakes';

function run(n: number): RunRecord {
  return {
    id: randomUUID(),
    agentId: '11111111-1111-4111-8111-111111111111',
    agentName: 'helper',
    requesterId: 'view:agents',
    status: 'queued',
    input: `input ${n}`,
    trace: [],
    createdAt: '2026-11-22T10:00:00.000Z',
  };
}

describe('RunStore', () => {
  it('keeps only the newest runs the retention allows', async () => {
    const store = new MemoryStore();
    const runs = new RunStore({ store, retention: () => 3, logger: new MemoryLogger() });
    for (let i = 0; i < 5; i++) await runs.add(run(i));
    assert.deepEqual(runs.list().map((r) => r.input), ['input 2', 'input 3', 'input 4']);
    assert.equal(store.keys().filter((key) => key.startsWith(RUN_KEY_PREFIX)).length, 3, 'dropped runs are removed from storage');
  });

  it('loses nothing when a thousand runs are added and finished at once, writing only the runs that changed', async () => {
    const store = new MemoryStore();
    const runs = new RunStore({ store, retention: () => 5000, logger: new MemoryLogger() });
    const all = Array.from({ length: 1000 }, (_, i) => run(i));
    await Promise.all(all.map(async (r) => {
      await runs.add(r);
      await runs.update(r.id, { status: 'succeeded', output: `out ${r.input}` });
    }));
    const stored = new RunStore({ store, retention: () => 5000, logger: new MemoryLogger() }).list();
    assert.equal(stored.length, 1000);
    assert.ok(stored.every((r) => r.status === 'succeeded' && r.output === `out ${r.input}`));
    assert.equal(store.updates, 2000, 'each run written when added and when finished, one small record each');
  });

  it('fails only the change that is invalid, and writes the rest of its batch', async () => {
    const runs = new RunStore({ store: new MemoryStore(), retention: () => 10, logger: new MemoryLogger() });
    const good = run(1);
    const results = await Promise.allSettled([runs.add(good), runs.add({ ...run(2), status: 'exploded' as never })]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.deepEqual(runs.list().map((r) => r.id), [good.id]);
  });
});

describe('RunStore after a reload of the window', () => {
  it('fails the runs a previous session left queued or running, once, and leaves finished runs alone', async () => {
    const store = new MemoryStore();
    const before = new RunStore({ store, retention: () => 50, logger: new MemoryLogger() });
    const queued = run(1);
    const running = run(2);
    const done = run(3);
    await before.add(queued);
    await before.add(running);
    await before.add(done);
    await before.update(running.id, { status: 'running' });
    await before.update(done.id, { status: 'succeeded', output: 'ok' });

    // The window reloads: a new session reads what the old one left.
    const after = new RunStore({ store, retention: () => 50, logger: new MemoryLogger(), clock: new FixedClock(new Date('2026-11-22T11:00:00.000Z')) });
    after.list();
    await after.flushed();
    const stored = new RunStore({ store, retention: () => 50, logger: new MemoryLogger() });
    for (const id of [queued.id, running.id]) {
      const record = stored.get(id)!;
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'internal');
      assert.match(record.error?.message ?? '', /reload|closed/i);
      assert.equal(record.finishedAt, '2026-11-22T11:00:00.000Z');
    }
    assert.equal(stored.get(done.id)?.status, 'succeeded');
    const logger = new MemoryLogger();
    new RunStore({ store, retention: () => 50, logger }).list();
    assert.ok(!logger.lines.some((line) => line.includes('interrupted')), 'nothing is left to fail');
  });
});
