// `npm run bench:usage`: what recording usage and checking budgets add to the one call path, and
// the Usage tab's report over 100,000 stored calls. Prints figures, asserts nothing.
//
//   1. The added cost on the call path, on core's ModelCaller wired as the RunService tests wire
//      it (buildRunStack: the real key path, audit log and ledger in a real SQLite file) against
//      a server in this process on 127.0.0.1 that speaks OpenAI's streamed chat completions:
//      - the ledger's part alone, as ModelCaller runs it: `budgets.check` (three budgets match
//        the call), then `ledger.record` with the budgets' warning checks; with the ledger's
//        writer thread (as the extension runs it) and without (written on the host's thread),
//        interleaved: the time on the call's path, until written, and the host thread's CPU;
//      - side by side, whole calls (ModelCaller.stream to the end of a 20-chunk answer) on a
//        stack with the ledger and budgets and on one without, interleaved.
//   2. `UsageLedger.report` (by day, grouped by model, 90 days) with 100,000 calls stored over
//      90 days, 40 models, 5 connections, 20 agents; the first read and then warm ones: unfiltered
//      in the time zone the calls were counted in (the daily sums), filtered, and in another
//      time zone (both read the calls).
//
//   SWITCHBOARD_BENCH_ITERATIONS=N   timed iterations of each part (default 500)
//   SWITCHBOARD_BENCH_CALLS=N        calls stored for part 2 (default 100000)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Budgets } from '../src/core/calls/budgets';
import { UsageLedger } from '../src/core/calls/usageLedger';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { buildRunStack } from '../test/fixtures/runStack';
import { tempDatabase } from '../test/fixtures/tempDatabase';
import { FixedClock } from '../test/helpers/fakes';
import { bounded, listenOnLoopback, machineLine, ms, runBench, summarise, table, threadCpuMs, withLimit, type LoopbackServer, writeOpenAiStream } from './figures';

const ITERATIONS = bounded('SWITCHBOARD_BENCH_ITERATIONS', 500, 10, 20_000);
const CALLS = bounded('SWITCHBOARD_BENCH_CALLS', 100_000, 1_000, 1_000_000);
const WARMUP = Math.min(50, Math.ceil(ITERATIONS / 5));
const LIMIT_MS = 60_000;

function startServer(): Promise<LoopbackServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      writeOpenAiStream(res, (JSON.parse(text) as { model: string }).model);
    });
  });
  return listenOnLoopback(server);
}

const rows = (entries: [string, number[]][]) =>
  entries.map(([name, values]) => {
    const s = summarise(values);
    return [name, ms(s.p50), ms(s.p95), ms(s.min), ms(s.max)];
  });

