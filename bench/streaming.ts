// `npm run bench:streaming`: what streaming through Switchboard costs next to the official SDKs.
// Prints figures, asserts nothing. The run path is core's, wired as the RunService tests wire it
// (buildRunStack: the real SQLite store, the real agent host worker, the real adapters), against
// one server in this process on 127.0.0.1 that speaks Ollama's /api/chat (NDJSON) and OpenAI's
// /v1/chat/completions (SSE). Per request model the server sends:
//
//   `first-after-delay`: nothing for DELAY_MS, then 20 one-word chunks;
//   `fast`: FAST_CHUNKS one-word chunks at once;
//   `short`: 20 one-word chunks at once.
//
//   1. Time to first token: a whole run (RunService.start, the worker passing the first piece of
//      output back to the host) against the SDK's first chunk (`ollama` and `openai` npm
//      clients), on `first-after-delay`. Interleaved one by one after a warm-up.
//   2. A short answer, whole: a run on `short` to its stored end against the SDK's whole call.
//   3. Tokens per second relayed: a whole run on `fast` to its stored end, against the SDK
//      reading the same stream to its end.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N   iterations of part 1 (default 100)
//   SWITCHBOARD_BENCH_FAST_RUNS=N    iterations of part 2 (default 10)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { bundleWorker } from '../test/fixtures/bundleWorker';
import { buildRunStack } from '../test/fixtures/runStack';
import { bounded, listenOnLoopback, ms, runBench, summarise, table, withLimit, type LoopbackServer } from './figures';

const ITERATIONS = bounded('SWITCHBOARD_BENCH_ITERATIONS', 100, 5, 2_000);
const WARMUP = Math.min(20, Math.ceil(ITERATIONS / 5));
const FAST_RUNS = bounded('SWITCHBOARD_BENCH_FAST_RUNS', 10, 2, 200);
const FAST_CHUNKS = 10_000;
const DELAY_MS = 20;
const LIMIT_MS = 60_000;

/** The chunks a request gets: its delay, and its words. */
function plan(model: string): { delayMs: number; words: number } {
  if (model === 'fast') return { delayMs: 0, words: FAST_CHUNKS };
  return { delayMs: model === 'first-after-delay' ? DELAY_MS : 0, words: 20 };
}

/** One server for both wire formats; each chunk carries one word. */
function startServer(): Promise<LoopbackServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { model: string };
      const { delayMs, words } = plan(body.model);
      const openai = req.url === '/v1/chat/completions';
      res.writeHead(200, { 'content-type': openai ? 'text/event-stream' : 'application/x-ndjson' });
      const frames: string[] = [];
      for (let i = 0; i < words; i++) {
        frames.push(
          openai
            ? `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`
            : `${JSON.stringify({ model: body.model, created_at: '2026-12-06T00:00:00Z', message: { role: 'assistant', content: `w${i} ` }, done: false })}\n`,
        );
      }
      const end = openai
        ? `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: 5, completion_tokens: words, total_tokens: words + 5 } })}\n\ndata: [DONE]\n\n`
        : `${JSON.stringify({ model: body.model, created_at: '2026-12-06T00:00:00Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 5, eval_count: words })}\n`;
      setTimeout(() => {
        // One write per chunk, as a model server flushes each token.
        for (const frame of frames) res.write(frame);
        res.end(end);
      }, delayMs);
    });
  });
  return listenOnLoopback(server);
}

