/**
 * The extension-host half of bench/hostRouting.mjs, run as its own extensionTestsPath: a run
 * through Switchboard in a real extension host (the SQLite store, the worker hop, the audit
 * append, consent check) against a raw undici call with the same body to the same loopback
 * Ollama fixture, interleaved, with an empty registry and with 2,000 registered models.
 * Writes its figures to SWITCHBOARD_TEST_RESULTS; asserts nothing.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Agent as UndiciAgent, request } from 'undici';
import type { Agent } from '../../../src/contracts/agents';
import type { Connection } from '../../../src/contracts/connections';
import type { TestModeExports as SwitchboardExports } from '../../../src/vscode/testing';
import { OllamaFixture } from '../../fixtures/ollamaFixture';
import { summarise } from '../../../bench/figures';

const ITERATIONS = Number(process.env.SWITCHBOARD_BENCH_ITERATIONS || 200);
const WARMUP = 30;
const MODELS = 2000;
const MODEL = 'model-0001:latest';

export async function run(): Promise<void> {
  const api = await vscode.extensions.getExtension<SwitchboardExports>('switchboard-dev.switchboard')!.activate();
  const testing = api.testing!;
  const fixture = new OllamaFixture();
  const url = await fixture.start();
  fixture.generateModels(MODELS);
  const raw = new UndiciAgent({ connections: 8 });
  try {
    const connection = (await vscode.commands.executeCommand<Connection>('switchboard.addConnection', { name: 'Bench Ollama', providerId: 'ollama', baseUrl: url }))!;
    const agent = (await vscode.commands.executeCommand<Agent>('switchboard.createAgent', { name: 'bench', connectionId: connection.id }))!;
    const runRequest = { agentId: agent.id, input: 'hi', modelRef: MODEL };
    const first = await testing.startRun(runRequest);
    if (first.status !== 'succeeded') throw new Error(`a run ${first.status}: ${JSON.stringify(first.error)}`);
    const body = fixture.requests.filter((r) => r.url === '/api/chat').at(-1)!.body;
    const rawOnce = async () => {
      const response = await request(`${url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: raw });
      // Runs stream (NDJSON): the raw call reads the same stream to its end.
      await response.body.text();
    };
    const measure = async () => {
      const runs: number[] = [];
      const raws: number[] = [];
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        let started = performance.now();
        const result = await testing.startRun(runRequest);
        const runMs = performance.now() - started;
        if (result.status !== 'succeeded') throw new Error(`a run ${result.status}: ${JSON.stringify(result.error)}`);
        started = performance.now();
        await rawOnce();
        const rawMs = performance.now() - started;
        if (i >= WARMUP) {
          runs.push(runMs);
          raws.push(rawMs);
        }
        if (i % 50 === 0) fixture.requests.length = 0;
      }
      const overhead = runs.map((ms, i) => ms - raws[i]!);
      return { run: summarise(runs), raw: summarise(raws), overhead: summarise(overhead) };
    };
    const rssBefore = process.memoryUsage().rss;
    const empty = await measure();
    // Register every model the fixture serves, as a person does from the palette.
    testing.queueAnswers(Array.from({ length: MODELS }, (_, i) => `model-${String(i + 1).padStart(4, '0')}:latest`).join('\n'));
    const started = performance.now();
    const registered = await vscode.commands.executeCommand<{ registered: number }>('switchboard.discoverModels', connection.id);
    const discoverMs = performance.now() - started;
    const full = await measure();
    const figures = {
      iterations: ITERATIONS,
      node: process.version,
      registered: registered?.registered,
      discoverAndRegisterMs: discoverMs,
      empty,
      full,
      rssGrowthMiB: (process.memoryUsage().rss - rssBefore) / 1024 / 1024,
      globalStateKeys: Object.keys(testing.globalState()),
    };
    const file = process.env.SWITCHBOARD_TEST_RESULTS;
    if (file) fs.writeFileSync(file, JSON.stringify(figures) + '\n');
  } finally {
    await raw.close();
    await fixture.stop();
  }
}
