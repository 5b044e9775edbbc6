// `npm run bench:lm`: Switchboard's models in VS Code chat, in a real extension host
// (code-server): a `vscode.lm` sendRequest through Switchboard's LanguageModelChatProvider
// against a raw undici streaming call with the same body to the same loopback Ollama fixture,
// interleaved: time to the first text and total, and their paired difference (the overhead of
// VS Code's RPC plus Switchboard's path). The host half is test/integration/bench/lmSuite.ts.
// Prints figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N  timed requests (default 200)
import { header, row, runHostBench } from './hostBench.mjs';

const WIDTH = 40;

runHostBench('lmSuite.ts', 'bench-lm', (results) => {
  const out = [`\nVS Code chat through Switchboard (VS Code ${results.vscode}, ${results.node}; ${results.iterations} requests, interleaved with raw calls)\n`];
  out.push(header(WIDTH));
  for (const [label, key] of [['time to first text', 'first'], ['total', 'total']]) {
    out.push(`  ${label}\n`);
    out.push(row('  vscode.lm sendRequest via Switchboard', results.chat[key], WIDTH));
    out.push(row('  raw undici POST /api/chat (streamed)', results.raw[key], WIDTH));
    out.push(row('  overhead (Switchboard - raw, paired)', results.overhead[key], WIDTH));
    out.push(row('  ChatService alone (no VS Code RPC)', results.service[key], WIDTH));
    out.push(row('  its overhead (ChatService - raw)', results.serviceOverhead[key], WIDTH));
  }
  out.push(`  chat records stored: ${results.chatRecords}\n`);
  return out.join('');
});
