// `npm run bench:fallback`: what the retry and fallback machinery costs on the one call path.
// Prints figures, asserts nothing. ModelCaller is core's, wired as the RunService tests wire it
// (buildRunStack: the real key path, audit log in SQLite, adapters and HTTP client), against two
// servers in this process on 127.0.0.1 that speak OpenAI's streamed /v1/chat/completions:
// `healthy` answers 20 one-word chunks at once; `failing` answers 503 at once.
//
//   1. A call that succeeds first time: ModelCaller.stream with a fallback chain of two targets
//      against the same call without one, interleaved, to the end of the answer.
//   2. From a 503 to the fallback's first token: a call whose primary answers 503 (one try per
//      target, so it moves on at once), from the moment the failing server sent its 503 to the
//      first text of the fallback, against a raw streamed undici call to the fallback target
//      (request to first text).
//
//   SWITCHBOARD_BENCH_ITERATIONS=N   timed iterations of each part (default 300)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { request } from 'undici';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { buildRunStack } from '../test/fixtures/runStack';
import { bounded, listenOnLoopback, ms, runBench, summarise, table, withLimit, type LoopbackServer, writeOpenAiStream } from './figures';

const ITERATIONS = bounded('SWITCHBOARD_BENCH_ITERATIONS', 300, 10, 5_000);
const WARMUP = Math.min(50, Math.ceil(ITERATIONS / 5));
const LIMIT_MS = 60_000;

/** When the failing server last wrote its 503 (performance.now of this process). */
let failedAt = 0;

function startServer(kind: 'healthy' | 'failing'): Promise<LoopbackServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      if (kind === 'failing') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error', param: null, code: null } }));
        failedAt = performance.now();
        return;
      }
      writeOpenAiStream(res, (JSON.parse(text) as { model: string }).model);
    });
  });
  return listenOnLoopback(server);
}

async function main(): Promise<void> {
  const began = performance.now();
  const healthy = await startServer('healthy');
  const failing = await startServer('failing');
  const stack = await buildRunStack({
    workerPath: await bundleWorker(resolve(__dirname, '../src/agent-host/worker.ts')),
    requestTimeoutMs: LIMIT_MS,
    retention: 50_000,
    // Neither connection has a key, so no call ever asks.
    consentPrompt: { ask: async () => Promise.reject(new Error('nothing here should ask for consent')), allowGatewayToken: async () => Promise.reject(new Error('nothing here should ask for consent')) },
  });
  // One try per target: part 2 measures the move to the fallback, not a back-off.
  stack.settings.retrySettings = { maxAttempts: 1, maxWaitMs: 30_000 };
  // No cool-downs: every call of part 2 must meet the 503 (a cooling target would be skipped).
  stack.settings.cooldownSettings = { failures: 0, windowMs: 60_000, periodMs: 60_000 };
  try {
    const good = await stack.connections.create({ name: 'Healthy', providerId: 'openai-compatible', baseUrl: `${healthy.url}/v1` });
    const spare = await stack.connections.create({ name: 'Spare', providerId: 'openai-compatible', baseUrl: `${healthy.url}/v1` });
    const bad = await stack.connections.create({ name: 'Failing', providerId: 'openai-compatible', baseUrl: `${failing.url}/v1` });
    const messages = [{ role: 'user' as const, content: 'bench' }];
    const requester = { id: 'bench', byPerson: false };
    const chain = [
      { connectionId: spare.id, modelRef: 'spare-a' },
      { connectionId: spare.id, modelRef: 'spare-b' },
    ];

    /** One call to its end; the time to its first text (from `from`, or the call's start) and to its end. */
    const call = async (connectionId: string, fallbacks: typeof chain | undefined, from?: () => number) => {
      const started = performance.now();
      let first = 0;
      await withLimit(
        stack.modelCaller.stream({ requester, connectionId, modelRef: 'model', messages, ...(fallbacks ? { fallbacks } : {}) }, new AbortController().signal, (part) => {
          if (part.type === 'text' && !first) first = performance.now() - (from ? from() : started);
        }),
        'a call',
        LIMIT_MS,
      );
      return { first, whole: performance.now() - started };
    };
    /** A raw streamed undici call to the fallback target: request to first text. */
    const raw = async () => {
      const started = performance.now();
      const response = await request(`${healthy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ model: 'spare-a', messages, stream: true }),
      });
      let first = 0;
      for await (const chunk of response.body) {
        if (!first && String(chunk).includes('"content"')) first = performance.now() - started;
      }
      return { first, whole: performance.now() - started };
    };

    process.stderr.write(`[bench] fallback: a first-time success with and without a chain, ${WARMUP} warm-up + ${ITERATIONS} timed, interleaved\n`);
    const plain: number[] = [];
    const chained: number[] = [];
    const paired: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const a = await call(good.id, undefined);
      const b = await call(good.id, chain);
      if (i < WARMUP) continue;
      plain.push(a.whole);
      chained.push(b.whole);
      paired.push(b.whole - a.whole);
    }
    process.stderr.write(`[bench] fallback: from a 503 to the fallback's first token, ${WARMUP} warm-up + ${ITERATIONS} timed, interleaved with raw calls\n`);
    const afterFailure: number[] = [];
    const wholeFailover: number[] = [];
    const rawFirst: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      failedAt = 0;
      const moved = await call(bad.id, chain, () => failedAt);
      if (!failedAt) throw new Error('the failing target was not called');
      const direct = await raw();
      if (i < WARMUP) continue;
      afterFailure.push(moved.first);
      wholeFailover.push(moved.whole);
      rawFirst.push(direct.first);
    }
    const audit = (await stack.audit.read()).filter((entry) => entry.kind === 'model_call').length;

    const rows = (entries: [string, number[]][]) =>
      entries.map(([name, values]) => {
        const s = summarise(values);
        return [name, ms(s.p50), ms(s.p95), ms(s.min), ms(s.max)];
      });
    const out: string[] = [''];
    out.push(`A call that succeeds first time: ModelCaller.stream to the end of a 20-chunk answer (${ITERATIONS} each, interleaved, after ${WARMUP} warm-up)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], rows([['no chain', plain], ['chain of 2 fallbacks', chained], ['paired difference', paired]])));
    out.push(`  overhead of the chain, p50: ${ms(summarise(chained).p50 - summarise(plain).p50)} (difference of medians), ${ms(summarise(paired).p50)} (median of paired differences); goal < 0.10 ms`);
    out.push('');
    out.push(`From a 503 to the fallback's first token (one try per target; ${ITERATIONS} each, interleaved, after ${WARMUP} warm-up)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], rows([["503 sent -> fallback's first text", afterFailure], ['raw undici call -> first text', rawFirst], ['whole failed-over call', wholeFailover]])));
    out.push(`  cost of moving on, p50: ${ms(summarise(afterFailure).p50 - summarise(rawFirst).p50)} beyond a raw call to the fallback (the 503's audit entry, the next key-path use, the adapter)`);
    out.push(`  ${audit.toLocaleString('en')} model_call audit entries written (one per try)`);
    out.push('');
    out.push(`Node ${process.version}, ${cpus().length} CPU(s), total ${((performance.now() - began) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stack.cleanup();
    await healthy.close();
    await failing.close();
  }
}

runBench('fallback', main);