async function callPath(out: string[]): Promise<void> {
  const server = await startServer();
  const workerPath = await bundleWorker(resolve(__dirname, '../src/agent-host/worker.ts'));
  const ledgerWriter = await bundleWorker(resolve(__dirname, '../src/core/calls/ledgerWriterWorker.ts'));
  const noConsent = { ask: async () => Promise.reject(new Error('nothing here should ask for consent')), allowGatewayToken: async () => Promise.reject(new Error('nothing here should ask for consent')) };
  const withLedger = await buildRunStack({ workerPath, ledgerWriter, requestTimeoutMs: LIMIT_MS, consentPrompt: noConsent });
  const without = await buildRunStack({ workerPath, requestTimeoutMs: LIMIT_MS, consentPrompt: noConsent, withoutUsage: true });
  // The ledger without its writer thread, in a file of its own: calls written on the host's thread.
  const here = await buildRunStack({ workerPath, requestTimeoutMs: LIMIT_MS, consentPrompt: noConsent });
  try {
    const setUp = async (stack: typeof withLedger) => {
      // Not a loopback price: the model is priced as a paid one, so the cost is computed.
      const connection = await stack.connections.create({ name: 'Bench', providerId: 'openai-compatible', baseUrl: `${server.url}/v1` });
      await stack.models.register(connection.id, [{ providerModelId: 'model', displayName: 'model', modalities: ['text'], inputCostPer1k: 0.001, outputCostPer1k: 0.002, sources: { costs: 'api' } }]);
      return connection;
    };
    const connection = await setUp(withLedger);
    const plainConnection = await setUp(without);
    const hereConnection = await setUp(here);
    const agentId = '00000000-0000-4000-8000-00000000000a';
    const requester = { id: 'bench', byPerson: false };
    // Three budgets that match every call (its connection, agent and requester), none near its limit.
    for (const [stack, connectionId] of [[withLedger, connection.id], [here, hereConnection.id]] as const) {
      await stack.budgets.set({ scope: { kind: 'connection', connectionId }, period: 'month', limit: { unit: 'usd', nano: 1e15 } }, 'bench');
      await stack.budgets.set({ scope: { kind: 'agent', agentId }, period: 'day', limit: { unit: 'tokens', tokens: 1e12 } }, 'bench');
      await stack.budgets.set({ scope: { kind: 'requester', requesterId: 'bench' }, period: 'day', limit: { unit: 'usd', nano: 1e15 } }, 'bench');
    }
    const messages = [{ role: 'user' as const, content: 'bench' }];

    process.stderr.write(`[bench] usage: the ledger's part of a call, ${WARMUP} warm-up + ${ITERATIONS} timed, on the writer thread and on the host's\n`);
    /** What ModelCaller runs of the ledger for one call: the check before it, the record after (as recordUsage). */
    const ledgerPart = async (into: { checks: number[]; handed: number[]; written: number[] } | undefined, target: { ledger: UsageLedger; budgets: Budgets; connectionId: string }) => {
      const facts = { requesterId: 'bench', agentId, connectionId: target.connectionId, providerId: 'openai-compatible', modelRef: 'model', usage: { inputTokens: 5, outputTokens: 20 }, price: { source: 'provider' as const, inputPer1k: 0.001, outputPer1k: 0.002 } };
      const started = performance.now();
      const matching = await target.budgets.check(facts);
      const checked = performance.now();
      const recording = target.ledger.record(facts, target.budgets.warningChecks(matching));
      const handed = performance.now();
      const { warned } = await recording;
      target.budgets.tell(target.budgets.warnings(matching, warned));
      const written = performance.now();
      into?.checks.push(checked - started);
      into?.handed.push(handed - checked);
      into?.written.push(written - handed);
    };
    const modes = [
      { name: 'writer thread', target: { ...withLedger, connectionId: connection.id }, checks: [] as number[], handed: [] as number[], written: [] as number[], cpu: 0 },
      { name: "host's thread", target: { ...here, connectionId: hereConnection.id }, checks: [] as number[], handed: [] as number[], written: [] as number[], cpu: 0 },
    ];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      for (const mode of modes) await ledgerPart(i < WARMUP ? undefined : mode, mode.target);
    }
    // The host thread's CPU time per call, the answer's handling included: each mode alone, in a run of its own.
    for (const mode of modes) {
      const before = threadCpuMs();
      for (let i = 0; i < ITERATIONS; i++) await ledgerPart(undefined, mode.target);
      mode.cpu = (threadCpuMs() - before) / ITERATIONS;
    }

    process.stderr.write(`[bench] usage: whole calls with and without the ledger, ${WARMUP} warm-up + ${ITERATIONS} timed, interleaved\n`);
    const call = async (stack: typeof withLedger, connectionId: string) => {
      const started = performance.now();
      await withLimit(stack.modelCaller.stream({ requester, agentId, connectionId, modelRef: 'model', messages }, new AbortController().signal, () => undefined), 'a call', LIMIT_MS);
      return performance.now() - started;
    };
    const plain: number[] = [];
    const ledgered: number[] = [];
    const paired: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const a = await call(without, plainConnection.id);
      const b = await call(withLedger, connection.id);
      if (i < WARMUP) continue;
      plain.push(a);
      ledgered.push(b);
      paired.push(b - a);
    }
    out.push(`The ledger's part of one call, as ModelCaller runs it: three matching budgets checked, then the call's usage recorded with its totals, daily sums and warnings (${ITERATIONS} each, interleaved, after ${WARMUP} warm-up)`);
    out.push(
      table(
        ['', 'p50', 'p95', 'min', 'max'],
        rows(
          modes.flatMap((mode): [string, number[]][] => [
            [`${mode.name}: budgets.check`, mode.checks],
            [`${mode.name}: record, handed over`, mode.handed],
            [`${mode.name}: until written`, mode.written],
          ]),
        ),
      ),
    );
    for (const mode of modes) {
      const onPath = mode.checks.map((check, index) => check + mode.handed[index]!);
      out.push(`  ${mode.name}: check + hand-over on the call's path, p50 ${ms(summarise(onPath).p50)}; the host thread's CPU per call (answer handled included) ${ms(mode.cpu)}; goal < 0.10 ms`);
    }
    out.push('');
    out.push(`A whole call: ModelCaller.stream to the end of a 20-chunk answer, with and without the ledger (${ITERATIONS} each, interleaved, after ${WARMUP} warm-up)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], rows([['without the ledger', plain], ['with the ledger and 3 budgets', ledgered], ['paired difference', paired]])));
    out.push(`  overhead, p50: ${ms(summarise(ledgered).p50 - summarise(plain).p50)} (difference of medians), ${ms(summarise(paired).p50)} (median of paired differences)`);
    out.push('');
  } finally {
    await withLedger.cleanup();
    await without.cleanup();
    await here.cleanup();
    await server.close();
  }
}

async function report(out: string[]): Promise<void> {
  const temp = await tempDatabase();
  try {
    const clock = new FixedClock(new Date('2026-09-01T00:00:00.000Z'));
    const ledger = new UsageLedger({ db: temp.db, clock, utcOffsetMinutes: () => 0 });
    const connections = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const agents = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`);
    const stepMs = Math.floor((90 * 86_400_000) / CALLS);
    process.stderr.write(`[bench] usage: storing ${CALLS.toLocaleString('en')} calls\n`);
    const filling = performance.now();
    // One transaction: record's own write joins it, so the same statements fill the file.
    temp.db.writeNow(() => {
      for (let i = 0; i < CALLS; i++) {
        clock.time = new Date(Date.parse('2026-09-01T00:00:00.000Z') + i * stepMs);
        void ledger.record({
          requesterId: i % 3 === 0 ? 'switchboard.vscodeChat' : `ext.publisher${i % 7}`,
          connectionId: connections[i % connections.length]!,
          ...(i % 3 === 0 ? {} : { agentId: agents[i % agents.length]! }),
          providerId: 'openai',
          modelRef: `model-${i % 40}`,
          usage: { inputTokens: 100 + (i % 900), outputTokens: 50 + (i % 300), ...(i % 5 === 0 ? { cacheReadTokens: 50 } : {}) },
          price: i % 11 === 0 ? { source: 'unknown', inputPer1k: 0, outputPer1k: 0 } : { source: 'builtin', date: '2026-11-22', inputPer1k: 0.001, outputPer1k: 0.002 },
        });
      }
    });
    const filled = performance.now() - filling;
    // A fresh connection, as a window opening the Usage tab has: no statement prepared, nothing cached.
    const reader = new UsageLedger({ db: temp.open(), utcOffsetMinutes: () => 0 });
    const request = { period: 'day' as const, groupBy: 'model' as const, from: '2026-09-01', to: '2026-11-29', utcOffsetMinutes: 0, filter: {} };
    const label = (_dimension: string, key: string) => key;
    const firstStarted = performance.now();
    const first = reader.report(request, label);
    const firstMs = performance.now() - firstStarted;
    const warm: number[] = [];
    const filtered: number[] = [];
    const weekly: number[] = [];
    const elsewhere: number[] = [];
    const reps = Math.max(10, Math.min(50, Math.floor(ITERATIONS / 10)));
    for (let i = 0; i < reps; i++) {
      let started = performance.now();
      reader.report(request, label);
      warm.push(performance.now() - started);
      started = performance.now();
      reader.report({ ...request, groupBy: 'agent', filter: { connectionId: connections[1]! } }, label);
      filtered.push(performance.now() - started);
      started = performance.now();
      reader.report({ ...request, period: 'week', groupBy: 'requester' }, label);
      weekly.push(performance.now() - started);
      started = performance.now();
      reader.report({ ...request, utcOffsetMinutes: 120 }, label);
      elsewhere.push(performance.now() - started);
    }
    out.push(`The Usage tab's report over ${CALLS.toLocaleString('en')} stored calls (90 days, 40 models; stored in ${(filled / 1000).toFixed(1)} s; ${first.periods.length} periods, ${first.groups.length} groups)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], rows([['first report, fresh connection', [firstMs]], ['by day, by model (warm)', warm], ['by day, by agent, one connection', filtered], ['by week, by requester', weekly], ['by day, by model, another time zone (the calls)', elsewhere]])));
    out.push(`  the first report: ${ms(firstMs)}; goal < 50 ms`);
    out.push('');
  } finally {
    await temp.cleanup();
  }
}

async function main(): Promise<void> {
  const load = loadavg();
  const began = performance.now();
  const out: string[] = [''];
  await callPath(out);
  await report(out);
  out.push(`${machineLine(load)}, total ${((performance.now() - began) / 1000).toFixed(1)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

runBench('usage', main);
