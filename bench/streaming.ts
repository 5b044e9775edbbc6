// `npm run bench:streaming`: what streaming through Switchboard costs next to the official SDKs.
// Prints figures, asserts nothing. The run path is core's, wired as the RunService tests wire it
// (buildRunStack: the real SQLite store, the real agent host worker and usage ledger writer, the
// real adapters), against one loopback server in a process of its own (streamServer.mjs) that
// speaks Ollama's /api/chat (NDJSON) and OpenAI's /v1/chat/completions (SSE). Each lane runs on
// a connection without a key and on one with a key (a Bearer header, so the key blanking is on),
// the SDKs sending the same key.
//
//   1. Time to first token: a whole run (RunService.launch, to the first piece of output its caller
//      hears) against the SDK's first chunk (`ollama` and `openai` npm clients), on
//      `first-after-delay`. Interleaved one by one after a warm-up.
//   2. A short answer, whole: a run on `short` to its stored end against the SDK's whole call.
//   3. Tokens per second relayed: a whole run on `fast` to its stored end, against the SDK
//      reading the same stream to its end.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N   iterations of parts 1 and 2 (default 100)
//   SWITCHBOARD_BENCH_FAST_RUNS=N    iterations of part 3 (default 10)
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { buildRunStack } from '../test/fixtures/runStack';
import { personAt, requesterIds } from '../src/core/keys/requesters';
import { bounded, machineLine, ms, runBench, summarise, table, withLimit } from './figures';

const ITERATIONS = bounded('SWITCHBOARD_BENCH_ITERATIONS', 100, 5, 2_000);
const WARMUP = Math.min(20, Math.ceil(ITERATIONS / 5));
const FAST_RUNS = bounded('SWITCHBOARD_BENCH_FAST_RUNS', 10, 2, 200);
const LIMIT_MS = 60_000;
/** The key of the keyed connections: long enough to be blanked, and not anybody's. */
const BENCH_KEY = 'sk-bench-0123456789abcdefghijklmnop';

/** The model server in a process of its own: its URL, and how to end it. */
async function startServer(): Promise<ServerFacts & { close(): void }> {
  const child = fork(resolve(__dirname, 'streamServer.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const facts = await new Promise<ServerFacts>((started, failed) => {
    child.once('message', (message) => started(message as ServerFacts));
    child.once('exit', (code) => failed(new Error(`the model server exited with code ${code}`)));
  });
  return { ...facts, close: () => child.disconnect() };
}

/** What the server tells the bench once it listens. */
interface ServerFacts {
  url: string;
  /** The chunks of a `fast` answer. */
  fastChunks: number;
  /** The wait before the first chunk of `first-after-delay`. */
  delayMs: number;
}

