import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { canonical, CHAIN_START, ChainWalk, checkEnds, GENESIS_HASH, Hmac, plainHash, quickLink, startLink, storedText } from '../../src/core/audit/auditChain';
import { storedRowsOf } from '../fixtures/storedRows';

// The chain walk on rows made here, signed with a key of the test's own: what `append` writes,
// and rows it never writes (edited, reformatted, forged with the key), each judged as `check` does.

const KEY_ID = '0123456789abcdef';
const KEY = randomBytes(32);
const hmac = new Hmac(KEY);
const keyOf = (id: string) => (id === KEY_ID ? hmac : undefined);

type Fields = Record<string, unknown>;

/** An entry's fields as append makes them, linked after `seq`/`prevHash`. */
function fields(seq: number, prevHash: string, extra: Fields = {}): Fields {
  return { kind: 'model_call', time: '2026-12-07T08:00:00.000Z', runId: `run-${seq}`, outcome: 'ok', seq, prevHash, chainKey: KEY_ID, ...extra };
}

/** The row append stores: the canonical text with its keyed hash added at the end. */
function signed(entry: Fields): { row: string; hash: string } {
  const text = canonical(entry);
  const hash = hmac.hex(text);
  return { row: storedText(text, hash), hash };
}

/** A row as stored with its text changed by `edit`, then signed with the key over that very text: what only someone holding the key could write. */
function resigned(row: string, edit: (text: string) => string): string {
  const text = edit(`${row.slice(0, row.lastIndexOf(',"hash":"'))}}`);
  return storedText(text, hmac.hex(text));
}

/** A latency whole and with a fraction, as JSON.stringify writes them. */
const LATENCIES = [12, 3.25, 0.5];

/** `count` rows linked from the start, as append writes them. */
function chain(count: number): Array<{ row: string; hash: string }> {
  const rows: Array<{ row: string; hash: string }> = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const made = signed(fields(seq, prevHash, { latencyMs: LATENCIES[seq % LATENCIES.length] }));
    rows.push(made);
    prevHash = made.hash;
  }
  return rows;
}

/** The quick read of `row` as verify reads it: its bytes, after the bytes of another row. */
function quick(row: string, seq: number, prevHash: string) {
  const bytes = Buffer.from(`{"seq":0}${row}`);
  return quickLink(bytes, 9, bytes.length, seq, prevHash, keyOf);
}

/** The walk over `rows` from the start to its end, given the test's key when it asks for it and no other. */
function walk(rows: readonly string[], mirroredSeq?: number): ChainWalk {
  const chainWalk = new ChainWalk([storedRowsOf(rows)], CHAIN_START, mirroredSeq);
  chainWalk.giveKey(KEY_ID, KEY);
  for (let need = chainWalk.walk(); need; need = chainWalk.walk()) chainWalk.giveKey(need.needKey, need.needKey === KEY_ID ? KEY : undefined);
  return chainWalk;
}

