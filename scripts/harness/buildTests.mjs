// Bundles the code that runs inside the extension host: the integration suite (its runner
// and every *.int.test.ts, one bundle each so mocha can load them as separate files) and the
// activation bench's extension-host half (test/integration/bench/activationSuite.ts). `vscode` is provided by the extension host and `mocha` is loaded
// from node_modules at run time (its reporters are required by name), so both stay external.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './common.mjs';

export const INTEGRATION_OUT = path.join(REPO, 'out', 'integration');
/** What extensionTestsPath points at (VS Code adds the .js). */
export const INTEGRATION_ENTRY = path.join(INTEGRATION_OUT, 'suite', 'index');
export const BENCH_OUT = path.join(REPO, 'out', 'bench');
export const BENCH_ENTRY = path.join(BENCH_OUT, 'activationSuite');
const BENCH_SOURCE = path.join(REPO, 'test', 'integration', 'bench', 'activationSuite.ts');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
};

function findFiles(dir, suffix) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, suffix));
    else if (entry.name.endsWith(suffix)) found.push(full);
  }
  return found.sort();
}

export async function buildIntegrationSuite() {
  const root = path.join(REPO, 'test', 'integration');
  const tests = findFiles(root, '.int.test.ts');
  // A stale bundle of a deleted test would still run: start from an empty folder.
  rmSync(INTEGRATION_OUT, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'suite', 'index.ts'), ...tests],
    outbase: root,
    outdir: INTEGRATION_OUT,
  });
  return tests.map((file) => path.relative(REPO, file));
}

/** Builds a bench's extension-host suite (activation's unless named); resolves with its testsPath. */
export async function buildBenchSuite(source = BENCH_SOURCE) {
  rmSync(BENCH_OUT, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: [source],
    outdir: BENCH_OUT,
  });
  return path.join(BENCH_OUT, path.basename(source, '.ts'));
}
