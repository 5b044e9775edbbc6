import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Connection } from '../../src/contracts/connections';
import { Redactor } from '../../src/core/base/secrets';
import { ConsentService } from '../../src/core/keys/consent';
import { redactingVault } from '../../src/core/keys/vault';
import { CONSENTS_KEY } from '../../src/core/store/storageKeys';
import { CANARY_KEY } from '../fixtures/canary';
import { ScriptedConsent } from '../fixtures/keyPathKit';
import { FixedClock, MemoryLogger, MemoryStore, MemoryVault } from '../helpers/fakes';

/** Standing permissions and the question itself, on their own: the key path's use of them is in keyPath.unit.test.ts. */
describe('ConsentService', () => {
  function consent() {
    const store = new MemoryStore();
    const prompt = new ScriptedConsent();
    const logger = new MemoryLogger();
    const service = new ConsentService({ store, prompt, clock: new FixedClock(), logger, describeRequester: (id) => `the requester ${id}` });
    return { service, store, prompt, logger };
  }

  const connection = (name: string): Connection => ({
    id: randomUUID(),
    name,
    providerId: 'openai',
    baseUrl: 'https://api.example.com/v1',
    options: {},
    status: 'unknown',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const binding = { keyId: 'k1', origin: 'https://api.example.com' };

  it('asks with the connection, the requester in words and the destination, and keeps "Always Allow" for exactly that connection, requester, key and origin', async () => {
    const { service, prompt } = consent();
    const [a, b] = [connection('A'), connection('B')];
    prompt.answers = ['always'];
    assert.equal(await service.ask(a, 'ext.one', binding, 'acme.ext'), 'always');
    assert.deepEqual(prompt.asked, [{ connectionName: 'A', requesterId: 'ext.one', requesterLabel: 'the requester ext.one', destination: { origin: binding.origin, extensionId: 'acme.ext' } }]);
    assert.equal(service.hasStandingGrant(a.id, 'ext.one', binding), true);
    for (const [connectionId, requesterId, other] of [
      [b.id, 'ext.one', binding],
      [a.id, 'ext.two', binding],
      [a.id, 'ext.one', { ...binding, keyId: 'k2' }],
      [a.id, 'ext.one', { ...binding, origin: 'https://elsewhere.example' }],
      [a.id, 'ext.one', { ...binding, keyId: undefined }],
    ] as const) {
      assert.equal(service.hasStandingGrant(connectionId, requesterId, other), false, JSON.stringify([connectionId === a.id, requesterId, other]));
    }
  });

  it('never counts a grant without a key id as standing, even for a use without one', async () => {
    const { service, prompt } = consent();
    const a = connection('A');
    prompt.answers = ['always'];
    await service.ask(a, 'ext.one', { keyId: undefined, origin: binding.origin });
    assert.equal(service.grants().length, 1);
    assert.equal(service.hasStandingGrant(a.id, 'ext.one', { keyId: undefined, origin: binding.origin }), false);
  });

  it('keeps nothing for "Allow Once" or "Deny"', async () => {
    const { service, prompt } = consent();
    prompt.answers = ['once', 'deny'];
    assert.equal(await service.ask(connection('A'), 'ext.one', binding), 'once');
    assert.equal(await service.ask(connection('B'), 'ext.one', binding), 'deny');
    assert.deepEqual(service.grants(), []);
  });

  it('asks once for uses waiting on the same connection and requester, and once for each other pair', async () => {
    const { service, prompt } = consent();
    const [a, b] = [connection('A'), connection('B')];
    prompt.answers = ['once', 'deny', 'always'];
    const answers = await Promise.all([service.ask(a, 'ext.one', binding), service.ask(a, 'ext.one', binding), service.ask(b, 'ext.one', binding), service.ask(a, 'ext.two', binding)]);
    assert.deepEqual(answers, ['once', 'once', 'deny', 'always']);
    assert.equal(prompt.asked.length, 3);
    prompt.answers = ['deny'];
    assert.equal(await service.ask(a, 'ext.one', binding), 'deny', 'a question answered is asked again');
  });

  it('replaces, revokes and forgets only the grants it is told to', async () => {
    const { service, prompt, store } = consent();
    const [a, b] = [connection('A'), connection('B')];
    prompt.answers = ['always', 'always', 'always', 'always'];
    await service.ask(a, 'ext.one', binding);
    await service.ask(a, 'ext.two', binding);
    await service.ask(b, 'ext.one', binding);
    const pairs = () => service.grants().map((g) => `${g.connectionId === a.id ? 'A' : 'B'}:${g.requesterId}:${g.keyId}`);
    // A new "Always Allow" for a new key replaces the grant of that pair only.
    await service.ask(a, 'ext.one', { ...binding, keyId: 'k2' });
    assert.deepEqual(pairs().sort(), ['A:ext.one:k2', 'A:ext.two:k1', 'B:ext.one:k1']);

    let changes = 0;
    service.onDidChange(() => changes++);
    await service.revoke(a.id, 'ext.one');
    assert.deepEqual(pairs().sort(), ['A:ext.two:k1', 'B:ext.one:k1']);
    await service.revokeConnection(a.id);
    assert.deepEqual(pairs(), ['B:ext.one:k1']);
    assert.equal(changes, 2);
    assert.equal((store.get(CONSENTS_KEY) as unknown[]).length, 1);
  });

  it('skips a stored grant that is not valid, says so in the log, and keeps it in storage', async () => {
    const { service, store, logger } = consent();
    await store.update(CONSENTS_KEY, [{ connectionId: 'not-a-uuid' }]);
    assert.deepEqual(service.grants(), []);
    assert.ok(logger.lines.some((line) => line.startsWith('warn Ignoring a stored consent grant that is not valid')), logger.lines.join('\n'));
  });
});

describe('the redacting vault', () => {
  it('tells the redactor of every secret stored or read, and passes deletes on', async () => {
    const vault = new MemoryVault();
    const redactor = new Redactor();
    const redacting = redactingVault(vault, redactor);
    await redacting.store('stored', CANARY_KEY);
    vault.secrets.set('read', 'a-secret-read-back-later');
    assert.equal(await redacting.get('read'), 'a-secret-read-back-later');
    assert.equal(await redacting.get('missing'), undefined);
    assert.equal(redactor.redact(`${CANARY_KEY} a-secret-read-back-later`), '**** ****');
    assert.equal(vault.secrets.get('stored'), CANARY_KEY);
    await redacting.delete('stored');
    assert.equal(vault.secrets.has('stored'), false);
  });
});
