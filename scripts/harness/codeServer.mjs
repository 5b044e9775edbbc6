// A throwaway code-server (a full VS Code served to a browser), as docs/harness.md describes.
//
// Everything it writes stays in the run folder: user data, extensions, XDG folders and its
// temp dir (it puts sockets there). It runs in its own process group, because stopping only
// its PID leaves the file watcher behind, and it refuses a port that already serves: a
// stale server would otherwise answer the tests.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { URLSearchParams } from 'node:url';
import {
  CODE_SERVER_ENTRY,
  HarnessError,
  NODE24,
  freePort,
  isServing,
  log,
  sleep,
  stopProcess,
  track,
  writeJson,
} from './common.mjs';

/** Settings from the recipe: nothing pops up over the workbench, nothing phones home. */
export const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The run folders live inside this repository's git checkout; without this the git
  // extension offers to open the parent repository in a notification over the UI.
  'git.openRepositoryInParentFolders': 'never',
  'git.autoRepositoryDetection': false,
};

/** The environment a code-server process (and the extension host it forks) runs with. */
export function codeServerEnv(dataDir, extra = {}) {
  const dirs = {
    XDG_CONFIG_HOME: path.join(dataDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dataDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dataDir, 'xdg-cache'),
    TMPDIR: path.join(dataDir, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  // No extension gallery: the tests never need one, and its queries would try to reach
  // open-vsx.org (an empty gallery configuration turns the gallery off).
  const env = { ...process.env, ...dirs, EXTENSIONS_GALLERY: '{}', ...extra };
  // Inherited from `npm run`: they would point the extension host at this repo's npm config.
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  return env;
}

/** Installs a .vsix into an extensions folder with code-server's own CLI (under a second). */
export function installVsix({ dataDir, extensionsDir, vsix }) {
  mkdirSync(extensionsDir, { recursive: true });
  const result = spawnSync(
    NODE24,
    [CODE_SERVER_ENTRY, '--config', '/dev/null', '--user-data-dir', path.join(dataDir, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8', env: codeServerEnv(dataDir), timeout: 120_000 },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new HarnessError(`installing ${vsix} into ${extensionsDir} failed (exit ${result.status}):\n${output}`);
  return output.trim();
}

function healthz(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Starts code-server and resolves once /healthz answers 200.
 * @param {object} options
 * @param {string} options.dataDir     folder for user data, extensions, XDG dirs, temp, logs
 * @param {string} options.workspace   folder the workbench opens
 * @param {number} [options.port]      a fixed port (refused if something serves there); default: a free one
 * @param {string} [options.extensionsDir]
 * @param {Record<string,string>} [options.env]  added to the environment (the extension host inherits it)
 * @param {Record<string,unknown>} [options.settings]  merged over QUIET_SETTINGS
 * @param {boolean} [options.smokeTestDriver=true]  needed for the payload (extensionDevelopmentPath, ...)
 * @param {boolean} [options.echo=false]  also print the server's output
 */
export async function startCodeServer({
  dataDir,
  workspace,
  port,
  extensionsDir = path.join(dataDir, 'extensions'),
  env = {},
  settings = {},
  smokeTestDriver = true,
  echo = false,
  startTimeoutMs = 60_000,
}) {
  if (port !== undefined && (await isServing(port))) {
    throw new HarnessError(`port ${port} on 127.0.0.1 already serves something (a stale code-server?); refusing to use it`);
  }
  port ??= await freePort();
  const userDataDir = path.join(dataDir, 'user-data');
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeJson(path.join(userDataDir, 'User', 'settings.json'), { ...QUIET_SETTINGS, ...settings });

  const args = [
    CODE_SERVER_ENTRY,
    '--config', '/dev/null',
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    workspace,
  ];
  const logFile = path.join(dataDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(NODE24, args, {
    cwd: dataDir,
    env: codeServerEnv(dataDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, stopped as a whole
  });
  track(child, { name: 'code-server', group: true });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      logStream.write(chunk);
      if (echo) process.stdout.write(chunk);
    });
  }
  let exitInfo;
  child.once('exit', (code, signal) => (exitInfo = { code, signal }));

  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    authority: `127.0.0.1:${port}`,
    pid: child.pid,
    workspace,
    userDataDir,
    extensionsDir,
    logsDir: path.join(userDataDir, 'logs'),
    logFile,
    child,
    async stop() {
      await stopProcess(child);
      logStream.end();
    },
  };

  const started = Date.now();
  for (;;) {
    if (exitInfo) {
      throw new HarnessError(
        `code-server exited during start-up (code ${exitInfo.code}, signal ${exitInfo.signal}); its log (${logFile}):\n${tailFile(logFile)}`,
      );
    }
    if (await healthz(port)) break;
    if (Date.now() - started > startTimeoutMs) {
      await server.stop();
      throw new HarnessError(`code-server did not answer /healthz on port ${port} within ${startTimeoutMs / 1000} s; log: ${logFile}`);
    }
    await sleep(200);
  }
  // Someone else could have won the race for the port: then our process has exited.
  await sleep(100);
  if (exitInfo) throw new HarnessError(`code-server exited right after start-up (port ${port} taken?); log: ${logFile}`);
  log(`code-server pid ${child.pid} on ${server.url} (up in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return server;
}

/**
 * The workbench URL. With `payload`, the workbench (started with the smoke-test driver) loads
 * a development extension and/or runs a test module in the extension host.
 */
export function workbenchUrl(server, { folder = server.workspace, extensionDevelopmentPath, extensionTestsPath, extensionEnvironment } = {}) {
  const remote = (file) => `vscode-remote://${server.authority}${file}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(extensionEnvironment)]);
  const query = new URLSearchParams({ folder });
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${server.url}/?${query}`;
}

export function tailFile(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
