// Part 1 of `npm run bench:discovery` (bench/discovery.mjs runs it with tsx): what it costs to
// discover and register 2,000 and 20,000 Ollama models through the real adapter and
// ModelRegistry, with in-memory globalState and the real SQLite database in a temporary folder,
// against the Ollama fixture server in this process on 127.0.0.1. Prints figures, asserts
// nothing.
//
//   - discover: GET /api/tags, then POST /api/show per model (the adapter's bounded concurrency),
//     parsed and validated into DiscoveredModel[]; once with /api/show answering at once, once
//     with it answering after SWITCHBOARD_BENCH_SHOW_DELAY_MS (default 5 ms, closer to a real
//     Ollama reading model files);
//   - register 2,000 into an empty registry, and again (the refresh path that keeps enabled and
//     overrides);
//   - list() after a change (every record read and validated) and before the next (cached), and the snapshot's size;
//   - isDisabled() (the run path's question, one indexed lookup).
//
//   SWITCHBOARD_BENCH_MODELS=N            models (default: 2000, then 20000)
//   SWITCHBOARD_BENCH_RUNS=N              timed runs of each figure (default 5)
//   SWITCHBOARD_BENCH_SHOW_DELAY_MS=N     the slower /api/show (default 5)
import { MAX_MODELS_PER_MESSAGE } from '../src/contracts/modelFacts';
import type { DiscoveredModel } from '../src/contracts/models';
import { ConnectionService } from '../src/core/connections/connectionService';
import { HttpClient } from '../src/core/http/httpClient';
import { ModelRegistry } from '../src/core/models/modelRegistry';
import { ProviderRegistry } from '../src/core/providers/providerRegistry';
import { registerCoreProviders } from '../src/core/providers/coreProviders';
import { OLLAMA_SHOW_CONCURRENCY } from '../src/core/providers/ollama';
import { personAt, requesterIds } from '../src/core/keys/requesters';
import { TABLES } from '../src/core/store/storageKeys';
import { buildKeyPath } from '../test/fixtures/keyPathKit';
import { OllamaFixture } from '../test/fixtures/ollamaFixture';
import { tempDatabase } from '../test/fixtures/tempDatabase';
import { FixedClock, MemoryLogger, MemorySettings, MemoryStore } from '../test/helpers/fakes';
import { bounded } from './figures';

/** Discover as the person's click in the Connections view does. */
const byPerson = personAt(requesterIds.connectionsView);

const SIZES = process.env.SWITCHBOARD_BENCH_MODELS ? [bounded('SWITCHBOARD_BENCH_MODELS', 2000, 1, 50_000)] : [2000, 20_000];
const RUNS = bounded('SWITCHBOARD_BENCH_RUNS', 5, 1, 100);
const SHOW_DELAY_MS = bounded('SWITCHBOARD_BENCH_SHOW_DELAY_MS', 5, 0, 1000);

async function makeStack(baseUrl: string) {
  const store = new MemoryStore();
  const temp = await tempDatabase();
  const settings = new MemorySettings();
  // The setting's default (15 s): 2,000 /api/show calls must fit in it.
  settings.discoveryTimeout = 15_000;
  const logger = new MemoryLogger();
  const registry = new ProviderRegistry();
  registerCoreProviders(registry);
  const clock = new FixedClock();
  const http = new HttpClient({ proxy: () => settings.proxy(), env: {} });
  const { keys } = buildKeyPath({ store, logger, clock });
  const connections = new ConnectionService({ store, keys, registry, settings, clock, http, logger });
  const models = new ModelRegistry({ db: temp.db, store, connections, providers: registry, keys, settings, clock, http, logger });
  const connection = await connections.create({ name: 'Bench Ollama', providerId: 'ollama', baseUrl });
  return { db: temp.db, models, connection, http, cleanup: temp.cleanup };
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
    for (const size of SIZES) await measure(fixture, url, size);
  } finally {
    await fixture.stop();
  }
}

