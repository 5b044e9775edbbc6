// Paths, process helpers and cleanup shared by every harness script.
//
// Every long-lived process a harness starts is registered here, so that an error, a timeout
// or Ctrl-C stops exactly those processes (by PID or by the process group we created), and
// never anything else running on the machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Overridable so the installer can be tried from scratch without touching the real cache. */
export const HARNESS_DIR = path.resolve(process.env.SWITCHBOARD_HARNESS_DIR || path.join(REPO, '.harness'));
export const ARTIFACTS = path.join(REPO, '.test-artifacts');

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_DIR = path.join(HARNESS_DIR, 'node24');
export const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
export const CODE_SERVER_ROOT = path.join(HARNESS_DIR, 'code-server');
export const CODE_SERVER_PKG = path.join(CODE_SERVER_ROOT, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PKG, 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags proven in docs/harness.md, plus a resolver rule that fails every host name
 * lookup: the workbench only ever talks to 127.0.0.1, so nothing can leave the machine.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** The id VS Code gives the extension: publisher.name from package.json. */
export const EXTENSION_ID = 'switchboard-dev.switchboard';

export function log(message) {
  process.stdout.write(`[harness] ${message}\n`);
}

export class HarnessError extends Error {}

/**
 * A fresh folder for one run, e.g. .test-artifacts/integration/2026-11-22T07-01-02-123Z-4242.
 * Older runs are pruned to the newest few, but never one younger than an hour: it may
 * belong to a run still in progress.
 */
export function newRunDir(kind, { keep = 5 } = {}) {
  const kindDir = path.join(ARTIFACTS, kind);
  mkdirSync(kindDir, { recursive: true });
  const old = readdirSync(kindDir).sort().reverse().slice(keep - 1);
  for (const name of old) {
    const dir = path.join(kindDir, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(kindDir, `${stamp}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeJson(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

// ---- process registry ---------------------------------------------------------------

/** Processes we started and must stop: pid -> { group, name }. */
const started = new Map();

export function track(child, { name, group }) {
  started.set(child.pid, { name, group });
  child.once('exit', () => started.delete(child.pid));
}

function signal(pid, group, sig) {
  try {
    process.kill(group ? -pid : pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops one process we started: SIGTERM to it (or to the group we created for it), then
 * SIGKILL after a grace period. A group kill matters for code-server, whose file watcher
 * outlives a plain kill of the parent.
 */
export async function stopProcess(child, { graceMs = 5000 } = {}) {
  const entry = started.get(child.pid) ?? { group: false };
  if (child.exitCode === null && child.signalCode === null) {
    signal(child.pid, entry.group, 'SIGTERM');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
    if ((await Promise.race([exited, timer])) === 'timeout') signal(child.pid, entry.group, 'SIGKILL');
  }
  // The leader may be gone while children of its group linger (the watcher); sweep them.
  if (entry.group) signal(child.pid, true, 'SIGKILL');
  started.delete(child.pid);
}

function killAllSync() {
  for (const [pid, { group }] of started) {
    signal(pid, group, 'SIGKILL');
    if (group && alive(pid)) signal(pid, false, 'SIGKILL');
  }
  started.clear();
}

/**
 * Runs `main` when `moduleUrl` is the script node was started with: cleanup handlers first,
 * then the exit code `main` resolves to, or 1 with the error (a HarnessError's message alone).
 */
export function runAsScript(moduleUrl, name, main) {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  installCleanupHandlers();
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`[harness] ${name}: ${error instanceof HarnessError ? error.message : error.stack}\n`);
      process.exit(1);
    },
  );
}

let handlersInstalled = false;
/** On Ctrl-C, SIGTERM or any exit, kill what we started. Call once per entry script. */
export function installCleanupHandlers(onSignal) {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      process.stdout.write(`\n[harness] ${sig}: stopping the processes this run started\n`);
      try {
        await onSignal?.();
      } finally {
        killAllSync();
        process.exit(130);
      }
    });
  }
}

// ---- running commands -----------------------------------------------------------------

/**
 * Runs a command to completion, streaming its output (optionally tee'd into `capture`).
 * Resolves with { code, output }; never rejects on a non-zero exit.
 */
export function run(command, args, { cwd = REPO, env = process.env, capture = false, quiet = false, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    track(child, { name: command, group: true });
    let output = '';
    const onData = (stream) => (chunk) => {
      if (capture) output += chunk;
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    let timer;
    if (timeoutMs) {
      timer = setTimeout(() => {
        process.stdout.write(`[harness] ${command} ${args.join(' ')} did not finish in ${timeoutMs / 1000} s; stopping it\n`);
        // SIGTERM first: a harness script then stops the servers it started in groups of
        // their own, which a SIGKILL of its group would leave running.
        signal(child.pid, true, 'SIGTERM');
        setTimeout(() => signal(child.pid, true, 'SIGKILL'), 10_000).unref();
      }, timeoutMs);
    }
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new HarnessError(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      started.delete(child.pid);
      resolve({ code: code ?? (sig ? 128 : 1), output });
    });
  });
}

/** The last mocha summary in some output ("  12 passing (3s)", "  1 failing"). */
export function mochaCounts(output) {
  const last = (regex) => {
    const all = [...output.matchAll(regex)];
    return all.length ? Number(all.at(-1)[1]) : undefined;
  };
  return { passed: last(/^\s*(\d+) passing\b/gm), failed: last(/^\s*(\d+) failing\b/gm) };
}

/** Like run(), but throws a HarnessError naming the step when the command fails. */
export async function runOrThrow(step, command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new HarnessError(`${step} failed (exit code ${result.code}): ${command} ${args.join(' ')}`);
  return result;
}

/** `npx`-like: runs a binary from node_modules/.bin without npx's own start-up cost. */
export function bin(name) {
  return path.join(REPO, 'node_modules', '.bin', name);
}

// ---- ports --------------------------------------------------------------------------

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isServing(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port that was free a moment ago (the kernel picked it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function exists(file) {
  return existsSync(file);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
