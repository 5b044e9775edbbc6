import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RunRecord } from '../../src/contracts/agents';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { HEARTBEAT_MS, LEASE_MS, RunStore, type RunFilter, type RunStoreDeps } from '../../src/core/runs/runStore';
import { Database } from '../../src/core/store/database';
import { DATABASE_FILE, TABLES } from '../../src/core/store/storageKeys';
import { tempDatabase } from '../fixtures/tempDatabase';
import { FixedClock, ManualHeartbeat, ManualTimers, MemoryLogger } from '../helpers/fakes';

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
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  const stores: RunStore[] = [];
  beforeEach(async () => {
    temp = await tempDatabase();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.dispose();
    await temp.cleanup();
  });

  /** A run store as a window has one; `db` is another connection to the same file unless given. */
  function store(deps: Partial<RunStoreDeps> = {}): RunStore {
    const made = new RunStore({ db: temp.db, retention: () => 5000, outputMaxKiB: () => 256, logger: new MemoryLogger(), ...deps });
    stores.push(made);
    return made;
  }

  const all = (runs: RunStore) => runs.page({ limit: 100_000 }).runs;

  it("stores a run and its updates while another window holds the database's lock, in order, once it lets go, without blocking", async () => {
    const timers = new ManualTimers();
    const runs = store({ db: temp.open({ timers }) });
    assert.equal(runs.page({ limit: 1 }).total, 0); // first use: the lease is taken
    const other = new DatabaseSync(temp.file);
    other.exec('BEGIN IMMEDIATE');
    const record = run(0);
    const added = runs.add(record);
    const running = runs.update(record.id, { status: 'running' });
    const finished = runs.update(record.id, { status: 'succeeded', output: 'done' });
    await timers.started(2);
    timers.fire();
    assert.equal(runs.get(record.id), undefined, 'still waiting: the other window holds the lock');
    other.exec('COMMIT');
    other.close();
    timers.fire();
    await Promise.all([added, running, finished]);
    assert.deepEqual([runs.get(record.id)?.status, runs.get(record.id)?.output], ['succeeded', 'done']);
  });

  it('keeps the newest finished runs the retention allows, and never removes a queued or running run, however old', async () => {
    const runs = store({ retention: () => 2 });
    // The oldest runs are still in flight when newer ones finish and push past the retention.
    const [queued, running] = [run(0), run(1)];
    await runs.add(queued);
    await runs.add(running);
    await runs.update(running.id, { status: 'running' });
    for (let i = 2; i < 6; i++) {
      const finished = run(i);
      await runs.add(finished);
      await runs.update(finished.id, { status: i % 2 ? 'failed' : 'succeeded' });
    }
    await runs.add(run(6));
    assert.deepEqual(all(runs).map((r) => r.input), ['input 6', 'input 5', 'input 4', 'input 1', 'input 0'], 'the two newest finished runs, the new one and the two in flight');
    assert.equal(runs.page({ limit: 10 }).total, 5);
  });

  it('trims nothing while the runs stored are within the retention, and keeps at least one finished run', async () => {
    const within = store({ retention: () => 3 });
    for (let i = 0; i < 3; i++) await within.add({ ...run(i), status: 'succeeded' });
    assert.deepEqual(all(within).map((r) => r.input), ['input 2', 'input 1', 'input 0']);

    // A retention below one (a hand-edited setting) keeps one; a fraction is rounded down.
    const none = store({ db: temp.open(), retention: () => 0 });
    await none.add({ ...run(3), status: 'succeeded' });
    assert.deepEqual(all(none).map((r) => r.input), ['input 3']);
    const fraction = store({ db: temp.open(), retention: () => 2.9 });
    await fraction.add({ ...run(4), status: 'cancelled' });
    await fraction.add({ ...run(5), status: 'succeeded' });
    assert.deepEqual(all(fraction).map((r) => r.input), ['input 5', 'input 4']);
  });

  it('loses nothing when a thousand runs are added and finished at once', async () => {
    const runs = store();
    const added = Array.from({ length: 1000 }, (_, i) => run(i));
    await Promise.all(
      added.map(async (r) => {
        await runs.add(r);
        await runs.update(r.id, { status: 'succeeded', output: `out ${r.input}` });
      }),
    );
    const stored = all(store({ db: temp.open() }));
    assert.equal(stored.length, 1000);
    assert.ok(stored.every((r) => r.status === 'succeeded' && r.output === `out ${r.input}`));
  });

  it('fails only the change that is invalid', async () => {
    const runs = store();
    const good = run(1);
    const results = await Promise.allSettled([runs.add(good), runs.add({ ...run(2), status: 'exploded' as never })]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.deepEqual(all(runs).map((r) => r.id), [good.id]);
  });

  it('gives runs a page at a time, newest first, with the total', async () => {
    const runs = store();
    for (let i = 0; i < 25; i++) await runs.add(run(i));
    const second = runs.page({ offset: 10, limit: 10 });
    assert.equal(second.total, 25);
    assert.deepEqual(second.runs.map((r) => r.input), Array.from({ length: 10 }, (_, i) => `input ${14 - i}`));
    assert.deepEqual(runs.page({ offset: 20, limit: 10 }).runs.length, 5);
  });

  it('skips a stored run that is not valid, with a warning naming it, counts it and keeps its row', async () => {
    const logger = new MemoryLogger();
    const runs = store({ logger });
    const [older, broken] = [run(1), run(2)];
    await runs.add(older);
    await runs.add(broken);
    temp.db.write((sql) => sql.run(`UPDATE ${TABLES.runs} SET body = ? WHERE id = ?`, '{"status":"exploded"', broken.id));

    const page = runs.page({ limit: 10 });
    assert.deepEqual(page.runs.map((r) => r.id), [older.id]);
    assert.equal(page.total, 2, 'counted, so the pages stay where they are');
    assert.equal(runs.get(broken.id), undefined);
    assert.ok(logger.lines.some((line) => line.startsWith(`warn Ignoring the stored run ${broken.id}: it is not valid`)), logger.lines.join('\n'));
    assert.ok(!logger.lines.some((line) => line.includes('exploded')), 'the body is not logged');
    assert.ok(temp.db.read((sql) => sql.get(`SELECT 1 FROM ${TABLES.runs} WHERE id = ? AND body = ?`, broken.id, '{"status":"exploded"')), 'the row is kept as it is');
  });

  it('cuts an output over runOutputMaxKiB at a character boundary and marks it cut', async () => {
    const runs = store({ outputMaxKiB: () => 1 });
    const r = run(1);
    await runs.add(r);
    // 'é' is two bytes: 1024 bytes end in the middle of none, 1025 would split one.
    await runs.update(r.id, { status: 'succeeded', output: `x${'é'.repeat(2000)}` });
    const stored = runs.get(r.id)!;
    assert.equal(stored.outputCut, true);
    assert.equal(Buffer.byteLength(stored.output!), 1023);
    assert.ok(stored.output!.endsWith('é'));
    const short = run(2);
    await runs.add({ ...short, status: 'succeeded', output: 'short' });
    assert.equal(runs.get(short.id)!.outputCut, undefined);
  });

  it("cuts the model's reasoning over runOutputMaxKiB the same way, marked apart from the output", async () => {
    const runs = store({ outputMaxKiB: () => 1 });
    const r = run(1);
    await runs.add(r);
    await runs.update(r.id, { status: 'succeeded', output: 'short', reasoning: `x${'é'.repeat(2000)}` });
    const stored = runs.get(r.id)!;
    assert.deepEqual([stored.output, stored.outputCut, stored.reasoningCut, Buffer.byteLength(stored.reasoning!)], ['short', undefined, true, 1023]);
  });

  it('keeps an output of exactly runOutputMaxKiB whole, counts a limit below 1 KiB as 1 KiB, and keeps a replacement character the output had', async () => {
    const runs = store({ outputMaxKiB: () => 0 });
    const exact = run(1);
    await runs.add({ ...exact, status: 'succeeded', output: 'x'.repeat(1024) });
    assert.deepEqual([runs.get(exact.id)!.output!.length, runs.get(exact.id)!.outputCut], [1024, undefined]);
    const long = run(2);
    await runs.add({ ...long, status: 'succeeded', output: `\uFFFD${'x'.repeat(2000)}` });
    const stored = runs.get(long.id)!;
    assert.equal(stored.outputCut, true);
    assert.ok(stored.output!.startsWith('\uFFFDx'));
    assert.equal(Buffer.byteLength(stored.output!), 1024);
  });

  it('finds runs by text, trimmed, and by status', async () => {
    const runs = store();
    for (let i = 0; i < 3; i++) await runs.add(run(i));
    await runs.update(all(runs)[0]!.id, { status: 'succeeded' });
    assert.deepEqual(runs.page({ limit: 10, filter: { text: '  input 1 ' } }).runs.map((r) => r.input), ['input 1']);
    assert.deepEqual(runs.page({ limit: 10, filter: { status: 'succeeded' } }).runs.map((r) => r.input), ['input 2']);
    assert.equal(runs.page({ limit: 10, filter: { text: '   ' } }).total, 3, 'blank text narrows nothing');
  });

  it('narrows a page to an agent, a connection, a model and text anywhere a person reads it, with % _ \\ and " taken as themselves', async () => {
    const runs = store();
    const routed = (connectionId: string, modelRef: string) => ({ connectionId, providerId: 'ollama', modelRef, sources: { connectionId: 'agent' as const, modelRef: 'agent' as const } });
    const [c1, c2] = [randomUUID(), randomUUID()];
    const other = randomUUID();
    const made = [
      { ...run(0), agentName: 'Reviewer', routing: routed(c1, 'llama3.2') },
      { ...run(1), agentId: other, routing: routed(c2, 'qwen') },
      { ...run(2), status: 'succeeded' as const, output: 'done 100% of it', routing: routed(c1, 'qwen') },
      { ...run(3), status: 'failed' as const, error: { code: 'timeout' as const, message: 'took a_b too long' } },
      { ...run(4), input: 'she said "ship it" from C:\\work' },
    ];
    for (const r of made) await runs.add(r);
    const inputs = (filter: RunFilter) => runs.page({ limit: 10, filter }).runs.map((r) => r.input).sort();
    assert.deepEqual(inputs({ agentId: other }), ['input 1']);
    assert.deepEqual(inputs({ connectionId: c1 }), ['input 0', 'input 2']);
    assert.deepEqual(inputs({ modelRef: 'qwen' }), ['input 1', 'input 2']);
    assert.deepEqual(inputs({ connectionId: c1, modelRef: 'qwen' }), ['input 2']);
    assert.deepEqual(inputs({ text: 'reviewer' }), ['input 0'], 'the agent name, in any case');
    assert.deepEqual(inputs({ text: '100%' }), ['input 2'], 'the output');
    assert.deepEqual(inputs({ text: '%' }), ['input 2']);
    assert.deepEqual(inputs({ text: 'a_b' }), ['input 3'], 'the error message');
    assert.deepEqual(inputs({ text: '_' }), ['input 3']);
    assert.deepEqual(inputs({ text: 'said "ship' }), ['she said "ship it" from C:\\work']);
    assert.deepEqual(inputs({ text: 'C:\\work' }), ['she said "ship it" from C:\\work']);
    assert.deepEqual(inputs({ text: '\\' }), ['she said "ship it" from C:\\work']);
    // In every body, but in no field a person reads: no match.
    assert.deepEqual(inputs({ text: 'view:agents' }), []);
    assert.deepEqual(inputs({ text: 'queued' }), []);
  });

  it('changes nothing, and tells no one, when a run to update is no longer stored', async () => {
    const runs = store();
    await runs.add(run(1));
    let changes = 0;
    runs.onDidChange(() => changes++);
    await runs.update(randomUUID(), { status: 'succeeded' });
    assert.equal(changes, 0);
    assert.deepEqual(all(runs).map((r) => r.status), ['queued']);
    await runs.update(all(runs)[0]!.id, { status: 'running' });
    assert.equal(changes, 1);
  });
});

