// `npm run bench:lm`: Switchboard's models in VS Code chat, in a real extension host
// (code-server): a `vscode.lm` sendRequest through Switchboard's LanguageModelChatProvider
// against a raw undici streaming call with the same body to the same loopback Ollama fixture,
// interleaved: time to the first text and total, and their paired difference (the overhead of
// VS Code's RPC plus Switchboard's path). The host half is test/integration/bench/lmSuite.ts.
// Prints figures, asserts nothing.
//
//   SWITCHBOARD_BENCH_ITERATIONS=N  timed requests (default 200)
import path from 'node:path';
import { buildBenchSuite } from '../scripts/harness/buildTests.mjs';
import { HarnessError, REPO, installCleanupHandlers, log, runOrThrow } from '../scripts/harness/common.mjs';
import { runInExtensionHost } from '../scripts/harness/integration.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

const ms = (value) => `${value.toFixed(2)} ms`.padStart(10);

function row(label, s) {
  return `  ${label.padEnd(40)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}\n`;
}

async function main() {
  installCleanupHandlers();
  await ensureHarness();
  log('bench: production build');
  await runOrThrow('build', process.execPath, ['esbuild.mjs', '--production']);
  const testsPath = await buildBenchSuite(path.join(REPO, 'test', 'integration', 'bench', 'lmSuite.ts'));
  const { results } = await runInExtensionHost({ testsPath, label: 'bench-lm', echo: false, timeoutMs: 600_000 });
  if (!results?.chat) throw new HarnessError('the lm bench reported no figures');
  const out = [`\nVS Code chat through Switchboard (VS Code ${results.vscode}, ${results.node}; ${results.iterations} requests, interleaved with raw calls)\n`];
  out.push(`  ${''.padEnd(40)} ${'p50'.padStart(10)} ${'p95'.padStart(10)} ${'min'.padStart(10)} ${'max'.padStart(10)}\n`);
  for (const [label, key] of [['time to first text', 'first'], ['total', 'total']]) {
    out.push(`  ${label}\n`);
    out.push(row('  vscode.lm sendRequest via Switchboard', results.chat[key]));
    out.push(row('  raw undici POST /api/chat (streamed)', results.raw[key]));
    out.push(row('  overhead (Switchboard - raw, paired)', results.overhead[key]));
    out.push(row('  ChatService alone (no VS Code RPC)', results.service[key]));
    out.push(row('  its overhead (ChatService - raw)', results.serviceOverhead[key]));
  }
  out.push(`  chat records stored: ${results.chatRecords}\n`);
  process.stdout.write(out.join(''));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[harness] bench: ${error instanceof HarnessError ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
