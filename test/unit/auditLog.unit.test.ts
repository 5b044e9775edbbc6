import * as assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AuditLog, GENESIS_HASH } from '../../src/core/audit/auditLog';
import { SwitchboardError } from '../../src/core/base/errors';
import { Database, type Sql } from '../../src/core/store/database';
import { MIGRATIONS } from '../../src/core/store/schema';
import { AUDIT_HEAD_KEY, AUDIT_VERIFIED_KEY, TABLES } from '../../src/core/store/storageKeys';
import { Hmac } from '../../src/core/audit/auditChain';
import { AUDIT_VERIFY_ENTRY, worker } from '../helpers/stacks';
import { appendAsEarlierVersion, auditAnchor } from '../fixtures/auditAnchor';
import { databaseText, tempDatabase } from '../fixtures/tempDatabase';
import { FixedClock, ManualTimers, MemoryLogger, MemoryStore, MemoryVault } from '../helpers/fakes';

describe('AuditLog', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  /** The profile's SecretStorage and globalState: every window has the same. */
  let vault: MemoryVault;
  let state: MemoryStore;
  beforeEach(async () => {
    temp = await tempDatabase();
    vault = new MemoryVault();
    state = new MemoryStore();
  });
  afterEach(() => temp.cleanup());

  /** A window's audit log on `db` (another connection to the file is another window), in this profile. */
  function windowLog(db: Database = temp.db) {
    return new AuditLog(db, new FixedClock(), auditAnchor({ vault, state }));
  }

  /** The chain key `id` as SecretStorage holds it (only the test reads it back: to forge with it, or to look for it). */
  function chainKey(id: string): Buffer {
    return Buffer.from(vault.secrets.get(`switchboard.audit.chainKey.${id}`)!, 'base64');
  }

  const connectionId = '11111111-1111-4111-8111-111111111111';

  async function writeThree(log: AuditLog) {
    await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama' });
    await log.append({ kind: 'key_read', connectionId, requesterId: 'view:agents', outcome: 'granted (once)' });
    await log.append({ kind: 'model_call', connectionId, requesterId: 'view:agents', runId: 'r1', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 12 });
  }

  /** Moves the stored rows, as they are and in their order, to these positions (another tool copying the table could). */
  function movePositions(positions: number[]) {
    temp.db.write((sql) => {
      const rows = sql.all<{ body: string }>(`SELECT body FROM ${TABLES.audit} ORDER BY pos`).map((row) => row.body);
      sql.run(`DELETE FROM ${TABLES.audit}`);
      rows.forEach((body, i) => sql.run(`INSERT INTO ${TABLES.audit} (pos, body) VALUES (?, ?)`, positions[i]!, body));
    });
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
    const log = windowLog();
    await writeThree(log);
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => e.seq), [3, 2, 1], 'newest first');
    assert.equal(entries[2]!.prevHash, '0'.repeat(64));
    assert.equal(entries[1]!.prevHash, entries[2]!.hash);
    assert.equal(entries[0]!.prevHash, entries[1]!.hash);
    assert.match(entries[0]!.chainKey ?? '', /^[0-9a-f]{16}$/);
    assert.equal(new Set(entries.map((e) => e.chainKey)).size, 1, 'one key for the chain');
    assert.deepEqual(await log.verify(), { ok: true, entries: 3 });
  });

  it('continues the chain after a restart', async () => {
    await writeThree(windowLog());
    temp.db.dispose();
    const reopened = windowLog(temp.open());
    const entry = await reopened.append({ kind: 'connection_deleted', connectionId, providerId: 'ollama' });
    assert.equal(entry.seq, 4);
    assert.equal((await reopened.verify()).ok, true);
  });

  it('keeps one chain when two windows append to the same database in turn', async () => {
    // globalStorageUri is shared by every window of VS Code, and so is the database.
    const first = windowLog();
    const second = windowLog(temp.open());
    await first.append({ kind: 'model_call', runId: 'a1', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b1', outcome: 'ok' });
    await first.append({ kind: 'model_call', runId: 'a2', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b2', outcome: 'ok' });
    assert.deepEqual(await first.verify(), { ok: true, entries: 4 });
    assert.deepEqual((await second.read()).map((e) => e.runId), ['b2', 'a2', 'b1', 'a1']);
    assert.equal(new Set((await second.read()).map((e) => e.chainKey)).size, 1, 'the second window hashes with the key of the newest entry');
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

    override write<T>(body: (sql: Sql) => T): Promise<T> {
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
    const other = windowLog(temp.open());
    let n = 0;
    const db = new InterleavedDatabase(() => void other.append({ kind: 'model_call', runId: `b${++n}`, outcome: 'ok' }));
    try {
      const log = windowLog(db);
      for (const runId of ['a1', 'a2', 'a3']) await log.append({ kind: 'model_call', runId, outcome: 'ok' });
      // Oldest first. A window's first append also reads which key the chain is signed with: one
      // more transaction, so one more entry of the other window, before it.
      const order = (await other.read()).map((e) => e.runId!).reverse();
      assert.deepEqual(order.filter((id) => id.startsWith('a')), ['a1', 'a2', 'a3']);
      assert.ok(order.every((id, i) => !id.startsWith('a') || order[i - 1]?.startsWith('b')), `the other window wrote before each append: ${order.join(' ')}`);
      assert.deepEqual(await other.verify(), { ok: true, entries: order.length });
    } finally {
      db.dispose();
    }
  });

  it("appends while another window holds the database's lock once it lets go, on the chain's head as it is then", async () => {
    const timers = new ManualTimers();
    const log = new AuditLog(temp.open({ timers }), new FixedClock(), auditAnchor({ vault, state }));
    await log.append({ kind: 'model_call', runId: 'a1', outcome: 'ok' });
    const other = windowLog(temp.open());
    await other.append({ kind: 'model_call', runId: 'b0', outcome: 'ok' });
    // The other window takes the lock for a transaction of its own (a batch of entries).
    const raw = new DatabaseSync(temp.file);
    raw.exec('BEGIN IMMEDIATE');
    const waiting = log.append({ kind: 'model_call', runId: 'a2', outcome: 'ok' });
    await timers.started(2);
    timers.fire();
    raw.exec('COMMIT');
    raw.close();
    await other.append({ kind: 'model_call', runId: 'b1', outcome: 'ok' });
    timers.fire();
    assert.equal((await waiting).seq, 4, 'after the entry the other window wrote meanwhile');
    assert.deepEqual(await other.verify({ full: true }), { ok: true, entries: 4 });
  });

  it('keeps every entry when a hundred are appended at once', async () => {
    const log = windowLog();
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' })));
    assert.deepEqual(await log.verify(), { ok: true, entries: 100 });
  });

  it('verifies a long log a slice at a time, so other work in the extension host runs before it ends', async () => {
    const log = windowLog();
    // One transaction for all but the first (which loads the chain key), as the routing bench writes them: quicker than 5,000 appends.
    await log.append({ kind: 'model_call', runId: 'r0', outcome: 'ok' });
    temp.db.write(() => {
      for (let i = 1; i < 5000; i++) void log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' });
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
    const log = windowLog();
    await writeThree(log);
    // What a newer Switchboard in another window writes: an entry with a field this one does not know.
    const head = (await log.read())[0]!;
    const body = { kind: 'model_call', outcome: 'ok', purpose: 'chat', seq: 4, time: head.time, prevHash: head.hash, chainKey: head.chainKey!, newerField: 'x' };
    const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
    const hash = createHmac('sha256', chainKey(head.chainKey!)).update(JSON.stringify(sorted)).digest('hex');
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
      const log = windowLog();
      await writeThree(log);
      tamper(temp.db, change);
      const result = await log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.broken?.line, line);
      assert.match(result.broken!.reason, reason);
    });
  }

  /**
   * An entry that links to `prev` as the log would write it, under the chain key `prev` names,
   * hashed here on its own: HMAC-SHA256 of its fields sorted by name.
   */
  function linked(prev: { seq: number; hash: string; chainKey: string }, fields: Record<string, unknown>): Record<string, unknown> & { seq: number; hash: string; chainKey: string } {
    const body: Record<string, unknown> = { kind: 'model_call', outcome: 'ok', time: '2026-01-02T00:00:00.000Z', seq: prev.seq + 1, prevHash: prev.hash, chainKey: prev.chainKey, ...fields };
    return { ...body, seq: prev.seq + 1, chainKey: prev.chainKey, hash: keyedHashOf(prev.chainKey, body) };
  }

  function keyedHashOf(keyId: string, body: Record<string, unknown>): string {
    const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
    return createHmac('sha256', chainKey(keyId)).update(JSON.stringify(sorted)).digest('hex');
  }

  /** Appends raw rows after the log's head, and moves the head row to the last of them. */
  function appendRaw(db: Database, rows: Array<Record<string, unknown> & { seq: number; hash: string }>) {
    db.write((sql) => {
      for (const row of rows) sql.run(`INSERT INTO ${TABLES.audit} (body) VALUES (?)`, JSON.stringify(row));
      const last = rows.at(-1)!;
      sql.run(`UPDATE ${TABLES.auditHead} SET seq = ?, hash = ?`, last.seq, last.hash);
    });
  }

  /** The newest entry, with the chain key it was hashed with. */
  async function headOf(log: AuditLog) {
    const head = (await log.read())[0]!;
    return { seq: head.seq, hash: head.hash, chainKey: head.chainKey! };
  }

  it('hashes every field in name order, whatever fields an entry has and in whatever order they come', async () => {
    const log = windowLog();
    await writeThree(log);
    // Field names no entry had before (the log keeps each set of names' order once sorted): each set is sorted on its own.
    // By localeCompare, as 0.1.0 sorted them: 'a…' before 'Z…', where code-unit order puts 'Z' first.
    const [early, late] = [`a${randomUUID().slice(0, 8)}`, `Z${randomUUID().slice(0, 8)}`];
    const first = linked(await headOf(log), { [late]: 1, [early]: 2 });
    const second = linked(first, { [early]: 'x', purpose: 'chat' });
    appendRaw(temp.db, [first, second]);
    assert.deepEqual(await log.verify(), { ok: true, entries: 5 });
    // And the entries the log appended itself are hashed the same way.
    for (const entry of (await log.read()).filter((e) => e.seq <= 3)) {
      const { hash, ...fields } = entry;
      assert.equal(keyedHashOf(entry.chainKey!, fields), hash, `entry ${entry.seq}`);
    }
  });

  it('reports an entry whose sequence number is off, even with its link and keyed hash intact', async () => {
    const log = windowLog();
    await writeThree(log);
    const head = await headOf(log);
    appendRaw(temp.db, [linked({ ...head, seq: head.seq + 1 }, {})]);
    assert.deepEqual(await log.verify(), { ok: false, entries: 4, broken: { line: 4, reason: 'its sequence number is 5, expected 4' } });
  });

  for (const [what, field, value] of [
    ['no kind', 'kind', undefined],
    ['a time that is not text', 'time', 7],
    ['a hash that is not text', 'hash', 7],
    ['no link to the entry before', 'prevHash', undefined],
    ['a sequence number that is not whole', 'seq', 1.5],
    ['a chain key that is not text', 'chainKey', 7],
  ] as const) {
    it(`reports an entry with ${what} as not a valid audit entry`, async () => {
      const log = windowLog();
      await writeThree(log);
      tamper(temp.db, (rows) => rows.map((row, i) => (i === 1 ? JSON.stringify({ ...(JSON.parse(row) as Record<string, unknown>), [field]: value }) : row)));
      assert.deepEqual((await log.verify()).broken, { line: 2, reason: 'the entry is not a valid audit entry' });
    });
  }

  it('reports a head row that does not match the last entry: changed or removed', async () => {
    const log = windowLog();
    await writeThree(log);
    const setHead = (statement: string) => temp.db.write((sql) => sql.run(statement));
    setHead(`UPDATE ${TABLES.auditHead} SET hash = 'changed'`);
    assert.deepEqual((await log.verify()).broken, { line: 4, reason: 'the head record (entry 3) does not match the last entry (3) (the head was changed or removed)' });
    setHead(`DELETE FROM ${TABLES.auditHead}`);
    assert.deepEqual((await log.verify()).broken, { line: 4, reason: 'the head record (entry 0) does not match the last entry (3) (the head was changed or removed)' });
  });

  describe('anchored outside the database: a key in SecretStorage, the head in globalState', () => {
    /** Rewrites entries from `from` (1-based) on with `hashOf`, chained, and the head row with them: what someone with the file and without the key can do. */
    function recompute(db: Database, from: number, hashOf: (body: Record<string, unknown>) => string, change: (entry: Record<string, unknown>) => Record<string, unknown> = (e) => e) {
      db.write((sql) => {
        const rows = sql.all<{ pos: number; body: string }>(`SELECT pos, body FROM ${TABLES.audit} ORDER BY pos`);
        let prevHash = (JSON.parse(rows[from - 2]?.body ?? '{"hash":"0000000000000000000000000000000000000000000000000000000000000000"}') as { hash: string }).hash;
        let last = { seq: 0, hash: '' };
        for (const row of rows.slice(from - 1)) {
          const { hash: _old, ...entry } = change(JSON.parse(row.body) as Record<string, unknown>);
          const body: Record<string, unknown> = { ...entry, prevHash };
          const sorted = Object.fromEntries(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)));
          prevHash = hashOf(sorted);
          sql.run(`UPDATE ${TABLES.audit} SET body = ? WHERE pos = ?`, JSON.stringify({ ...body, hash: prevHash }), row.pos);
          last = { seq: body.seq as number, hash: prevHash };
        }
        sql.run(`UPDATE ${TABLES.auditHead} SET seq = ?, hash = ?`, last.seq, last.hash);
      });
    }
    const sha256 = (body: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

    /** Three entries written and their head mirrored (as it is within seconds, and at shutdown). */
    async function threeMirrored() {
      const log = windowLog();
      await writeThree(log);
      await log.flush();
      assert.deepEqual(state.get(AUDIT_HEAD_KEY), { seq: 3, hash: (await log.read())[0]!.hash });
      return log;
    }

    it('reports a log whose rows were all deleted with the head row', async () => {
      const log = await threeMirrored();
      temp.db.write((sql) => (sql.run(`DELETE FROM ${TABLES.audit}`), sql.run(`DELETE FROM ${TABLES.auditHead}`)));
      const result = await log.verify();
      assert.equal(result.ok, false);
      assert.match(result.broken!.reason, /the log ends at entry 0, but 3 were written, as recorded outside the database/);
    });

    it('reports a removed database file', async () => {
      await threeMirrored();
      temp.db.dispose();
      for (const file of [temp.file, `${temp.file}-wal`, `${temp.file}-shm`]) await rm(file, { force: true });
      const result = await windowLog(temp.open()).verify();
      assert.deepEqual([result.ok, result.entries], [false, 0]);
      assert.match(result.broken!.reason, /but 3 were written, as recorded outside the database/);
    });

    it('reports the last entry removed with its head row moved back (the mirror ahead of the database)', async () => {
      const log = await threeMirrored();
      const second = (await log.read())[1]!;
      temp.db.write((sql) => (sql.run(`DELETE FROM ${TABLES.audit} WHERE pos = (SELECT max(pos) FROM ${TABLES.audit})`), sql.run(`UPDATE ${TABLES.auditHead} SET seq = 2, hash = ?`, second.hash)));
      const result = await log.verify();
      assert.equal(result.ok, false);
      assert.match(result.broken!.reason, /the log ends at entry 2, but 3 were written/);
    });

    it('reports an edit with the chain recomputed under another key', async () => {
      const log = await threeMirrored();
      recompute(temp.db, 2, (body) => createHmac('sha256', 'a guess').update(JSON.stringify(body)).digest('hex'), (e) => ({ ...e, outcome: e.outcome === 'granted (once)' ? 'denied' : e.outcome }));
      // Without the mirror too: the key alone finds it.
      await state.update(AUDIT_HEAD_KEY, undefined);
      const result = await log.verify();
      assert.deepEqual([result.ok, result.broken?.line], [false, 2]);
      assert.match(result.broken!.reason, /does not match its keyed hash \(the entry was edited, or the chain was recomputed without the key\)/);
    });

    it('reports an edit with the chain recomputed as plain sha256, as an earlier version hashed', async () => {
      const log = await threeMirrored();
      const plain = (e: Record<string, unknown>) => {
        const { chainKey: _key, ...rest } = e;
        return { ...rest, outcome: e.outcome === 'granted (once)' ? 'denied' : e.outcome };
      };
      // The whole chain: the mirrored head finds it.
      recompute(temp.db, 1, sha256, plain);
      let result = await log.verify();
      assert.deepEqual([result.ok, result.broken?.line], [false, 3]);
      assert.match(result.broken!.reason, /entry 3 is not the one recorded outside the database \(the log was rewritten\)/);
      // From the edited entry on, after a keyed one: the keyed chain finds it, mirror or not.
      await temp.cleanup();
      temp = await tempDatabase();
      state = new MemoryStore();
      const again = await threeMirrored();
      recompute(temp.db, 2, sha256, plain);
      await state.update(AUDIT_HEAD_KEY, undefined);
      result = await again.verify();
      assert.deepEqual([result.ok, result.broken?.line], [false, 2]);
      assert.match(result.broken!.reason, /a plain hash after keyed entries/);
    });

    it('reports entries whose key SecretStorage no longer has, and goes on with a new key', async () => {
      const log = await threeMirrored();
      vault.secrets.clear();
      const reopened = windowLog(temp.open());
      const next = await reopened.append({ kind: 'model_call', outcome: 'ok' });
      assert.notEqual(next.chainKey, (await log.read())[1]!.chainKey);
      const result = await reopened.verify();
      assert.deepEqual([result.ok, result.broken?.line], [false, 1]);
      assert.match(result.broken!.reason, /audit key that SecretStorage does not have/);
    });

    it('appends nothing when SecretStorage cannot keep the key, and appends once it can', async () => {
      const log = windowLog();
      vault.failStore = new Error('no keyring');
      await assert.rejects(log.append({ kind: 'model_call', outcome: 'ok' }), (error: unknown) => error instanceof SwitchboardError && error.code === 'secret_storage_failed' && /could not keep the audit log's key/.test(error.message));
      assert.equal(log.page({ offset: 0, limit: 10 }).total, 0);
      vault.failStore = undefined;
      await log.append({ kind: 'model_call', outcome: 'ok' });
      assert.deepEqual(await log.verify(), { ok: true, entries: 1 });
    });

    it('mirrors the head once for a burst of entries, after they are committed, and never backwards when two windows append', async () => {
      const first = windowLog();
      const second = windowLog(temp.open());
      for (let i = 0; i < 5; i++) await first.append({ kind: 'model_call', runId: `a${i}`, outcome: 'ok' });
      assert.equal(state.updates, 0, 'nothing written while the entries come');
      const last = await second.append({ kind: 'model_call', runId: 'b', outcome: 'ok' });
      await second.flush();
      await first.flush();
      assert.equal(state.updates, 1, 'the first window\'s head (5) is behind the one mirrored (6): not written');
      assert.deepEqual(state.get(AUDIT_HEAD_KEY), { seq: 6, hash: last.hash });
      assert.deepEqual(await first.verify(), { ok: true, entries: 6 });
    });

    it('mirrors the head after the delay the window was given, without a flush', async () => {
      const log = new AuditLog(temp.db, new FixedClock(), auditAnchor({ vault, state, mirrorDelayMs: 0 }));
      const entry = await log.append({ kind: 'model_call', runId: 'r', outcome: 'ok' });
      // The mirror's timer (0 ms) was started by the append, so it fires before this one (20 ms): timers run in order of their time.
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(state.get(AUDIT_HEAD_KEY), { seq: 1, hash: entry.hash }, 'mirrored by the timer; the default delay (2 s) would not have fired yet');
    });

    it('verifies a chain written before it was keyed (0.1.0 and the versions before this one), and the keyed chain goes on from it', async () => {
      const earlier = appendAsEarlierVersion(temp.db, [
        { kind: 'connection_created', connectionId, providerId: 'ollama' },
        { kind: 'model_call', connectionId, outcome: 'ok' },
      ]);
      const log = windowLog();
      assert.deepEqual(await log.verify(), { ok: true, entries: 2 });
      const next = await log.append({ kind: 'model_call', outcome: 'ok' });
      assert.deepEqual([next.seq, next.prevHash, earlier.some((e) => e.chainKey)], [3, earlier[1]!.hash, false]);
      assert.deepEqual(await log.verify(), { ok: true, entries: 3, newSince: 1 });
      assert.throws(() => appendAsEarlierVersion(temp.db, [{ kind: 'model_call', outcome: 'ok' }]), /already has keyed entries/);
    });

    it('keeps the chain key out of the database and globalState', async () => {
      const log = await threeMirrored();
      const key = chainKey((await log.read())[0]!.chainKey!);
      const text = `${await databaseText(temp.db)}\n${state.dump()}`;
      for (const form of [key.toString('base64'), key.toString('hex'), key.toString('latin1')]) assert.ok(!text.includes(form));
    });
  });

  it("names each connection by the newest of its own entries that records a name, so a deleted connection keeps its name", async () => {
    const log = windowLog();
    const other = '22222222-2222-4222-8222-222222222222';
    await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama', connectionName: 'Old name' });
    await log.append({ kind: 'connection_created', connectionId: other, providerId: 'ollama' });
    await log.append({ kind: 'connection_updated', connectionId, providerId: 'ollama', connectionName: 'New name' });
    await log.append({ kind: 'key_read', connectionId, requesterId: 'view:agents', outcome: 'granted (once)' });
    assert.deepEqual([...log.recordedConnectionNames([connectionId, other, 'nobody'])], [[connectionId, 'New name']]);
    assert.deepEqual([...log.recordedConnectionNames([])], []);
  });

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
      const log = windowLog();
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
      const log = windowLog();
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
      const log = windowLog();
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
      const log = windowLog();
      await writeThirty(log);
      await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama' });
      assert.deepEqual(log.requesterIds().sort(), [...requesters].sort());
    });

    it('refuses a bad offset or limit with invalid_input and changes nothing', async () => {
      const log = windowLog();
      await writeThirty(log);
      for (const [offset, limit] of [[-1, 10], [0, 0], [1.5, 10], [0, Number.NaN]]) {
        assert.throws(() => log.page({ offset: offset!, limit: limit! }), (error: { code?: string; message: string }) => error.code === 'invalid_input' && /whole offset/.test(error.message));
      }
      assert.equal(count(temp.db), 30);
      assert.deepEqual(await log.verify(), { ok: true, entries: 30 });
    });

    it('skips a row that is not JSON in a page but counts it, so pages stay put, and still appends after it', async () => {
      const log = windowLog();
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
      const log = windowLog(temp.open());
      assert.deepEqual(log.page({ offset: 0, limit: 10, query: { kind: 'key_read' } }).entries.map((e) => e.seq), [2]);
      assert.deepEqual(log.requesterIds(), ['view:agents']);
    });

    it('exports every valid entry oldest first, as stored, one JSON line each', async () => {
      const log = windowLog();
      // More than one export chunk (1,000 rows), so the chunks join in order.
      await log.append({ kind: 'model_call', runId: 'r0', outcome: 'ok' });
      temp.db.write(() => {
        for (let i = 1; i < 1203; i++) void log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' });
      });
      tamper(temp.db, (rows) => [...rows.slice(0, 500), 'not json', ...rows.slice(500)]);
      const { text, entries } = log.exportLines();
      assert.equal(entries, 1203);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 1203);
      assert.deepEqual(lines.map((line) => (JSON.parse(line) as { seq: number }).seq), Array.from({ length: 1203 }, (_, i) => i + 1));
      assert.ok(text.endsWith('\n'));
      assert.deepEqual(windowLog().exportLines().text, text, 'the same text again');
    });
  });

  describe('verifying what was written since the last verify, and the whole log in workers', () => {
    /** Rewrites one stored row as another tool could: `change` gets and returns its text. */
    function editRow(seq: number, change: (body: string) => string) {
      temp.db.write((sql) => {
        const row = sql.all<{ pos: number; body: string }>(`SELECT pos, body FROM ${TABLES.audit} ORDER BY pos`)[seq - 1]!;
        sql.run(`UPDATE ${TABLES.audit} SET body = ? WHERE pos = ?`, change(row.body), row.pos);
      });
    }
    const denied = (body: string) => body.replace('granted (once)', 'denied');

    /** A log whose full verify runs in workers: three stretches even for a few rows, so their seams are crossed. */
    async function workerLog(db: Database = temp.db, stretches = 3) {
      return new AuditLog(db, new FixedClock(), auditAnchor({ vault, state }), { verifyWorker: await worker(AUDIT_VERIFY_ENTRY), verifyWorkers: stretches, minRowsPerWorker: 1 });
    }

    it('verifies only the entries written since the last verify: an edit before them waits for a full verify, which finds it', async () => {
      const log = windowLog();
      await writeThree(log);
      assert.deepEqual(await log.verify(), { ok: true, entries: 3 });
      await log.append({ kind: 'model_call', runId: 'r2', outcome: 'ok' });
      editRow(2, denied);
      // The edited entry was verified before it was edited: opening the editor checks entry 4 only.
      assert.deepEqual(await log.verify(), { ok: true, entries: 4, newSince: 1 });
      const full = { ok: false, entries: 4, broken: { line: 2, reason: 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)' } };
      assert.deepEqual(await log.verify({ full: true }), full);
      assert.deepEqual((await (await workerLog()).verify({ full: true })), full, 'in the workers too');
      // Once a full verify found it, the next verify walks the whole log again, and says so again.
      assert.deepEqual(await log.verify(), full);
    });

    it("takes a mirrored head from before the last verified entry as checked then (another window's mirror write that lagged)", async () => {
      const log = windowLog();
      await writeThree(log);
      await log.verify();
      await log.flush();
      const [, second] = (await log.read()).reverse();
      // Another window's write of an older head lands last: the mirror is one entry behind the verified one.
      await state.update(AUDIT_HEAD_KEY, { seq: second!.seq, hash: second!.hash });
      assert.deepEqual(await windowLog().verify(), { ok: true, entries: 3, newSince: 0 });
      // A mirrored head there that is not that entry is still caught, by the full verify.
      await state.update(AUDIT_HEAD_KEY, { seq: second!.seq, hash: 'f'.repeat(64) });
      assert.equal((await windowLog().verify({ full: true })).broken?.line, second!.seq);
    });

    it('finds, in an incremental verify, a mirrored head at or after the last verified entry that is not that entry', async () => {
      // The mirror at the last verified entry (3), and after it (4): each case on a log of its own.
      for (const seq of [3, 4]) {
        await temp.cleanup();
        temp = await tempDatabase();
        state = new MemoryStore();
        const log = windowLog();
        await writeThree(log);
        await log.verify();
        await log.append({ kind: 'model_call', runId: 'r2', outcome: 'ok' });
        await log.flush();
        await state.update(AUDIT_HEAD_KEY, { seq, hash: 'a'.repeat(64) });
        assert.deepEqual(await windowLog().verify(), { ok: false, entries: 4, broken: { line: seq, reason: `entry ${seq} is not the one recorded outside the database (the log was rewritten)` } }, `mirror at ${seq}`);
      }
    });

    it('finds an edit of an entry written since the last verify, at the line a full verify gives', async () => {
      const log = windowLog();
      await writeThree(log);
      await log.verify();
      await log.append({ kind: 'key_read', connectionId, requesterId: 'view:agents', outcome: 'granted (once)' });
      await log.append({ kind: 'model_call', runId: 'r3', outcome: 'ok' });
      editRow(4, denied);
      const result = await log.verify();
      assert.deepEqual(result, { ok: false, entries: 5, broken: { line: 4, reason: 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)' } });
      assert.deepEqual(await windowLog().verify({ full: true }), result);
    });

    it('remembers the last verified entry in globalState, so a new window verifies only what came after it', async () => {
      const log = windowLog();
      await writeThree(log);
      await log.verify();
      const last = (await log.read())[0]!;
      assert.deepEqual(state.get(AUDIT_VERIFIED_KEY), { pos: 3, seq: 3, hash: last.hash });
      editRow(1, (body) => body.replace('connection_created', 'connection_deleted'));
      const next = windowLog(temp.open());
      assert.deepEqual(await next.verify(), { ok: true, entries: 3, newSince: 0 }, 'entry 1 was verified before it was edited');
      assert.equal((await next.verify({ full: true })).broken?.line, 1);
    });

    it('a window whose full verify finds the log broken makes the other windows verify the whole log too', async () => {
      const first = windowLog();
      await writeThree(first);
      assert.deepEqual(await first.verify(), { ok: true, entries: 3 });
      editRow(1, (body) => body.replace('connection_created', 'connection_deleted'));
      const second = windowLog(temp.open());
      assert.equal((await second.verify({ full: true })).broken?.line, 1);
      assert.equal(state.get(AUDIT_VERIFIED_KEY), undefined);
      assert.equal((await first.verify()).broken?.line, 1, 'the first window walks the whole log again');
    });

    it('verifies the whole log when the entry verified last is gone or changed: the log rewritten, the database replaced', async () => {
      const log = windowLog();
      await writeThree(log);
      await log.verify();
      // Rewritten from entry 3 on without the key (the head row with it), the mirror dropped too: only the key finds it.
      editRow(3, (body) => body.replace('"outcome":"ok"', '"outcome":"failed"'));
      await state.update(AUDIT_HEAD_KEY, undefined);
      assert.deepEqual((await log.verify()).broken?.line, 3);
      // A database replaced by one with fewer entries: the entry verified last is not there.
      const other = await tempDatabase();
      try {
        const log2 = windowLog(other.db);
        await writeThree(log2);
        await log2.verify();
        other.db.write((sql) => (sql.run(`DELETE FROM ${TABLES.audit} WHERE pos = 3`), sql.run(`UPDATE ${TABLES.auditHead} SET seq = 2, hash = ?`, JSON.parse(sql.get<{ body: string }>(`SELECT body FROM ${TABLES.audit} WHERE pos = 2`)!.body).hash)));
        await state.update(AUDIT_HEAD_KEY, undefined);
        // Without the mirror a removed tail with its head row verifies as a log of two; the remembered entry is gone, so the whole log is walked.
        assert.deepEqual(await log2.verify(), { ok: true, entries: 2 });
        // A different log of the same length in its place: the entry remembered (row 2) has another hash.
        await log2.append({ kind: 'model_call', runId: 'x', outcome: 'ok' });
        await log2.verify();
        other.db.write((sql) => (sql.run(`DELETE FROM ${TABLES.audit}`), sql.run(`DELETE FROM ${TABLES.auditHead}`)));
        await state.update(AUDIT_HEAD_KEY, undefined);
        await writeThree(log2);
        const logger = new MemoryLogger();
        const fresh = new AuditLog(other.db, new FixedClock(), auditAnchor({ vault, state, logger }));
        assert.deepEqual(await fresh.verify(), { ok: true, entries: 3 }, 'a wholly new chain under the key verifies, the whole of it');
        assert.ok(logger.lines.some((line) => line.includes('verifying the whole log')), logger.lines.join('\n'));
      } finally {
        await other.cleanup();
      }
    });

    it('a full verify in workers gives the host\'s answer, word for word, for every kind of break', async function () {
      // Many workers started: the limit only bounds a hang.
      this.timeout(120_000);
      const cases: Array<[string, (log: AuditLog) => Promise<void>]> = [
        ['intact', async () => {}],
        ['an edited entry', async () => editRow(2, denied)],
        ['a removed entry', async () => tamper(temp.db, (r) => [r[0]!, ...r.slice(2)])],
        ['swapped entries', async () => tamper(temp.db, (r) => [r[0]!, r[2]!, r[1]!, ...r.slice(3)])],
        ['a garbage entry', async () => tamper(temp.db, (r) => [r[0]!, 'not json', ...r.slice(1)])],
        ['a garbage entry at a seam', async () => tamper(temp.db, (r) => [...r.slice(0, 3), 'not json', ...r.slice(3)])],
        ['an entry reformatted by another tool', async () => editRow(4, (body) => JSON.stringify(JSON.parse(body), null, 1))],
        ['the last entry removed', async () => tamper(temp.db, (r) => r.slice(0, -1))],
        ['the head row changed', async () => void temp.db.write((sql) => sql.run(`UPDATE ${TABLES.auditHead} SET hash = 'changed'`))],
        ['the mirror ahead of the log', async () => void (await state.update(AUDIT_HEAD_KEY, { seq: 9, hash: 'a'.repeat(64) }))],
        ['the mirror not matching its entry', async () => void (await state.update(AUDIT_HEAD_KEY, { seq: 4, hash: 'a'.repeat(64) }))],
        ['the key gone', async () => vault.secrets.clear()],
        ['a plain hash after keyed entries', async () => tamper(temp.db, (r) => [...r.slice(0, 5), JSON.stringify({ ...(JSON.parse(r[5]!) as object), chainKey: undefined })])],
        // Workers split the rows' positions: a gap where a stretch starts, and a stretch with no row at all (positions 8 to 14 of 3 stretches up to 22).
        ['entries removed where a stretch starts', async () => void temp.db.write((sql) => sql.run(`DELETE FROM ${TABLES.audit} WHERE pos IN (3, 4)`))],
        ['the entries at other positions, as they were', async () => movePositions([1, 2, 3, 20, 21, 22])],
      ];
      for (const [name, breakIt] of cases) {
        await temp.cleanup();
        temp = await tempDatabase();
        vault = new MemoryVault();
        state = new MemoryStore();
        const log = windowLog();
        await writeThree(log);
        await writeThree(log);
        await log.flush();
        await breakIt(log);
        const host = (await log.verifyAllHere()).result;
        for (const stretches of [1, 3]) {
          const inWorkers = (await (await workerLog(temp.db, stretches)).verifyInWorkers(await worker(AUDIT_VERIFY_ENTRY))).result;
          assert.deepEqual(inWorkers, host, `${name}, ${stretches} stretch(es)`);
        }
        if (name === 'intact' || name === 'the entries at other positions, as they were') assert.deepEqual(host, { ok: true, entries: 6 }, name);
        else if (name === 'an entry reformatted by another tool') assert.deepEqual(host, { ok: true, entries: 6 }, 'the same fields in another form verify, as they always did');
        else assert.equal(host.ok, false, name);
      }
    });

    it('hashes as createHmac does, whatever the text and the key length', () => {
      for (const key of [Buffer.alloc(0), Buffer.from('k'), Buffer.alloc(64, 7), Buffer.alloc(65, 9), Buffer.alloc(200, 1)]) {
        const hmac = new Hmac(key);
        for (const text of ['', 'a', 'é€😀'.repeat(500), 'x'.repeat(5000)]) {
          assert.equal(hmac.hex(text), createHmac('sha256', key).update(text).digest('hex'));
          // A stored row: the text the hash covers with the hash added at its end, cut off again here.
          // A stored row, as verify reads it: the bytes the hash covers with the hash added at their end, some bytes of another row before them.
          const row = Buffer.from(`xyz{${text}${',"hash":"'}${'0'.repeat(64)}"}`);
          assert.equal(hmac.hexOfStored(row, 3, row.length - 75), createHmac('sha256', key).update(`{${text}}`).digest('hex'));
        }
      }
    });

    it('refuses a verify worker\'s failure of every kind, so the verify falls back to the host instead of trusting it', async () => {
      const log = windowLog();
      await writeThree(log);
      await log.flush();
      // Each bad worker is a script of its own beside the database; the answer must never be "verified".
      const script = (name: string, text: string) => {
        const path = join(temp.dir, `${name}.mjs`);
        writeFileSync(path, `import { parentPort } from 'node:worker_threads';\n${text}\n`);
        return path;
      };
      const cases: Array<[string, string, RegExp]> = [
        ['throws', `throw new Error('the walk broke');`, /the walk broke/],
        ['exits', `process.exit(3);`, /the worker exited \(3\) before it answered/],
        ['ends quietly', ``, /the worker exited \(0\) before it answered/],
        ['reports a failure', `parentPort.postMessage({ type: 'failed', message: 'the file could not be read' });`, /the file could not be read/],
      ];
      for (const [name, text, expected] of cases) {
        await assert.rejects((await workerLog(temp.db, 1)).verifyInWorkers(script(name, text)), expected, name);
      }
      // A worker that answers first and then fails is held to its answer.
      const answered = script('answers then throws', `parentPort.postMessage({ type: 'done', stretch: { rows: 0, end: { seq: 0, hash: '${GENESIS_HASH}', keyed: false } } }); throw new Error('too late');`);
      assert.equal((await (await workerLog(temp.db, 1)).verifyInWorkers(answered)).result.entries, 0);
    });

    it('fails a verify in workers when the keyring cannot give a worker the key it asks for, and says why', async () => {
      const log = windowLog();
      await writeThree(log);
      await log.flush();
      vault.failRead = new Error('the keyring is locked');
      // A new window: the key is read from the keyring, not from what this one holds.
      await assert.rejects((await workerLog(temp.db, 1)).verifyInWorkers(await worker(AUDIT_VERIFY_ENTRY)), (error: unknown) => error instanceof SwitchboardError && error.code === 'secret_storage_failed' && /the keyring is locked/.test(error.message));
      vault.failRead = undefined;
      assert.deepEqual((await (await workerLog(temp.db, 1)).verifyInWorkers(await worker(AUDIT_VERIFY_ENTRY))).result, { ok: true, entries: 3 });
    });

    it('verifies in the extension host when the worker cannot start, with the same answer', async () => {
      const logger = new MemoryLogger();
      const log = new AuditLog(temp.db, new FixedClock(), auditAnchor({ vault, state, logger }), { verifyWorker: join(temp.dir, 'missing.js') });
      await writeThree(log);
      assert.deepEqual(await log.verify({ full: true }), { ok: true, entries: 3 });
      assert.ok(logger.lines.some((line) => line.includes('The audit verify worker failed')), logger.lines.join('\n'));
    });
  });
});
