/**
 * The integration suite's entry point: VS Code loads this module in the extension host
 * (extensionTestsPath) and awaits run(). The same contract serves code-server
 * (scripts/harness/integration.mjs) and @vscode/test-electron (scripts/electron-test.mjs).
 *
 * It runs every bundled *.int.test.js next to it with mocha (or only the files named in
 * SWITCHBOARD_INTEGRATION_ONLY, comma-separated, e.g. `agents.int.test.ts`), prints the spec report to the
 * console (which the workbench forwards to the harness), and writes the counts to the JSON
 * file named by SWITCHBOARD_TEST_RESULTS: a second channel that does not depend on the
 * exit code reaching the launcher.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { TestModeExports } from '../../../src/vscode/testing';

export interface SuiteResults {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  failed: Array<{ title: string; error: string }>;
  /** Set when the suite could not run at all (no test files, a file failed to load, ...). */
  error?: string;
}

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith('.int.test.js')) found.push(full);
  }
  return found.sort();
}

/** The files SWITCHBOARD_INTEGRATION_ONLY names (by their source or bundle name), or all of them. */
function selected(files: string[]): string[] {
  const only = (process.env.SWITCHBOARD_INTEGRATION_ONLY ?? '').split(',').filter(Boolean).map((name) => path.basename(name).replace(/\.ts$/, '.js'));
  return only.length ? files.filter((file) => only.includes(path.basename(file))) : files;
}

/** Switchboard's test hooks, once something has activated it: never activated here, since the activation suite checks that only use does. */
function activeTesting(): TestModeExports['testing'] | undefined {
  const switchboard = vscode.extensions.getExtension<TestModeExports>('switchboard-dev.switchboard');
  return switchboard?.isActive ? switchboard.exports?.testing : undefined;
}

/**
 * Before and after each test, the answers queued for Switchboard's questions that none took are
 * removed, so they cannot answer a later test's question: one left over made unrelated suites
 * fail far from their cause. Answers a passing test or a hook left are a fault of their own (a
 * question it scripted was never asked), counted as a failure when the run ends: a failing root
 * hook would stop every test after it. A failed test is told with the last errors Switchboard
 * showed, which often say why.
 */
function answerHooks(leftovers: SuiteResults['failed']): Mocha.RootHookObject {
  return {
    beforeEach(this: Mocha.Context) {
      const left = activeTesting()?.drainAnswers() ?? [];
      if (left.length) leftovers.push({ title: `a hook before "${this.currentTest?.fullTitle()}"`, error: `left queued answers no question took: ${JSON.stringify(left)}` });
    },
    afterEach(this: Mocha.Context) {
      const testing = activeTesting();
      if (!testing) return;
      const left = testing.drainAnswers();
      if (this.currentTest?.state === 'failed') {
        const errors = testing.shownErrors().slice(-3).map((shown) => shown.message);
        console.log(`      [after the failure] answers left unused: ${JSON.stringify(left)}; the last errors shown: ${errors.length ? errors.join(' | ') : 'none'}`);
      } else if (left.length) {
        leftovers.push({ title: this.currentTest?.fullTitle() ?? 'a test', error: `passed but left queued answers no question took: ${JSON.stringify(left)}` });
      }
    },
  };
}

function writeResults(results: SuiteResults): void {
  const file = process.env.SWITCHBOARD_TEST_RESULTS;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

export async function run(): Promise<void> {
  const started = Date.now();
  const failed: SuiteResults['failed'] = [];
  const leftovers: SuiteResults['failed'] = [];
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false, // the output ends up in log files and CI consoles, not a terminal
    timeout: 30_000,
    forbidOnly: true,
    rootHooks: answerHooks(leftovers),
  });
  let results: SuiteResults;
  try {
    const root = path.resolve(__dirname, '..');
    const files = selected(findTests(root));
    if (files.length === 0) throw new Error(`no *.int.test.js files under ${root}${process.env.SWITCHBOARD_INTEGRATION_ONLY ? ` named ${process.env.SWITCHBOARD_INTEGRATION_ONLY}` : ''}`);
    for (const file of files) mocha.addFile(file);
    const stats = await new Promise<Mocha.Stats>((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats ?? ({} as Mocha.Stats)));
      runner.on('fail', (test, error: Error) => failed.push({ title: test.fullTitle(), error: String(error?.stack ?? error) }));
    });
    for (const leftover of leftovers) console.error(`  left over: ${leftover.title} ${leftover.error}`);
    failed.push(...leftovers);
    results = { passes: stats.passes ?? 0, failures: (stats.failures ?? 0) + leftovers.length, pending: stats.pending ?? 0, durationMs: Date.now() - started, failed };
  } catch (error) {
    // A load error (syntax, a missing module) never reaches the reporter: record it here.
    const message = String((error as Error)?.stack ?? error);
    console.error(`the integration suite could not run: ${message}`);
    writeResults({ passes: 0, failures: 1, pending: 0, durationMs: Date.now() - started, failed: [{ title: 'loading the suite', error: message }], error: message });
    throw error;
  }
  writeResults(results);
  if (results.failures > 0) throw new Error(`${results.failures} integration test(s) failed`);
}
