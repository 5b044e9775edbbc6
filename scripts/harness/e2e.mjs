// `npm run test:e2e`: the packaged extension, as a person gets it, driven in a real browser.
//
// It packages dist/switchboard.vsix (`npm run package`), installs it into a fresh extensions
// folder with code-server's CLI, starts the provider fixtures, and runs each journey (a spec
// file in test/e2e, playwright-core against headless Chromium) against a code-server of its own,
// with its own user data: no journey sees what another left (connections, keys, the default
// connection), so none depends on the order they run in. Screenshots, console captures and
// code-server's logs stay in the run folder under .test-artifacts/e2e/<run>/<journey>/.
// The output ends with the journeys' mocha counts added up, in mocha's words.
//
// The specs get everything through the environment (names below), so they can also be
// pointed at a code-server started some other way. SWITCHBOARD_E2E_TIMEOUT_S (default 1500)
// bounds the whole run: about 5 minutes on a quiet machine, over 10 with six CPU-bound
// processes beside it; each spec's own timeouts catch a journey that hangs.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { browserEnv } from './browser.mjs';
import { installVsix, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { CHROMIUM, CHROMIUM_ARGS, HarnessError, NODE24, REPO, bin, log, mochaCounts, newRunDir, run, runOrThrow, runAsScript } from './common.mjs';
import { FIXTURE_ENV, startFixtures } from './fixtures.mjs';
import { ensureHarness } from './install.mjs';

export const VSIX = path.join(REPO, 'dist', 'switchboard.vsix');

async function main() {
  const started = Date.now();
  const timeoutS = Number(process.env.SWITCHBOARD_E2E_TIMEOUT_S || 1500);
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
  const total = { passed: 0, failed: 0 };
  let failedJourneys = 0;
  try {
    for (const spec of journeys()) {
      let result;
      try {
        result = await runJourney({ spec, runDir, extensionsDir, fixtureEnv: fixtures.env });
      } catch (error) {
        // One journey that cannot start (its code-server) does not keep the others from running.
        process.stderr.write(`[harness] e2e: journey ${path.basename(spec)} did not run: ${error instanceof HarnessError ? error.message : error.stack}\n`);
        result = { code: 1, output: '' };
      }
      const counts = mochaCounts(result.output);
      total.passed += counts.passed ?? 0;
      total.failed += counts.failed ?? 0;
      if (result.code !== 0) {
        failedJourneys++;
        // A journey that crashed before mocha counted a failure still counts as one.
        if (!counts.failed) total.failed++;
      }
    }
  } finally {
    await fixtures.stop();
  }
  log(`e2e: finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in ${path.relative(REPO, runDir)}`);
  // All journeys together, in the words npm test reads (the last mocha summary of the output).
  process.stdout.write(`\n  ${total.passed} passing\n${total.failed ? `  ${total.failed} failing\n` : ''}`);
  return failedJourneys ? 1 : 0;
}

const E2E_DIR = path.join(REPO, 'test', 'e2e');

/** The journeys: one spec file each, or only those named on the command line. */
function journeys() {
  const named = process.argv.slice(2).map((file) => path.resolve(file));
  if (named.length) return named;
  return readdirSync(E2E_DIR).filter((name) => name.endsWith('.e2e.test.ts')).sort().map((name) => path.join(E2E_DIR, name));
}

/** One journey on a code-server of its own (fresh user data: globalState, secrets, settings). */
async function runJourney({ spec, runDir, extensionsDir, fixtureEnv }) {
  const journey = path.basename(spec, '.e2e.test.ts');
  const dataDir = path.join(runDir, journey);
  const server = await startCodeServer({
    dataDir,
    workspace: path.join(dataDir, 'workspace'),
    extensionsDir,
    // A packaged extension needs no payload: leave the workbench as a person would see it.
    smokeTestDriver: false,
    // The local Ollama a person has, as Ollama's own OLLAMA_HOST says where it listens: "Add
    // local Ollama" reaches the fixture in one click, as it reaches Ollama on its own port.
    env: { OLLAMA_HOST: fixtureEnv[FIXTURE_ENV.ollama] },
  });
  try {
    const screenshots = path.join(dataDir, 'screenshots');
    mkdirSync(screenshots, { recursive: true });
    const env = {
      // The specs launch Chromium themselves; it inherits these (see browserEnv).
      ...browserEnv(dataDir),
      ...fixtureEnv,
      SWITCHBOARD_E2E_URL: workbenchUrl(server),
      SWITCHBOARD_E2E_ARTIFACTS: screenshots,
      SWITCHBOARD_E2E_LOGS_DIR: server.logsDir,
      SWITCHBOARD_E2E_VSIX: VSIX,
      SWITCHBOARD_E2E_EXTENSIONS_DIR: extensionsDir,
      // Where the extension keeps its globalStorage (switchboard.sqlite), and a Node with
      // node:sqlite, for journeys that seed a volume of data through the product's stores.
      SWITCHBOARD_E2E_USER_DATA_DIR: server.userDataDir,
      SWITCHBOARD_E2E_NODE24: NODE24,
      SWITCHBOARD_E2E_CHROMIUM: CHROMIUM,
      SWITCHBOARD_E2E_CHROMIUM_ARGS: JSON.stringify(CHROMIUM_ARGS),
    };
    log(`e2e: journey ${journey} against ${server.url}`);
    return await run(bin('mocha'), ['--config', path.join(E2E_DIR, '.mocharc.json'), spec], { env, capture: true });
  } finally {
    await server.stop();
  }
}

runAsScript(import.meta.url, 'e2e', main);
