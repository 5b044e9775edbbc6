// `npm start`: installs what it needs (npm packages, then Node 24 and code-server, as `npm test`
// does), builds, and serves a VS Code (code-server) on http://127.0.0.1:8080 (or a free port when
// 8080 is taken) with Switchboard loaded from this repository as a development extension and
// sample-workspace/ opened. esbuild keeps rebuilding in the background: after an edit, run
// "Developer: Reload Window" in the browser. Ctrl-C stops everything this script started.
//
//   npm start                  as above
//   npm start -- --fixtures    also start the fake Ollama and OpenAI servers the tests use,
//                              for trying the extension on a machine without Ollama
//   npm start -- --port 9000   another port (refused if something already serves there)
//
// User data (settings, the extension host's logs, Switchboard's database) persists in
// .harness/start/ of this repository between starts; connections and keys live in the
// browser's storage for that origin.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCodeServer, workbenchUrl } from './harness/codeServer.mjs';
import { HarnessError, REPO, installCleanupHandlers, isServing, log, runOrThrow, track } from './harness/common.mjs';
import { ensureDependencies } from './harness/dependencies.mjs';
import { startFixtures } from './harness/fixtures.mjs';
import { ensureHarness } from './harness/install.mjs';

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string' },
    fixtures: { type: 'boolean', default: false },
  },
});

const running = [];
let stopping = false;
async function stopAll() {
  stopping = true;
  for (const stop of running.reverse()) await stop().catch(() => {});
}

async function main() {
  installCleanupHandlers(stopAll);
  // The same first steps as `npm test`: the npm packages (esbuild builds with them), then
  // Node 24 and code-server.
  log(`start: dependencies: ${await ensureDependencies()}`);
  await ensureHarness();
  log('start: building the extension');
  await runOrThrow('build', process.execPath, ['esbuild.mjs']);

  // Rebuild on change; the browser picks it up on "Developer: Reload Window".
  const watcher = spawn(process.execPath, ['esbuild.mjs', '--watch'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  track(watcher, { name: 'esbuild --watch', group: false });
  running.push(async () => watcher.kill('SIGTERM'));

  let fixtureEnv = {};
  if (flags.fixtures) {
    const fixtures = await startFixtures();
    running.push(fixtures.stop);
    fixtureEnv = fixtures.env;
  }

  let port = flags.port ? Number(flags.port) : 8080;
  if (!flags.port && (await isServing(port))) {
    log('start: port 8080 is taken; using a free port instead');
    port = undefined;
  }
  const server = await startCodeServer({
    // In the repository, not in HARNESS_DIR: that cache of installs may be shared by several
    // clones (SWITCHBOARD_HARNESS_DIR), and each clone's settings and logs are its own.
    dataDir: path.join(REPO, '.harness', 'start'),
    workspace: path.join(REPO, 'sample-workspace'),
    port,
    env: fixtureEnv,
    // The payload that loads a development extension is honoured only with the driver on.
    smokeTestDriver: true,
  });
  running.push(() => server.stop());

  const url = workbenchUrl(server, { extensionDevelopmentPath: REPO });
  process.stdout.write(`\nSwitchboard is running in VS Code (code-server ${server.url}).\nOpen this URL in a browser on this machine:\n\n  ${url}\n\n`);
  if (flags.fixtures) {
    process.stdout.write('Fake providers for trying it out (base URLs for new connections):\n');
    for (const [name, value] of Object.entries(fixtureEnv)) process.stdout.write(`  ${name.replace(/^SWITCHBOARD_FIXTURE_|_URL$/g, '').toLowerCase()}: ${value}${name.includes('OPENAI') ? '/v1' : ''}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`Logs: ${path.relative(REPO, server.logFile)} and ${path.relative(REPO, server.logsDir)}/\nPress Ctrl-C to stop.\n`);

  // Stay up until Ctrl-C (handled by installCleanupHandlers) or until code-server dies.
  const code = await new Promise((resolve) => server.child.once('exit', resolve));
  if (stopping) return 130;
  log(`start: code-server exited (code ${code}); stopping`);
  await stopAll();
  return 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    process.stderr.write(`[harness] start: ${error instanceof HarnessError ? error.message : error.stack}\n`);
    await stopAll();
    process.exit(1);
  },
);
