// `npm run bench:host`: the run path in a real extension host (code-server), not a stand-in:
// a run through Switchboard (SQLite run store and audit log, consent check, the worker hop)
// against a raw undici call with the same body to the same loopback Ollama fixture,
// interleaved: with empty stores and with 2,000 registered models and 10,000 stored runs, each
// with Switchboard's views closed and with its side bar and editor open (and what the host
// posted to them per run). The host half is test/integration/bench/routingSuite.ts. Prints
// figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N    timed runs per case (default 200)
//   SWITCHBOARD_BENCH_STORED_RUNS=N   runs stored for the full case (default 10000)
import { header, row, runHostBench } from './hostBench.mjs';

const WIDTH = 34;

runHostBench('routingSuite.ts', 'bench-routing', (results) => {
  const out = [`\nThe run path in the extension host (code-server 4.139.1, ${results.node}; ${results.iterations} runs per size, interleaved with raw calls)\n`];
  out.push(header(WIDTH));
  const full = `${results.registered} models, ${results.storedRuns} runs`;
  for (const [label, figures] of [
    ['empty stores, views closed', results.empty],
    ['empty stores, views open', results.emptyOpen],
    [`${full}, views closed`, results.full],
    [`${full}, views open`, results.fullOpen],
  ]) {
    out.push(`  ${label}\n`);
    out.push(row('  run through Switchboard', figures.run, WIDTH));
    out.push(row('  raw undici POST /api/chat', figures.raw, WIDTH));
    out.push(row('  overhead (run - raw, paired)', figures.overhead, WIDTH));
    const kinds = Object.entries(figures.views.kinds).map(([kind, count]) => `${kind} ×${count}`).join(', ');
    out.push(`    posted to the views per run: ${figures.views.messages.toFixed(1)} messages, ${figures.views.kib.toFixed(1)} KiB${kinds ? ` (in all: ${kinds})` : ''}\n`);
  }
  out.push(`  discover and register ${results.registered} models, the views open: ${results.discoverAndRegisterMs.toFixed(0)} ms\n`);
  out.push(`  RSS growth over the bench (${results.storedRuns} runs stored, ${results.registered} models): ${results.rssGrowthMiB.toFixed(1)} MiB\n`);
  out.push(`  globalState keys afterwards: ${results.globalStateKeys.join(', ')}\n`);
  return out.join('');
});
