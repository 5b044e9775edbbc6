// `npm run bench:lm`: Switchboard's models in VS Code chat, in a real extension host
// (code-server): a `vscode.lm` sendRequest through Switchboard's LanguageModelChatProvider
// against a raw undici streaming call with the same body to the same loopback Ollama fixture,
// interleaved: time to the first text and total, and their paired difference (the overhead of
// VS Code's RPC plus Switchboard's path); then provideTokenCount for 10 KB of text (OpenAI's
// tokenizer and the estimate) and the cost of a 1 MB image (its encoding, and a whole request
// with it). The host half is test/integration/bench/lmSuite.ts.
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
  const { tokens, image } = results;
  out.push(`\nprovideTokenCount for ${tokens.chars} characters (${tokens.count} tokens to o200k_base)\n`);
  out.push(`  first count of an OpenAI model, loading dist/tokenizer.js: ${tokens.coldMs.toFixed(1)} ms\n`);
  out.push(header(WIDTH));
  out.push(row('  OpenAI model, TokenCounter, new text', tokens.direct, WIDTH));
  out.push(row('  OpenAI model, TokenCounter, same text', tokens.repeated, WIDTH));
  out.push(row('  OpenAI model, vscode.lm, new text', tokens.viaLm, WIDTH));
  out.push(row('  Ollama model (estimate), vscode.lm', tokens.estimated, WIDTH));
  out.push(`\nA ${(image.bytes / 1024 / 1024).toFixed(0)} MB image\n`);
  out.push(header(WIDTH));
  out.push(row('  encoding (imagePartOf, base64)', image.encode, WIDTH));
  out.push(row('  sendRequest to llava with the image', image.withImage, WIDTH));
  out.push(row('  sendRequest to llava, text alone', image.withoutImage, WIDTH));
  return out.join('');
});
