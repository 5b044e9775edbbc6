import * as assert from 'node:assert/strict';
import { SwitchboardError } from '../../src/core/base/errors';
import { requesterIds } from '../../src/core/keys/requesters';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { agentsView, buildConnectionsStack, fromView, keyedConnection } from '../fixtures/keyPathKit';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import type { Connection } from '../../src/contracts/connections';
import { CONNECTIONS_KEY } from '../../src/core/store/storageKeys';
import { serveDuringSuite } from '../helpers/providerTestKit';

const NEW_KEY = 'sk-rotated-4c2e9b7d1a6f';
const WRONG_KEY = 'sk-wrong-8e3f1c5a9d2b';

describe('Replace API Key', () => {
  // The provider accepts only the new key: the old (canary) one is being rotated out.
  const openai = new OpenAiFixture({ apiKey: NEW_KEY });
  serveDuringSuite(openai);

  async function keyed() {
    const stack = buildConnectionsStack();
    const { connection, use } = await keyedConnection(stack, `${openai.url}/v1`);
    /** The key a use of the connection hands to its adapter now. */
    const keyInUse = (requester: { id: string; byPerson: boolean } = fromView) => use(requester);
    const assertNeitherKeyShown = async (...values: unknown[]) => {
      const text = JSON.stringify([...values, stack.store.dump(), stack.logger.lines, stack.posted, await stack.audit.read()]);
      assertNoCanary(text);
      for (const key of [NEW_KEY, WRONG_KEY]) assert.ok(!text.includes(key) && !text.includes(key.slice(3)), 'a key leaked');
    };
    return { ...stack, connection, keyInUse, assertNeitherKeyShown };
  }

  it('keeps the old key when the new one fails its test, and says why', async () => {
    const s = await keyed();
    s.prompt.answers = ['always'];
    await s.keyInUse(agentsView);
    const before = s.connections.require(s.connection.id);
    s.interactions.answers = [WRONG_KEY];
    const failure = await s.actions.replaceKey(s.connection.id, fromView).then(
      () => assert.fail('the replacement should fail'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof SwitchboardError);
    assert.equal(failure.code, 'auth_failed');
    assert.match(failure.message, /was not saved, because its test failed: .*401.* The old key stays in use\./);
    // The test reached the provider with the new key; nothing else changed.
    assert.deepEqual(openai.authorizationHeaders(), [`Bearer ${WRONG_KEY}`]);
    assert.deepEqual(s.connections.require(s.connection.id), before);
    assert.equal(await s.keyInUse(), CANARY_KEY);
    assert.equal(s.consent.hasStandingGrant(s.connection.id, requesterIds.agentsView, { keyId: before.keyId, origin: new URL(openai.url).origin }), true);
    await s.assertNeitherKeyShown(failure.message);
  });

  it('replaces the key after a passing test, and standing permissions of the old key end', async () => {
    const s = await keyed();
    s.prompt.answers = ['always', 'once'];
    await s.keyInUse(agentsView);
    const oldKeyId = s.connections.require(s.connection.id).keyId;
    s.interactions.answers = [NEW_KEY];
    const result = await s.actions.replaceKey(s.connection.id, fromView);
    assert.deepEqual(result, { replaced: true, keyHint: `****${NEW_KEY.slice(-4)}` });
    assert.deepEqual(s.interactions.progress, ['Testing the new key of Cloud…']);
    const after = s.connections.require(s.connection.id);
    assert.notEqual(after.keyId, oldKeyId);
    assert.equal(after.status, 'valid');
    assert.equal(await s.keyInUse(), NEW_KEY);
    // The agents view's "Always Allow" was for the old key: it asks again.
    await s.keyInUse(agentsView);
    assert.equal(s.prompt.asked.length, 2);
    // The tested key is one key use, audited like every other.
    const reads = (await s.keyReads()).map((e) => `${e.requesterId}:${e.purpose}:${e.outcome}`);
    assert.ok(reads.includes(`${requesterIds.connectionsView}:test:granted_by_person`), reads.join(', '));
    await s.assertNeitherKeyShown(result);
  });

  it('changes nothing when the person cancels the password box', async () => {
    const s = await keyed();
    const before = s.connections.require(s.connection.id);
    s.interactions.answers = [undefined];
    assert.deepEqual(await s.actions.replaceKey(s.connection.id, fromView), { replaced: false });
    assert.deepEqual(s.connections.require(s.connection.id), before);
    assert.deepEqual(openai.requests, []);
  });

  describe('with credential headers', () => {
    const HEADER_VALUE = 'hdr-tenant-5b8d2f0a6c3e';
    const gateway = new OpenAiCompatibleFixture({ apiKey: NEW_KEY });
    serveDuringSuite(gateway);

    it('sends no credential header to an address the record does not bind it to, and changes nothing', async () => {
      const s = buildConnectionsStack();
      const connection = await s.connections.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: 'https://gateway-a.example/v1' });
      await s.connections.setKey(connection.id, CANARY_KEY);
      await s.connections.setCredentialHeader(connection.id, 'X-Api-Token', HEADER_VALUE);
      // The address moved away from the credentials' origin (a record of an older version or another window).
      await s.store.update(
        CONNECTIONS_KEY,
        (s.store.get(CONNECTIONS_KEY) as Connection[]).map((c) => (c.id === connection.id ? { ...c, baseUrl: `${gateway.url}/v1` } : c)),
      );
      const before = s.connections.require(connection.id);
      const secretsBefore = [...s.vault.secrets];
      s.interactions.answers = [NEW_KEY];
      await assert.rejects(s.actions.replaceKey(connection.id, fromView), (error: unknown) => {
        assert.ok(error instanceof SwitchboardError);
        assert.equal(error.code, 'consent_denied', error.message);
        assert.match(error.message, /credential headers of "Gateway" were entered for https:\/\/gateway-a\.example.*The old key stays in use\./);
        return true;
      });
      assert.deepEqual(gateway.requests, []);
      assert.deepEqual(s.connections.require(connection.id), before);
      assert.deepEqual([...s.vault.secrets], secretsBefore);
      assert.deepEqual((await s.keyReads()).map((e) => e.outcome), ['refused']);
    });
  });
});
