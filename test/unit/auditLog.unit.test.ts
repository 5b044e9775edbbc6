import * as assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { AuditLog } from '../../src/core/audit/auditLog';
import { Database, type Sql } from '../../src/core/store/database';
import { MIGRATIONS } from '../../src/core/store/schema';
import { TABLES } from '../../src/core/store/storageKeys';
import { tempDatabase } from '../fixtures/tempDatabase';
import { FixedClock, MemoryLogger } from '../helpers/fakes';

describe('AuditLog', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  beforeEach(async () => {
    temp = await tempDatabase();
  });
  afterEach(() => temp.cleanup());

  const connectionId = '11111111-1111-4111-8111-111111111111';

  async function writeThree(log: AuditLog) {
    await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama' });
    await log.append({ kind: 'key_read', connectionId, requesterId: 'view:agents', outcome: 'granted (once)' });
    await log.append({ kind: 'model_call', connectionId, requesterId: 'view:agents', runId: 'r1', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 12 });
  }

  /** Rewrites the stored rows as someone with the file open in another tool could. */
  function tamper(db: Database, change: (rows: string[]) => string[]) {
    db.write((sql) => {
      const rows = sql.all<{ body: string }>(`SELECT body FROM ${TABLES.audit} ORDER BY pos`).map((row) => row.body);
      sql.run(`DELETE FROM ${TABLES.audit}`);
      for (const body of change(rows)) sql.run(`INSERT INTO ${TABLES.audit} (body) VALUES (?)`, body);
    });
  }

  it('chains each entry to the one before and verifies the chain', async () => {
    const log = new AuditLog(temp.db, new FixedClock());
    await writeThree(log);
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => e.seq), [3, 2, 1], 'newest first');
    assert.equal(entries[2]!.prevHash, '0'.repeat(64));
    assert.equal(entries[1]!.prevHash, entries[2]!.hash);
    assert.equal(entries[0]!.prevHash, entries[1]!.hash);
    assert.deepEqual(await log.verify(), { ok: true, entries: 3 });
  });

  it('continues the chain after a restart', async () => {
    await writeThree(new AuditLog(temp.db, new FixedClock()));
    temp.db.dispose();
    const reopened = new AuditLog(temp.open(), new FixedClock());
    const entry = await reopened.append({ kind: 'connection_deleted', connectionId, providerId: 'ollama' });
    assert.equal(entry.seq, 4);
    assert.equal((await reopened.verify()).ok, true);
  });

  /**
   * A window's connection to the database file (globalStorageUri is shared by every window of
   * VS Code) on which another window commits an audit entry just before each transaction of this
   * one begins: the worst timing two windows can have, every time, not by chance.
   */
  class InterleavedDatabase extends Database {
    private inside = false;

    constructor(private readonly otherWindowCommits: () => void) {
      super({ file: temp.file, logger: new MemoryLogger() });
    }

    override read<T>(body: (sql: Sql) => T): T {
      return this.after(() => super.read(body));
    }

    override write<T>(body: (sql: Sql) => T): T {
      return this.after(() => super.write(body));
    }

    private after<T>(transaction: () => T): T {
      // Within a transaction of this window, the other one would wait for it: only before one.
      if (this.inside) return transaction();
      this.otherWindowCommits();
      this.inside = true;
      try {
        return transaction();
      } finally {
        this.inside = false;
      }
    }
  }

  it('keeps one chain when another window appends between any two steps of this one: the head is read inside the write', async () => {
    const other = new AuditLog(temp.open(), new FixedClock());
    let n = 0;
    const db = new InterleavedDatabase(() => void other.append({ kind: 'model_call', runId: `b${++n}`, outcome: 'ok' }));
    try {
      const log = new AuditLog(db, new FixedClock());
      for (const runId of ['a1', 'a2', 'a3']) await log.append({ kind: 'model_call', runId, outcome: 'ok' });
      assert.deepEqual((await other.read()).map((e) => e.runId), ['a3', 'b3', 'a2', 'b2', 'a1', 'b1'], 'the other window wrote before each append');
      assert.deepEqual(await other.verify(), { ok: true, entries: 6 });
    } finally {
      db.dispose();
    }
  });

  it('keeps every entry when a hundred are appended at once', async () => {
    const log = new AuditLog(temp.db, new FixedClock());
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' })));
    assert.deepEqual(await log.verify(), { ok: true, entries: 100 });
  });

  it('verifies a long log a slice at a time, so other work in the extension host runs before it ends', async () => {
    const log = new AuditLog(temp.db, new FixedClock());
    // One transaction for all, as the routing bench writes them: quicker than 5,000 appends.
    temp.db.write(() => {
      for (let i = 0; i < 5000; i++) void log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' });
    });
    const order: string[] = [];
    const verifying = log.verify().then((result) => {
      order.push('verified');
      return result;
    });
    setImmediate(() => order.push('other work'));
    assert.deepEqual(await verifying, { ok: true, entries: 5000 });
    assert.deepEqual(order, ['other work', 'verified']);
  });

  it('keeps and hashes fields a newer version added, so verify still passes', async () => {
    const log = new AuditLog(temp.db, new FixedClock());
    await writeThree(log);
    // What a newer Switchboard in another window writes: an entry with a field this one does not know.
    const { createHash } = await import('node:crypto');
    const head = (await log.read())[0]!;
    const body = { kind: 'model_call', outcome: 'ok', purpose: 'chat', seq: 4, time: head.time, prevHash: head.hash };
    const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
    const hash = createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
    temp.db.write((sql) => {
      sql.run(`INSERT INTO ${TABLES.audit} (body) VALUES (?)`, JSON.stringify({ ...body, hash }));
      sql.run(`UPDATE ${TABLES.auditHead} SET seq = 4, hash = ?`, hash);
    });
    assert.deepEqual(await log.verify(), { ok: true, entries: 4 });
    assert.equal((await log.append({ kind: 'model_call', outcome: 'ok' })).prevHash, hash);
  });

  const tamperings: Array<[string, (rows: string[]) => string[], number, RegExp]> = [
    ['an edited entry', (r) => r.map((row, i) => (i === 1 ? row.replace('granted (once)', 'denied') : row)), 2, /edited/],
    ['a removed entry', (r) => [r[0]!, r[2]!], 2, /removed, added or reordered/],
    ['swapped entries', (r) => [r[0]!, r[2]!, r[1]!], 2, /removed, added or reordered/],
    ['a garbage entry', (r) => [r[0]!, 'not json', r[1]!, r[2]!], 2, /not a valid audit entry/],
    ['the last entry removed', (r) => [r[0]!, r[1]!], 3, /last 1 were removed/],
  ];
  for (const [name, change, line, reason] of tamperings) {
    it(`reports the first broken link after ${name}`, async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThree(log);
      tamper(temp.db, change);
      const result = await log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.broken?.line, line);
      assert.match(result.broken!.reason, reason);
    });
  }

  describe('a page of the log, filtered in SQL', () => {
    const other = '22222222-2222-4222-8222-222222222222';
    const requesters = ['view:agents', 'command', 'ext:acme.helper'];

    /** Thirty entries: kinds, connections, requesters and run ids in a known pattern. */
    async function writeThirty(log: AuditLog) {
      for (let i = 0; i < 30; i++) {
        await log.append({
          kind: i % 3 === 0 ? 'key_read' : 'model_call',
          connectionId: i % 2 ? connectionId : other,
          requesterId: requesters[i % 3],
          runId: i % 3 === 0 ? undefined : `Run-${String(i).padStart(2, '0')}`,
          outcome: 'ok',
        });
      }
    }

    const count = (db: Database) => db.read((sql) => sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${TABLES.audit}`)?.n);

    it('pages newest first with the total, and an offset past the end gives an empty page with the total', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThirty(log);
      const first = log.page({ offset: 0, limit: 7 });
      assert.equal(first.total, 30);
      assert.deepEqual(first.entries.map((e) => e.seq), [30, 29, 28, 27, 26, 25, 24]);
      assert.deepEqual(log.page({ offset: 28, limit: 7 }).entries.map((e) => e.seq), [2, 1], 'the last page is short');
      assert.deepEqual(log.page({ offset: 29, limit: 1 }).entries.map((e) => e.seq), [1]);
      assert.deepEqual(log.page({ offset: 30, limit: 7 }), { entries: [], total: 30 });
      assert.deepEqual(log.page({ offset: 0, limit: 500 }).entries.length, 30);
    });

    it('combines kind, connection, requester and run prefix, each on its own and together', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThirty(log);
      const seqs = (query: Parameters<AuditLog['page']>[0]['query']) => log.page({ offset: 0, limit: 100, query }).entries.map((e) => e.seq);
      assert.equal(log.page({ offset: 0, limit: 1, query: { kind: 'key_read' } }).total, 10);
      assert.equal(log.page({ offset: 0, limit: 1, query: { connectionId } }).total, 15);
      assert.equal(log.page({ offset: 0, limit: 1, query: { requesterIds: ['command', 'ext:acme.helper'] } }).total, 20);
      // seq is i + 1: model calls of `connectionId` (i odd, not a multiple of 3) by 'command' (i % 3 === 1).
      assert.deepEqual(seqs({ kind: 'model_call', connectionId, requesterIds: ['command'] }), [26, 20, 14, 8, 2]);
      assert.deepEqual(seqs({ kind: 'model_call', connectionId, requesterIds: ['command'], runPrefix: 'run-1' }), [20, 14], 'Run-19 and Run-13: the run prefix, case-insensitive');
      assert.deepEqual(seqs({ kind: 'key_read', runPrefix: 'Run' }), [], 'key reads have no run');
      assert.deepEqual(seqs({ requesterIds: [] }), [], 'no requester matched, no entry');
      assert.equal(log.page({ offset: 0, limit: 1, query: { requesterIds: ['nobody'] } }).total, 0);
    });

    it('matches wildcard characters in a run prefix as themselves', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      for (const runId of ['a_1', 'ab1', 'a*1', 'a?1', 'a[1']) await log.append({ kind: 'model_call', runId, outcome: 'ok' });
      const runs = (runPrefix: string) => log.page({ offset: 0, limit: 10, query: { runPrefix } }).entries.map((e) => e.runId);
      assert.deepEqual(runs('a_'), ['a_1']);
      assert.deepEqual(runs('A*'), ['a*1']);
      assert.deepEqual(runs('a?'), ['a?1']);
      assert.deepEqual(runs('a['), ['a[1']);
      assert.deepEqual(runs('%'), []);
      assert.deepEqual(runs('*'), []);
    });

    it('names each requester of the log once', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThirty(log);
      await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama' });
      assert.deepEqual(log.requesterIds().sort(), [...requesters].sort());
    });

    it('refuses a bad offset or limit with invalid_input and changes nothing', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThirty(log);
      for (const [offset, limit] of [[-1, 10], [0, 0], [1.5, 10], [0, Number.NaN]]) {
        assert.throws(() => log.page({ offset: offset!, limit: limit! }), (error: { code?: string; message: string }) => error.code === 'invalid_input' && /whole offset/.test(error.message));
      }
      assert.equal(count(temp.db), 30);
      assert.deepEqual(await log.verify(), { ok: true, entries: 30 });
    });

    it('skips a row that is not JSON in a page but counts it, so pages stay put, and still appends after it', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      await writeThree(log);
      tamper(temp.db, (rows) => [rows[0]!, 'not json', rows[1]!, rows[2]!]);
      assert.deepEqual(log.page({ offset: 0, limit: 10 }).entries.map((e) => e.seq), [3, 2, 1]);
      assert.equal(log.page({ offset: 0, limit: 10 }).total, 4);
      assert.deepEqual(log.page({ offset: 0, limit: 10, query: { kind: 'key_read' } }).entries.map((e) => e.seq), [2]);
      await log.append({ kind: 'key_read', requesterId: 'view:agents', outcome: 'granted (once)' });
      assert.deepEqual(log.page({ offset: 0, limit: 10, query: { kind: 'key_read' } }).entries.map((e) => e.seq), [4, 2]);
    });

    it('filters an audit log written before the filter columns existed (migration 3 on an older file)', async () => {
      // The file as version 2 of the schema left it, with entries in it, then opened by this version.
      // temp.db opens its file at first use: not yet.
      const raw = new DatabaseSync(temp.file);
      raw.exec(`${MIGRATIONS[0]}${MIGRATIONS[1]} PRAGMA user_version = 2;`);
      const insert = raw.prepare(`INSERT INTO ${TABLES.audit} (body) VALUES (?)`);
      for (const [seq, kind] of [[1, 'connection_created'], [2, 'key_read'], [3, 'model_call']] as const) {
        insert.run(JSON.stringify({ seq, kind, time: '2026-01-01T00:00:00.000Z', requesterId: 'view:agents', prevHash: 'x', hash: 'y' }));
      }
      raw.close();
      const log = new AuditLog(temp.open(), new FixedClock());
      assert.deepEqual(log.page({ offset: 0, limit: 10, query: { kind: 'key_read' } }).entries.map((e) => e.seq), [2]);
      assert.deepEqual(log.requesterIds(), ['view:agents']);
    });

    it('exports every valid entry oldest first, as stored, one JSON line each', async () => {
      const log = new AuditLog(temp.db, new FixedClock());
      // More than one export chunk (1,000 rows), so the chunks join in order.
      temp.db.write(() => {
        for (let i = 0; i < 1203; i++) void log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' });
      });
      tamper(temp.db, (rows) => [...rows.slice(0, 500), 'not json', ...rows.slice(500)]);
      const { text, entries } = log.exportLines();
      assert.equal(entries, 1203);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 1203);
      assert.deepEqual(lines.map((line) => (JSON.parse(line) as { seq: number }).seq), Array.from({ length: 1203 }, (_, i) => i + 1));
      assert.ok(text.endsWith('\n'));
      assert.deepEqual(new AuditLog(temp.db, new FixedClock()).exportLines().text, text, 'the same text again');
    });
  });
});
