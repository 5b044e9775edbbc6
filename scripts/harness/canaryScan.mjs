// The last step of `npm test`: the canary key must appear nowhere the runs left on disk.
//
//   node scripts/harness/canaryScan.mjs   scans dist/ and every run under .test-artifacts/
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, REPO, log } from './common.mjs';

export function canaryKey() {
  // The suites' canary lives in test/fixtures/canary.ts; fall back to its known value.
  try {
    const source = readFileSync(path.join(REPO, 'test', 'fixtures', 'canary.ts'), 'utf8');
    return /CANARY_KEY\s*=\s*'([^']+)'/.exec(source)?.[1] ?? 'sk-canary-7f3a9c1e5b';
  } catch {
    return 'sk-canary-7f3a9c1e5b';
  }
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * Looks for the canary key in everything this run left on disk: code-server's and the
 * extension host's logs (the output channel among them), results, console captures,
 * screenshots, and the shipped bundles in dist/. The tests' own sources and bundles (out/)
 * are not scanned: they hold the canary on purpose.
 */
export function canaryScan({ since = 0 } = {}) {
  const key = canaryKey();
  const pattern = /sk-canary-[A-Za-z0-9]+/;
  const roots = [path.join(REPO, 'dist')];
  if (existsSync(ARTIFACTS)) {
    for (const kind of readdirSync(ARTIFACTS)) {
      const kindDir = path.join(ARTIFACTS, kind);
      if (!statSync(kindDir).isDirectory()) continue;
      for (const runName of readdirSync(kindDir)) {
        const runDir = path.join(kindDir, runName);
        if (statSync(runDir).isDirectory() && statSync(runDir).mtimeMs >= since - 1000) roots.push(runDir);
      }
    }
  }
  let files = 0;
  const hits = [];
  for (const root of roots.filter(existsSync)) {
    for (const file of walk(root)) {
      const stat = statSync(file);
      if (stat.size > 256 * 1024 * 1024) continue;
      files++;
      const text = readFileSync(file).toString('latin1');
      if (text.includes(key) || pattern.test(text)) hits.push(path.relative(REPO, file));
    }
  }
  log(`canary scan: ${files} files in dist/ and ${roots.length - 1} run folder(s) under ${path.relative(REPO, ARTIFACTS)}/`);
  if (hits.length) {
    for (const hit of hits) log(`canary FOUND in ${hit}`);
    return false;
  }
  log('canary scan: the key appears nowhere');
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(canaryScan() ? 0 : 1);
}
