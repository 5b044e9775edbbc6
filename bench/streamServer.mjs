// The loopback model server of `bench:streaming`, in a process of its own (forked by the bench),
// so the server's work is not counted in either the SDKs' or Switchboard's time. It speaks
// Ollama's /api/chat (NDJSON) and OpenAI's /v1/chat/completions (SSE); per request model:
//
//   `first-after-delay`: nothing for 20 ms, then 20 one-word chunks;
//   `fast`: 10,000 one-word chunks at once;
//   `short`: 20 one-word chunks at once.
//
// It tells the bench its URL and those figures in one IPC message, and ends when the bench disconnects.
import { createServer } from 'node:http';

const FAST_CHUNKS = 10_000;
const DELAY_MS = 20;

/** The chunks a request gets: its delay, and its words. */
function plan(model) {
  if (model === 'fast') return { delayMs: 0, words: FAST_CHUNKS };
  return { delayMs: model === 'first-after-delay' ? DELAY_MS : 0, words: 20 };
}

function answer(req, res) {
  let text = '';
  req.on('data', (chunk) => (text += chunk.toString()));
  req.on('end', () => {
    const body = JSON.parse(text);
    const { delayMs, words } = plan(body.model);
    const openai = req.url === '/v1/chat/completions';
    res.writeHead(200, { 'content-type': openai ? 'text/event-stream' : 'application/x-ndjson' });
    const frames = [];
    for (let i = 0; i < words; i++) {
      frames.push(
        openai
          ? `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`
          : `${JSON.stringify({ model: body.model, created_at: '2026-12-06T00:00:00Z', message: { role: 'assistant', content: `w${i} ` }, done: false })}\n`,
      );
    }
    const end = openai
      ? `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: 5, completion_tokens: words, total_tokens: words + 5 } })}\n\ndata: [DONE]\n\n`
      : `${JSON.stringify({ model: body.model, created_at: '2026-12-06T00:00:00Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 5, eval_count: words })}\n`;
    setTimeout(() => {
      // One write per chunk, as a model server flushes each token.
      for (const frame of frames) res.write(frame);
      res.end(end);
    }, delayMs);
  });
}

if (process.send) {
  const server = createServer(answer);
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}`, fastChunks: FAST_CHUNKS, delayMs: DELAY_MS }));
  process.on('disconnect', () => server.close(() => process.exit(0)));
}
