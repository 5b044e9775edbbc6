// `npm run bench:routing`: what the run path costs on top of the HTTP call it makes, and what
// a large run history costs when a run starts. Prints figures, asserts nothing. No VS Code:
// the run path is core's, wired as makeStack() in test/helpers/stacks.ts wires it
// (in-memory globalState, settings and vault; the real SQLite database in a temporary folder
// for runs and the audit log; the real agent host worker bundled from src/agent-host/worker.ts
// and the usage ledger's writer thread, as the extension starts them;
// the real Ollama adapter), against the Ollama fixture server on 127.0.0.1, in a process of its
// own so its work is not counted on the bench's thread.
//
//   1. A full run through RunService.start (validation, routing to the default connection, run
//      store writes, the worker's steps, the streamed model call over HTTP, the audit entry)
//      against a raw undici POST /api/chat read to its end, with the very body the adapter sends, to the same
//      server. Interleaved one by one after a warm-up, so drift hits both alike. Once with an
//      empty registry and once each with 2,000 and 20,000 models registered on the connection
//      the run uses (routing picks the first enabled one, as it does with no model named).
//   2. Starting a run with 10 and with 10,000 runs already stored (retention above both):
//      RunService.launch until the run is stored, and the whole run.
//   3. Verifying an audit log of 100,000 entries (SWITCHBOARD_BENCH_AUDIT_ENTRIES).
//
//   SWITCHBOARD_BENCH_ITERATIONS=N   iterations of part 1 (default 300)
//   SWITCHBOARD_BENCH_STORE_RUNS=N   runs timed per store size in part 2 (default 100)
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Agent as UndiciAgent, request } from 'undici';
import type { RunRecord } from '../src/contracts/agents';
import { MIRROR_DELAY_MS } from '../src/core/audit/auditAnchor';
import { AuditLog } from '../src/core/audit/auditLog';
import { TABLES } from '../src/core/store/storageKeys';
import { auditAnchor } from '../test/fixtures/auditAnchor';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { buildRunStack } from '../test/fixtures/runStack';
import { tempDatabase } from '../test/fixtures/tempDatabase';
import type { Database } from '../src/core/store/database';
import { FixedClock, MemoryStore } from '../test/helpers/fakes';
import { MAX_MODELS_PER_MESSAGE } from '../src/contracts/modelFacts';
import { bounded, fixtureProcess, machineLine, ms, summarise, table, withLimit, type FixtureProcess } from './figures';

const ITERATIONS = bounded('SWITCHBOARD_BENCH_ITERATIONS', 300, 10, 5_000);
const WARMUP = Math.min(50, Math.ceil(ITERATIONS / 5));
const STORE_RUNS = bounded('SWITCHBOARD_BENCH_STORE_RUNS', 100, 5, 1_000);
const AUDIT_ENTRIES = bounded('SWITCHBOARD_BENCH_AUDIT_ENTRIES', 100_000, 1, 1_000_000);
const STORE_WARMUP = 5;
const STORE_SIZES = [10, 10_000];
const REGISTRY_SIZES = [0, 2_000, 20_000];
const RETENTION = 50_000;
/** Any single run slower than this means something is wrong; the bench stops rather than hang. */
const RUN_LIMIT_MS = 10_000;

type Stack = Awaited<ReturnType<typeof makeStack>>;

/** The threads the extension starts beside the host: the agent host, and the usage ledger's writer. */
interface Workers {
  workerPath: string;
  ledgerWriter: string;
}

async function bundleWorkers(): Promise<Workers> {
  return { workerPath: await bundleWorker(resolve(__dirname, '../src/agent-host/worker.ts')), ledgerWriter: await bundleWorker(resolve(__dirname, '../src/core/calls/ledgerWriterWorker.ts')) };
}

