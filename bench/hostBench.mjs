// What the extension-host benches share: build, run a suite in code-server and collect its
// figures, a row of percentiles, and the exit. Each bench prints its own table.
import path from 'node:path';
import { buildBenchSuite } from '../scripts/harness/buildTests.mjs';
import { HarnessError, REPO, installCleanupHandlers, log, runOrThrow } from '../scripts/harness/common.mjs';
import { runInExtensionHost } from '../scripts/harness/integration.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

const ms = (value) => `${value.toFixed(2)} ms`.padStart(10);

/** `label` then p50, p95, min and max, the label padded to `width`. */
export function row(label, s, width) {
  return `  ${label.padEnd(width)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}\n`;
}

/** The header of such rows. */
export function header(width) {
  return `  ${''.padEnd(width)} ${'p50'.padStart(10)} ${'p95'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}\n`;
}

/**
 * Builds the extension for production, runs `suite` (under test/integration/bench/) in a real
 * extension host, and hands its figures to `print`, which returns the text to show. Exits 0 when
 * the figures came, 1 otherwise.
 */
export function runHostBench(suite, label, print) {
  const main = async () => {
    installCleanupHandlers();
    await ensureHarness();
    log('bench: production build');
    await runOrThrow('build', process.execPath, ['esbuild.mjs', '--production']);
    const testsPath = await buildBenchSuite(path.join(REPO, 'test', 'integration', 'bench', suite));
    const { results } = await runInExtensionHost({ testsPath, label, echo: false, timeoutMs: 600_000 });
    if (!results) throw new HarnessError(`the ${label} bench reported no figures`);
    process.stdout.write(print(results));
  };
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`[harness] bench: ${error instanceof HarnessError ? error.message : error.stack}\n`);
      process.exit(1);
    },
  );
}
