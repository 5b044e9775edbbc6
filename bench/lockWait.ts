// `npm run bench:lock`: what a write that meets another window's lock costs the extension host.
// Two processes on one real SQLite file: a second process (another window) takes the write lock
// and holds it for about a second (SWITCHBOARD_BENCH_HOLD_MS); meanwhile this process writes
// (a run's record and its updates, one transaction each) and measures its own event loop
// (perf_hooks monitorEventLoopDelay) and a 1 ms ticker. Side by side:
//
//   before: SQLite's busy timeout of 5 s, the write waiting inside SQLite on this thread
//           (`writeNow` with busyTimeoutMs 5,000: what every write did before);
//   after:  a busy timeout of 5 ms, then tries again from timers (`write`).
//
// Prints figures, asserts nothing.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Database } from '../src/core/store/database';
import { TABLES } from '../src/core/store/storageKeys';
import { tempDatabase } from '../test/fixtures/tempDatabase';
import { MemoryLogger } from '../test/helpers/fakes';
import { bounded, machineLine, ms, runBench, table } from './figures';

const HOLD_MS = bounded('SWITCHBOARD_BENCH_HOLD_MS', 1_000, 10, 4_000);
const WRITES = bounded('SWITCHBOARD_BENCH_WRITES', 20, 1, 1_000);

/** The other window: takes the write lock, says so, holds it for HOLD_MS (its own thread asleep), commits and ends. */
const OTHER_WINDOW = `
const { DatabaseSync } = require('node:sqlite');
const [file, holdMs] = [process.argv[2], Number(process.argv[3])];
const db = new DatabaseSync(file);
process.once('message', () => {
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO ${TABLES.meta} (key, value) VALUES ('other window', '1') ON CONFLICT (key) DO UPDATE SET value = value + 1").run();
  process.send('holding');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
  db.exec('COMMIT');
  db.close();
  process.send('committed', () => process.exit(0));
});
`;

interface Figures {
  mode: string;
  firstWriteMs: number;
  allWritesMs: number;
  loopMaxMs: number;
  loopP99Ms: number;
  longestTickGapMs: number;
  ticks: number;
}

async function measure(mode: 'before' | 'after', file: string, script: string): Promise<Figures> {
  const db = new Database({ file, logger: new MemoryLogger(), ...(mode === 'before' ? { busyTimeoutMs: 5_000 } : {}) });
  db.read((sql) => sql.get('SELECT 1')); // opened and migrated before the other window takes the lock
  const child: ChildProcess = fork(script, [file, String(HOLD_MS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (what: string) => new Promise<void>((resolve) => child.on('message', (message) => message === what && resolve()));
  const holding = next('holding');
  const committed = next('committed');
  child.send('go');
  await holding;

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let ticks = 0;
  let lastTick = performance.now();
  let longestTickGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestTickGapMs = Math.max(longestTickGapMs, now - lastTick);
    lastTick = now;
    ticks++;
  }, 1);
  const started = performance.now();
  let firstWriteMs = 0;
  for (let i = 0; i < WRITES; i++) {
    const body = (sql: Parameters<Parameters<Database['write']>[0]>[0]) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, `${mode} ${i % 4}`, String(i));
    if (mode === 'before') db.writeNow(body);
    else await db.write(body);
    if (i === 0) firstWriteMs = performance.now() - started;
    // A turn of the event loop between writes, as a run's writes have.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const allWritesMs = performance.now() - started;
  // A few more turns, so the histogram takes its sample of the last stall too.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  histogram.disable();
  await committed;
  db.dispose();
  return { mode, firstWriteMs, allWritesMs, loopMaxMs: histogram.max / 1e6, loopP99Ms: histogram.percentile(99) / 1e6, longestTickGapMs, ticks };
}

async function main(): Promise<void> {
  const load = loadavg();
  const temp = await tempDatabase();
  try {
    const script = join(temp.dir, 'otherWindow.cjs');
    writeFileSync(script, OTHER_WINDOW);
    temp.db.read((sql) => sql.get('SELECT 1'));
    temp.db.dispose();
    const rows: Figures[] = [];
    for (const mode of ['before', 'after', 'before', 'after'] as const) {
      process.stderr.write(`[bench] lock: ${mode}\n`);
      rows.push(await measure(mode, temp.file, script));
    }
    const out: string[] = [];
    out.push('');
    out.push(`Writes while another process holds the database's write lock for ${HOLD_MS} ms (${WRITES} writes, one transaction each, a turn of the event loop between them)`);
    out.push(
      table(
        ['', 'first write', 'all writes', 'event-loop delay max', 'p99', 'longest gap of a 1 ms ticker', 'ticks'],
        rows.map((r) => [
          r.mode === 'before' ? 'before: busy timeout 5 s, SQLite waits on this thread' : 'after: busy timeout 5 ms, then timers',
          ms(r.firstWriteMs),
          ms(r.allWritesMs),
          ms(r.loopMaxMs),
          ms(r.loopP99Ms),
          ms(r.longestTickGapMs),
          String(r.ticks),
        ]),
      ),
    );
    out.push('');
    out.push(machineLine(load));
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await temp.cleanup();
  }
}

runBench('lock', main);
