import * as assert from 'node:assert/strict';
import type { Connection } from '../../src/contracts/connections';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { buildConnectionsStack } from '../fixtures/keyPathKit';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { serveDuringSuite } from '../helpers/providerTestKit';

/**
 * A compromised Connections webview: it can send any message the protocol allows, and more. With
 * a canary key and two loopback servers that record what they receive (the connection's own, and
 * another origin the person never confirmed), nothing it sends may carry the key to the other
 * origin, and every key that leaves is matched by exactly one granted `key_read` audit entry.
 */
describe('a hostile Connections view', () => {
  const home = new OpenAiFixture({ apiKey: CANARY_KEY });
  const elsewhere = new OpenAiFixture();
  serveDuringSuite(home);
  serveDuringSuite(elsewhere);

  async function setUp() {
    const stack = buildConnectionsStack();
    const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${home.url}/v1` });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    await stack.view.handle({ type: 'ready' });
    // `elsewhere` is another origin: the same host on another port.
    return { ...stack, connection, elsewhereUrl: `${elsewhere.url}/v1` };
  }

  /** Requests that carried the key, on both servers. */
  function keysSent(): number {
    return [...home.requests, ...elsewhere.requests].filter((request) => JSON.stringify(request).includes(CANARY_KEY)).length;
  }

  async function assertEveryKeyAudited(stack: Awaited<ReturnType<typeof setUp>>): Promise<void> {
    const granted = (await stack.keyReads()).filter((entry) => entry.outcome?.startsWith('granted'));
    assert.equal(granted.length, keysSent(), 'one granted key_read per request that carried the key');
    assert.ok(elsewhere.requests.every((request) => !JSON.stringify(request).includes(CANARY_KEY)), 'the key never reached the other origin');
    assertNoCanary({ posted: stack.posted, state: stack.store.dump(), log: stack.logger.lines, audit: await stack.audit.read() });
  }

  it('cannot move a keyed connection elsewhere and then test or discover there: the host asks, and Cancel changes nothing', async () => {
    const stack = await setUp();
    stack.interactions.answers = [undefined];
    const moved = await stack.request('updateConnection', { id: stack.connection.id, patch: { baseUrl: stack.elsewhereUrl } });
    assert.equal(moved.ok, false);
    assert.equal(moved.error?.code, 'cancelled');
    assert.match(stack.interactions.asked[0] ?? '', /Send the key of "Cloud" to http:\/\/127\.0\.0\.1:\d+\?/);
    assert.equal(stack.connections.require(stack.connection.id).baseUrl, `${home.url}/v1`);

    assert.equal(((await stack.request('testConnection', { id: stack.connection.id })).value as { status: string }).status, 'valid');
    assert.equal((await stack.request('discoverModels', { connectionId: stack.connection.id })).ok, true);
    assert.equal(elsewhere.requests.length, 0);
    assert.equal(home.requests.length, 2);
    await assertEveryKeyAudited(stack);
  });

  it('moving with "Remove the Key" sends the connection elsewhere without its key', async () => {
    const stack = await setUp();
    stack.interactions.answers = ['Remove the Key'];
    const moved = await stack.request('updateConnection', { id: stack.connection.id, patch: { baseUrl: stack.elsewhereUrl } });
    assert.equal(moved.ok, true, moved.error?.message);
    assert.equal((moved.value as Connection).keyHint, undefined);
    assert.deepEqual(stack.vault.connectionSecrets(), [], 'the key is gone from SecretStorage');
    const tested = await stack.request('testConnection', { id: stack.connection.id });
    assert.match((tested.value as { message: string }).message, /needs an API key/);
    assert.equal(elsewhere.requests.length, 0, 'OpenAI needs a key, so nothing was sent');
    await assertEveryKeyAudited(stack);
  });

  it('a move the person confirmed sends the key to the new address, audited, and nowhere else', async () => {
    const stack = await setUp();
    stack.interactions.answers = ['Send Key to the New Address'];
    assert.equal((await stack.request('updateConnection', { id: stack.connection.id, patch: { baseUrl: stack.elsewhereUrl } })).ok, true);
    await stack.request('testConnection', { id: stack.connection.id });
    assert.equal(elsewhere.authorizationHeaders().length, 1);
    const granted = (await stack.keyReads()).filter((entry) => entry.outcome?.startsWith('granted'));
    assert.equal(granted.length, keysSent());
    assert.deepEqual(granted.map((entry) => [entry.purpose, entry.requesterId, entry.outcome]), [['test', 'switchboard.connectionsView', 'granted_by_person']]);
  });

  it('cannot hide a key in the URL, in a header, or in an option the provider does not have', async () => {
    const stack = await setUp();
    const attempts = [
      { baseUrl: `${home.url}/v1?api_key=${CANARY_KEY}` },
      { baseUrl: `http://user:${CANARY_KEY}@127.0.0.1:1/v1` },
      { options: { apiKey: CANARY_KEY } },
    ];
    const before = stack.store.dump();
    for (const patch of attempts) {
      const reply = await stack.request('updateConnection', { id: stack.connection.id, patch });
      assert.equal(reply.ok, false, JSON.stringify(patch));
      assert.equal(reply.error?.code, 'invalid_input');
    }
    assert.equal(stack.store.dump(), before, 'nothing changed');
    assert.equal(stack.interactions.asked.length, 0, 'nothing to ask about');
  });

  it('gets a bounded invalid_input for unknown methods and unknown fields, however long their names', async () => {
    const stack = await setUp();
    const longName = 'x'.repeat(100_000);
    const replies = [
      await stack.request('readKey', { id: stack.connection.id }),
      await stack.request('updateConnection', { id: stack.connection.id, patch: { [longName]: CANARY_KEY } }),
      await stack.request('testConnection', { id: stack.connection.id, [longName]: 1 }),
    ];
    for (const reply of replies) {
      assert.equal(reply.error?.code, 'invalid_input');
      assert.ok((reply.error?.message.length ?? 0) < 1_000, `a reply of ${reply.error?.message.length} characters`);
    }
    assert.ok(stack.logger.lines.every((line) => line.length < 1_000));
    assertNoCanary({ posted: stack.posted, log: stack.logger.lines });
    assert.equal(home.requests.length, 0);
  });
});
