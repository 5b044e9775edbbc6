import * as assert from 'node:assert/strict';
import { ToConnectionsViewSchema, type ToConnectionsView } from '../../src/contracts/connectionsView';
import { ConnectionActions } from '../../src/core/connectionActions';
import { ConnectionsController } from '../../src/core/connectionsController';
import { CANARY_KEY } from '../fixtures/canary';
import { makeService } from './connectionService.unit.test';
import { ScriptedInteractions } from './fakes';

function setup(answers: Array<string | boolean | undefined> = []) {
  const parts = makeService();
  const interactions = new ScriptedInteractions(answers);
  const actions = new ConnectionActions(parts.service, parts.settings, interactions);
  const posted: ToConnectionsView[] = [];
  const controller = new ConnectionsController({ ...parts, connections: parts.service, actions, post: (m) => posted.push(m) });
  const replies = () => posted.filter((m) => m.type === 'reply');
  return { ...parts, interactions, controller, posted, replies };
}

const uuid = '00000000-0000-4000-8000-000000000000';

describe('ConnectionsController', () => {
  it('sends nothing before ready, then a whole snapshot with the providers the host has', async () => {
    const { controller, posted } = setup();
    controller.pushSnapshot();
    assert.equal(posted.length, 0);
    await controller.handle({ type: 'ready' });
    assert.equal(posted.length, 1);
    const snapshot = ToConnectionsViewSchema.parse(posted[0]);
    assert.equal(snapshot.type, 'snapshot');
    assert.deepEqual(snapshot.type === 'snapshot' && snapshot.providers.map((p) => p.id).sort(), ['ollama', 'openai']);
  });

  it('answers each malformed message with invalid_input and changes nothing', async () => {
    const { controller, replies, store } = setup();
    await controller.handle({ type: 'ready' });
    const before = store.dump();
    const malformed: unknown[] = [
      { type: 'request', id: 'r1', method: 'dropTables', params: {} },
      { type: 'request', id: 'r2', method: 'createConnection', params: { input: { name: 'x', providerId: 'ollama', baseUrl: 'javascript:alert(1)' } } },
      { type: 'request', id: 'r3', method: 'deleteConnection', params: { id: 'not-a-uuid' } },
      { type: 'request', id: 'r4', method: 'setKey', params: { id: uuid, key: CANARY_KEY } },
      { type: 'request', id: 'r5', method: 'createConnection', params: { input: { name: 'x'.repeat(500), providerId: 'ollama' } } },
      { type: 'request', id: 'r6', method: 'testConnection' },
    ];
    for (const message of malformed) await controller.handle(message);
    // Messages with no usable id cannot be answered; they are dropped (and logged).
    for (const message of [null, 'ready', 42, { type: 'request' }, { id: 7, type: 'request', method: 'setKey' }]) await controller.handle(message);
    const got = replies();
    assert.deepEqual(got.map((r) => r.id), ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    for (const reply of got) {
      assert.equal(reply.ok, false);
      assert.equal(reply.ok === false && reply.error.code, 'invalid_input');
    }
    assert.equal(store.dump(), before);
  });

  it('replies exactly once to a request that fails in the service', async () => {
    const { controller, replies } = setup();
    await controller.handle({ type: 'request', id: 'a', method: 'testConnection', params: { id: uuid } });
    assert.equal(replies().length, 1);
    const [reply] = replies();
    assert.equal(reply?.ok, false);
    assert.equal(reply?.ok === false && reply.error.code, 'missing_connection');
  });

  it('creates, sets a key through the password box, and deletes after confirmation, pushing snapshots', async () => {
    const { controller, posted, replies, vault, interactions } = setup([CANARY_KEY, false, true]);
    await controller.handle({ type: 'ready' });
    await controller.handle({ type: 'request', id: 'c', method: 'createConnection', params: { input: { name: 'Cloud', providerId: 'openai' } } });
    const created = replies()[0];
    assert.ok(created?.ok);
    const id = (created.value as { id: string }).id;
    await controller.handle({ type: 'request', id: 'k', method: 'setKey', params: { id } });
    assert.deepEqual(replies()[1], { type: 'reply', id: 'k', ok: true, value: { stored: true, keyHint: `****${CANARY_KEY.slice(-4)}` } });
    await controller.handle({ type: 'request', id: 'd1', method: 'deleteConnection', params: { id } });
    assert.deepEqual(replies()[2], { type: 'reply', id: 'd1', ok: true, value: { deleted: false } });
    await controller.handle({ type: 'request', id: 'd2', method: 'deleteConnection', params: { id } });
    assert.deepEqual(replies()[3], { type: 'reply', id: 'd2', ok: true, value: { deleted: true } });
    assert.equal(vault.secrets.size, 0);
    assert.equal(interactions.asked.length, 3);
    const last = posted.filter((m) => m.type === 'snapshot').at(-1);
    assert.deepEqual(last?.type === 'snapshot' && last.connections, []);
    assert.ok(!JSON.stringify(posted).includes(CANARY_KEY), 'no message to the webview carries the key');
  });

  it('pushes a snapshot when a provider is registered while the view is open', async () => {
    const { controller, posted, registry } = setup();
    await controller.handle({ type: 'ready' });
    const registration = registry.register(
      { id: 'acme', displayName: 'Acme', source: 'acme.ext', fields: [], defaults: {}, capabilities: { test: true, discovery: false, chat: false } },
      { testConnection: async () => 'ok' },
    );
    const last = posted.at(-1);
    assert.ok(last?.type === 'snapshot' && last.providers.some((p) => p.id === 'acme'));
    registration.dispose();
    const after = posted.at(-1);
    assert.ok(after?.type === 'snapshot' && !after.providers.some((p) => p.id === 'acme'));
  });
});