async function main(): Promise<void> {
  const began = performance.now();
  const server = await startServer();
  let firstOutput: (() => void) | undefined;
  const stack = await buildRunStack({
    workerPath: await bundleWorker(resolve(__dirname, '../src/agent-host/worker.ts')),
    requestTimeoutMs: LIMIT_MS,
    silenceLimitMs: LIMIT_MS,
    retention: 50_000,
    // Neither connection has a key, so no run ever asks.
    consentPrompt: { ask: async () => Promise.reject(new Error('nothing here should ask for consent')), allowGatewayToken: async () => Promise.reject(new Error('nothing here should ask for consent')) },
    onWorkerMessage: (message) => {
      if ((message as { type?: string }).type === 'delta') firstOutput?.();
    },
  });
  try {
    const ollamaConnection = await stack.connections.create({ name: 'Ollama', providerId: 'ollama', baseUrl: server.url });
    const openaiConnection = await stack.connections.create({ name: 'Compatible', providerId: 'openai-compatible', baseUrl: `${server.url}/v1` });
    const agent = await stack.agents.create({ name: 'bench' });
    const ollamaSdk = new Ollama({ host: server.url });
    const openaiSdk = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'none' });
    const messages = [{ role: 'user' as const, content: 'stream' }];

    /** A whole run; resolves with the time to its first piece of output and to its stored end. */
    const run = async (connectionId: string, modelRef: string) => {
      const started = performance.now();
      let first = 0;
      const sawFirst = new Promise<void>((done) => (firstOutput = () => ((first ||= performance.now() - started), done())));
      const record = await withLimit(stack.service.start({ agentId: agent.id, input: 'stream', connectionId, modelRef }, 'bench'), 'a run', LIMIT_MS);
      if (record.status !== 'succeeded') throw new Error(`a run ${record.status}: ${record.error?.message}`);
      await sawFirst;
      firstOutput = undefined;
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

    const lanes = [
      ['Switchboard run, Ollama', (model: string) => run(ollamaConnection.id, model)],
      ['ollama SDK', viaOllamaSdk],
      ['Switchboard run, OpenAI-compatible', (model: string) => run(openaiConnection.id, model)],
      ['openai SDK', viaOpenAiSdk],
    ] as const;

    process.stderr.write(`[bench] streaming: time to first token, ${WARMUP} warm-up + ${ITERATIONS} timed iterations, first chunk after ${DELAY_MS} ms\n`);
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
    process.stderr.write(`[bench] streaming: ${FAST_RUNS} runs of ${FAST_CHUNKS.toLocaleString('en')} chunks each\n`);
    const rates = lanes.map(() => [] as number[]);
    for (let i = 0; i <= FAST_RUNS; i++) {
      for (const [index, [name, go]] of lanes.entries()) {
        const { whole, words } = await go('fast');
        if (words !== FAST_CHUNKS) throw new Error(`${name} relayed ${words} of ${FAST_CHUNKS} words`);
        if (i > 0) rates[index]!.push(FAST_CHUNKS / (whole / 1000));
      }
    }

    const first = firsts.map(summarise);
    const whole = wholes.map(summarise);
    const rate = rates.map(summarise);
    const out: string[] = [''];
    out.push(`Time to first token (first chunk sent after ${DELAY_MS} ms; ${ITERATIONS} iterations, interleaved, after ${WARMUP} warm-up)`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], lanes.map(([name], i) => [name, ms(first[i]!.p50), ms(first[i]!.p95), ms(first[i]!.min), ms(first[i]!.max)])));
    out.push(`  difference Switchboard - SDK, p50: Ollama ${ms(first[0]!.p50 - first[1]!.p50)}, OpenAI-compatible ${ms(first[2]!.p50 - first[3]!.p50)}`);
    out.push('  A Switchboard figure is a whole run: validation, routing, the stored record, the worker, the model call, and the first piece');
    out.push('  of output back from the worker. An SDK figure is its first chunk.');
    out.push('');
    out.push(`A short answer (20 one-word chunks at once), whole: ${ITERATIONS} iterations, interleaved, after ${WARMUP} warm-up`);
    out.push(table(['', 'p50', 'p95', 'min', 'max'], lanes.map(([name], i) => [name, ms(whole[i]!.p50), ms(whole[i]!.p95), ms(whole[i]!.min), ms(whole[i]!.max)])));
    out.push(`  Switchboard / SDK, p50: Ollama ${(whole[0]!.p50 / whole[1]!.p50).toFixed(2)}x, OpenAI-compatible ${(whole[2]!.p50 / whole[3]!.p50).toFixed(2)}x (a run includes its stored record and the worker)`);
    out.push('');
    out.push(`Tokens per second relayed (${FAST_CHUNKS.toLocaleString('en')} one-word chunks; ${FAST_RUNS} runs each, interleaved, after one warm-up)`);
    out.push(table(['', 'p50 tokens/s', 'min', 'max'], lanes.map(([name], i) => [name, rate[i]!.p50.toFixed(0), rate[i]!.min.toFixed(0), rate[i]!.max.toFixed(0)])));
    out.push(`  Switchboard / SDK, p50: Ollama ${(rate[0]!.p50 / rate[1]!.p50).toFixed(2)}x, OpenAI-compatible ${(rate[2]!.p50 / rate[3]!.p50).toFixed(2)}x`);
    out.push('  A Switchboard run relays every piece through the worker and stores the whole output; the SDK only reads the stream.');
    out.push('');
    out.push(`Node ${process.version}, ${cpus().length} CPU(s), total ${((performance.now() - began) / 1000).toFixed(1)} s`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stack.cleanup();
    await server.close();
  }
}

runBench('streaming', main);
