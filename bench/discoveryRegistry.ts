// Part 1 of `npm run bench:discovery` (bench/discovery.mjs runs it with tsx): what it costs to
// discover and register 2,000 Ollama models through the real adapter and ModelRegistry, with
// in-memory ports, against the Ollama fixture server in this process on 127.0.0.1. Prints
// figures, asserts nothing.
//
//   - discover: GET /api/tags, then POST /api/show per model (the adapter's bounded concurrency),
//     parsed and validated into DiscoveredModel[]; once with /api/show answering at once, once
//     with it answering after SWITCHBOARD_BENCH_SHOW_DELAY_MS (default 5 ms, closer to a real
//     Ollama reading model files);
//   - register 2,000 into an empty registry, and again (the refresh path that keeps enabled and
//     overrides);
//   - list() (every record validated, as each snapshot to the view does) and the snapshot's size.
//
//   SWITCHBOARD_BENCH_MODELS=N            models (default 2000)
//   SWITCHBOARD_BENCH_RUNS=N              timed runs of each figure (default 5)
//   SWITCHBOARD_BENCH_SHOW_DELAY_MS=N     the slower /api/show (default 5)
import type { DiscoveredModel } from '../src/contracts/models';
import { ConnectionService } from '../src/core/connectionService';
import { HttpClient } from '../src/core/http/httpClient';
import { MODELS_KEY, ModelRegistry } from '../src/core/modelRegistry';
import { ProviderRegistry } from '../src/core/providerRegistry';
import { registerCoreProviders } from '../src/core/providers/coreProviders';
import { OLLAMA_SHOW_CONCURRENCY } from '../src/core/providers/ollama';
import { OllamaFixture } from '../test/fixtures/ollamaFixture';
import { FixedClock, MemoryLogger, MemorySettings, MemoryVault } from '../test/helpers/fakes';
import { JsonStore } from './jsonStore';

const MODELS = bounded('SWITCHBOARD_BENCH_MODELS', 2000, 1, 5000);
const RUNS = bounded('SWITCHBOARD_BENCH_RUNS', 5, 1, 100);
const SHOW_DELAY_MS = bounded('SWITCHBOARD_BENCH_SHOW_DELAY_MS', 5, 0, 1000);

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return value;
}

async function makeStack(baseUrl: string) {
  const store = new JsonStore();
  const settings = new MemorySettings();
  // The setting's default (15 s): 2,000 /api/show calls must fit in it.
  settings.discoveryTimeout = 15_000;
  const logger = new MemoryLogger();
  const registry = new ProviderRegistry();
  registerCoreProviders(registry);
  const clock = new FixedClock();
  const http = new HttpClient({ proxy: () => settings.proxy(), env: {} });
  const connections = new ConnectionService({ store, vault: new MemoryVault(), registry, settings, clock, http, logger });
  const models = new ModelRegistry({ store, connections, providers: registry, settings, clock, http, logger });
  const connection = await connections.create({ name: 'Bench Ollama', providerId: 'ollama', baseUrl });
  return { store, models, connection, http };
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return `median ${median.toFixed(1).padStart(8)} ms   min ${sorted[0]!.toFixed(1).padStart(8)}   max ${sorted.at(-1)!.toFixed(1).padStart(8)}   (n=${sorted.length})`;
}

function line(label: string, values: number[]): void {
  process.stdout.write(`  ${label.padEnd(50)} ${stats(values)}\n`);
}

async function main(): Promise<void> {
  const fixture = new OllamaFixture();
  const url = await fixture.start();
  try {
    const discoverFast: number[] = [];
    const discoverSlow: number[] = [];
    const register: number[] = [];
    const reRegister: number[] = [];
    const list: number[] = [];
    let found: DiscoveredModel[] = [];
    let storedBytes = 0;
    let snapshotBytes = 0;

    for (let run = 0; run <= RUNS; run++) {
      const warmUp = run === 0;
      const { store, models, connection, http } = await makeStack(url);
      fixture.reset();
      fixture.generateModels(MODELS, { showDelayMs: 0 });
      const fast = await time(() => models.discover(connection.id));
      if (fast.value.length !== MODELS) throw new Error(`discovery found ${fast.value.length} models, not ${MODELS}`);
      found = fast.value;
      const first = await time(() => models.register(connection.id, found));
      const again = await time(() => models.register(connection.id, found));
      const read = await time(async () => models.list());
      if (read.value.length !== MODELS) throw new Error(`the registry lists ${read.value.length} models, not ${MODELS}`);
      storedBytes = store.bytes(MODELS_KEY);
      snapshotBytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', models: read.value }));
      if (!warmUp) {
        discoverFast.push(fast.ms);
        register.push(first.ms);
        reRegister.push(again.ms);
        list.push(read.ms);
      }
      if (SHOW_DELAY_MS > 0 && run < Math.min(RUNS, 3) + 1) {
        fixture.reset();
        fixture.generateModels(MODELS, { showDelayMs: SHOW_DELAY_MS });
        const slow = await time(() => models.discover(connection.id));
        if (!warmUp) discoverSlow.push(slow.ms);
      }
      await http.dispose();
    }

    process.stdout.write(`\nDiscover and register ${MODELS.toLocaleString('en')} Ollama models (real adapter and ModelRegistry, in-memory ports, fixture on 127.0.0.1)\n`);
    line('discover, /api/show at once', discoverFast);
    if (discoverSlow.length) line(`discover, /api/show after ${SHOW_DELAY_MS} ms (${OLLAMA_SHOW_CONCURRENCY} at a time)`, discoverSlow);
    line('register into an empty registry', register);
    line('register again (refresh, keep enabled)', reRegister);
    line('list() with validation (per snapshot)', list);
    process.stdout.write(`  stored JSON ${(storedBytes / 1024).toFixed(0)} KiB; the models in one snapshot ${(snapshotBytes / 1024).toFixed(0)} KiB\n`);
  } finally {
    await fixture.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:discovery (registry): ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
