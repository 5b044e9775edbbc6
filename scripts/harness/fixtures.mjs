// Starts the provider fixture servers (test/fixtures/serve.ts) as separate processes, so
// that the extension host in code-server and the browser can reach them over 127.0.0.1.
// Each one prints a single JSON line {"url": "..."} and serves until it is killed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { HarnessError, REPO, log, stopProcess, track } from './common.mjs';

const SERVE = path.join(REPO, 'test', 'fixtures', 'serve.ts');

/** The environment variable that carries each fixture's URL to the tests. */
export const FIXTURE_ENV = {
  ollama: 'SWITCHBOARD_FIXTURE_OLLAMA_URL',
  openai: 'SWITCHBOARD_FIXTURE_OPENAI_URL',
  // The VS Code chat tests check Anthropic's cache_control blocks on the wire.
  anthropic: 'SWITCHBOARD_FIXTURE_ANTHROPIC_URL',
};

export async function startFixture(kind, { timeoutMs = 30_000 } = {}) {
  if (!existsSync(SERVE)) {
    throw new HarnessError(`${path.relative(REPO, SERVE)} does not exist yet: the fixture servers cannot start`);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE, '--kind', kind, '--port', '0'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child, { name: `fixture ${kind}`, group: false });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new HarnessError(`the ${kind} fixture printed no URL within ${timeoutMs / 1000} s\n${stderr}`)), timeoutMs);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line);
        if (typeof parsed.url === 'string') {
          clearTimeout(timer);
          resolve(parsed.url.replace(/\/$/, ''));
        }
      } catch {
        // not the JSON line; the server may log other things
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new HarnessError(`the ${kind} fixture exited (code ${code}) before printing its URL\n${stderr}`));
    });
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout.resume();
  log(`fixture ${kind} pid ${child.pid} on ${url}`);
  return { kind, url, pid: child.pid, stop: () => stopProcess(child, { graceMs: 2000 }) };
}

/** Starts one fixture per kind; returns { env, stop } where env maps FIXTURE_ENV names to URLs. */
export async function startFixtures(kinds = Object.keys(FIXTURE_ENV)) {
  const running = [];
  const stop = () => Promise.all(running.map((fixture) => fixture.stop()));
  try {
    for (const kind of kinds) running.push(await startFixture(kind));
  } catch (error) {
    await stop();
    throw error;
  }
  const env = Object.fromEntries(running.map((fixture) => [FIXTURE_ENV[fixture.kind], fixture.url]));
  return { env, fixtures: running, stop };
}
