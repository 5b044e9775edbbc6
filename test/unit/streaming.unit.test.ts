import * as assert from 'node:assert/strict';
import type { ChatResult, ChatStreamPart } from '../../src/contracts/models';
import { SwitchboardError } from '../../src/core/base/errors';
import { HttpClient } from '../../src/core/http/httpClient';
import type { CallContext, ConnectionTarget, ProviderAdapter } from '../../src/core/providers/adapter';
import { collectBatches, collectChat, eachPart, ndjsonEvents, sseEvents, streamChatBatches, streamedInBatches, type StreamEvent } from '../../src/core/providers/streaming';
import { blankSecrets, StreamBlanker } from '../../src/core/base/secrets';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';

/** The parts of streamChatBatches one by one, as the tests read them. */
const streamChat = (...args: Parameters<typeof streamChatBatches>) => eachPart(streamChatBatches(...args));

async function* chunks(...pieces: string[]): AsyncGenerator<string> {
  yield* pieces;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('stream readers', () => {
  it('SSE: keeps an event cut anywhere, even between data: and its value, for the next chunk; takes CRLF; skips comments', async () => {
    const events = (await all(sseEvents(chunks('event: message_start\r\nda', 'ta:', ' {"a":1}\r\n', '\r\n: keep-alive\n\ndata: [DO', 'NE]\n\n')))).flat();

    assert.deepEqual(events, [{ event: 'message_start', data: '{"a":1}' }, { data: '[DONE]' }]);
  });

  it('SSE: drops an event the stream never finished (no blank line before the end)', async () => {
    const events = (await all(sseEvents(chunks('data: one\n\n', 'data: cut')))).flat();

    assert.deepEqual(events, [{ data: 'one' }]);
  });

  it('NDJSON: the lines one chunk completes come as one batch; a line cut in many pieces is joined as sent; CRLF endings and blank or spaced lines skipped', async () => {
    const batches = await all(ndjsonEvents(chunks('{"a":', '"x', 'y"', '}\r\n  \r\n{"b":2}\n{"c":3}\n', '{"d":4}')));

    assert.deepEqual(batches, [[{ data: '{"a":"xy"}' }, { data: '{"b":2}' }, { data: '{"c":3}' }], [{ data: '{"d":4}' }]]);
  });

  it('NDJSON: one event per line, a line cut between chunks kept whole, blank lines skipped, a last line without newline kept', async () => {
    const events = (await all(ndjsonEvents(chunks('{"a":', '1}\n\n{"b":2}\n{"c"', ':3}')))).flat();

    assert.deepEqual(
      events.map((event: StreamEvent) => JSON.parse(event.data)),
      [{ a: 1 }, { b: 2 }, { c: 3 }],
    );
  });
});

describe('StreamBlanker', () => {
  const escaped = [...CANARY_KEY].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const texts = [`say ${CANARY_KEY} twice ${CANARY_KEY}!`, `json "${escaped}" and ${CANARY_KEY.replace('-', '\\u002D')}`, `s${CANARY_KEY}sk-canary`];

  it('gives the same text as blanking the whole, wherever the text is cut in three', () => {
    for (const text of texts) {
      for (let i = 0; i <= text.length; i++) {
        for (let j = i; j <= text.length; j += 3) {
          const blanker = new StreamBlanker([CANARY_KEY]);
          const pieces = [blanker.push(text.slice(0, i)), blanker.push(text.slice(i, j)), blanker.push(text.slice(j)), blanker.end()];
          assert.equal(pieces.join(''), blankSecrets(text, [CANARY_KEY]), `cut at ${i} and ${j}`);
          for (const piece of pieces) assertNoCanary(piece);
        }
      }
    }
  });

  it('holds back only an end that could start the key', () => {
    const blanker = new StreamBlanker([CANARY_KEY]);

    assert.equal(blanker.push('plain text. '), 'plain text. ');
    assert.equal(blanker.push('it ends in sk-ca'), 'it ends in ');
    assert.equal(blanker.push('t'), 'sk-cat');
    assert.equal(blanker.end(), '');
  });

  it('passes text through untouched without a secret long enough to blank', () => {
    const blanker = new StreamBlanker([undefined, 'short']);

    assert.equal(blanker.push('short s'), 'short s');
  });
});

describe('streamChat', () => {
  const http = new HttpClient({ proxy: () => ({ noProxy: [], strictSSL: true }), env: {} });
  after(() => http.dispose());
  const context: CallContext = { http, timeoutMs: 1000 };
  const target: ConnectionTarget = { baseUrl: 'http://127.0.0.1:1', options: {}, apiKey: CANARY_KEY };
  const request = { modelRef: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
  const testConnection = async () => 'ok';

  function streaming(parts: unknown[], failure?: Error): ProviderAdapter {
    return {
      testConnection,
      async *chatStream() {
        yield* parts as ChatStreamPart[];
        if (failure) throw failure;
      },
    };
  }

  it('gives the answer of an adapter without chatStream as parts: text, tool calls, usage, finish', async () => {
    const result: ChatResult = {
      content: 'hello',
      modelRef: 'm-1',
      usage: { inputTokens: 1, outputTokens: 2 },
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'c1', name: 'look', arguments: { q: 1 } }],
    };
    const adapter: ProviderAdapter = { testConnection, chat: async () => result };

    const parts = await all(streamChat(adapter, target, request, context));

    assert.deepEqual(parts, [
      { type: 'text', text: 'hello' },
      { type: 'tool_call', call: { id: 'c1', name: 'look', arguments: { q: 1 } } },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } },
      { type: 'finish', modelRef: 'm-1', finishReason: 'tool_calls' },
    ]);
    assert.deepEqual(await collectChat(streamChat(adapter, target, request, context)), result);
  });

  it('refuses an adapter with neither chat nor chatStream with invalid_input', async () => {
    await expectFailure(all(streamChat({ testConnection }, target, request, context)), 'invalid_input');
  });

  it('blanks the key a contributed adapter gives out, cut across text parts or inside a tool call', async () => {
    const adapter = streaming([
      { type: 'text', text: `key: ${CANARY_KEY.slice(0, 6)}` },
      { type: 'text', text: `${CANARY_KEY.slice(6)}.` },
      { type: 'tool_call', call: { id: 'c1', name: 'look', arguments: { key: CANARY_KEY } } },
      { type: 'finish', modelRef: 'm' },
    ]);

    const parts = await all(streamChat(adapter, target, request, context));

    assert.equal(
      parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''),
      'key: ****.',
    );
    assert.deepEqual(parts.find((part) => part.type === 'tool_call'), { type: 'tool_call', call: { id: 'c1', name: 'look', arguments: { key: '****' } } });
    assertNoCanary(parts);
  });

  it('holds the start of a key a contributed adapter cuts around a tool call or usage until it is known, giving those parts out at once', async () => {
    const [first, second] = [CANARY_KEY.slice(0, 10), CANARY_KEY.slice(10)];
    const call = { id: 'c1', name: 'look', arguments: { q: 'weather' } };
    const usage = { inputTokens: 3, outputTokens: 4 };
    for (const between of [{ type: 'tool_call', call }, { type: 'usage', usage }]) {
      const adapter = streaming([{ type: 'text', text: `key: ${first}` }, between, { type: 'text', text: `${second} end` }, { type: 'finish', modelRef: 'm' }]);

      const parts = await all(streamChat(adapter, target, request, context));

      assert.deepEqual(parts, [{ type: 'text', text: 'key: ' }, between, { type: 'text', text: '**** end' }, { type: 'finish', modelRef: 'm' }]);
    }
  });

  it('gives out text held at a tool call once the next text shows it is not a key, and what is still held before finish', async () => {
    const call = { id: 'c1', name: 'look', arguments: {} };
    const adapter = streaming([{ type: 'text', text: 'see sk-ca' }, { type: 'tool_call', call }, { type: 'text', text: 'ts and sk-' }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } }, { type: 'finish', modelRef: 'm' }]);

    const parts = await all(streamChat(adapter, target, request, context));

    assert.deepEqual(parts, [
      { type: 'text', text: 'see ' },
      { type: 'tool_call', call },
      { type: 'text', text: 'sk-cats and ' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
      { type: 'text', text: 'sk-' },
      { type: 'finish', modelRef: 'm' },
    ]);
  });

  it('never puts a key cut around other parts into partialOutput when the adapter fails after it', async () => {
    const adapter = streaming([{ type: 'text', text: `key: ${CANARY_KEY.slice(0, 10)}` }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } }, { type: 'text', text: `${CANARY_KEY.slice(10)} end` }], new SwitchboardError('timeout', 'stopped'));

    const error = await expectFailure(all(streamChat(adapter, target, request, context)), 'timeout');

    assert.equal(error.partialOutput, 'key: **** end');
  });

  it('refuses a part that is not in the contract, more after finish, and a stream without finish, with bad_response', async () => {
    await expectFailure(all(streamChat(streaming([{ type: 'text', text: 3 }]), target, request, context)), 'bad_response');
    await expectFailure(all(streamChat(streaming([{ type: 'finish', modelRef: 'm' }, { type: 'text', text: 'late' }]), target, request, context)), 'bad_response');
    const error = await expectFailure(all(streamChat(streaming([{ type: 'text', text: 'so far' }]), target, request, context)), 'bad_response');
    assert.equal(error.partialOutput, 'so far');
  });

  it('gives a failure the text given out so far as partialOutput, blanked, and never a key in the message', async () => {
    const adapter = streaming([{ type: 'text', text: `one ${CANARY_KEY} two` }], new SwitchboardError('timeout', `stopped; key ${CANARY_KEY}`, { partialOutput: `raw ${CANARY_KEY}` }));

    const error = await expectFailure(all(streamChat(adapter, target, request, context)), 'timeout');

    assert.equal(error.partialOutput, 'one **** two');
    assert.equal(error.message, 'stopped; key ****');
  });

  it('gives an error of another kind after some text the code internal, and the text so far', async () => {
    const error = await expectFailure(all(streamChat(streaming([{ type: 'text', text: 'so far' }], new TypeError('boom')), target, request, context)), 'internal');

    assert.equal(error.partialOutput, 'so far');
  });

  /** A core-style adapter that gives its answer in the batches given (its `chatStream` part by part). */
  function batched(batches: unknown[], failure?: Error): ProviderAdapter {
    return {
      testConnection,
      ...streamedInBatches(async function* () {
        yield* batches as ChatStreamPart[][];
        if (failure) throw failure;
      }),
    };
  }

  it("passes an adapter's batch on as one: its text parts in a row as one part, a key cut across them or around a tool call blanked", async () => {
    const call = { id: 'c1', name: 'look', arguments: { key: CANARY_KEY } };
    const adapter = batched([
      [{ type: 'text', text: 'key: ' }, { type: 'text', text: CANARY_KEY.slice(0, 6) }, { type: 'text', text: `${CANARY_KEY.slice(6)}. ${CANARY_KEY.slice(0, 10)}` }, { type: 'tool_call', call }],
      [{ type: 'text', text: `${CANARY_KEY.slice(10)} end` }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } }, { type: 'finish', modelRef: 'm' }],
    ]);

    const batches = await all(streamChatBatches(adapter, target, request, context));

    assert.deepEqual(batches, [
      [{ type: 'text', text: 'key: ****. ' }, { type: 'tool_call', call: { ...call, arguments: { key: '****' } } }],
      [{ type: 'text', text: '**** end' }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } }, { type: 'finish', modelRef: 'm' }],
    ]);
    // The adapter's own chatStream gives the same parts one by one, as they are.
    assert.equal((await all(adapter.chatStream!(target, request, context))).length, 7);
  });

  it('gives out no empty text for a batch whose text is all held as a possible start of the key', async () => {
    const usage = { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } } as const;
    const adapter = batched([[{ type: 'text', text: 'a ' }, { type: 'text', text: CANARY_KEY.slice(0, 4) }, usage], [{ type: 'text', text: CANARY_KEY.slice(4, 8) }, usage], [{ type: 'finish', modelRef: 'm' }]]);

    const batches = await all(streamChatBatches(adapter, target, request, context));

    assert.deepEqual(batches, [[{ type: 'text', text: 'a ' }, usage], [usage], [{ type: 'text', text: CANARY_KEY.slice(0, 8) }, { type: 'finish', modelRef: 'm' }]]);
  });

  it('gives out the parts of a batch before a bad part, and their text as partialOutput', async () => {
    const seen: ChatStreamPart[] = [];
    const parts = streamChatBatches(batched([[{ type: 'text', text: 'so ' }, { type: 'text', text: 'far' }, { type: 'text', text: 3 }]]), target, request, context);

    const error = await expectFailure(collectBatches(parts, (part) => seen.push(part)), 'bad_response');

    assert.deepEqual(seen, [{ type: 'text', text: 'so far' }]);
    assert.equal(error.partialOutput, 'so far');
  });

  it('refuses a batch that is not a list, and a part after finish in the same batch, with bad_response', async () => {
    const notAList = await expectFailure(all(streamChatBatches(batched([{ type: 'text', text: 'x' }]), target, request, context)), 'bad_response');
    assert.match(notAList.message, /not a list of parts/);
    const error = await expectFailure(all(streamChatBatches(batched([[{ type: 'text', text: 'done' }, { type: 'finish', modelRef: 'm' }, { type: 'text', text: 'late' }]]), target, request, context)), 'bad_response');
    assert.match(error.message, /after saying it was finished/);
  });

  it('collectBatches hands each part to onPart in order and gives the whole answer', async () => {
    const seen: string[] = [];
    const result = await collectBatches(
      chunksOfParts([
        [{ type: 'text', text: 'a' }, { type: 'reasoning', text: 'r' }],
        [{ type: 'text', text: 'b' }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } }, { type: 'finish', modelRef: 'm', finishReason: 'stop' }],
      ]),
      (part) => seen.push(part.type),
    );

    assert.deepEqual(seen, ['text', 'reasoning', 'text', 'usage', 'finish']);
    assert.deepEqual(result, { content: 'ab', reasoning: 'r', modelRef: 'm', usage: { inputTokens: 1, outputTokens: 2 }, finishReason: 'stop' });
  });

  it('collectChat refuses a stream that never says it finished', async () => {
    await expectFailure(collectChat(chunksOfParts([{ type: 'text', text: 'x' }])), 'bad_response');
  });
});

async function* chunksOfParts<T>(parts: T[]): AsyncGenerator<T> {
  yield* parts;
}
