// `npm run bench:host`: the run path in a real extension host (code-server), not a stand-in:
// a run through Switchboard (SQLite run store and audit log, consent check, the worker hop)
// against a raw undici call with the same body to the same loopback Ollama fixture,
// interleaved, with an empty registry and with 2,000 registered models. The host half is
// test/integration/bench/routingSuite.ts. Prints figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N  timed runs per registry size (default 200)
import { header, row, runHostBench } from './hostBench.mjs';

const WIDTH = 34;

runHostBench('routingSuite.ts', 'bench-routing', (results) => {
  const out = [`\nThe run path in the extension host (code-server 4.139.1, ${results.node}; ${results.iterations} runs per size, interleaved with raw calls)\n`];
  out.push(header(WIDTH));
  for (const [label, figures] of [['empty registry', results.empty], [`${results.registered} registered models`, results.full]]) {
    out.push(`  ${label}\n`);
    out.push(row('  run through Switchboard', figures.run, WIDTH));
    out.push(row('  raw undici POST /api/chat', figures.raw, WIDTH));
    out.push(row('  overhead (run - raw, paired)', figures.overhead, WIDTH));
  }
  out.push(`  discover and register ${results.registered} models: ${results.discoverAndRegisterMs.toFixed(0)} ms\n`);
  out.push(`  RSS growth over the bench (${2 * results.iterations + 60} runs stored, ${results.registered} models): ${results.rssGrowthMiB.toFixed(1)} MiB\n`);
  out.push(`  globalState keys afterwards: ${results.globalStateKeys.join(', ')}\n`);
  return out.join('');
});
