import * as assert from 'node:assert/strict';
import { readStoredRows, rowText, type StoredRows } from '../../src/core/audit/storedRows';
import { storedRowsOf } from '../fixtures/storedRows';
import { TABLES } from '../../src/core/store/storageKeys';
import { tempDatabase } from '../fixtures/tempDatabase';

// The audit rows as verify reads them: the bytes of their text from a real SQLite file, a chunk
// at a time, each row where its byte lengths say.

/** Each row's text and the last pos of each chunk. */
function texts(chunks: readonly StoredRows[]): { rows: string[]; lastPos: number[] } {
  return { rows: chunks.flatMap((chunk) => Array.from(chunk.ends, (_, i) => rowText(chunk, i))), lastPos: chunks.map((chunk) => chunk.lastPos) };
}

describe('the stored audit rows verify reads', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  beforeEach(async () => (temp = await tempDatabase()));
  afterEach(() => temp.cleanup());

  /** Rows at the given positions (gaps between them, as a log whose rows were removed has). */
  function insert(rows: Array<[number, string]>): void {
    temp.db.write((sql) => {
      for (const [pos, body] of rows) sql.run(`INSERT INTO ${TABLES.audit} (pos, body) VALUES (?, ?)`, pos, body);
    });
  }

  function read(afterPos: number, toPos: number, rowsPerRead?: number): StoredRows[] {
    return temp.db.read((sql) => readStoredRows(sql, afterPos, toPos, rowsPerRead));
  }

  const rows: Array<[number, string]> = [
    [1, '{"a":1}'],
    [2, '{"text":"é€😀"}'],
    [4, ''],
    // 1,209 bytes: a length with every digit but 3, 4 and 6 across the rows (7, 20, 0, 1,209, 7, 14).
    [5, '{"b":"x'.padEnd(1207, 'y') + '"}'],
    [9, '{"c":3}'],
    [10, '{"d":"naïve"}'],
  ];

  it('reads each row as stored, multi-byte characters and an empty row too, in chunks that end where they say', () => {
    insert(rows);
    assert.deepEqual(texts(read(0, Number.MAX_SAFE_INTEGER)), { rows: rows.map(([, body]) => body), lastPos: [10] });
    // Two rows a read: three chunks, each ending at its last row's pos, with gaps in pos between them.
    assert.deepEqual(texts(read(0, Number.MAX_SAFE_INTEGER, 2)), { rows: rows.map(([, body]) => body), lastPos: [2, 5, 10] });
    // Exactly the rows of a read: no empty chunk after them.
    assert.deepEqual(texts(read(0, 5, 2)).lastPos, [2, 5]);
    assert.deepEqual(texts(read(1, 9, 4)), { rows: rows.slice(1, 5).map(([, body]) => body), lastPos: [9] });
  });

  it('reads only the rows after afterPos and up to toPos, and none from an empty range or log', () => {
    assert.deepEqual(read(0, Number.MAX_SAFE_INTEGER), []);
    insert(rows);
    assert.deepEqual(texts(read(2, 4)).rows, ['']);
    assert.deepEqual(texts(read(5, 9)).rows, ['{"c":3}']);
    assert.deepEqual(read(5, 8), []);
    assert.deepEqual(read(10, Number.MAX_SAFE_INTEGER), []);
    assert.deepEqual(read(4, 4), []);
  });

  it('makes rows from texts as a read gives them', () => {
    const made = storedRowsOf(rows.map(([, body]) => body), 10);
    assert.deepEqual(texts([made]), { rows: rows.map(([, body]) => body), lastPos: [10] });
    // Each row ends where its UTF-8 bytes end: 7, then 20 more (é is 2 bytes, € 3, 😀 4), none, 1,209, 7, 14.
    assert.deepEqual(Array.from(made.ends), [7, 27, 27, 1236, 1243, 1257]);
  });
});
