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

function writeResults(results: SuiteResults): void {
  const file = process.env.SWITCHBOARD_TEST_RESULTS;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

export async function run(): Promise<void> {
  const started = Date.now();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false, // the output ends up in log files and CI consoles, not a terminal
    timeout: 30_000,
    forbidOnly: true,
  });
  const failed: SuiteResults['failed'] = [];
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
    results = { passes: stats.passes ?? 0, failures: stats.failures ?? failed.length, pending: stats.pending ?? 0, durationMs: Date.now() - started, failed };
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
