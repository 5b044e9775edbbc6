import type { Sql } from '../store/database';
import { TABLES } from '../store/storageKeys';

// The audit log's rows as verify reads them: the bytes of their stored text (UTF-8, as SQLite
// keeps TEXT), read a chunk at a time in one statement each, instead of one string per row. The
// walk (auditChain.ts) hashes and checks each row on those bytes, so a long verify makes no
// string of a row that `append` wrote. Shared by the extension host and the verify workers.

/** Rows of one read, oldest first: row i is `bytes` from `ends[i - 1]` (0 for the first) to `ends[i]`. */
export interface StoredRows {
  bytes: Buffer;
  ends: Uint32Array;
  /** The `pos` of the last row. */
  lastPos: number;
}

/** Rows read at a time: a few megabytes, far below the longest text SQLite builds (a gigabyte). */
const ROWS_PER_READ = 10_000;

/** The one statement a chunk is read with: its rows' text and byte lengths, in the same order, and its last row. */
const READ_CHUNK = `SELECT CAST(group_concat(body, '') AS BLOB) AS bytes, group_concat(length(CAST(body AS BLOB))) AS lengths, count(*) AS count, max(pos) AS lastPos
  FROM (SELECT pos, body FROM ${TABLES.audit} WHERE pos > ? AND pos <= ? ORDER BY pos LIMIT ?)`;

/**
 * The rows `afterPos` < pos <= `toPos`, oldest first, in chunks of `rowsPerRead`, read with `sql`
 * (the host's, or a worker's own connection). Call it inside one read transaction, so the chunks
 * are one snapshot of the log.
 */
export function readStoredRows(sql: Pick<Sql, 'get'>, afterPos: number, toPos = Number.MAX_SAFE_INTEGER, rowsPerRead = ROWS_PER_READ): StoredRows[] {
  const chunks: StoredRows[] = [];
  for (let after = afterPos; after < toPos; ) {
    // The subquery's order is kept by the aggregates (SQLite does not flatten an ordered subquery
    // into an aggregate); a row out of order would only break the chain, never pass it.
    const row = sql.get<{ bytes: Uint8Array | null; lengths: string | null; count: number; lastPos: number | null }>(READ_CHUNK, after, toPos, rowsPerRead);
    if (!row?.count || !row.bytes || row.lengths === null || row.lastPos === null) break;
    chunks.push({ bytes: Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength), ends: rowEnds(row.lengths, row.count), lastPos: row.lastPos });
    if (row.count < rowsPerRead) break;
    after = row.lastPos;
  }
  return chunks;
}

/** The text of row `index` of a chunk. */
export function rowText(rows: StoredRows, index: number): string {
  return rows.bytes.toString('utf8', index === 0 ? 0 : rows.ends[index - 1], rows.ends[index]);
}

/** The running ends of `count` rows from their comma-separated byte lengths. */
function rowEnds(lengths: string, count: number): Uint32Array {
  const ends = new Uint32Array(count);
  let row = 0;
  let length = 0;
  let end = 0;
  for (let i = 0; i < lengths.length; i++) {
    const digit = lengths.charCodeAt(i) - 48;
    if (digit >= 0 && digit <= 9) {
      length = length * 10 + digit;
      continue;
    }
    ends[row++] = end += length;
    length = 0;
  }
  ends[row] = end + length;
  return ends;
}
