import * as assert from 'node:assert/strict';
import { AuditLog } from '../../src/core/auditLog';
import type { Database } from '../../src/core/database';
import { TABLES } from '../../src/core/storageKeys';
import { tempDatabase } from '../fixtures/tempDatabase';
import { FixedClock } from '../helpers/fakes';

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

  it('keeps one chain when two windows append to the same database in turn', async () => {
    // globalStorageUri is shared by every window of VS Code, and so is the database.
    const first = new AuditLog(temp.db, new FixedClock());
    const second = new AuditLog(temp.open(), new FixedClock());
    await first.append({ kind: 'model_call', runId: 'a1', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b1', outcome: 'ok' });
    await first.append({ kind: 'model_call', runId: 'a2', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b2', outcome: 'ok' });
    assert.deepEqual(await first.verify(), { ok: true, entries: 4 });
    assert.deepEqual((await second.read()).map((e) => e.runId), ['b2', 'a2', 'b1', 'a1']);
  });

  it('keeps every entry when a hundred are appended at once', async () => {
    const log = new AuditLog(temp.db, new FixedClock());
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' })));
    assert.deepEqual(await log.verify(), { ok: true, entries: 100 });
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
});