describe('the audit chain walk', () => {
  it('reads every row append writes without parsing it: seq 1 to 25 (every digit), whole and fractional numbers, each linked, hashed and mirrored', () => {
    const rows = chain(25);
    let prevHash = GENESIS_HASH;
    for (const [index, { row, hash }] of rows.entries()) {
      assert.deepEqual(quick(row, index, prevHash), { seq: index + 1, hash }, `row ${index + 1}`);
      prevHash = hash;
    }
    const done = walk(rows.map((r) => r.row), 19);
    assert.deepEqual([done.parsedRows, done.broken, done.link, done.mirroredHash], [0, undefined, { seq: 25, hash: rows[24]!.hash, keyed: true }, rows[18]!.hash]);
  });

  it('walks rows read in several chunks as one log: slices across their ends, an empty chunk, and a break counted from the first row', () => {
    const rows = chain(25).map((made) => made.row);
    const chunked = (texts: string[]) => [storedRowsOf(texts.slice(0, 3)), storedRowsOf([]), storedRowsOf(texts.slice(3, 13)), storedRowsOf(texts.slice(13))];
    const whole = walk(rows, 19);
    const inChunks = new ChainWalk(chunked(rows), CHAIN_START, 19);
    // Slices of 4 rows, so some end inside a chunk and some at its end; the key is asked for in the first.
    for (let end = 4; !inChunks.done; end += 4) {
      for (let need = inChunks.walk(end); need; need = inChunks.walk(end)) inChunks.giveKey(need.needKey, KEY);
      assert.equal(inChunks.index, Math.min(end, 25), `after the slice up to ${end}`);
    }
    // Only the first row is read the long way: to find the key it needs.
    assert.deepEqual([inChunks.rowCount, inChunks.parsedRows, inChunks.broken, inChunks.link, inChunks.mirroredHash], [25, 1, undefined, whole.link, whole.mirroredHash]);
    // Row 17 (index 16, in the last chunk) edited: broken there, counted over all the chunks.
    const edited = rows.map((row, i) => (i === 16 ? row.replace('"outcome":"ok"', '"outcome":"no"') : row));
    const broken = new ChainWalk(chunked(edited), CHAIN_START, undefined);
    broken.giveKey(KEY_ID, KEY);
    broken.walk();
    assert.deepEqual([broken.broken?.index, broken.link.seq, broken.done], [16, 16, true]);
  });

  it('judges the long way, in the words of the full check, every row the quick read must not vouch for', () => {
    const first = signed(fields(1, GENESIS_HASH));
    // Each case: a second row after `first`, and what the walk says of it.
    const cases: Array<[string, string, string | undefined]> = [
      ['a sequence number skipped (signed with the key)', signed(fields(3, first.hash)).row, 'its sequence number is 3, expected 2'],
      ['the same sequence number again (signed with the key)', signed(fields(1, first.hash)).row, 'its sequence number is 1, expected 2'],
      ['a link to another entry (signed with the key)', signed(fields(2, 'f'.repeat(64))).row, 'it does not point to the entry before it (an entry was removed, added or reordered)'],
      ['no kind (signed with the key)', signed(fields(2, first.hash, { kind: undefined })).row, 'the entry is not a valid audit entry'],
      ['no time (signed with the key)', signed(fields(2, first.hash, { time: undefined })).row, 'the entry is not a valid audit entry'],
      ['an edited field', signed(fields(2, first.hash)).row.replace('"outcome":"ok"', '"outcome":"no"'), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['another hash in the tail', signed(fields(2, first.hash)).row.replace(/"hash":"[0-9a-f]{4}/, '"hash":"0000'), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['a key SecretStorage does not have', signed(fields(2, first.hash, { chainKey: 'fedcba9876543210' })).row, 'its hash was made with an audit key that SecretStorage does not have (the key was removed, or the entry was forged)'],
      ['a sequence number with a leading zero', signed(fields(2, first.hash)).row.replace('"seq":2', '"seq":02'), 'the entry is not a valid audit entry'],
      // Rows append does not write, that still verify: only the long way may say so.
      ['a field holding an object', signed(fields(2, first.hash, { facts: { status: 429 } })).row, undefined],
      ['a field holding a list', signed(fields(2, first.hash, { tried: ['a', 'b'] })).row, undefined],
      ['a brace in a text', signed(fields(2, first.hash, { outcome: 'odd {text}' })).row, undefined],
      ['an escape in the link', signed(fields(2, first.hash)).row.replace(`"prevHash":"${first.hash.slice(0, 1)}`, `"prevHash":"\\u00${first.hash.charCodeAt(0).toString(16)}`), undefined],
      ['an escape in the key id', signed(fields(2, first.hash)).row.replace('"chainKey":"0', '"chainKey":"\\u0030'), undefined],
      ['a sequence number written 2.0', signed(fields(2, first.hash)).row.replace('"seq":2,', '"seq":2.0,'), undefined],
      ['a sequence number written 2e0', signed(fields(2, first.hash)).row.replace('"seq":2,', '"seq":2e0,'), undefined],
      ['spaces around the hash', signed(fields(2, first.hash)).row.replace(',"hash":"', ', "hash": "'), undefined],
      ['a space before the last brace', signed(fields(2, first.hash)).row.replace(/"}$/, '" }'), undefined],
      ['the fields in another order', JSON.stringify({ hash: signed(fields(2, first.hash)).hash, ...fields(2, first.hash) }), undefined],
      ['the row reformatted by another tool', JSON.stringify(JSON.parse(signed(fields(2, first.hash)).row), null, 1), undefined],
    ];
    for (const [name, row, reason] of cases) {
      assert.equal(quick(row, 1, first.hash), undefined, `${name}: the quick read vouches for none of these`);
      const done = walk([first.row, row]);
      // Read the long way: once, or twice for a key the walk first had to ask for.
      assert.deepEqual([done.broken?.reason, done.parsedRows >= 1 && done.parsedRows <= 2], [reason, true], name);
    }
  });

  it('vouches for no text but the one append writes, even signed with the key over that very text', () => {
    const first = signed(fields(1, GENESIS_HASH));
    const second = signed(fields(2, first.hash)).row;
    const cases: Array<[string, (text: string) => string, string]> = [
      ['a sequence number written 2.0', (text) => text.replace('"seq":2,', '"seq":2.0,'), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['a sequence number written 2e0', (text) => text.replace('"seq":2,', '"seq":2e0,'), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['a sequence number with a leading zero', (text) => text.replace('"seq":2,', '"seq":02,'), 'the entry is not a valid audit entry'],
      ['an escape in the link', (text) => text.replace(`"prevHash":"${first.hash.slice(0, 1)}`, `"prevHash":"\\u00${first.hash.charCodeAt(0).toString(16)}`), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['the last text left open before the hash', (text) => text.replace(/"}$/, '}'), 'the entry is not a valid audit entry'],
      ['a chain field named twice', (text) => text.replace('"seq":2,', '"seq":2,"seq":2,'), 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)'],
      ['a kind that is not a text', (text) => text.replace('"kind":"model_call"', '"kind":1'), 'the entry is not a valid audit entry'],
      ['a closing brace after a number', (text) => text.replace('"seq":2,', '"seq":2},'), 'the entry is not a valid audit entry'],
      ['a closing brace after a text', (text) => text.replace('"outcome":"ok",', '"outcome":"ok"},'), 'the entry is not a valid audit entry'],
    ];
    for (const [name, edit, reason] of cases) {
      const row = resigned(second, edit);
      assert.equal(quick(row, 1, first.hash), undefined, name);
      assert.equal(walk([first.row, row]).broken?.reason, reason, name);
    }
    // The same text signed as it is, unchanged: vouched for.
    assert.deepEqual(quick(resigned(second, (text) => text), 1, first.hash)?.seq, 2);
  });

  it('vouches only for a text that is an entry as append writes it, whatever one character of it is changed, added or removed (signed with the key)', () => {
    const first = signed(fields(1, GENESIS_HASH));
    const text = canonical(fields(2, first.hash, { latencyMs: 12.5 }));
    const characters = ['{', '}', '[', ']', '"', '\\', ',', ':', '0', '7', '-', '.', 'e', 'x', ' ', 'é'];
    const edits = new Set<string>();
    for (let at = 0; at <= text.length; at++) {
      edits.add(text.slice(0, at) + text.slice(at + 1));
      for (const character of characters) {
        edits.add(text.slice(0, at) + character + text.slice(at + 1));
        edits.add(text.slice(0, at) + character + text.slice(at));
      }
    }
    let vouched = 0;
    for (const edited of edits) {
      const link = quick(storedText(edited, hmac.hex(edited)), 1, first.hash);
      if (!link) continue;
      vouched++;
      // What it vouches for is a flat entry linked after the first (canonical or not: see quickLink).
      const entry = JSON.parse(edited) as Fields;
      assert.deepEqual([Object.values(entry).some((value) => typeof value === 'object'), entry.seq, entry.prevHash, typeof entry.kind, typeof entry.time, entry.chainKey], [false, 2, first.hash, 'string', 'string', KEY_ID], edited);
    }
    // The text itself, and the edits that leave it an entry (an outcome of "oj", say, or a field of another name).
    assert.ok(vouched > 1 && vouched < edits.size / 4, `${vouched} of ${edits.size}`);
  });

  it('starts a stretch from the entry before it: its link, keyed or plain, and none from a row that is not an entry', () => {
    const keyed = signed(fields(4, 'a'.repeat(64)));
    assert.deepEqual(startLink(keyed.row), { seq: 4, hash: keyed.hash, keyed: true });
    const plain = fields(2, GENESIS_HASH, { chainKey: undefined });
    const plainRow = JSON.stringify({ ...plain, hash: plainHash(plain) });
    assert.deepEqual(startLink(plainRow), { seq: 2, hash: plainHash(plain), keyed: false });
    for (const garbage of ['not json', '{"seq":"1"}', 'null']) assert.deepEqual(startLink(garbage), { seq: -1, hash: '', keyed: false }, garbage);
  });

  it('finds an edited entry of an earlier version (a plain hash), and a head that is not the last entry', () => {
    const plain = fields(1, GENESIS_HASH, { chainKey: undefined });
    const edited = JSON.stringify({ ...plain, outcome: 'failed', hash: plainHash(plain) });
    assert.equal(walk([edited]).broken?.reason, 'its content does not match its hash (the entry was edited)');
    const last = { seq: 3, hash: 'b'.repeat(64) };
    const ends = (head: { seq: number; hash: string } | undefined) => checkEnds({ entries: 3, last, head, mirrored: undefined, mirroredHash: undefined });
    assert.deepEqual(ends(last), { ok: true, entries: 3 });
    assert.deepEqual(ends({ seq: 3, hash: 'c'.repeat(64) }), { ok: false, entries: 3, broken: { line: 4, reason: 'the head record (entry 3) does not match the last entry (3) (the head was changed or removed)' } });
    assert.deepEqual(ends({ seq: 5, hash: last.hash }), { ok: false, entries: 3, broken: { line: 4, reason: 'the log ends at entry 3 but its head says 5 were written (the last 2 were removed)' } });
  });

  it('hashes the fields in one fixed order whatever order they come in, each set of names its own, without the hash and empty fields', () => {
    assert.equal(canonical({ seq: 1, kind: 'k', hash: 'h' }, 'hash'), '{"kind":"k","seq":1}');
    assert.equal(canonical({ kind: 'k', seq: 1 }), '{"kind":"k","seq":1}');
    // Another set of names after the first: its own order, no name of the first set's kept or lost.
    assert.equal(canonical({ zeta: 1, alpha: 2, kind: 'k' }), '{"alpha":2,"kind":"k","zeta":1}');
    assert.equal(canonical({ b: undefined, a: 1 }), '{"a":1}');
  });

  it('reads no field past the row\'s hash, nor a field name inside a text', () => {
    const first = signed(fields(1, GENESIS_HASH));
    const second = signed(fields(2, first.hash));
    // The only "seq" of the row after the hash's start: none to read before it.
    const noSeq = signed(fields(2, first.hash, { seq: undefined })).row;
    assert.equal(quick(noSeq, 1, first.hash), undefined);
    assert.equal(quick(`${noSeq.slice(0, -2)}","seq":2}`, 1, first.hash), undefined);
    // A text that holds what looks like a field is not that field: the row's own seq (3) is read, not the text's (2).
    const lookAlike = signed(fields(3, first.hash, { note: 'x","seq":2,"y":"' })).row;
    assert.equal(quick(lookAlike, 1, first.hash), undefined);
    assert.deepEqual(quick(second.row, 1, first.hash), { seq: 2, hash: second.hash });
    for (const short of ['', '{}', '"}', second.row.slice(1)]) assert.equal(quick(short, 1, first.hash), undefined, JSON.stringify(short));
    assert.equal(quick(second.row.replace('"seq":2,', `"seq":${'1'.repeat(16)},`), 1, first.hash), undefined, 'sixteen digits');
  });

  it('keeps the chain keyed after a keyed row read the long way: a plain hash after it breaks the chain', () => {
    const first = signed(fields(1, GENESIS_HASH));
    const reformatted = JSON.stringify(JSON.parse(first.row), null, 1);
    const plain = fields(2, first.hash, { chainKey: undefined });
    const plainRow = JSON.stringify({ ...plain, hash: plainHash(plain) });
    const done = walk([reformatted, plainRow], 1);
    assert.deepEqual([done.broken, done.mirroredHash], [{ index: 1, reason: 'it has a plain hash after keyed entries (the chain was recomputed without the key)' }, first.hash]);
  });
});
