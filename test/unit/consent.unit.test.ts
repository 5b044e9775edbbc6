import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../src/contracts/connections';
import { AuditLog } from '../../src/core/auditLog';
import { ConsentService, type ConsentAnswer } from '../../src/core/consent';
import { SwitchboardError } from '../../src/core/errors';
import { FixedClock, MemoryLogger, MemoryStore } from '../helpers/fakes';

const connection: Connection = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Cloud',
  providerId: 'openai',
  baseUrl: 'http://127.0.0.1:1/v1',
  options: {},
  status: 'valid',
  keyHint: '****9c1e',
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
};

describe('ConsentService', () => {
  let dir: string;
  let audit: AuditLog;
  let answers: ConsentAnswer[];
  let asked: number;
  let service: ConsentService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-consent-'));
    audit = new AuditLog(join(dir, 'audit.jsonl'), new FixedClock());
    answers = [];
    asked = 0;
    service = new ConsentService({
      store: new MemoryStore(),
      audit,
      clock: new FixedClock(),
      logger: new MemoryLogger(),
      describeRequester: (id) => `requester ${id}`,
      prompt: {
        ask: async () => {
          asked++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          return answers.shift() ?? 'deny';
        },
      },
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function outcomes() {
    return (await audit.read()).reverse().map((e) => `${e.kind}:${e.requesterId}:${e.outcome}`);
  }

  it('allow once lets this read through and asks again next time', async () => {
    answers = ['once', 'once'];
    await service.authorizeKeyRead(connection, 'view:agents');
    await service.authorizeKeyRead(connection, 'view:agents');
    assert.equal(asked, 2);
    assert.deepEqual(service.grants(), []);
    assert.deepEqual(await outcomes(), ['key_read:view:agents:granted (once)', 'key_read:view:agents:granted (once)']);
  });

  it('always allow keeps a grant for that requester and connection only', async () => {
    answers = ['always'];
    await service.authorizeKeyRead(connection, 'view:agents');
    await service.authorizeKeyRead(connection, 'view:agents');
    assert.equal(asked, 1);
    assert.deepEqual(service.grants().map((g) => g.requesterId), ['view:agents']);
    await assert.rejects(service.authorizeKeyRead(connection, 'other.extension'), (e: SwitchboardError) => e.code === 'consent_denied');
    assert.equal(asked, 2);
  });

  it('deny fails with consent_denied, audits the denial and grants nothing', async () => {
    answers = ['deny'];
    await assert.rejects(service.authorizeKeyRead(connection, 'palette', { runId: 'r1' }), (e: SwitchboardError) => {
      assert.equal(e.code, 'consent_denied');
      assert.match(e.message, /The key of "Cloud" was not used: you denied it to requester palette\./);
      return true;
    });
    assert.deepEqual(service.grants(), []);
    const [entry] = await audit.read();
    assert.equal(entry?.outcome, 'denied');
    assert.equal(entry?.runId, 'r1');
  });

  it('revoking a grant makes the next read ask again', async () => {
    answers = ['always', 'deny'];
    await service.authorizeKeyRead(connection, 'view:agents');
    await service.revoke(connection.id, 'view:agents');
    assert.deepEqual(service.grants(), []);
    await assert.rejects(service.authorizeKeyRead(connection, 'view:agents'), (e: SwitchboardError) => e.code === 'consent_denied');
    assert.equal(asked, 2);
  });

  it('asks once for many runs waiting on the same answer', async () => {
    answers = ['once'];
    await Promise.all(Array.from({ length: 20 }, () => service.authorizeKeyRead(connection, 'view:agents')));
    assert.equal(asked, 1);
    assert.equal((await audit.read()).length, 20, 'every read is audited');
  });
});