/** The run path as the RunService tests build it, with the real database, wired as the extension wires it. */
async function makeStack(workers: Workers, retention: number) {
  const stack: Awaited<ReturnType<typeof buildRunStack<MemoryStore>>> = await buildRunStack({
    ...workers,
    retention,
    isModelDisabled: (connectionId, modelRef) => stack.models.isDisabled(connectionId, modelRef),
    requestTimeoutMs: RUN_LIMIT_MS,
    silenceLimitMs: RUN_LIMIT_MS,
    // The audit log's head mirrored in globalState as the product does it, so the writes counted are the product's.
    mirrorDelayMs: MIRROR_DELAY_MS,
    // An Ollama connection has no key, so no run ever asks; a prompt would be a bug here.
    consentPrompt: {
      ask: async () => Promise.reject(new Error('the bench runs on a connection without a key: nothing should ask for consent')),
      allowGatewayToken: async () => Promise.reject(new Error('the bench syncs no gateway')),
    },
  });
  return stack;
}

/** `count` models registered on the connection, in batches of what one discovery carries. */
async function registerModels(stack: Stack, connectionId: string, count: number): Promise<void> {
  for (let at = 0; at < count; at += MAX_MODELS_PER_MESSAGE) {
    const batch = Array.from({ length: Math.min(MAX_MODELS_PER_MESSAGE, count - at) }, (_, i) => ({
      // The first is one the fixture serves: routing runs it, the rest stand behind it.
      providerModelId: at + i === 0 ? 'llama3.2:latest' : `bench-model-${at + i}:latest`,
      displayName: `bench model ${at + i}`,
      modalities: ['text'],
      sources: {},
    }));
    await stack.models.register(connectionId, batch);
  }
  const registered = stack.models.list({ connectionId }).length;
  if (registered !== count) throw new Error(`registered ${registered} of ${count} models`);
}

/** A default Ollama connection and an agent with a soul, a role and guardrails. */
async function prepare(stack: Stack, baseUrl: string): Promise<{ agentId: string }> {
  const connection = await stack.connections.create({ name: 'Local', providerId: 'ollama', baseUrl });
  await stack.settings.setDefaultConnectionId(connection.id);
  const agent = await stack.agents.create({ name: 'bench', role: 'a terse helper', soul: 'You are terse.', guardrails: 'Never lie.' });
  return { agentId: agent.id };
}

async function runOnce(stack: Stack, agentId: string, input: string): Promise<RunRecord> {
  const run = await withLimit(stack.service.start({ agentId, input }, 'bench'), 'a run', RUN_LIMIT_MS);
  if (run.status !== 'succeeded') throw new Error(`a run ${run.status}: ${run.error?.code} ${run.error?.message}`);
  return run;
}

/** A stored run as the run path leaves one: succeeded, routed, traced. */
function storedRun(agentId: string, connectionId: string, i: number): RunRecord {
  const input = `stored run number ${i}: summarise the change in a sentence`;
  return {
    id: randomUUID(),
    agentId,
    agentName: 'bench',
    requesterId: 'switchboard.agentsView',
    status: 'succeeded',
    input,
    output: `You said: ${input}`,
    routing: { connectionId, providerId: 'ollama', modelRef: 'llama3.2', sources: { connectionId: 'default', modelRef: 'provider' } },
    usage: { inputTokens: 42, outputTokens: 17 },
    latencyMs: 3,
    trace: [
      { name: 'build messages', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 0, detail: '2 messages' },
      { name: 'call llama3.2', startedAt: '2026-11-22T10:00:00.000Z', durationMs: 3, detail: '42 in, 17 out' },
    ],
    createdAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:00.003Z',
  };
}

