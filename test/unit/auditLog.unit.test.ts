import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/core/auditLog';
import { FixedClock } from '../helpers/fakes';

describe('AuditLog', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-audit-'));
    file = join(dir, 'nested', 'audit.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const connectionId = '11111111-1111-4111-8111-111111111111';

  async function writeThree(log: AuditLog) {
    await log.append({ kind: 'connection_created', connectionId, providerId: 'ollama' });
    await log.append({ kind: 'key_read', connectionId, requesterId: 'view:agents', outcome: 'granted (once)' });
    await log.append({ kind: 'model_call', connectionId, requesterId: 'view:agents', runId: 'r1', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 12 });
  }

  it('chains each entry to the one before and verifies the chain', async () => {
    const log = new AuditLog(file, new FixedClock());
    await writeThree(log);
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => e.seq), [3, 2, 1], 'newest first');
    assert.equal(entries[2]!.prevHash, '0'.repeat(64));
    assert.equal(entries[1]!.prevHash, entries[2]!.hash);
    assert.equal(entries[0]!.prevHash, entries[1]!.hash);
    assert.deepEqual(await log.verify(), { ok: true, entries: 3 });
  });

  it('continues the chain after a restart', async () => {
    await writeThree(new AuditLog(file, new FixedClock()));
    const reopened = new AuditLog(file, new FixedClock());
    const entry = await reopened.append({ kind: 'connection_deleted', connectionId, providerId: 'ollama' });
    assert.equal(entry.seq, 4);
    assert.equal((await reopened.verify()).ok, true);
  });

  it('keeps one chain when two windows append to the same file in turn', async () => {
    // globalStorageUri is shared by every window of VS Code, and so is the audit log.
    const first = new AuditLog(file, new FixedClock());
    const second = new AuditLog(file, new FixedClock());
    await first.append({ kind: 'model_call', runId: 'a1', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b1', outcome: 'ok' });
    await first.append({ kind: 'model_call', runId: 'a2', outcome: 'ok' });
    await second.append({ kind: 'model_call', runId: 'b2', outcome: 'ok' });
    assert.deepEqual(await first.verify(), { ok: true, entries: 4 });
  });

  it('keeps every entry when a hundred are appended at once', async () => {
    const log = new AuditLog(file, new FixedClock());
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ kind: 'model_call', runId: `r${i}`, outcome: 'ok' })));
    assert.deepEqual(await log.verify(), { ok: true, entries: 100 });
  });

  const tamperings: Array<[string, (lines: string[]) => string[], number, RegExp]> = [
    ['an edited line', (l) => l.map((line, i) => (i === 1 ? line.replace('granted (once)', 'denied') : line)), 2, /edited/],
    ['a removed line', (l) => [l[0]!, l[2]!], 2, /removed, added or reordered/],
    ['swapped lines', (l) => [l[0]!, l[2]!, l[1]!], 2, /removed, added or reordered/],
    ['a garbage line', (l) => [l[0]!, 'not json', l[1]!, l[2]!], 2, /not a valid audit entry/],
  ];
  for (const [name, tamper, line, reason] of tamperings) {
    it(`reports the first broken link after ${name}`, async () => {
      const log = new AuditLog(file, new FixedClock());
      await writeThree(log);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      await writeFile(file, `${tamper(lines).join('\n')}\n`);
      const result = await log.verify();
      assert.equal(result.ok, false);
      assert.equal(result.broken?.line, line);
      assert.match(result.broken!.reason, reason);
    });
  }
});
