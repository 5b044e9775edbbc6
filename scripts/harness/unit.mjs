// `npm run test:unit [files...]`: the unit tests (mocha in plain Node) on the harness's Node 24,
// the Node the harness's VS Code (code-server) runs the extension host on, rather than whatever
// Node this machine has: node:sqlite, worker_threads and undici behave by the Node they run on.
//
// With no arguments it runs every test/unit/**/*.unit.test.ts; with file arguments, only those
// (for example `npm run test:unit -- test/unit/routing.unit.test.ts`), which is how a test file
// is checked to pass alone. Other mocha options (--grep ...) pass through.
import path from 'node:path';
import { NODE24, NODE24_DIR, REPO, run, runAsScript } from './common.mjs';
import { ensureHarness } from './install.mjs';

export const UNIT_SPEC = 'test/unit/**/*.unit.test.ts';

async function main() {
  await ensureHarness();
  const args = process.argv.slice(2);
  const files = args.filter((arg) => !arg.startsWith('-') && /\.ts$/.test(arg));
  const mocha = path.join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');
  // Node 24 first on PATH, so anything a test spawns as `node` is the same Node.
  const env = { ...process.env, PATH: `${path.join(NODE24_DIR, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  const { code } = await run(NODE24, [mocha, ...(files.length ? [] : [UNIT_SPEC]), ...args], { env });
  return code;
}

runAsScript(import.meta.url, 'unit', main);