/** This thread's CPU time (user and system), since `previous` when given: Node 23.9's `process.threadCpuUsage`, which the installed Node types do not list yet. */
function threadCpuUsage(previous?: NodeJS.CpuUsage): NodeJS.CpuUsage {
  return (process as NodeJS.Process & { threadCpuUsage(previous?: NodeJS.CpuUsage): NodeJS.CpuUsage }).threadCpuUsage(previous);
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Times each write transaction of `db` on this thread: `write` makes it at once when the file is free, so the time until it returns is the thread's. */
function timeWrites(db: Database): { times: number[] } {
  const times: number[] = [];
  const write = db.write.bind(db);
  db.write = (body) => {
    const started = performance.now();
    const written = write(body);
    times.push(performance.now() - started);
    return written;
  };
  return { times };
}

function timed(body: () => unknown): number {
  const started = performance.now();
  body();
  return performance.now() - started;
}

async function runVersusRaw(workers: Workers, ollama: FixtureProcess, registered: number) {
  const stack = await makeStack(workers, RETENTION);
  const raw = new UndiciAgent({ connections: 8 });
  try {
    const { agentId } = await prepare(stack, ollama.url);
    await registerModels(stack, stack.settings.defaultConnectionId(), registered);
    await runOnce(stack, agentId, 'warm up');
    // The raw request sends exactly what the adapter sent.
    const sent = (await ollama.requests()).filter((r) => r.url === '/api/chat').at(-1);
    if (!sent) throw new Error('the Ollama fixture saw no POST /api/chat');
    const body = sent.body;
    // Runs stream (NDJSON): the raw call reads the same stream to its end.
    const rawOnce = async () => {
      const response = await withLimit(
        request(`${ollama.url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: raw }),
        'a raw request',
        RUN_LIMIT_MS,
      );
      const answer = await response.body.text();
      if (response.statusCode !== 200 || !answer.includes('"done":true')) throw new Error(`raw POST /api/chat answered ${response.statusCode}`);
    };

    const runTimes: number[] = [];
    const rawTimes: number[] = [];
    // The host thread's CPU time, which the machine's other load moves far less than the wall
    // clock; and how long each of its write transactions held it (SQLite's calls are
    // synchronous: a write, or a checkpoint inside its commit, blocks the extension host).
    const cpu = { run: 0, raw: 0 };
    const writes = timeWrites(stack.db);
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      if (i === WARMUP) writes.times.length = 0;
      let cpuAt = threadCpuUsage();
      let started = performance.now();
      await runOnce(stack, agentId, 'warm up');
      const runMs = performance.now() - started;
      const runCpu = cpuMs(threadCpuUsage(cpuAt));
      cpuAt = threadCpuUsage();
      started = performance.now();
      await rawOnce();
      const rawMs = performance.now() - started;
      const rawCpu = cpuMs(threadCpuUsage(cpuAt));
      if (i >= WARMUP) {
        runTimes.push(runMs);
        rawTimes.push(rawMs);
        cpu.run += runCpu;
        cpu.raw += rawCpu;
      }
      if (i % 50 === 0) await ollama.reset(); // the fixture records every request; keep it small
    }
    const overheads = runTimes.map((runMs, i) => runMs - rawTimes[i]!);
    return {
      registered,
      run: summarise(runTimes),
      raw: summarise(rawTimes),
      overhead: summarise(overheads),
      body,
      cpuPerRun: cpu.run / ITERATIONS,
      cpuPerRaw: cpu.raw / ITERATIONS,
      writes: { perRun: writes.times.length / ITERATIONS, mean: mean(writes.times), over2ms: writes.times.filter((t) => t > 2).length, max: Math.max(...writes.times) },
    };
  } finally {
    await raw.close();
    await stack.cleanup();
  }
}

async function startCost(workers: Workers, ollama: FixtureProcess, stored: number) {
  const stack = await makeStack(workers, RETENTION);
  try {
    const { agentId } = await prepare(stack, ollama.url);
    const connectionId = stack.settings.defaultConnectionId();
    // Runs an earlier session stored, written in one transaction.
    let bytes = 0;
    stack.db.write((sql) => {
      for (let i = 0; i < stored; i++) {
        const body = JSON.stringify(storedRun(agentId, connectionId, i));
        bytes += Buffer.byteLength(body);
        sql.run(`INSERT INTO ${TABLES.runs} (id, status, owner, body) VALUES (?, 'succeeded', NULL, ?)`, randomUUID(), body);
      }
    });
    // What a view's snapshot reads: one page of 200 and the total.
    let started = performance.now();
    const loaded = stack.runs.page({ limit: 200 }).total;
    const loadMs = performance.now() - started;
    if (loaded !== stored) throw new Error(`the run store holds ${loaded} of ${stored} stored runs`);

    const launchTimes: number[] = [];
    const wholeTimes: number[] = [];
    for (let i = 0; i < STORE_WARMUP + STORE_RUNS; i++) {
      started = performance.now();
      const { runId, finished } = await withLimit(stack.service.launch({ agentId, input: `run ${i}` }, 'bench'), 'launch', RUN_LIMIT_MS);
      const launchMs = performance.now() - started;
      if (stack.runs.get(runId)?.status === undefined) throw new Error('launch resolved before the run was stored');
      const run = await withLimit(finished, 'a run', RUN_LIMIT_MS);
      const wholeMs = performance.now() - started;
      if (run.status !== 'succeeded') throw new Error(`a run ${run.status}: ${run.error?.code} ${run.error?.message}`);
      if (i >= STORE_WARMUP) {
        launchTimes.push(launchMs);
        wholeTimes.push(wholeMs);
      }
      await ollama.reset();
    }
    const after = stack.runs.page({ limit: 1 }).total;
    if (after !== stored + STORE_WARMUP + STORE_RUNS) throw new Error(`expected ${stored + STORE_WARMUP + STORE_RUNS} stored runs, found ${after}`);
    const page = summarise(Array.from({ length: 20 }, () => timed(() => stack.runs.page({ offset: 100, limit: 200 }))));
    return { stored, bytes, loadMs, launch: summarise(launchTimes), whole: summarise(wholeTimes), globalStateWrites: stack.store.updates, pageMs: page.p50 };
  } finally {
    await stack.cleanup();
  }
}

/** Appends `entries` audit entries (in one transaction, to be quick), then times verify. */
async function auditVerify(entries: number) {
  const temp = await tempDatabase();
  try {
    const audit = new AuditLog(temp.db, new FixedClock(), auditAnchor());
    // The first append loads the chain key; the rest go in one transaction.
    await audit.append({ kind: 'model_call', runId: randomUUID(), outcome: 'ok' });
    temp.db.write(() => {
      for (let i = 1; i < entries; i++) {
        void audit.append({ kind: 'model_call', runId: randomUUID(), requesterId: 'bench', connectionId: randomUUID(), providerId: 'ollama', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 3 });
      }
    });
    const times: number[] = [];
    // The whole chain on this thread, as before the incremental verify and its workers (bench:audit compares them).
    let result = await audit.verify({ full: true });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      result = await audit.verify({ full: true });
      times.push(performance.now() - started);
    }
    if (!result.ok || result.entries !== entries) throw new Error(`verify said ${JSON.stringify(result)}`);
    const appendTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await audit.append({ kind: 'model_call', runId: randomUUID(), outcome: 'ok' });
      appendTimes.push(performance.now() - started);
    }
    const append = summarise(appendTimes);
    return { verify: summarise(times), append };
  } finally {
    await temp.cleanup();
  }
}

async function main(): Promise<void> {
  const began = performance.now();
  const load = loadavg();
  const ollama = await fixtureProcess('ollama');
  try {
    const workers = await bundleWorkers();
    process.stderr.write(`[bench] routing: ${WARMUP} warm-up + ${ITERATIONS} timed iterations against ${ollama.url}\n`);
    const versusAll = [];
    for (const registered of REGISTRY_SIZES) {
      process.stderr.write(`[bench] routing: run vs raw with ${registered} registered models\n`);
      versusAll.push(await runVersusRaw(workers, ollama, registered));
    }
    const versus = versusAll[0]!;
    const costs = [];
    for (const stored of STORE_SIZES) {
      process.stderr.write(`[bench] routing: start cost with ${stored} stored runs (${STORE_WARMUP} warm-up + ${STORE_RUNS} timed)\n`);
      costs.push(await startCost(workers, ollama, stored));
    }
    process.stderr.write(`[bench] routing: audit verify of ${AUDIT_ENTRIES} entries\n`);
    const audit = await auditVerify(AUDIT_ENTRIES);

    const out: string[] = [];
    out.push('');
    out.push(`Run path vs raw HTTP (Ollama fixture on 127.0.0.1, ${ITERATIONS} sequential iterations each, interleaved, after ${WARMUP} warm-up)`);
    out.push(`  body: POST /api/chat ${Buffer.byteLength(versus.body)} bytes, streamed (NDJSON), same body for both`);
    out.push(
      table(
        ['', 'p50', 'p95', 'min', 'max'],
        [
          ['RunService.start (full run)', ms(versus.run.p50), ms(versus.run.p95), ms(versus.run.min), ms(versus.run.max)],
          ['raw undici POST /api/chat', ms(versus.raw.p50), ms(versus.raw.p95), ms(versus.raw.min), ms(versus.raw.max)],
          ['ratio run / raw', `${(versus.run.p50 / versus.raw.p50).toFixed(1)}x`, `${(versus.run.p95 / versus.raw.p95).toFixed(1)}x`, '', ''],
          ['overhead run - raw', ms(versus.run.p50 - versus.raw.p50), ms(versus.run.p95 - versus.raw.p95), '', ''],
        ],
      ),
    );
    out.push('');
    out.push('The same with models registered on the run\'s connection (overhead: each run minus the raw call paired with it)');
    out.push(
      table(
        ['registered models', 'run p50', 'raw p50', 'overhead p50', 'overhead p95', 'host CPU per run', 'per raw call', 'host writes per run', 'a write: mean', 'over 2 ms', 'longest'],
        versusAll.map((v) => [
          v.registered.toLocaleString('en'),
          ms(v.run.p50),
          ms(v.raw.p50),
          ms(v.overhead.p50),
          ms(v.overhead.p95),
          ms(v.cpuPerRun),
          ms(v.cpuPerRaw),
          v.writes.perRun.toFixed(1),
          ms(v.writes.mean),
          String(v.writes.over2ms),
          ms(v.writes.max),
        ]),
      ),
    );
    out.push("  host CPU: the bench's thread, the extension host's in the product (mean per run and per raw call; the worker threads' own is not in it).");
    out.push("  host writes: the write transactions on the host's connection during the timed runs, each timed from its start to its commit (the usage ledger's are on its writer thread).");
    out.push('');
    out.push(`Starting a run with runs already stored (retention ${RETENTION}; ${STORE_RUNS} runs timed after ${STORE_WARMUP} warm-up; SQLite file in a temporary folder)`);
    out.push(
      table(
        ['stored runs', 'stored size', 'first page', 'launch→stored p50', 'p95', 'whole run p50', 'p95', 'page of 200', 'globalState writes'],
        costs.map((c) => [
          String(c.stored),
          `${(c.bytes / 1024).toFixed(0)} KiB`,
          ms(c.loadMs),
          ms(c.launch.p50),
          ms(c.launch.p95),
          ms(c.whole.p50),
          ms(c.whole.p95),
          ms(c.pageMs),
          String(c.globalStateWrites),
        ]),
      ),
    );
    const [small, large] = costs;
    if (small && large) out.push(`  launch→stored at ${large.stored} / at ${small.stored}: ${(large.launch.p50 / small.launch.p50).toFixed(2)}x (p50)`);
    out.push('  first page: the first use of the store (lease, interrupted-run sweep) and one page of 200 with the total, as a view snapshot reads.');
    out.push(`  globalState writes: the setup (connection, agent, default setting) and the audit log's head, mirrored at most once every ${MIRROR_DELAY_MS / 1000} s while entries come; a run itself writes none.`);
    out.push('');
    out.push(`Audit log of ${AUDIT_ENTRIES.toLocaleString('en')} entries`);
    out.push(
      table(
        ['', 'p50', 'p95', 'min', 'max'],
        [
          ['verify (whole chain, on this thread)', ms(audit.verify.p50), ms(audit.verify.p95), ms(audit.verify.min), ms(audit.verify.max)],
          ['append (one transaction each, 200)', ms(audit.append.p50), ms(audit.append.p95), ms(audit.append.min), ms(audit.append.max)],
        ],
      ),
    );
    out.push('');
    out.push(`${machineLine(load)}, the fixture in its own process; total ${((performance.now() - began) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await ollama.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[bench] routing: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
