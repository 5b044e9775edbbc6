/**
 * The extension-host half of bench/hostRouting.mjs, run as its own extensionTestsPath: a run
 * through Switchboard in a real extension host (the SQLite store, the worker hop, the audit
 * append, consent check) against a raw undici call with the same body to the same loopback
 * Ollama fixture, interleaved: with empty stores and with 2,000 registered models and 10,000
 * stored runs, each with Switchboard's views closed and with its side bar (Connections, Agents)
 * and editor open, counting what the host posts to the views meanwhile.
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
const STORED_RUNS = Number(process.env.SWITCHBOARD_BENCH_STORED_RUNS || 10_000);

/** Opens Switchboard's side bar and editor, and resolves once each of the three views has had its first snapshot (a view shown again later may keep its page, and get none). */
async function openViews(testing: NonNullable<SwitchboardExports['testing']>): Promise<void> {
  const before = testing.webviewMessages().length;
  await vscode.commands.executeCommand('workbench.view.extension.switchboard');
  await vscode.commands.executeCommand('switchboard.openEditor');
  const deadline = Date.now() + 60_000;
  while (testing.webviewMessages().slice(before).filter((m) => (m as { type?: string }).type === 'snapshot').length < 3) {
    if (Date.now() > deadline) throw new Error('the views did not all get their first snapshot within a minute');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function closeViews(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.closeSidebar');
}

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
      const posted = testing.webviewMessages().length;
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
      // What the host posted to the views meanwhile (none while they are closed), per run.
      const messages = testing.webviewMessages().slice(posted);
      const perRun = (value: number) => value / (WARMUP + ITERATIONS);
      const kinds: Record<string, number> = {};
      for (const m of messages) {
        const { type, what } = m as { type?: string; what?: string };
        // A snapshot by its view: the Agents view's has runs, the editor's a tab to show, the Connections view's providers.
        const view = type !== 'snapshot' ? '' : 'runs' in (m as object) ? ' (Agents)' : 'show' in (m as object) ? ' (editor)' : ' (Connections)';
        const kind = what ? `${type} ${what}` : `${type}${view}`;
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      const views = { messages: perRun(messages.length), kib: perRun(messages.reduce<number>((sum, m) => sum + JSON.stringify(m).length, 0) / 1024), kinds };
      return { run: summarise(runs), raw: summarise(raws), overhead: summarise(overhead), views };
    };
    const rssBefore = process.memoryUsage().rss;
    await closeViews();
    const empty = await measure();
    // Open from here on, until the last case: as a person works.
    await openViews(testing);
    const emptyOpen = await measure();
    // Register every model the fixture serves, as a person does from the palette.
    testing.queueAnswers(Array.from({ length: MODELS }, (_, i) => `model-${String(i + 1).padStart(4, '0')}:latest`).join('\n'));
    const started = performance.now();
    const registered = await vscode.commands.executeCommand<{ registered: number }>('switchboard.discoverModels', connection.id);
    const discoverMs = performance.now() - started;
    // The stored runs, made as runs are, twenty at a time, with the views open.
    const stored = 2 * (WARMUP + ITERATIONS) + 1;
    for (let made = stored; made < STORED_RUNS; made += 20) {
      await Promise.all(Array.from({ length: Math.min(20, STORED_RUNS - made) }, () => testing.startRun(runRequest)));
    }
    const fullOpen = await measure();
    await closeViews();
    const full = await measure();
    const figures = {
      iterations: ITERATIONS,
      node: process.version,
      registered: registered?.registered,
      storedRuns: Math.max(STORED_RUNS, stored),
      discoverAndRegisterMs: discoverMs,
      empty,
      emptyOpen,
      full,
      fullOpen,
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
