import * as assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { parseRow, type ReadCache, type Sql } from '../../src/core/store/database';
import { SwitchboardError } from '../../src/core/base/errors';
import { MIGRATIONS } from '../../src/core/store/schema';
import { enterGate, GATE_FREE, GATE_HOST, GATE_WRITER, leaveGate, newWriteGate } from '../../src/core/store/writeGate';
import { TABLES } from '../../src/core/store/storageKeys';
import { z } from 'zod';
import { tempDatabase } from '../fixtures/tempDatabase';
import { ManualTimers, MemoryLogger } from '../helpers/fakes';

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
    await temp.db.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('mine', '1')`));
    await exited;
    const keys = temp.db.read((sql) => sql.all<{ key: string }>(`SELECT key FROM ${TABLES.meta} WHERE key IN ('theirs', 'mine') ORDER BY rowid`)).map((row) => row.key);
    assert.deepEqual(keys, ['theirs', 'mine']);
  });

  describe("a write that meets another window's lock", () => {
    /** Another window's connection to the file holding the write lock (a write transaction it has not committed). */
    function otherWindowHoldsLock() {
      const other = new DatabaseSync(temp.file);
      other.exec('BEGIN IMMEDIATE');
      other.prepare(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('theirs', '1')`).run();
      return { commit: () => (other.exec('COMMIT'), other.close()), rollback: () => (other.exec('ROLLBACK'), other.close()) };
    }
    const keys = (db = temp.db) => db.read((sql) => sql.all<{ key: string }>(`SELECT key FROM ${TABLES.meta} WHERE key NOT LIKE 'schema%' ORDER BY rowid`)).map((row) => row.key);
    const insert = (key: string) => (sql: Sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES (?, '1')`, key);

    it('waits on a timer instead of blocking, tries again with growing pauses, and then writes in order', async () => {
      const timers = new ManualTimers();
      const db = temp.open({ timers });
      keys(db); // opened and migrated before the other window takes the lock
      const lock = otherWindowHoldsLock();
      let settled = 0;
      const first = db.write(insert('mine 1')).then(() => settled++);
      const second = db.write(insert('mine 2')).then(() => settled++);
      assert.equal(db.waitingWrites, 2, 'both wait; the call returned');
      // Each try that finds the lock still held sets a longer pause.
      for (const pause of [2, 4, 8]) {
        await timers.started(pause);
        assert.equal(timers.fire(), 1);
      }
      await Promise.resolve();
      assert.equal(settled, 0);
      lock.commit();
      // The lock is free, but earlier writes still wait for their timer: a new one goes behind them.
      const third = db.write(insert('mine 3'));
      assert.equal(db.waitingWrites, 3);
      timers.fire();
      await Promise.all([first, second, third]);
      assert.deepEqual(keys(db), ['theirs', 'mine 1', 'mine 2', 'mine 3']);
      // Free again, nothing waiting: the next write runs within the call.
      void db.write(insert('mine 4'));
      assert.deepEqual(keys(db).at(-1), 'mine 4');
    });

    it('gives up after lockWaitMs in all with a clear error, writes nothing, and the next write tries afresh', async () => {
      const timers = new ManualTimers();
      const logger = new MemoryLogger();
      const db = temp.open({ timers, lockWaitMs: 2_000, logger });
      keys(db);
      const lock = otherWindowHoldsLock();
      const writes = [db.write(insert('a')), db.write(insert('b'))];
      const failures = writes.map((write) => write.then(() => undefined, (error: unknown) => error));
      let fired = 0;
      while (timers.fire() > 0) fired++;
      // 2 + 4 + ... + 64 (126 ms), then 100 at a time until 2,000 ms have been waited.
      assert.equal(fired, 6 + 19);
      for (const error of await Promise.all(failures)) {
        assert.ok(error instanceof SwitchboardError && error.code === 'storage_unavailable', String(error));
        assert.match(error.message, /another VS Code window kept it locked for more than 2 seconds\. Nothing was written/);
      }
      assert.ok(logger.lines.some((line) => line.includes('kept it locked')));
      lock.rollback();
      assert.deepEqual(keys(db), []);
      await db.write(insert('c'));
      assert.deepEqual(keys(db), ['c']);
    });

    it('joins the transaction it is called in at once, settling with it: a batch commits or rolls back whole', async () => {
      const db = temp.db;
      let inner: Promise<unknown> | undefined;
      await assert.rejects(
        db.write((sql) => {
          insert('outer')(sql);
          inner = db.write(insert('inner'));
          throw new Error('half way');
        }),
        /half way/,
      );
      // The joined write did not commit, and says so.
      await assert.rejects(inner!, /half way/);
      assert.deepEqual(keys(db), []);
      const order: string[] = [];
      await db.write((sql) => {
        insert('outer')(sql);
        inner = db.write(insert('inner')).then(() => void order.push('inner settled'));
        order.push('outer body done');
      });
      await inner;
      assert.deepEqual(order, ['outer body done', 'inner settled']);
      assert.deepEqual(keys(db), ['outer', 'inner']);
    });

    it('undoes a joined write alone when its body throws, and the outer one commits what it wrote', async () => {
      const db = temp.db;
      let failed: unknown;
      await db.write((sql) => {
        insert('outer')(sql);
        try {
          void db.write((inner) => {
            insert('half')(inner);
            throw new Error('the inner part failed');
          });
        } catch (error) {
          failed = error;
        }
        insert('after')(sql);
      });
      assert.match(String(failed), /the inner part failed/);
      assert.deepEqual(keys(db), ['outer', 'after']);
    });

    it('fails the writes still waiting when the database is closed', async () => {
      const timers = new ManualTimers();
      const db = temp.open({ timers });
      keys(db);
      const lock = otherWindowHoldsLock();
      const waiting = db.write(insert('late'));
      db.dispose();
      await assert.rejects(waiting, (error: unknown) => error instanceof SwitchboardError && error.code === 'storage_unavailable');
      assert.equal(timers.fire(), 0, 'no retry left');
      lock.commit();
    });
  });

  it("holds the write gate through each write, so the ledger's writer thread waits there, not in SQLite's busy sleep", async () => {
    const gate = temp.db.writeGate;
    const held = await temp.db.write(() => Atomics.load(gate, 0));
    assert.equal(held, GATE_HOST, 'taken by the write');
    assert.equal(Atomics.load(gate, 0), GATE_FREE, 'given back after it');
    assert.throws(() => temp.db.writeNow(() => { throw new Error('no'); }), /no/);
    assert.equal(Atomics.load(gate, 0), GATE_FREE, 'given back after a write that threw');
    temp.db.read(() => assert.equal(Atomics.load(gate, 0), GATE_FREE, 'a read does not take it'));
  });

  it('lets a thread waiting at the write gate in only once its holder gives it back', async () => {
    const gate = newWriteGate();
    const released = new Int32Array(new SharedArrayBuffer(4));
    assert.equal(enterGate(gate, GATE_HOST), true);
    // Another thread waits at the gate (for as long as it takes), then says what it saw.
    const waiter = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const [gate, released] = workerData;
       parentPort.postMessage('waiting');
       for (;;) { const holder = Atomics.compareExchange(gate, 0, ${GATE_FREE}, ${GATE_WRITER}); if (holder === ${GATE_FREE}) break; Atomics.wait(gate, 0, holder); }
       parentPort.postMessage(Atomics.load(released, 0));`,
      { eval: true, workerData: [gate, released] },
    );
    const answers: unknown[] = [];
    const seen = new Promise<void>((resolve) => waiter.on('message', (answer) => answers.push(answer) === 2 && resolve()));
    await new Promise<void>((resolve) => waiter.once('message', () => resolve()));
    Atomics.store(released, 0, 1);
    leaveGate(gate);
    await seen;
    assert.deepEqual(answers, ['waiting', 1], 'it went in after the gate was given back');
    assert.equal(Atomics.load(gate, 0), GATE_WRITER);
    assert.equal(enterGate(gate, GATE_HOST, 1), false, 'a holder that does not give it back is waited for only so long');
    await waiter.terminate();
  });

  it('keeps a write waiting at the gate until the writer thread gives it back, then lets it in', async () => {
    const gate = newWriteGate();
    const released = new Int32Array(new SharedArrayBuffer(4));
    // Another thread holds the gate a moment, marks that it is done, and gives it back.
    const holder = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const [gate, released] = workerData;
       Atomics.store(gate, 0, ${GATE_WRITER});
       parentPort.postMessage('taken');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
       Atomics.store(released, 0, 1);
       Atomics.store(gate, 0, ${GATE_FREE});
       Atomics.notify(gate, 0);`,
      { eval: true, workerData: [gate, released] },
    );
    await new Promise<void>((resolve) => holder.once('message', () => resolve()));
    assert.equal(enterGate(gate, GATE_HOST, 10_000), true, 'let in once it was given back');
    assert.equal(Atomics.load(released, 0), 1, 'not before');
    leaveGate(gate);
    await holder.terminate();
  });

  it('rolls a write back whole when its body throws', async () => {
    await assert.rejects(
      temp.db.write((sql) => {
        sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('a', '1')`);
        throw new Error('half way');
      }),
    );
    assert.equal(temp.db.read((sql) => sql.get(`SELECT 1 FROM ${TABLES.meta} WHERE key = 'a'`)), undefined);
  });

  it('answers a cached read of a table again until that table changes, in this window or another', () => {
    const cache: ReadCache<number> = {};
    let reads = 0;
    const count = () =>
      temp.db.cachedRead(cache, TABLES.models, (sql) => {
        reads++;
        return Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${TABLES.models}`)?.n);
      });
    const addModel = (db: typeof temp.db, body: string) => db.write((sql) => sql.run(`INSERT INTO ${TABLES.models} (body) VALUES (?)`, body));
    const before = count();
    assert.equal(count(), before);
    assert.equal(reads, 1, 'nothing changed: no second read');

    addModel(temp.db, 'mine');
    assert.equal(count(), before + 1, 'its own commit');
    assert.equal(reads, 2);

    const otherWindow = temp.open();
    addModel(otherWindow, 'theirs');
    assert.equal(count(), before + 2, "another connection's commit");
    assert.equal(reads, 3);

    otherWindow.write((sql) => sql.run(`UPDATE ${TABLES.models} SET body = 'edited' WHERE body = 'theirs'`));
    count();
    assert.equal(reads, 4, 'an update moves the version too');
    otherWindow.write((sql) => sql.run(`DELETE FROM ${TABLES.models} WHERE body = 'edited'`));
    assert.equal(count(), before + 1, 'and a delete');
    assert.equal(reads, 5);

    // Writes to other tables, here and in another window, leave the cached read as it is.
    temp.db.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('mine', '1')`));
    otherWindow.write((sql) => sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES ('theirs', '1')`));
    assert.equal(count(), before + 1);
    assert.equal(reads, 5, 'no read for changes to other tables');

    // Inside a write, the uncommitted row counts and the cache is not used.
    temp.db.write((sql) => {
      sql.run(`INSERT INTO ${TABLES.models} (body) VALUES ('pending')`);
      assert.equal(count(), before + 2);
    });
    assert.equal(count(), before + 2);
    assert.equal(reads, 7);
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

describe('parseRow', () => {
  const Schema = z.object({ name: z.string() });

  it('gives a valid body as its schema reads it, and says nothing', () => {
    const logger = new MemoryLogger();
    assert.deepEqual(parseRow(Schema, '{"name":"a","extra":1}', { what: 'thing', id: 't1' }, logger), { name: 'a' });
    assert.deepEqual(logger.lines, []);
  });

  it('skips a body that is not JSON or not valid with one warning naming the row, never its content', () => {
    const logger = new MemoryLogger();
    assert.equal(parseRow(Schema, '{"name":"secret-ish', { what: 'thing', id: 't2' }, logger), undefined);
    assert.equal(parseRow(Schema, '{"name":42}', { what: 'chat record', id: 't3' }, logger), undefined);
    assert.deepEqual(logger.lines, [
      'warn Ignoring the stored thing t2: it is not valid (kept in the database as it is).',
      'warn Ignoring the stored chat record t3: it is not valid (kept in the database as it is).',
    ]);
  });
});
