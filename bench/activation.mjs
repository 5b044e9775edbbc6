// `npm run bench:activation`: what activation costs. Prints figures, asserts nothing.
//
//   - the size of the production bundles (dist/*.js: the extension host and the agent host
//     worker, and the webview bundles), raw and gzipped;
//   - the time activate() takes in a real extension host (code-server), median and range
//     over several fresh starts: `activationMs` is what activate() measured itself (reported
//     by the extension in Test mode as api.testing.activationMs), `activateCallMs` is
//     extension.activate() seen from outside, which adds loading dist/extension.js.
//
//   SWITCHBOARD_BENCH_RUNS=N  number of code-server starts (default 5)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BENCH_ENTRY, buildBenchSuite } from '../scripts/harness/buildTests.mjs';
import { HarnessError, REPO, installCleanupHandlers, log, runOrThrow } from '../scripts/harness/common.mjs';
import { runInExtensionHost } from '../scripts/harness/integration.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

const runs = Number(process.env.SWITCHBOARD_BENCH_RUNS || 5);

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Measured right after the build: other work in the same checkout may rebuild dist/ later. */
function bundleSizes() {
  const lines = [];
  // Every top-level bundle (the extension host's, the agent host worker's) and the webviews'.
  const distDir = path.join(REPO, 'dist');
  const files = readdirSync(distDir).filter((name) => name.endsWith('.js')).map((name) => path.join(distDir, name));
  const webviewDir = path.join(REPO, 'dist', 'webview');
  for (const name of readdirSync(webviewDir)) if (/\.(js|css)$/.test(name)) files.push(path.join(webviewDir, name));
  for (const file of files) {
    const raw = statSync(file).size;
    const gzip = gzipSync(readFileSync(file)).length;
    lines.push(`  ${path.relative(REPO, file).padEnd(34)} ${kb(raw).padStart(12)}   gzip ${kb(gzip).padStart(10)}\n`);
  }
  return lines.join('');
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return `median ${median.toFixed(1)} ms   min ${sorted[0].toFixed(1)}   max ${sorted.at(-1).toFixed(1)}   (n=${sorted.length})`;
}

async function main() {
  installCleanupHandlers();
  await ensureHarness();
  log('bench: production build');
  await runOrThrow('build', process.execPath, ['esbuild.mjs', '--production']);
  const sizes = bundleSizes();
  await buildBenchSuite();

  const activation = [];
  const call = [];
  for (let i = 1; i <= runs; i++) {
    const { results } = await runInExtensionHost({ testsPath: BENCH_ENTRY, label: 'bench', echo: false, timeoutMs: 120_000 });
    if (!results || typeof results.activateCallMs !== 'number') throw new HarnessError(`bench run ${i} reported no figures`);
    if (results.wasActive) log(`bench run ${i}: the extension was already active; its figure is not a cold activation`);
    if (typeof results.activationMs === 'number') activation.push(results.activationMs);
    call.push(results.activateCallMs);
    log(`bench run ${i}/${runs}: activate() ${results.activationMs?.toFixed(1) ?? 'n/a'} ms, extension.activate() ${results.activateCallMs.toFixed(1)} ms`);
  }

  process.stdout.write(`\nBundle sizes (production build)\n${sizes}`);
  process.stdout.write('\nActivation in the extension host (code-server 4.139.1, fresh start each)\n');
  process.stdout.write(`  activate() itself          ${activation.length ? stats(activation) : 'n/a (api.testing.activationMs missing)'}\n`);
  process.stdout.write(`  extension.activate() call  ${stats(call)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[harness] bench: ${error instanceof HarnessError ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
