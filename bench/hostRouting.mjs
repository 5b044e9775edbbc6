// `npm run bench:host`: the run path in a real extension host (code-server), not a stand-in:
// a run through Switchboard (SQLite run store and audit log, consent check, the worker hop)
// against a raw undici call with the same body to the same loopback Ollama fixture,
// interleaved, with an empty registry and with 2,000 registered models. The host half is
// test/integration/bench/routingSuite.ts. Prints figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N  timed runs per registry size (default 200)
import path from 'node:path';
import { buildBenchSuite } from '../scripts/harness/buildTests.mjs';
import { HarnessError, REPO, installCleanupHandlers, log, runOrThrow } from '../scripts/harness/common.mjs';
import { runInExtensionHost } from '../scripts/harness/integration.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

const ms = (value) => `${value.toFixed(2)} ms`.padStart(10);

function row(label, s) {
  return `  ${label.padEnd(34)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}\n`;
}

async function main() {
  installCleanupHandlers();
  await ensureHarness();
  log('bench: production build');
  await runOrThrow('build', process.execPath, ['esbuild.mjs', '--production']);
  const testsPath = await buildBenchSuite(path.join(REPO, 'test', 'integration', 'bench', 'routingSuite.ts'));
  const { results } = await runInExtensionHost({ testsPath, label: 'bench-routing', echo: false, timeoutMs: 600_000 });
  if (!results?.empty) throw new HarnessError('the host bench reported no figures');
  const out = [`\nThe run path in the extension host (code-server 4.139.1, ${results.node}; ${results.iterations} runs per size, interleaved with raw calls)\n`];
  out.push(`  ${''.padEnd(34)} ${'p50'.padStart(10)} ${'p95'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}\n`);
  for (const [label, figures] of [['empty registry', results.empty], [`${results.registered} registered models`, results.full]]) {
    out.push(`  ${label}\n`);
    out.push(row('  run through Switchboard', figures.run));
    out.push(row('  raw undici POST /api/chat', figures.raw));
    out.push(row('  overhead (run - raw, paired)', figures.overhead));
  }
  out.push(`  discover and register ${results.registered} models: ${results.discoverAndRegisterMs.toFixed(0)} ms\n`);
  out.push(`  RSS growth over the bench (${2 * results.iterations + 60} runs stored, ${results.registered} models): ${results.rssGrowthMiB.toFixed(1)} MiB\n`);
  out.push(`  globalState keys afterwards: ${results.globalStateKeys.join(', ')}\n`);
  process.stdout.write(out.join(''));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[harness] bench: ${error instanceof HarnessError ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
