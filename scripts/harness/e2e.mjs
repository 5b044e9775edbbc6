// `npm run test:e2e`: the packaged extension, as a person gets it, driven in a real browser.
//
// It packages dist/switchboard.vsix (`npm run package`), installs it into a fresh extensions
// folder with code-server's CLI, starts the provider fixtures and code-server, and runs the
// mocha specs in test/e2e (playwright-core against headless Chromium). Screenshots, console
// captures and code-server's logs stay in the run folder under .test-artifacts/e2e/.
//
// The specs get everything through the environment (names below), so they can also be
// pointed at a code-server started some other way. SWITCHBOARD_E2E_TIMEOUT_S (default 480)
// bounds the whole run.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserEnv } from './browser.mjs';
import { installVsix, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { CHROMIUM, CHROMIUM_ARGS, HarnessError, REPO, bin, log, newRunDir, run, runOrThrow, runAsScript } from './common.mjs';
import { startFixtures } from './fixtures.mjs';
import { ensureHarness } from './install.mjs';

export const VSIX = path.join(REPO, 'dist', 'switchboard.vsix');

async function main() {
  const started = Date.now();
  const timeoutS = Number(process.env.SWITCHBOARD_E2E_TIMEOUT_S || 480);
  // A backstop over packaging, start-ups and the specs; the exit handler kills what this
  // run started.
  setTimeout(() => {
    process.stderr.write(`[harness] e2e: gave up after ${timeoutS} s overall (set SWITCHBOARD_E2E_TIMEOUT_S to allow more)\n`);
    process.exit(1);
  }, timeoutS * 1000).unref();
  await ensureHarness();

  log('e2e: packaging the extension (npm run package)');
  await runOrThrow('npm run package', 'npm', ['run', 'package']);
  if (!existsSync(VSIX)) throw new HarnessError(`npm run package succeeded but ${path.relative(REPO, VSIX)} is missing`);

  const runDir = newRunDir('e2e');
  const extensionsDir = path.join(runDir, 'extensions');
  log(`e2e: ${installVsix({ dataDir: runDir, extensionsDir, vsix: VSIX }).split('\n').pop()}`);

  const fixtures = await startFixtures();
  let server;
  try {
    server = await startCodeServer({
      dataDir: runDir,
      workspace: path.join(runDir, 'workspace'),
      extensionsDir,
      // A packaged extension needs no payload: leave the workbench as a person would see it.
      smokeTestDriver: false,
    });
    const screenshots = path.join(runDir, 'screenshots');
    mkdirSync(screenshots, { recursive: true });
    const env = {
      // The specs launch Chromium themselves; it inherits these (see browserEnv).
      ...browserEnv(runDir),
      ...fixtures.env,
      SWITCHBOARD_E2E_URL: workbenchUrl(server),
      SWITCHBOARD_E2E_ARTIFACTS: screenshots,
      SWITCHBOARD_E2E_LOGS_DIR: server.logsDir,
      SWITCHBOARD_E2E_CHROMIUM: CHROMIUM,
      SWITCHBOARD_E2E_CHROMIUM_ARGS: JSON.stringify(CHROMIUM_ARGS),
    };
    log(`e2e: running the specs against ${server.url}`);
    const result = await run(bin('mocha'), ['--config', path.join(REPO, 'test', 'e2e', '.mocharc.json')], { env });
    log(`e2e: finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in ${path.relative(REPO, runDir)}`);
    return result.code === 0 ? 0 : 1;
  } finally {
    await server?.stop();
    await fixtures.stop();
  }
}

runAsScript(import.meta.url, 'e2e', main);
