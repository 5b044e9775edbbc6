// `npm run test:mutation`: mutation testing with StrykerJS (stryker.config.mjs) on the harness's
// Node 24, the Node the unit tests run on (node:sqlite). Not part of `npm test`: it takes tens of
// minutes. The HTML report is written to .test-artifacts/mutation/index.html; at the end this
// prints each mutated file's score against the goal (docs/mutation-testing.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NODE24, NODE24_DIR, REPO, run, runAsScript } from './harness/common.mjs';
import { ensureHarness } from './harness/install.mjs';

/** The score each mutated file must reach (docs/mutation-testing.md). */
const GOAL = 85;
const REPORT = path.join(REPO, '.test-artifacts', 'mutation', 'report.json');

/** Each file's score from Stryker's JSON report: killed and timed out over all that a test could see. */
function scores(report) {
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...statuses) => mutants.filter((mutant) => statuses.includes(mutant.status)).length;
    const detected = count('Killed', 'Timeout');
    const undetected = count('Survived', 'NoCoverage');
    const total = detected + undetected;
    return { file, detected, survived: count('Survived'), noCoverage: count('NoCoverage'), score: total ? (100 * detected) / total : 100 };
  });
}

async function main() {
  await ensureHarness();
  const stryker = path.join(REPO, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  // Node 24 first on PATH, so the test processes Stryker starts, and what they spawn, run on it.
  const env = { ...process.env, PATH: `${path.join(NODE24_DIR, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  const { code } = await run(NODE24, [stryker, 'run', ...process.argv.slice(2)], { env });
  if (code !== 0) return code;
  const rows = scores(JSON.parse(readFileSync(REPORT, 'utf8')));
  process.stdout.write(`\nMutation score per file (goal ${GOAL}%; report: ${path.relative(REPO, path.join(path.dirname(REPORT), 'index.html'))}):\n`);
  for (const row of rows.sort((a, b) => a.file.localeCompare(b.file))) {
    const mark = row.score >= GOAL ? 'ok   ' : 'BELOW';
    process.stdout.write(`  ${mark} ${row.score.toFixed(1).padStart(5)}%  ${row.file}  (${row.detected} killed, ${row.survived} survived, ${row.noCoverage} not covered)\n`);
  }
  return 0;
}

runAsScript(import.meta.url, 'mutation', main);