async function measure(fixture: OllamaFixture, url: string, MODELS: number): Promise<void> {
  {
    const discoverFast: number[] = [];
    const discoverSlow: number[] = [];
    const register: number[] = [];
    const reRegister: number[] = [];
    const list: number[] = [];
    const listCached: number[] = [];
    const lookups: number[] = [];
    let found: DiscoveredModel[] = [];
    let storedBytes = 0;
    let snapshotBytes = 0;

    for (let run = 0; run <= RUNS; run++) {
      const warmUp = run === 0;
      const { db, models, connection, http, cleanup } = await makeStack(url);
      fixture.reset();
      fixture.generateModels(Math.min(MODELS, MAX_MODELS_PER_MESSAGE), { showDelayMs: 0 });
      const fast = await time(() => models.discover(connection.id, byPerson));
      // One discovery answers at most MAX_MODELS_PER_MESSAGE models (what one view message may
      // carry); beyond that the bench registers copies under new names, in batches of that size.
      // The fixture's embedding models (one in four) are left out: they cannot chat.
      const served = Math.min(MODELS, MAX_MODELS_PER_MESSAGE);
      const { models: chat, leftOut } = fast.value;
      const left = leftOut.reduce((sum, group) => sum + group.count, 0);
      if (chat.length + left !== served) throw new Error(`discovery found ${chat.length} models and left out ${left}, not ${served} in all`);
      const listed = chat.length;
      found = Array.from({ length: MODELS }, (_, i) => {
        const model = chat[i % listed]!;
        return i < listed ? model : { ...model, providerModelId: `${model.providerModelId}-copy${Math.floor(i / listed)}` };
      });
      const registerAll = async () => {
        for (let at = 0; at < found.length; at += MAX_MODELS_PER_MESSAGE) await models.register(connection.id, found.slice(at, at + MAX_MODELS_PER_MESSAGE));
      };
      const first = await time(registerAll);
      const again = await time(registerAll);
      // After a commit list() reads and validates every record; until the next, it is cached.
      const read = await time(async () => models.list());
      const cached = await time(async () => models.list());
      if (read.value.length !== MODELS) throw new Error(`the registry lists ${read.value.length} models, not ${MODELS}`);
      storedBytes = Number(db.read((sql) => sql.get<{ n: number }>(`SELECT sum(length(body)) AS n FROM ${TABLES.models}`))?.n ?? 0);
      const lookup = await time(async () => {
        for (let i = 0; i < 1000; i++) models.isDisabled(connection.id, found[i % found.length]!.providerModelId);
      });
      snapshotBytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', models: read.value }));
      if (!warmUp) {
        discoverFast.push(fast.ms);
        register.push(first.ms);
        reRegister.push(again.ms);
        list.push(read.ms);
        listCached.push(cached.ms);
        lookups.push(lookup.ms / 1000);
      }
      if (SHOW_DELAY_MS > 0 && MODELS <= MAX_MODELS_PER_MESSAGE && run < Math.min(RUNS, 3) + 1) {
        fixture.reset();
        fixture.generateModels(MODELS, { showDelayMs: SHOW_DELAY_MS });
        const slow = await time(() => models.discover(connection.id, byPerson));
        if (!warmUp) discoverSlow.push(slow.ms);
      }
      await http.dispose();
      await cleanup();
    }

    process.stdout.write(`\nDiscover and register ${MODELS.toLocaleString('en')} Ollama models (real adapter and ModelRegistry, SQLite in a temporary folder, fixture on 127.0.0.1)\n`);
    line(`discover ${Math.min(MODELS, MAX_MODELS_PER_MESSAGE)}, /api/show at once`, discoverFast);
    if (discoverSlow.length) line(`discover, /api/show after ${SHOW_DELAY_MS} ms (${OLLAMA_SHOW_CONCURRENCY} at a time)`, discoverSlow);
    line('register into an empty registry', register);
    line('register again (refresh, keep enabled)', reRegister);
    line('list() after a change (read and validated)', list);
    line('list() again before the next change (cached)', listCached);
    const perLookupUs = [...lookups].sort((a, b) => a - b)[Math.floor(lookups.length / 2)]! * 1000;
    process.stdout.write(`  ${'isDisabled() (run path), one indexed lookup'.padEnd(50)} median ${perLookupUs.toFixed(1).padStart(8)} µs\n`);
    process.stdout.write(`  stored JSON ${(storedBytes / 1024).toFixed(0)} KiB; the models in one snapshot ${(snapshotBytes / 1024).toFixed(0)} KiB\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:discovery (registry): ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
