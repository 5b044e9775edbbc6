// The repository's npm packages, installed with `npm ci` when node_modules is missing or does
// not match package-lock.json. `npm test` and `npm start` both begin here, so a fresh clone needs
// nothing but Node and npm before either command.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError, REPO, log, run } from './common.mjs';

/** Packages in package-lock.json that node_modules lacks or holds at another version. */
export function staleDependencies() {
  const hidden = path.join(REPO, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return ['node_modules is missing'];
  const wanted = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(hidden, 'utf8')).packages ?? {};
  const stale = [];
  for (const [key, entry] of Object.entries(wanted)) {
    if (!key || entry.link) continue;
    // Optional packages for other platforms (esbuild's, ...) are rightly absent.
    if (entry.optional && !have[key]) continue;
    if (have[key]?.version !== entry.version) stale.push(`${key.replace(/^node_modules\//, '')}@${entry.version}`);
  }
  return stale;
}

/**
 * Runs `npm ci` when node_modules does not match package-lock.json. Resolves with what it did,
 * in words; throws a HarnessError when npm ci fails.
 */
export async function ensureDependencies() {
  const stale = staleDependencies();
  if (!stale.length) return 'node_modules matches package-lock.json';
  log(`dependencies: running npm ci (${stale.length} missing or stale, e.g. ${stale.slice(0, 3).join(', ')})`);
  const result = await run('npm', ['ci'], { capture: true });
  if (result.code !== 0) throw new HarnessError(`npm ci failed (exit ${result.code})`);
  return 'npm ci';
}
