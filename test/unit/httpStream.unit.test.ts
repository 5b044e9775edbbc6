import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { HttpClient, type StreamRequestOptions } from '../../src/core/http/httpClient';
import type { ApiProfile } from '../../src/core/http/httpErrors';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import { closeServer, listenOnLoopback } from '../fixtures/fixtureServer';
import { ManualTimers } from '../helpers/fakes';

const api: ApiProfile = { name: 'Fixture' };

/**
 * A loopback server whose handler writes the answer byte by byte as the test says. `closed`
 * resolves when a response loses its client before it ended: the proof that the client hung up.
 */
class ScriptedServer {
  private server: http.Server | undefined;
  url = '';
  handler: (res: http.ServerResponse) => void = (res) => res.end();
  private closedWaiters: (() => void)[] = [];
  requests = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      req.resume();
      res.on('close', () => {
        if (!res.writableFinished) for (const resolve of this.closedWaiters.splice(0)) resolve();
      });
      req.on('end', () => this.handler(res));
    });
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, 0)}/stream`;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  nextClientClose(): Promise<void> {
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }
}

/** Writes the pieces one after another, each once the last has been flushed and a moment has passed, then ends. */
function writeApart(res: http.ServerResponse, pieces: (string | Buffer)[], end = true): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const next = (index: number) => {
    if (index === pieces.length) {
      if (end) res.end();
      return;
    }
    res.write(pieces[index], () => setTimeout(() => next(index + 1), 2));
  };
  next(0);
}

describe('HttpClient.postStream', () => {
  const server = new ScriptedServer();
  let client: HttpClient;
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    client = new HttpClient({ proxy: () => ({ noProxy: [], strictSSL: true }), env: {} });
  });
  afterEach(() => client.dispose());

  const options = (more: Partial<StreamRequestOptions> = {}): StreamRequestOptions => ({
    api,
    headers: { authorization: `Bearer ${CANARY_KEY}` },
    timeoutMs: 5000,
    idleTimeoutMs: 5000,
    accept: 'text/event-stream',
    ...more,
  });

  async function chunksOf(stream: AsyncIterable<string>): Promise<string[]> {
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  }

  it('yields the answer as it arrives, with a UTF-8 character cut between two chunks decoded whole', async () => {
    const bytes = Buffer.from('data: Grüße 東京 🚀\n\n');
    // Cut after the first byte of ü, of 東 and of 🚀.
    const cuts = [bytes.indexOf(0xc3) + 1, bytes.indexOf(0xe6) + 1, bytes.indexOf(0xf0) + 1];
    server.handler = (res) => writeApart(res, [bytes.subarray(0, cuts[0]), bytes.subarray(cuts[0], cuts[1]), bytes.subarray(cuts[1], cuts[2]), bytes.subarray(cuts[2])]);

    const chunks = await chunksOf(client.postStream(server.url, { stream: true }, options()));

    assert.equal(chunks.join(''), 'data: Grüße 東京 🚀\n\n');
    assert.ok(chunks.every((chunk) => !chunk.includes('\uFFFD')), 'no replacement character');
  });

  it('blanks a key echoed in the stream in every chunk, also cut between two chunks, raw or JSON-escaped', async () => {
    const escaped = [...CANARY_KEY].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const text = `data: {"a":"key ${CANARY_KEY} and ${escaped} end"}\n\n`;
    const raw = text.indexOf(CANARY_KEY) + 9;
    const insideEscape = text.indexOf(escaped) + 40;
    server.handler = (res) => writeApart(res, [text.slice(0, raw), text.slice(raw, insideEscape), text.slice(insideEscape)]);

    const chunks = await chunksOf(client.postStream(server.url, {}, options()));

    assert.equal(chunks.join(''), 'data: {"a":"key **** and **** end"}\n\n');
    for (const chunk of chunks) assertNoCanary(chunk);
  });

  it('blanks the values of headers named as credentials, and leaves every other header value whole', async () => {
    const tenantToken = 'tenant-token-4f8a2c9e';
    const headers = { authorization: `Bearer ${CANARY_KEY}`, 'x-tenant-token': tenantToken, 'x-title': 'Switchboard tests', 'anthropic-version': '2023-06-01' };
    server.handler = (res) => writeApart(res, [`data: ${CANARY_KEY} ${tenantToken} `, 'Switchboard tests 2023-06-01\n\n']);

    const chunks = await chunksOf(client.postStream(server.url, {}, options({ headers })));

    assert.equal(chunks.join(''), 'data: **** **** Switchboard tests 2023-06-01\n\n');
  });

  it('lets text that only looks like the start of a key go on once the next chunk shows it is not one', async () => {
    server.handler = (res) => writeApart(res, ['data: sk-can', 'dle light\n\n']);

    const chunks = await chunksOf(client.postStream(server.url, {}, options()));

    assert.equal(chunks.join(''), 'data: sk-candle light\n\n');
    assert.ok(!chunks[0]?.includes('sk-can'), 'the possible start of the key waited for the next chunk');
  });

  it('maps a status error as postJson does, with the key the server echoed blanked', async () => {
    server.handler = (res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad key ${CANARY_KEY}` } }));
    };

    const streamed = await expectFailure(chunksOf(client.postStream(server.url, {}, options())), 'auth_failed');
    const whole = await expectFailure(client.postJson(server.url, {}, (await import('zod')).z.unknown(), options()), 'auth_failed');

    assert.equal(streamed.message, whole.message);
    assert.match(streamed.message, /Fixture said: "bad key \*\*\*\*"/);
  });

  it('gives up with timeout naming the request timeout when no byte comes, and with the idle timeout when the stream falls silent', async () => {
    server.handler = (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    const firstByte = await expectFailure(chunksOf(client.postStream(server.url, {}, options({ timeoutMs: 100 }))), 'timeout');
    assert.match(firstByte.message, /within 0\.1 s.*switchboard\.requestTimeoutSeconds/);

    // One chunk, then a silence that is real: the server never writes again.
    server.handler = (res) => writeApart(res, ['data: one\n\n'], false);
    const closed = server.nextClientClose();
    const chunks: string[] = [];
    const idle = await expectFailure(
      (async () => {
        for await (const chunk of client.postStream(server.url, {}, options({ idleTimeoutMs: 100 }))) chunks.push(chunk);
      })(),
      'timeout',
    );
    await closed;
    assert.deepEqual(chunks, ['data: one\n\n']);
    assert.match(idle.message, /nothing came for 0\.1 s.*switchboard\.streamIdleTimeoutSeconds/);
  });

  it('does not count the time the caller spends on a chunk as silence', async () => {
    const timers = new ManualTimers();
    const paced = new HttpClient({ proxy: () => ({ noProxy: [], strictSSL: true }), env: {}, timers });
    let writeTheRest = () => {};
    server.handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      writeTheRest = () => res.end('data: two\n\n');
    };
    const chunks: string[] = [];
    try {
      for await (const chunk of paced.postStream(server.url, {}, options({ idleTimeoutMs: 100 }))) {
        chunks.push(chunk);
        if (chunks.length > 1) continue;
        // The caller holds the first chunk as long as any timeout: a clock that ran meanwhile fires.
        timers.fire();
        writeTheRest();
      }
    } finally {
      await paced.dispose();
    }
    assert.deepEqual(chunks, ['data: one\n\n', 'data: two\n\n']);
  });

  it('is cancelled by the caller\'s signal mid-stream and destroys the connection at once', async () => {
    server.handler = (res) => writeApart(res, ['data: one\n\n'], false);
    const controller = new AbortController();
    const closed = server.nextClientClose();

    await expectFailure(
      (async () => {
        for await (const _chunk of client.postStream(server.url, {}, options({ signal: controller.signal }))) controller.abort();
      })(),
      'cancelled',
    );
    await closed;
  });

  it('does not send the request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = server.requests;

    await expectFailure(chunksOf(client.postStream(server.url, {}, options({ signal: controller.signal }))), 'cancelled');

    assert.equal(server.requests, before);
  });

  it('closes the connection when the caller stops reading early', async () => {
    server.handler = (res) => writeApart(res, ['data: one\n\n', 'data: two\n\n'], false);
    const closed = server.nextClientClose();

    for await (const chunk of client.postStream(server.url, {}, options())) {
      assert.equal(chunk, 'data: one\n\n');
      break;
    }
    await closed;
  });

  it('caps the whole answer, however it is chunked, and refuses a declared length above the cap', async () => {
    server.handler = (res) => writeApart(res, Array.from({ length: 40 }, () => `data: ${'x'.repeat(1000)}\n\n`), false);
    const closed = server.nextClientClose();
    const error = await expectFailure(chunksOf(client.postStream(server.url, {}, options({ maxResponseBytes: 16 * 1024 }))), 'bad_response');
    await closed;
    assert.match(error.message, /larger than 16 KiB/);

    server.handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': String(1024 * 1024) });
      res.write('data: a');
    };
    await expectFailure(chunksOf(client.postStream(server.url, {}, options({ maxResponseBytes: 16 * 1024 }))), 'bad_response');
  });

  it('says the connection broke when it is cut after the answer began', async () => {
    server.handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n', () => res.socket?.destroy());
    };

    const error = await expectFailure(chunksOf(client.postStream(server.url, {}, options())), 'endpoint_unreachable');

    assert.match(error.message, /broke before the answer was complete/);
  });
});
