// `npm test`: everything CI checks, from a fresh clone, in one command.
//
//   dependencies (npm ci when node_modules is missing or stale) -> harness install ->
//   typecheck -> lint -> unit -> integration -> e2e -> canary scan
//
// Every layer runs even when an earlier one failed, so one run says everything that is wrong.
// Only a failed dependency install stops it (nothing can run without node_modules); a failed
// harness install is reported and the layers that need it fail on their own.
// It ends with one line per step and one line CI reads: `N passed, N failed`. N counts each
// test of the mocha layers (unit, integration, e2e) and each other layer (typecheck, lint,
// the canary scan) as one; a mocha layer that failed without a failing test (a crash before
// tests ran) adds one failure, so a failed run never ends with "0 failed". The exit code is 1
// when any step failed.
import { canaryScan } from './harness/canaryScan.mjs';
import { HarnessError, installCleanupHandlers, log, mochaCounts, run } from './harness/common.mjs';
import { ensureDependencies } from './harness/dependencies.mjs';
import { ensureHarness } from './harness/install.mjs';

const sessionStart = Date.now();

const steps = [
  // The limits are backstops far above the usual times (see the summary), so that a hang
  // ends with a message well inside CI's 20 minutes.
  { name: 'typecheck', run: () => run('npm', ['run', 'typecheck'], { capture: true, timeoutMs: 300_000 }) },
  { name: 'lint', run: () => run('npm', ['run', 'lint'], { capture: true, timeoutMs: 300_000 }) },
  { name: 'unit', mocha: true, run: () => run(process.execPath, ['scripts/harness/unit.mjs'], { capture: true, timeoutMs: 300_000 }) },
  { name: 'integration', mocha: true, run: () => run(process.execPath, ['scripts/harness/integration.mjs'], { capture: true, timeoutMs: 480_000 }) },
  { name: 'e2e', mocha: true, run: () => run(process.execPath, ['scripts/harness/e2e.mjs'], { capture: true, timeoutMs: 660_000 }) },
  { name: 'canary scan', run: async () => ({ code: canaryScan({ since: sessionStart }) ? 0 : 1, output: '' }) },
];

async function main() {
  installCleanupHandlers();
  const summary = [];
  let passed = 0;
  let failed = 0;
  const finish = (code) => {
    process.stdout.write('\n==== npm test summary ====\n');
    for (const row of summary) process.stdout.write(`${row.ok ? 'ok  ' : 'FAIL'}  ${row.name.padEnd(12)} ${row.seconds.toFixed(1).padStart(6)} s  ${row.detail}\n`);
    process.stdout.write(`total ${((Date.now() - sessionStart) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exit(code);
  };

  /** Runs a setup step; true when it succeeded. */
  const setup = async (name, fn) => {
    const started = Date.now();
    try {
      const detail = await fn();
      summary.push({ name, ok: true, seconds: (Date.now() - started) / 1000, detail });
      return true;
    } catch (error) {
      failed++;
      summary.push({ name, ok: false, seconds: (Date.now() - started) / 1000, detail: error.message });
      process.stderr.write(`[harness] ${name} failed: ${error instanceof HarnessError ? error.message : error.stack}\n`);
      return false;
    }
  };

  const installed = await setup('dependencies', ensureDependencies);
  if (!installed) {
    log('dependencies failed; no layer can run without them');
    finish(1);
  }
  await setup('harness', async () => {
    await ensureHarness();
    return 'chromium, node 24, code-server';
  });

  for (const step of steps) {
    log(`---- ${step.name} ----`);
    const started = Date.now();
    let result;
    try {
      result = await step.run();
    } catch (error) {
      result = { code: 1, output: String(error?.message ?? error) };
    }
    const seconds = (Date.now() - started) / 1000;
    const ok = result.code === 0;
    const counts = step.mocha ? mochaCounts(result.output) : ok ? { passed: 1 } : { failed: 1 };
    passed += counts.passed ?? 0;
    failed += counts.failed ?? 0;
    if (!ok && !counts.failed) failed++;
    const detail =
      step.mocha && counts.passed !== undefined
        ? `${counts.passed} passing, ${counts.failed ?? 0} failing`
        : ok
          ? ''
          : `exit code ${result.code}${step.mocha ? ', before any test reported' : ''}`;
    summary.push({ name: step.name, ok, seconds, detail });
    if (!ok) log(`${step.name} failed; going on with the next layer`);
  }
  finish(summary.every((row) => row.ok) ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`[harness] npm test crashed: ${error.stack}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
});