async function main(): Promise<void> {
  const began = performance.now();
  const load = loadavg();
  const server = await startServer();
  const stack = await buildRunStack({
    workerPath: await bundleWorker(resolve(__dirname, '../src/agent-host/worker.ts')),
    // The usage ledger written on its own thread, as the extension writes it.
    ledgerWriter: await bundleWorker(resolve(__dirname, '../src/core/calls/ledgerWriterWorker.ts')),
    requestTimeoutMs: LIMIT_MS,
    silenceLimitMs: LIMIT_MS,
    retention: 50_000,
    // The runs are the person's own (the palette), so a keyed connection never asks.
    consentPrompt: { ask: async () => Promise.reject(new Error('nothing here should ask for consent')), allowGatewayToken: async () => Promise.reject(new Error('nothing here should ask for consent')) },
  });
  try {
    const connection = async (name: string, providerId: string, baseUrl: string, key?: string) => {
      const created = await stack.connections.create({ name, providerId, baseUrl });
      if (key) await stack.connections.setKey(created.id, key);
      return created.id;
    };
    const ollama = await connection('Ollama', 'ollama', server.url);
    const ollamaKeyed = await connection('Ollama, keyed', 'ollama', server.url, BENCH_KEY);
    const compatible = await connection('Compatible', 'openai-compatible', `${server.url}/v1`);
    const compatibleKeyed = await connection('Compatible, keyed', 'openai-compatible', `${server.url}/v1`, BENCH_KEY);
    const agent = await stack.agents.create({ name: 'bench' });
    const ollamaSdk = new Ollama({ host: server.url, headers: { authorization: `Bearer ${BENCH_KEY}` } });
    const openaiSdk = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: BENCH_KEY });
    const messages = [{ role: 'user' as const, content: 'stream' }];

    /** A whole run; resolves with the time to the first piece of output its caller hears and to its stored end. */
    const run = async (connectionId: string, modelRef: string) => {
      const started = performance.now();
      let first = 0;
      const { finished } = await stack.service.launch({ agentId: agent.id, input: 'stream', connectionId, modelRef }, personAt(requesterIds.palette), undefined, () => {
        first ||= performance.now() - started;
      });
      const record = await withLimit(finished, 'a run', LIMIT_MS);
      if (record.status !== 'succeeded') throw new Error(`a run ${record.status}: ${record.error?.message}`);
      return { first, whole: performance.now() - started, words: (record.output ?? '').split(' ').length - 1 };
    };
    const viaOllamaSdk = async (model: string) => {
      const started = performance.now();
      let first = 0;
      let words = 0;
      for await (const part of await ollamaSdk.chat({ model, messages, stream: true })) {
        if (part.message.content) {
          first ||= performance.now() - started;
          words++;
        }
      }
      return { first, whole: performance.now() - started, words };
    };
    const viaOpenAiSdk = async (model: string) => {
      const started = performance.now();
      let first = 0;
      let words = 0;
      for await (const chunk of await openaiSdk.chat.completions.create({ model, messages, stream: true })) {
        if (chunk.choices[0]?.delta?.content) {
          first ||= performance.now() - started;
          words++;
        }
      }
      return { first, whole: performance.now() - started, words };
    };

    type Lane = readonly [string, (model: string) => Promise<{ first: number; whole: number; words: number }>];
    const lanes: Lane[] = [
      ['Switchboard run, Ollama', (model) => run(ollama, model)],
      ['ollama SDK', viaOllamaSdk],
      ['Switchboard run, OpenAI-compatible', (model) => run(compatible, model)],
      ['openai SDK', viaOpenAiSdk],
    ];
    const rateLanes: Lane[] = [...lanes, ['Switchboard run, Ollama, keyed', (model) => run(ollamaKeyed, model)], ['Switchboard run, OpenAI-compatible, keyed', (model) => run(compatibleKeyed, model)]];

    process.stderr.write(`[bench] streaming: time to first token, ${WARMUP} warm-up + ${ITERATIONS} timed iterations, first chunk after ${server.delayMs} ms\n`);
    const firsts = lanes.map(() => [] as number[]);
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      for (const [index, [, go]] of lanes.entries()) {
        const { first } = await go('first-after-delay');
        if (i >= WARMUP) firsts[index]!.push(first);
      }
    }
    process.stderr.write(`[bench] streaming: a short answer, whole, ${WARMUP} warm-up + ${ITERATIONS} timed iterations\n`);
    const wholes = lanes.map(() => [] as number[]);
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      for (const [index, [, go]] of lanes.entries()) {
        const { whole } = await go('short');
        if (i >= WARMUP) wholes[index]!.push(whole);
      }
    }
    process.stderr.write(`[bench] streaming: ${FAST_RUNS} runs of ${server.fastChunks.toLocaleString('en')} chunks each\n`);
    const rates = rateLanes.map(() => [] as number[]);
    for (let i = 0; i <= FAST_RUNS; i++) {
      // Each round starts at another lane, so no lane always follows the same one (and pays for its garbage).
      for (let turn = 0; turn < rateLanes.length; turn++) {
        const index = (i + turn) % rateLanes.length;
        const [name, go] = rateLanes[index]!;
        const { whole, words } = await go('fast');
        if (words !== server.fastChunks) throw new Error(`${name} relayed ${words} of ${server.fastChunks} words`);
        if (i > 0) rates[index]!.push(server.fastChunks / (whole / 1000));
      }
    }

    const first = firsts.map(summarise);
    const whole = wholes.map(summarise);
    const rate = rates.map(summarise);
    const out: string[] = [''];
    out.push(`Time to first token (first chunk sent after ${server.delayMs} ms; ${ITERATIONS} iterations, interleaved, after ${WARMUP} warm-up)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], lanes.map(([name], i) => [name, ms(first[i]!.p50), ms(first[i]!.p95), ms(first[i]!.min), ms(first[i]!.max)])));
    out.push(`  difference Switchboard - SDK, p50: Ollama ${ms(first[0]!.p50 - first[1]!.p50)}, OpenAI-compatible ${ms(first[2]!.p50 - first[3]!.p50)}`);
    out.push('  A Switchboard figure is a whole run: validation, routing, the stored record, the worker\'s steps, the model call, and the');
    out.push('  first piece of output its caller hears. An SDK figure is its first chunk.');
    out.push('');
    out.push(`A short answer (20 one-word chunks at once), whole: ${ITERATIONS} iterations, interleaved, after ${WARMUP} warm-up`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], lanes.map(([name], i) => [name, ms(whole[i]!.p50), ms(whole[i]!.p95), ms(whole[i]!.min), ms(whole[i]!.max)])));
    out.push(`  Switchboard / SDK, p50: Ollama ${(whole[0]!.p50 / whole[1]!.p50).toFixed(2)}x, OpenAI-compatible ${(whole[2]!.p50 / whole[3]!.p50).toFixed(2)}x (a run includes its stored record and the worker)`);
    out.push('');
    out.push(`Tokens per second relayed (${server.fastChunks.toLocaleString('en')} one-word chunks; ${FAST_RUNS} runs each, interleaved, each round starting at the next lane, after one warm-up)`);
    out.push(table(['', 'p50 tokens/s', 'min', 'max'], rateLanes.map(([name], i) => [name, rate[i]!.p50.toFixed(0), rate[i]!.min.toFixed(0), rate[i]!.max.toFixed(0)])));
    const ratio = (lane: number, sdk: number) => `${(rate[lane]!.p50 / rate[sdk]!.p50).toFixed(2)}x`;
    out.push(`  Switchboard / SDK, p50: Ollama ${ratio(0, 1)} (keyed ${ratio(4, 1)}), OpenAI-compatible ${ratio(2, 3)} (keyed ${ratio(5, 3)})`);
    out.push('  A Switchboard run passes every piece on as the run\'s output and stores the whole of it; the SDK only reads the stream.');
    out.push('  A keyed run blanks its key out of every piece; the SDKs send the same key and blank nothing.');
    out.push('');
    out.push(`${machineLine(load)}, the server in its own process; total ${((performance.now() - began) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stack.cleanup();
    server.close();
  }
}

runBench('streaming', main);
