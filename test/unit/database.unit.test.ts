import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import type { ReadCache } from '../../src/core/store/database';
import { SwitchboardError } from '../../src/core/base/errors';
import { MIGRATIONS } from '../../src/core/store/schema';
import { TABLES } from '../../src/core/store/storageKeys';
import { tempDatabase } from '../fixtures/tempDatabase';

describe('Database', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  beforeEach(async () => {
    temp = await tempDatabase();
  });
  afterEach(() => temp.cleanup());

  it('applies the migrations once, at first use, in WAL mode', () => {
    const mode = temp.db.read((sql) => sql.get<{ journal_mode: string }>('PRAGMA journal_mode'));
    assert.equal(mode?.journal_mode, 'wal');
    assert.equal(temp.db.read((sql) => sql.get<{ user_version: number }>('PRAGMA user_version'))?.user_version, MIGRATIONS.length);
    const second = temp.open();
    assert.equal(second.read((sql) => sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${TABLES.runs}`))?.n, 0);
    assert.ok(!temp.logger.lines.some((line, i) => i > 0 && line.includes('Database schema')), 'the second connection found the schema current');
  });

  it("waits for another window's write transaction to end instead of failing", async () => {
    temp.db.read((sql) => sql.get('SELECT 1')); // this window opens (and migrates) the file first
    // Another window (a thread with its own connection) holds the write lock until told to commit.
    const other = new Worker(
      `const { DatabaseSync } = require('node:sqlite');
       const { parentPort, workerData } = require('node:worker_threads');
       const db = new DatabaseSync(workerData.file);
       db.exec('BEGIN IMMEDIATE');
       db.prepare('INSERT INTO ${TABLES.meta} (key, value) VALUES (?, ?)').run('theirs', '1');
       parentPort.once('message', () => { db.exec('COMMIT'); db.close(); parentPort.close(); });
       parentPort.postMessage('holding');`,
      { eval: true, workerData: { file: temp.file } },
    );
    const exited = new Promise((resolve) => other.once('exit', resolve));
    await new Promise((resolve) => other.once('message', resolve));
    // Told to commit, and this window writes at once: its write begins while the other still
    // holds the lock (the other must first get the message), and waits for it. Whichever comes
    // first, the write must not fail; without a busy timeout it fails with "database is locked".
    other.postMessage('commit');
    temp.db.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('mine', '1')`));
    await exited;
    const keys = temp.db.read((sql) => sql.all<{ key: string }>(`SELECT key FROM ${TABLES.meta} WHERE key IN ('theirs', 'mine') ORDER BY rowid`)).map((row) => row.key);
    assert.deepEqual(keys, ['theirs', 'mine']);
  });

  it('rolls a write back whole when its body throws', () => {
    assert.throws(() =>
      temp.db.write((sql) => {
        sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('a', '1')`);
        throw new Error('half way');
      }),
    );
    assert.equal(temp.db.read((sql) => sql.get(`SELECT 1 FROM ${TABLES.meta} WHERE key = 'a'`)), undefined);
  });

  it('answers a cached read again until something is committed, by this connection or another window', () => {
    const cache: ReadCache<number> = {};
    let reads = 0;
    const count = () =>
      temp.db.cachedRead(cache, (sql) => {
        reads++;
        return Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${TABLES.meta}`)?.n);
      });
    const before = count();
    assert.equal(count(), before);
    assert.equal(reads, 1, 'nothing committed: no second read');

    temp.db.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('mine', '1')`));
    assert.equal(count(), before + 1, 'its own commit');
    assert.equal(reads, 2);

    const otherWindow = temp.open();
    otherWindow.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('theirs', '1')`));
    assert.equal(count(), before + 2, "another connection's commit");
    assert.equal(reads, 3);

    // Inside a write, the uncommitted row counts and the cache is not used.
    temp.db.write((sql) => {
      sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('pending', '1')`);
      assert.equal(count(), before + 3);
    });
    assert.equal(count(), before + 3);
    assert.equal(reads, 5);
  });

  it('refuses a database a newer version of Switchboard wrote', () => {
    temp.db.dispose();
    const raw = temp.open();
    // What a newer Switchboard leaves behind: a schema number this one does not know.
    raw.write((sql) => sql.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`));
    raw.dispose();
    const older = temp.open();
    assert.throws(
      () => older.read((sql) => sql.get('SELECT 1')),
      (error: unknown) => error instanceof SwitchboardError && error.code === 'storage_unavailable' && /newer version/.test(error.message),
    );
  });
});
