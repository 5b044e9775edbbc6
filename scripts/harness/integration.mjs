// `npm run test:integration`: the mocha suite in test/integration, run inside a real VS Code
// extension host (code-server, see docs/harness.md) with the extension loaded from this
// repository as a development extension. `npm run test:integration -- test/integration/agents.int.test.ts`
// runs only the files named.
//
// The workbench is opened in headless Chromium with a payload naming the extension
// (extensionDevelopmentPath), the suite (extensionTestsPath) and its environment. The
// suite's exit code comes back through window.codeAutomationExit and its console through
// window.codeAutomationLog; the suite also writes a JSON results file, a second channel
// checked against the first. The process exits with the suite's code.
//
// Environment: SWITCHBOARD_INTEGRATION_TIMEOUT_S (default 300) bounds the suite; the whole
// run gets two minutes more for builds and start-ups.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { buildIntegrationSuite, INTEGRATION_ENTRY } from './buildTests.mjs';
import { installVsix, startCodeServer, tailFile, workbenchUrl } from './codeServer.mjs';
import { HarnessError, REPO, bin, log, newRunDir, runAsScript, runOrThrow, writeJson } from './common.mjs';
import { startFixtures } from './fixtures.mjs';
import { ensureHarness } from './install.mjs';

/** Other extensions that use Switchboard's public API (test/integration/api.int.test.ts: a provider, and one that names
 * another) or its models through vscode.lm only (test/integration/chatConsent.int.test.ts). */
const FIXTURE_EXTENSIONS = ['fixture-provider', 'fixture-impostor', 'fixture-chat'].map((name) => path.join(REPO, 'test', 'fixtures', 'extensions', name));

/**
 * The workbench's own start-up messages arrive through the same channel as the extension
 * host's console; they stay in extension-host.log but are not echoed.
 */
const WORKBENCH_CHATTER =
  /^(Resolv(ing|ed) connection token|Creating a socket|\[reconnection-grace-time\]|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost:remote\]|\[AccountPolicyGate\])/;

/**
 * Runs a test module in the extension host and resolves with { code, results, runDir }.
 * Shared with bench/activation.mjs, which runs its own tiny suite the same way.
 * @param {object} options
 * @param {string} options.testsPath   extensionTestsPath, without .js
 * @param {string} options.label       names the run folder and the log prefix
 * @param {Record<string,string>} [options.env]  for the extension host (payload and process)
 * @param {boolean} [options.echo=true]  print the extension host's console as it arrives
 * @param {string[]} [options.extensions]  folders of other extensions, packaged and installed beside Switchboard
 */
