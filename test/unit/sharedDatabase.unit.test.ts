import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AuditLog } from '../../src/core/audit/auditLog';
import { HEARTBEAT_MS, LEASE_MS, RunStore } from '../../src/core/runs/runStore';
import { auditAnchor, DirectoryVault } from '../fixtures/auditAnchor';
import { tempDatabase } from '../fixtures/tempDatabase';
import { WaveServer } from '../fixtures/waveServer';
import { Budgets } from '../../src/core/calls/budgets';
import { UsageLedger } from '../../src/core/calls/usageLedger';
import { FixedClock, ManualHeartbeat, MemoryLogger } from '../helpers/fakes';
import { AGENT_HOST_ENTRY, LEDGER_WRITER_ENTRY, worker } from '../helpers/stacks';

const WINDOW = join(__dirname, '../fixtures/windowProcess.ts');

type Message = { type: 'launched'; runIds: string[] } | { type: 'finished'; statuses: string[]; codes: string[]; log: string[] } | { type: 'error'; message: string };

/** Another VS Code window: a child process (this Node, with tsx) running test/fixtures/windowProcess.ts on the same database folder. */
function startWindow(start: { dir: string; secretsDir: string; workerPath: string; ledgerWriter: string; serverUrl: string; runs: number; name: string; requester?: string; sequential?: boolean }) {
  const child: ChildProcess = fork(WINDOW, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const received: Message[] = [];
  const waiting: Array<{ type: Message['type']; resolve(message: Message): void; reject(error: Error): void }> = [];
  const settle = () => {
    for (const wait of [...waiting]) {
      const message = received.find((m) => m.type === wait.type);
      const failure = received.find((m): m is Extract<Message, { type: 'error' }> => m.type === 'error');
      if (message) wait.resolve(message);
      else if (failure) wait.reject(new Error(`window ${start.name}: ${failure.message}`));
      else if (child.exitCode !== null || child.signalCode !== null) wait.reject(new Error(`window ${start.name} ended (${child.exitCode ?? child.signalCode}) before "${wait.type}"`));
      else continue;
      waiting.splice(waiting.indexOf(wait), 1);
    }
  };
  child.on('message', (message: Message) => (received.push(message), settle()));
  child.on('exit', settle);
  child.send(start);
  const next = <T extends Message['type']>(type: T) => new Promise<Extract<Message, { type: T }>>((resolve, reject) => (waiting.push({ type, resolve: resolve as (m: Message) => void, reject }), settle()));
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return { child, next, exited };
}

describe('Several windows (processes) on one database file', function () {
  // Nothing here waits for a clock: the server answers when told to. The limit only bounds a hang.
  this.timeout(120_000);
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  let server: WaveServer;
  const children: ChildProcess[] = [];
  const stores: RunStore[] = [];

  beforeEach(async () => {
    temp = await tempDatabase();
    server = new WaveServer(Number.POSITIVE_INFINITY);
    await server.start();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const store of stores.splice(0)) store.dispose();
    await server.stop();
    await temp.cleanup();
  });

  /** The SecretStorage of the windows' profile, where their audit chain keys are. */
  const secretsDir = () => join(temp.dir, 'secrets');

  function runStore(clock?: FixedClock, logger = new MemoryLogger(), heartbeat?: ManualHeartbeat) {
    const store = new RunStore({ db: temp.open(), retention: () => 500, outputMaxKiB: () => 256, logger, ...(clock ? { clock } : {}), ...(heartbeat ? { every: heartbeat.every } : {}) });
    stores.push(store);
    return store;
  }

  it('two windows running and auditing at once keep one intact chain, lose no run, and never mark the other\'s live runs interrupted', async () => {
    const workerPath = await worker(AGENT_HOST_ENTRY);
    const ledgerWriter = await worker(LEDGER_WRITER_ENTRY);
    const a = startWindow({ dir: temp.dir, secretsDir: secretsDir(), workerPath, ledgerWriter, serverUrl: server.url, runs: 20, name: 'A' });
    const b = startWindow({ dir: temp.dir, secretsDir: secretsDir(), workerPath, ledgerWriter, serverUrl: server.url, runs: 20, name: 'B' });
    children.push(a.child, b.child);
    const [launchedA, launchedB] = await Promise.all([a.next('launched'), b.next('launched')]);
    // Each window has its limit (4) of calls in flight: both are mid-run at once.
    await server.whenHeld(8);
    // A third window starts now: every run it sees belongs to a live window.
    const logger = new MemoryLogger();
    const third = runStore(undefined, logger);
    const midway = third.page({ limit: 100 });
    assert.equal(midway.total, 40);
    assert.ok(midway.runs.every((run) => run.status === 'queued' || run.status === 'running'), JSON.stringify(midway.runs.map((r) => r.status)));
    assert.ok(!logger.lines.some((line) => line.includes('Marked')));

    server.flow();
    const [finishedA, finishedB] = await Promise.all([a.next('finished'), b.next('finished')]);
    await Promise.all([a.exited, b.exited]);
    assert.deepEqual([...finishedA.statuses, ...finishedB.statuses], Array(40).fill('succeeded'));
    for (const log of [finishedA.log, finishedB.log]) assert.ok(!log.some((line) => line.includes('Marked')), log.join('\n'));

    const stored = runStore().page({ limit: 100 });
    assert.equal(stored.total, 40);
    assert.deepEqual(new Set(stored.runs.map((r) => r.id)), new Set([...launchedA.runIds, ...launchedB.runIds]));
    assert.ok(stored.runs.every((r) => r.status === 'succeeded'));
    // The windows' SecretStorage (one per profile), where their audit chain keys are.
    const audit = new AuditLog(temp.open(), new FixedClock(), auditAnchor({ vault: new DirectoryVault(secretsDir()) }));
    // Real processes meet at whatever moments the scheduler gives them, so a head read outside
    // the write transaction breaks this chain only in some runs; the AuditLog test "keeps one
    // chain when another window appends between any two steps of this one" meets the worst
    // moment every time.
    // A window that could not append logs why (a lock held past the busy timeout, say): shown if this fails.
    const auditTrouble = [...finishedA.log, ...finishedB.log].filter((line) => line.includes('audit'));
    assert.deepEqual(await audit.verify(), { ok: true, entries: 42 }, `two connection_created entries and forty model calls, one chain. ${auditTrouble.join('\n')}`);
    assert.ok((await audit.read()).every((entry) => entry.chainKey), 'every entry keyed, with a key both windows could read');
    const calls = (await audit.read()).filter((e) => e.kind === 'model_call');
    assert.equal(new Set(calls.map((e) => e.runId)).size, 40);
  });

  it('two windows spending against one budget overspend it by at most the calls in flight when its limit was reached', async () => {
    // Every call of the wave server costs 3 tokens (1 in, 2 out); the budget has room for 5 calls.
    const CALL_TOKENS = 3;
    const LIMIT_CALLS = 5;
    const db = temp.open();
    const ledger = new UsageLedger({ db, clock: new FixedClock(), utcOffsetMinutes: () => 0 });
    const audit = new AuditLog(db, new FixedClock(), auditAnchor({ vault: new DirectoryVault(secretsDir()) }));
    const budgets = new Budgets({ db, ledger, audit, logger: new MemoryLogger(), label: () => 'shared' });
    await budgets.set({ scope: { kind: 'requester', requesterId: 'shared' }, period: 'day', limit: { unit: 'tokens', tokens: LIMIT_CALLS * CALL_TOKENS } }, 'test');
    server.flow();
    const workerPath = await worker(AGENT_HOST_ENTRY);
    const ledgerWriter = await worker(LEDGER_WRITER_ENTRY);
    // One run after another in each window: at most one call of each in flight at any moment.
    const a = startWindow({ dir: temp.dir, secretsDir: secretsDir(), workerPath, ledgerWriter, serverUrl: server.url, runs: 10, name: 'A', requester: 'shared', sequential: true });
    const b = startWindow({ dir: temp.dir, secretsDir: secretsDir(), workerPath, ledgerWriter, serverUrl: server.url, runs: 10, name: 'B', requester: 'shared', sequential: true });
    children.push(a.child, b.child);
    const [finishedA, finishedB] = await Promise.all([a.next('finished'), b.next('finished')]);
    await Promise.all([a.exited, b.exited]);
    const codes = [...finishedA.codes, ...finishedB.codes];
    const succeeded = codes.filter((code) => code === 'succeeded').length;
    assert.deepEqual(new Set(codes), new Set(['succeeded', 'budget_exceeded']), codes.join(', '));
    // The limit is reached by the 5th call at the latest; only the other window's call in flight may pass it.
    assert.ok(succeeded >= LIMIT_CALLS && succeeded <= LIMIT_CALLS + 1, `${succeeded} calls made: ${codes.join(', ')}`);
    const used = ledger.total({ kind: 'requester', id: 'shared' }, 'day', ledger.period('day').start);
    assert.deepEqual(used, { calls: succeeded, tokens: succeeded * CALL_TOKENS, costNano: 0 });
    const refusals = (await audit.read()).filter((entry) => entry.kind === 'budget_refused');
    assert.equal(refusals.length, 20 - succeeded);
    budgets.dispose();
    ledger.dispose();
  });

  /** Starts a window with three runs, and kills it (SIGKILL) while their model calls are held; their ids. */
  async function windowKilledMidRun(name: string): Promise<string[]> {
    const workerPath = await worker(AGENT_HOST_ENTRY);
    const ledgerWriter = await worker(LEDGER_WRITER_ENTRY);
    const window = startWindow({ dir: temp.dir, secretsDir: secretsDir(), workerPath, ledgerWriter, serverUrl: server.url, runs: 3, name });
    children.push(window.child);
    const { runIds } = await window.next('launched');
    await server.whenHeld(3);
    window.child.kill('SIGKILL');
    await window.exited;
    return runIds;
  }

  it('a window killed mid-run (SIGKILL): the next start marks its runs interrupted, the database is intact, the chain verifies', async () => {
    const runIds = await windowKilledMidRun('C');

    // The next start, once the killed window's lease has expired (its clock is moved past it, not waited for).
    const later = new FixedClock(new Date(Date.now() + LEASE_MS + 60_000));
    const next = runStore(later);
    for (const id of runIds) {
      const run = next.get(id);
      assert.equal(run?.status, 'failed');
      assert.match(run?.error?.message ?? '', /interrupted/);
    }
    const db = temp.open();
    assert.equal(db.read((sql) => sql.get<{ integrity_check: string }>('PRAGMA integrity_check'))?.integrity_check, 'ok');
    const audit = new AuditLog(db, later, auditAnchor({ vault: new DirectoryVault(secretsDir()) }));
    assert.deepEqual(await audit.verify(), { ok: true, entries: 1 }, 'its connection_created entry; the killed calls wrote none');
  });

  it('a window killed mid-run (SIGKILL): a window already open marks its runs interrupted at its next heartbeats once the lease has expired', async () => {
    // The open window's clock starts at the wall clock's time, which the other window's lease uses, and is then moved, never waited for.
    const clock = new FixedClock(new Date());
    const heartbeat = new ManualHeartbeat();
    const open = runStore(clock, new MemoryLogger(), heartbeat);
    assert.equal(open.page({ limit: 10 }).total, 0);
    let changes = 0;
    open.onDidChange(() => changes++);
    const runIds = await windowKilledMidRun('D');
    const statuses = () => runIds.map((id) => open.get(id)?.status);

    clock.time = new Date();
    await heartbeat.beat();
    assert.deepEqual(statuses(), ['running', 'running', 'running'], 'its lease has not expired yet');
    for (let waited = 0; waited <= LEASE_MS; waited += HEARTBEAT_MS) {
      clock.time = new Date(clock.time.getTime() + HEARTBEAT_MS);
      await heartbeat.beat();
    }

    assert.deepEqual(statuses(), ['failed', 'failed', 'failed']);
    assert.match(open.get(runIds[0])?.error?.message ?? '', /interrupted/);
    assert.equal(changes, 1);
  });
});