describe('RunStore leases across windows', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  const stores: RunStore[] = [];
  beforeEach(async () => {
    temp = await tempDatabase();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.dispose();
    await temp.cleanup();
  });

  function window(clock: FixedClock, logger = new MemoryLogger(), heartbeat = new ManualHeartbeat()): RunStore {
    const made = new RunStore({ db: temp.open(), retention: () => 50, outputMaxKiB: () => 256, logger, clock, every: heartbeat.every });
    stores.push(made);
    return made;
  }

  async function leaveRuns(runs: RunStore) {
    const [queued, running, done] = [run(1), run(2), run(3)];
    for (const r of [queued, running, done]) await runs.add(r);
    await runs.update(running.id, { status: 'running' });
    await runs.update(done.id, { status: 'succeeded', output: 'ok' });
    return { queued, running, done };
  }

  it('leaves the runs of a window that is still alive alone', async () => {
    const clock = new FixedClock();
    const { queued, running } = await leaveRuns(window(clock));
    // A second window opens while the first one's lease is fresh.
    clock.time = new Date(clock.time.getTime() + LEASE_MS - 1);
    const second = window(clock);
    assert.equal(second.get(queued.id)?.status, 'queued');
    assert.equal(second.get(running.id)?.status, 'running');
  });

  it('marks interrupted, once, the runs of a window whose lease expired, and leaves finished runs alone', async () => {
    const clock = new FixedClock();
    const first = window(clock);
    const { queued, running, done } = await leaveRuns(first);
    // The first window crashed: nobody released its lease, and its last heartbeat is older than the lease.
    const later = new FixedClock(new Date(clock.time.getTime() + LEASE_MS + 1));
    const logger = new MemoryLogger();
    const second = window(later, logger);
    for (const id of [queued.id, running.id]) {
      const record = second.get(id)!;
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'internal');
      assert.match(record.error?.message ?? '', /interrupted/i);
      assert.equal(record.finishedAt, later.now().toISOString());
    }
    assert.equal(second.get(done.id)?.status, 'succeeded');
    assert.ok(logger.lines.some((line) => line.includes('Marked 2 run(s)')));
    const third = new MemoryLogger();
    window(later, third).get(done.id);
    assert.ok(!third.lines.some((line) => line.includes('Marked')), 'nothing is left to mark');
  });

  it('renews its lease with each heartbeat, well within the lease, so a window that lives longer than a lease keeps its runs', async () => {
    const clock = new FixedClock();
    const heartbeat = new ManualHeartbeat();
    const intervals: number[] = [];
    const first = new RunStore({ db: temp.open(), retention: () => 50, outputMaxKiB: () => 256, logger: new MemoryLogger(), clock, every: (ms, beat) => (intervals.push(ms), heartbeat.every(ms, beat)) });
    stores.push(first);
    const { running } = await leaveRuns(first);
    assert.ok(intervals.length === 1 && intervals[0]! <= LEASE_MS / 2, `the heartbeat comes every ${intervals.join(', ')} ms`);
    // Two heartbeats, each just before the lease would expire.
    for (let beat = 0; beat < 2; beat++) {
      clock.time = new Date(clock.time.getTime() + LEASE_MS - 1);
      await heartbeat.beat();
    }
    const later = new FixedClock(new Date(clock.time.getTime() + LEASE_MS - 1));
    assert.equal(window(later).get(running.id)?.status, 'running', 'the lease was renewed: the window is alive');
  });

  it('does not judge the runs of windows that are gone at a read (only at its first use and its heartbeats), and says so when the lease cannot be renewed or released', async () => {
    const clock = new FixedClock();
    const logger = new MemoryLogger();
    const heartbeat = new ManualHeartbeat();
    const mine = window(clock, logger, heartbeat);
    mine.get(randomUUID());
    // Another window starts a run after this one's first use, and is gone later.
    const { running } = await leaveRuns(window(new FixedClock(clock.time)));
    clock.time = new Date(clock.time.getTime() + LEASE_MS + 1);
    assert.equal(mine.get(running.id)?.status, 'running', 'marked at the next heartbeat, not at a read');

    await temp.db.write((sql) => sql.run(`DROP TABLE ${TABLES.leases}`));
    await heartbeat.beat();
    mine.dispose();
    // The release is written at once, and its failure logged a turn later.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(logger.lines.some((line) => line.startsWith("warn Could not renew this window's run lease")), logger.lines.join('\n'));
    assert.ok(logger.lines.some((line) => line.startsWith("warn Could not release this window's run lease")), logger.lines.join('\n'));
  });

  it('does not open the database when it closes unused', () => {
    const dir = join(temp.dir, 'never-opened');
    const unused = new RunStore({ db: new Database({ file: join(dir, DATABASE_FILE), logger: new MemoryLogger() }), retention: () => 5, outputMaxKiB: () => 1, logger: new MemoryLogger() });
    unused.dispose();
    assert.equal(existsSync(dir), false);
  });

  it('hands over at once the runs of a window that closed cleanly (its lease is released)', async () => {
    const clock = new FixedClock();
    const first = window(clock);
    const { running } = await leaveRuns(first);
    first.dispose();
    assert.equal(window(clock).get(running.id)?.status, 'failed');
  });

  /** Moves `clock` on by one heartbeat and beats `heartbeat`. */
  async function heartbeatLater(clock: FixedClock, heartbeat: ManualHeartbeat): Promise<void> {
    clock.time = new Date(clock.time.getTime() + HEARTBEAT_MS);
    await heartbeat.beat();
  }

  it('marks interrupted, in a window already open, the runs of another window once its lease expires, and tells its views', async () => {
    const clock = new FixedClock();
    const openBeat = new ManualHeartbeat();
    const logger = new MemoryLogger();
    const open = window(clock, logger, openBeat);
    const own = await leaveRuns(open);
    // The other window starts later, leaves runs and crashes: its heartbeat never beats again.
    const crashed = await leaveRuns(window(clock));
    let changes = 0;
    open.onDidChange(() => changes++);
    const status = (id: string) => open.get(id)?.status;

    for (let waited = HEARTBEAT_MS; waited <= LEASE_MS; waited += HEARTBEAT_MS) {
      await heartbeatLater(clock, openBeat);
      assert.deepEqual([status(crashed.queued.id), status(crashed.running.id)], ['queued', 'running'], `still within the lease after ${waited} ms`);
    }
    await heartbeatLater(clock, openBeat);

    assert.deepEqual([status(crashed.queued.id), status(crashed.running.id), status(crashed.done.id)], ['failed', 'failed', 'succeeded']);
    assert.match(open.get(crashed.running.id)?.error?.message ?? '', /interrupted/);
    assert.equal(open.get(crashed.running.id)?.finishedAt, clock.now().toISOString());
    assert.deepEqual([status(own.queued.id), status(own.running.id)], ['queued', 'running'], "the window's own runs go on");
    assert.equal(changes, 1);
    assert.ok(logger.lines.some((line) => line.includes('Marked 2 run(s)')));
  });

  it('after a sleep (its own heartbeat long overdue) gives the other windows a heartbeat to renew before judging their runs', async () => {
    const clock = new FixedClock();
    const [firstBeat, secondBeat] = [new ManualHeartbeat(), new ManualHeartbeat()];
    const first = window(clock, new MemoryLogger(), firstBeat);
    first.get('none');
    const { running } = await leaveRuns(window(clock, new MemoryLogger(), secondBeat));
    // The machine sleeps for an hour; the first window wakes first.
    clock.time = new Date(clock.time.getTime() + 3_600_000);
    await firstBeat.beat();
    assert.equal(first.get(running.id)?.status, 'running');
    await secondBeat.beat();
    await heartbeatLater(clock, firstBeat);
    assert.equal(first.get(running.id)?.status, 'running', 'the second window renewed in time');
    // Now the second window is gone for good.
    for (let waited = 0; waited <= LEASE_MS; waited += HEARTBEAT_MS) await heartbeatLater(clock, firstBeat);
    assert.equal(first.get(running.id)?.status, 'failed');
  });
});
