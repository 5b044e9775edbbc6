// What the benches share: reading their settings, cutting a run that hangs, percentiles and tables.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';

/** A whole number from the environment within [min, max], or the fallback; anything else stops the bench. */
export function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return value;
}

/** `promise`, or an error naming `what` once `limitMs` passed: a bench stops rather than hang. */
export function withLimit<T>(promise: Promise<T>, what: string, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export interface Summary {
  p50: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

/** Nearest-rank percentiles. */
export function summarise(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: rank(50), p95: rank(95), min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** "p50 / p95" in ms with one decimal, for a table cell. */
export function p50p95(values: number[]): string {
  const { p50, p95 } = summarise(values);
  return `${p50.toFixed(1)} / ${p95.toFixed(1)}`;
}

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ')}`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The line that says what a bench ran on: Node, the CPUs and the load average `load` taken at its start. */
export function machineLine(load: readonly number[]): string {
  return `Node ${process.version}, ${cpus().length} CPU(s), load average at start ${load.map((l) => l.toFixed(1)).join(' ')}`;
}

/** Runs a bench's `main`; a failure is printed under the bench's name and fails the process. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`[bench] ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** A bench's loopback server, listening: its URL, and how to close it. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 at a free port. */
export function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  return new Promise((started) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      started({ url: `http://127.0.0.1:${port}`, close: () => new Promise((closed) => server.close(() => closed())) });
    }),
  );
}

/** Answers as OpenAI's chat completions stream: `words` chunks of one word each for `model`, then the finish, the usage and `[DONE]`. */
export function writeOpenAiStream(res: ServerResponse, model: string, words = 20): void {
  const event = (data: object) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model, ...data })}\n\n`;
  const chunk = (delta: object, finish: string | null = null) => event({ choices: [{ index: 0, delta, finish_reason: finish }] });
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let i = 0; i < words; i++) res.write(chunk({ content: `w${i} ` }));
  res.end(`${chunk({}, 'stop')}${event({ choices: [], usage: { prompt_tokens: 5, completion_tokens: words, total_tokens: 5 + words } })}data: [DONE]\n\n`);
}

/** This thread's CPU time so far, in ms (Node 24), or NaN. */
export function threadCpuMs(): number {
  const usage = (process as { threadCpuUsage?(): { user: number; system: number } }).threadCpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : Number.NaN;
}

/** A provider fixture (test/fixtures/serve.ts) in a process of its own: its URL, what it received, and how to end it. */
export interface FixtureProcess {
  url: string;
  /** The requests it recorded, bodies as sent. */
  requests(): Promise<{ url: string; body: string }[]>;
  /** Forgets its recorded requests (and any behaviour set). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the fixture of `kind` as the test harness does (scripts/harness/fixtures.mjs), in a
 * process of its own, so the server's work is not counted on the bench's thread; its recorded
 * requests are read over its control routes.
 */
export async function fixtureProcess(kind: string): Promise<FixtureProcess> {
  // An ES module, loaded from this CommonJS one with import().
  const { startFixture } = await import('../scripts/harness/fixtures.mjs');
  const fixture = await startFixture(kind);
  const control = async (path: string, method = 'GET') => (await fetch(`${fixture.url}/__fixture/${path}`, { method })).json() as Promise<unknown>;
  return {
    url: fixture.url,
    requests: async () => ((await control('requests')) as { requests: { url: string; body: string }[] }).requests,
    reset: async () => {
      await control('reset', 'POST');
    },
    close: () => fixture.stop(),
  };
}