export async function runInExtensionHost({ testsPath, label, env = {}, echo = true, timeoutMs = 300_000, extensions = [] }) {
  const runDir = newRunDir(label);
  const resultsFile = path.join(runDir, 'results.json');
  const workspace = path.join(runDir, 'workspace');
  const extensionEnvironment = { ...env, SWITCHBOARD_TEST_RESULTS: resultsFile };
  const cleanup = [];
  const hostLog = [];
  let timer;
  try {
    const extensionsDir = path.join(runDir, 'extensions');
    for (const folder of extensions) {
      // Installed from a .vsix like any extension a person installs, so VS Code loads it as one.
      const vsix = path.join(runDir, `${path.basename(folder)}.vsix`);
      await runOrThrow(`package ${path.relative(REPO, folder)}`, bin('vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: folder });
      installVsix({ dataDir: runDir, extensionsDir, vsix });
    }
    const server = await startCodeServer({ dataDir: runDir, workspace, env: extensionEnvironment, extensionsDir });
    cleanup.push(() => server.stop());
    writeFileSync(path.join(workspace, 'README.md'), '# Switchboard integration workspace\n');

    const browser = await launchBrowser(runDir);
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    const consoleLines = [];
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    cleanup.push(() => writeFileSync(path.join(runDir, 'browser-console.log'), consoleLines.join('\n') + '\n'));

    let reportExit;
    const exited = new Promise((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      // Newer workbenches also hand over their in-browser logs; keep them with the run.
      if (Array.isArray(logs)) writeJson(path.join(runDir, 'workbench-logs.json'), logs);
      reportExit(code);
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The host's console.log arguments arrive unformatted (mocha logs '%s passing', ...).
      const text = format(...(Array.isArray(args) ? args : [args]));
      hostLog.push(text);
      if (echo && !WORKBENCH_CHATTER.test(text)) process.stdout.write(`${type === 'error' ? '[host:error] ' : ''}${text}\n`);
    });

    const url = workbenchUrl(server, { extensionDevelopmentPath: REPO, extensionTestsPath: testsPath, extensionEnvironment });
    await page.goto(url);
    log(`${label}: workbench opened, waiting for the suite (timeout ${timeoutMs / 1000} s)`);

    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const code = await Promise.race([exited, timedOut]);
    if (code === 'timeout') {
      throw new HarnessError(
        `${label}: the suite did not report an exit code within ${timeoutMs / 1000} s. ` +
          `Did the workbench load the payload (code-server needs --vscode-option enable-smoke-test-driver)? ` +
          `Logs: ${path.relative(REPO, server.logFile)}, ${path.relative(REPO, path.join(runDir, 'browser-console.log'))}, ` +
          `${path.relative(REPO, server.logsDir)}/\ncode-server log tail:\n${tailFile(server.logFile, 15)}`,
      );
    }
    let results;
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
      results = undefined;
    }
    return { code: Number(code), results, runDir, hostLog };
  } finally {
    clearTimeout(timer);
    writeFileSync(path.join(runDir, 'extension-host.log'), hostLog.join('\n') + '\n');
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
  }
}

async function main() {
  const started = Date.now();
  const suiteTimeoutMs = Number(process.env.SWITCHBOARD_INTEGRATION_TIMEOUT_S || 300) * 1000;
  // A backstop over everything (install check, builds, start-ups, the suite): a hung step
  // must not hold CI until its own limit. The exit handler kills what this run started.
  setTimeout(() => {
    process.stderr.write(`[harness] integration: gave up after ${(suiteTimeoutMs + 120_000) / 1000} s overall (set SWITCHBOARD_INTEGRATION_TIMEOUT_S to allow more)\n`);
    process.exit(1);
  }, suiteTimeoutMs + 120_000).unref();
  await ensureHarness();
  log('integration: building the extension and the suite');
  await runOrThrow('build', process.execPath, ['esbuild.mjs']);
  const files = await buildIntegrationSuite();
  log(`integration: ${files.length} test file(s): ${files.join(', ')}`);

  const fixtures = await startFixtures();
  let outcome;
  try {
    // File names on the command line run only those files (each test file passes alone).
    const only = process.argv.slice(2).map((file) => path.basename(file));
    outcome = await runInExtensionHost({
      testsPath: INTEGRATION_ENTRY,
      label: 'integration',
      env: { ...fixtures.env, ...(only.length ? { SWITCHBOARD_INTEGRATION_ONLY: only.join(',') } : {}) },
      timeoutMs: suiteTimeoutMs,
      extensions: FIXTURE_EXTENSIONS,
    });
  } finally {
    await fixtures.stop();
  }

  const { code, results, runDir } = outcome;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!results) {
    log(`integration: exit code ${code} but no results file (${path.relative(REPO, runDir)}/results.json): the suite did not finish`);
    return 1;
  }
  if (results.error) log(`integration: the suite could not run: ${results.error}`);
  for (const failure of results.failed ?? []) log(`integration FAILED: ${failure.title}`);
  // The two channels must agree; a mismatch means one of them is lying.
  const failed = code !== 0 || results.failures > 0;
  if ((code !== 0) !== (results.failures > 0)) log(`integration: exit code ${code} disagrees with ${results.failures} failure(s) in results.json`);
  log(`integration results: ${results.passes} passing, ${results.failures} failing, ${results.pending} pending (${seconds} s; artifacts: ${path.relative(REPO, runDir)})`);
  return failed ? 1 : 0;
}

runAsScript(import.meta.url, 'integration', main);
