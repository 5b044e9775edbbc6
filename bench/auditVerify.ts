// `npm run bench:audit`: verifying the audit log, side by side on one log of 100,000 entries
// (SWITCHBOARD_BENCH_AUDIT_ENTRIES) in a real SQLite file in a temporary folder, written through
// AuditLog itself (keyed chain, in-memory SecretStorage and globalState):
//
//   1. the verify that opening the editor does: only the entries written since the last verified
//      one, after 0, 10, 100 and 1,000 new entries;
//   2. a full verify in the verify workers (dist/auditVerify.js, bundled here from its source; one
//      per core, up to four), their start included;
//   3. a full verify on this thread, as before the worker (a slice at a time).
//
// For each it prints the wall time and the CPU time of the thread that did the work (the busiest
// worker's; on a machine shared with other work the wall time says mostly how busy it was), and for
// 2 and 3 the longest the event loop of this thread (the extension host's, in the product) waited
// meanwhile (perf_hooks monitorEventLoopDelay). Prints figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_AUDIT_ENTRIES=N   entries in the log (default 100,000)
//   SWITCHBOARD_BENCH_REPEATS=N         timed repetitions of each (default 5)
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AuditLog, type Verified } from '../src/core/audit/auditLog';
import { auditAnchor } from '../test/fixtures/auditAnchor';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { tempDatabase } from '../test/fixtures/tempDatabase';
import { FixedClock, MemoryStore, MemoryVault } from '../test/helpers/fakes';
import { bounded, machineLine, ms, runBench, summarise, table, threadCpuMs, type Summary } from './figures';

const ENTRIES = bounded('SWITCHBOARD_BENCH_AUDIT_ENTRIES', 100_000, 10, 1_000_000);
const REPEATS = bounded('SWITCHBOARD_BENCH_REPEATS', 5, 1, 100);
const NEW_ENTRIES = [0, 10, 100, 1_000];

type Database = Awaited<ReturnType<typeof tempDatabase>>['db'];

/** `count` entries like a model call's, in one transaction (the first append of a log loads its key first). */
async function appendMany(db: Database, log: AuditLog, count: number): Promise<void> {
  if (count === 0) return;
  await log.append(entry());
  await db.write(() => {
    for (let i = 1; i < count; i++) void log.append(entry());
  });
}

function entry() {
  return { kind: 'model_call' as const, runId: randomUUID(), requesterId: 'view:agents', connectionId: randomUUID(), providerId: 'ollama', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 3 };
}

/**
 * Times `verify` REPEATS times, with the longest event-loop delay of this thread meanwhile and
 * the CPU time of the thread that did the work (the busiest worker's, or this thread's): on a
 * shared machine the wall time says how busy the machine was, the CPU time what the work costs.
 */
async function timed(verify: () => Promise<Verified>, expected: number): Promise<{ time: Summary; delay: Summary; cpu: Summary }> {
  const times: number[] = [];
  const delays: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const cpuBefore = threadCpuMs();
    const started = performance.now();
    const { result, workerCpuMs } = await verify();
    times.push(performance.now() - started);
    cpus.push(workerCpuMs?.length ? Math.max(...workerCpuMs) : threadCpuMs() - cpuBefore);
    histogram.disable();
    delays.push(histogram.max / 1e6);
    if (!result.ok || result.entries !== expected) throw new Error(`verify said ${JSON.stringify(result)}`);
  }
  return { time: summarise(times), delay: summarise(delays), cpu: summarise(cpus) };
}

async function main(): Promise<void> {
  const began = performance.now();
  const load = loadavg();
  const workerPath = await bundleWorker(resolve(__dirname, '../src/core/audit/auditVerifyWorker.ts'));
  const temp = await tempDatabase();
  try {
    const vault = new MemoryVault();
    const state = new MemoryStore();
    const anchor = () => auditAnchor({ vault, state });
    const log = new AuditLog(temp.db, new FixedClock(), anchor(), { verifyWorker: workerPath });
    const hostOnly = new AuditLog(temp.db, new FixedClock(), anchor());
    process.stderr.write(`[bench] audit: writing ${ENTRIES} entries\n`);
    await appendMany(temp.db, log, ENTRIES);
    let total = ENTRIES;

    process.stderr.write('[bench] audit: full verify in the worker\n');
    const workerCount = (await log.verifyInWorkers(workerPath)).workerCpuMs?.length ?? 0; // warms the file cache too
    const worker = await timed(() => log.verifyInWorkers(workerPath), total);
    process.stderr.write('[bench] audit: full verify on this thread\n');
    const host = await timed(() => hostOnly.verifyAllHere(), total);

    const incremental: Array<{ added: number; time: Summary; cpu: Summary }> = [];
    for (const added of NEW_ENTRIES) {
      process.stderr.write(`[bench] audit: incremental verify after ${added} new entries\n`);
      const times: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        await log.verify(); // remembers the head
        await appendMany(temp.db, log, added);
        total += added;
        const cpuBefore = threadCpuMs();
        const started = performance.now();
        const result = await log.verify();
        times.push(performance.now() - started);
        cpus.push(threadCpuMs() - cpuBefore);
        if (!result.ok || result.entries !== total) throw new Error(`verify said ${JSON.stringify(result)}`);
      }
      incremental.push({ added, time: summarise(times), cpu: summarise(cpus) });
    }

    const out: string[] = [];
    out.push('');
    out.push(`Audit verify, a log of ${ENTRIES.toLocaleString('en')} keyed entries in a real SQLite file (${REPEATS} timed each)`);
    out.push(
      table(
        ['', 'wall p50', 'min', 'max', 'CPU of the busiest thread p50', 'min', 'event-loop delay here p50 / max'],
        [
          ...incremental.map(({ added, time, cpu }) => [`incremental (opening the editor), ${added.toLocaleString('en')} new entries`, ms(time.p50), ms(time.min), ms(time.max), ms(cpu.p50), ms(cpu.min), '']),
          [`full, in ${workerCount} verify workers (their start included)`, ms(worker.time.p50), ms(worker.time.min), ms(worker.time.max), ms(worker.cpu.p50), ms(worker.cpu.min), `${ms(worker.delay.p50)} / ${ms(worker.delay.max)}`],
          ['full, on the extension host thread', ms(host.time.p50), ms(host.time.min), ms(host.time.max), ms(host.cpu.p50), ms(host.cpu.min), `${ms(host.delay.p50)} / ${ms(host.delay.max)}`],
        ],
      ),
    );
    out.push('');
    out.push(`${machineLine(load)}, total ${((performance.now() - began) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await temp.cleanup();
  }
}

runBench('audit', main);
