import * as assert from 'node:assert/strict';
import type { ConnectionsSnapshot } from '../../src/contracts/connectionsView';
import type { ConnectionsState } from '../../webview/connections/client';
import { keepModels } from '../../webview/shared/keptModels';
import { connectionsResults, ToConnectionsViewSchema, type ToConnectionsView } from '../../src/contracts/connectionsView';
import { describeDiscovery } from '../../src/contracts/modelFacts';
import { ConnectionActions } from '../../src/core/connections/connectionActions';
import { createConnectionsController } from '../../src/core/views/connectionsController';
import { ModelActions } from '../../src/core/models/modelActions';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { keyHint } from '../../src/core/base/secrets';
import { chatRequesterId } from '../../src/core/keys/requesters';
import { keyedConnection } from '../fixtures/keyPathKit';
import { ScriptedInteractions } from '../helpers/fakes';
import { discovered, makeModels } from '../helpers/stacks';

function setup(answers: Array<string | boolean | undefined> = []) {
  const parts = makeModels();
  const interactions = new ScriptedInteractions(answers);
  const actions = new ConnectionActions(parts.service, parts.settings, interactions);
  const modelActions = new ModelActions(parts.service, parts.models, interactions);
  const posted: ToConnectionsView[] = [];
  const controller = createConnectionsController({ ...parts, connections: parts.service, actions, modelActions, post: (m: ToConnectionsView) => posted.push(m) });
  const replies = () => posted.filter((m) => m.type === 'reply');
  /** What the view shows: its snapshots folded as the webview folds them (models kept until they change). */
  const shown = () => posted.reduce<ConnectionsState | undefined>((view, m) => (m.type === 'snapshot' ? keepModels(view, ToConnectionsViewSchema.parse(m) as ConnectionsSnapshot) : view), undefined);
  const request = async (id: string, method: string, params: unknown) => {
    await controller.handle({ type: 'request', id, method, params });
    const reply = replies().find((r) => r.id === id);
    assert.ok(reply, `no reply to ${id}`);
    return reply;
  };
  return { ...parts, interactions, modelActions, controller, posted, replies, shown, request };
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
    const ids = snapshot.type === 'snapshot' ? snapshot.providers.map((p) => p.id) : [];
    assert.ok(ids.includes('ollama') && ids.includes('openai'), ids.join(', '));
    assert.deepEqual(snapshot.type === 'snapshot' && snapshot.models, []);
  });

  it('sends the registered models with the first snapshot of a page and after they change, not with every snapshot', async () => {
    const { controller, posted, shown, service, models, settings } = setup();
    await controller.handle({ type: 'ready' });
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    await models.register(local.id, [discovered('a'), discovered('b')]);
    const carried = () => {
      const last = posted.filter((m) => m.type === 'snapshot').at(-1);
      return last?.type === 'snapshot' ? last.models?.map((m) => m.providerModelId) : 'no snapshot';
    };
    assert.deepEqual(carried(), ['a', 'b'], 'after they changed');
    settings.fireChange();
    assert.equal(carried(), undefined, 'a change of something else leaves them out');
    assert.deepEqual(shown()?.models.map((m) => m.providerModelId), ['a', 'b'], 'and the view keeps its own');
    await service.update(local.id, { name: 'Home' });
    assert.equal(carried(), undefined);
    assert.equal(shown()?.connections[0]?.name, 'Home');
    // A new page (the view was hidden and its document thrown away) has none: its first snapshot brings them.
    controller.reset();
    await controller.handle({ type: 'ready' });
    assert.deepEqual(carried(), ['a', 'b']);
    await models.register(local.id, [discovered('c')]);
    assert.deepEqual(carried(), ['a', 'b', 'c']);
  });

  it('marks a connection whose provider is gone as unavailable in the next snapshot, and clears the mark when the provider comes back', async () => {
    const { controller, posted, registry, service } = setup();
    const adapter = { testConnection: async () => 'ok' };
    const descriptor = { id: 'echo', displayName: 'Echo', fields: [{ key: 'baseUrl', label: 'Base URL', kind: 'url', required: true }], defaults: { baseUrl: 'http://127.0.0.1:9' }, capabilities: { test: true, discovery: false, chat: false } };
    const registration = registry.register(descriptor, adapter, 'switchboard-test.fixture-provider');
    const connection = await service.create({ name: 'Echo', providerId: 'switchboard-test.fixture-provider/echo', baseUrl: 'http://127.0.0.1:9' });
    await controller.handle({ type: 'ready' });
    const last = () => {
      const snapshot = ToConnectionsViewSchema.parse(posted.filter((m) => m.type === 'snapshot').at(-1));
      return snapshot.type === 'snapshot' ? snapshot.unavailableConnectionIds : undefined;
    };
    assert.deepEqual(last(), []);
    registration.dispose();
    assert.deepEqual(last(), [connection.id]);
    registry.register(descriptor, adapter, 'switchboard-test.fixture-provider');
    assert.deepEqual(last(), []);
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
    assert.deepEqual(vault.connectionSecrets(), []);
    assert.equal(interactions.asked.length, 3);
    const last = posted.filter((m) => m.type === 'snapshot').at(-1);
    assert.deepEqual(last?.type === 'snapshot' && last.connections, []);
    assert.ok(!JSON.stringify(posted).includes(CANARY_KEY), 'no message to the webview carries the key');
  });

  it('records the Connections view as who created, changed and deleted a connection, with its name, in the audit log', async () => {
    const { controller, replies, audit } = setup([true]);
    await controller.handle({ type: 'ready' });
    await controller.handle({ type: 'request', id: 'c', method: 'createConnection', params: { input: { name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' } } });
    const id = (replies()[0]!.ok && (replies()[0] as { value: { id: string } }).value.id) || '';
    await controller.handle({ type: 'request', id: 'u', method: 'updateConnection', params: { id, patch: { name: 'Home 2' } } });
    await controller.handle({ type: 'request', id: 'd', method: 'deleteConnection', params: { id } });
    assert.ok(replies().every((reply) => reply.ok), JSON.stringify(replies()));
    const entries = (await audit.read()).filter((entry) => entry.connectionId === id);
    assert.deepEqual(
      entries.map(({ kind, requesterId, connectionName }) => ({ kind, requesterId, connectionName })),
      [
        { kind: 'connection_deleted', requesterId: 'switchboard.connectionsView', connectionName: 'Home 2' },
        { kind: 'connection_updated', requesterId: 'switchboard.connectionsView', connectionName: 'Home 2' },
        { kind: 'connection_created', requesterId: 'switchboard.connectionsView', connectionName: 'Home' },
      ],
    );
  });

  it('makes the first connection the default when there is none, says so with Undo, and Undo puts it back', async () => {
    const { controller, replies, settings, interactions } = setup();
    await controller.handle({ type: 'ready' });
    await controller.handle({ type: 'request', id: 'a', method: 'createConnection', params: { input: { name: 'First', providerId: 'ollama' } } });
    const first = (replies()[0]?.ok && (replies()[0] as { value: { id: string } }).value.id)!;
    assert.equal(settings.defaultConnectionId(), first);
    assert.deepEqual(interactions.notices, ['"First" is now the default connection, since there was none: runs that name no connection use it.']);

    // A second connection leaves the default alone, and says nothing.
    await controller.handle({ type: 'request', id: 'b', method: 'createConnection', params: { input: { name: 'Second', providerId: 'ollama' } } });
    assert.equal(settings.defaultConnectionId(), first);
    assert.equal(interactions.notices.length, 1);

    // With the default deleted there is none again; the next one added takes its place, and Undo clears it.
    interactions.noticeAnswer = 'Undo';
    await settings.setDefaultConnectionId(uuid);
    await controller.handle({ type: 'request', id: 'c', method: 'createConnection', params: { input: { name: 'Third', providerId: 'ollama' } } });
    assert.equal(interactions.notices.length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settings.defaultConnectionId(), uuid, 'Undo restores what was there');
  });

  it('pushes a snapshot when a provider is registered while the view is open', async () => {
    const { controller, posted, registry } = setup();
    await controller.handle({ type: 'ready' });
    const registration = registry.register(
      { id: 'acme', displayName: 'Acme', source: 'acme.ext', fields: [], defaults: {}, capabilities: { test: true, discovery: false, chat: false } },
      { testConnection: async () => 'ok' },
      'acme.ext',
    );
    const last = posted.at(-1);
    assert.ok(last?.type === 'snapshot' && last.providers.some((p) => p.id === 'acme.ext/acme'));
    registration.dispose();
    const after = posted.at(-1);
    assert.ok(after?.type === 'snapshot' && !after.providers.some((p) => p.id === 'acme.ext/acme'));
  });

  it('answers each malformed model message with invalid_input and changes nothing', async () => {
    const { controller, replies, store, service, models } = setup();
    await controller.handle({ type: 'ready' });
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const [model] = (await models.register(local.id, [discovered('llama3.2:latest')])).models;
    const before = store.dump();
    const connectionId = local.id;
    const id = model!.id;
    const good = discovered('qwen2.5:7b');
    const malformed: Array<[string, unknown]> = [
      ['discoverModels', { connectionId: 'not-a-uuid' }],
      ['discoverModels', { connectionId, baseUrl: 'http://evil.example' }],
      ['discoverModels', undefined],
      ['registerModels', { connectionId, models: [] }],
      ['registerModels', { connectionId, models: good }],
      ['registerModels', { connectionId, models: [{ ...good, apiKey: CANARY_KEY }] }],
      ['registerModels', { connectionId, models: [{ ...good, sources: { contextWindow: 'api', trust: 'me' } }] }],
      ['registerModels', { connectionId, models: [{ ...good, modalities: ['text', 'mind-reading'] }] }],
      ['registerModels', { connectionId, models: [{ ...good, contextWindow: -1 }] }],
      ['registerModels', { connectionId, models: [{ ...good, providerModelId: '' }] }],
      ['registerModels', { connectionId, models: Array.from({ length: 5001 }, (_, i) => discovered(`m${i}`)) }],
      ['registerModels', { models: [good] }],
      ['addModelById', { connectionId, providerModelId: '' }],
      ['addModelById', { connectionId, providerModelId: 'x'.repeat(257) }],
      ['addModelById', { connectionId, providerModelId: 42 }],
      ['setModelEnabled', { id, enabled: 'yes' }],
      ['setModelEnabled', { id: 'model-1', enabled: false }],
      ['setModelEnabled', { id }],
      ['setContextWindow', { id, contextWindow: 0 }],
      ['setContextWindow', { id, contextWindow: 1.5 }],
      ['setContextWindow', { id, contextWindow: '128k' }],
      ['setContextWindow', { id, contextWindow: 1e9 }],
      ['clearContextWindow', { id: 'model-1' }],
      ['clearContextWindow', { id, contextWindow: 4096 }],
      ['deleteModel', { id: 'all' }],
      ['deleteModel', { id, confirm: false }],
      ['setDefaultModel', { connectionId, modelRef: 5 }],
      ['setDefaultModel', { connectionId }],
      ['setDefaultModel', { connectionId, modelRef: 'llama3.2:latest', force: true }],
      // Well-formed, but naming a model that is not registered for the connection:
      ['setDefaultModel', { connectionId, modelRef: 'qwen2.5:7b' }],
      ['updateConnection', { id: connectionId, patch: { defaultModel: 'not-registered' } }],
    ];
    for (const [index, [method, params]] of malformed.entries()) {
      await controller.handle({ type: 'request', id: `m${index}`, method, params });
    }
    const got = replies();
    assert.deepEqual(got.map((r) => r.id), malformed.map((_, index) => `m${index}`));
    for (const [index, reply] of got.entries()) {
      assert.equal(reply.ok, false, `${malformed[index]![0]} ${JSON.stringify(malformed[index]![1])?.slice(0, 120)} was accepted`);
      assert.equal(reply.ok === false && reply.error.code, 'invalid_input');
    }
    assert.equal(store.dump(), before);
  });

  it('registers, toggles, overrides, sets the default model and deletes, with snapshots that carry the models', async () => {
    const { controller, shown, request, service } = setup();
    await controller.handle({ type: 'ready' });
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const registered = await request('r', 'registerModels', { connectionId: local.id, models: [discovered('llama3.2:latest'), discovered('qwen2.5:7b')] });
    assert.deepEqual(registered, { type: 'reply', id: 'r', ok: true, value: { registered: 2, added: 2 } });
    const lastSnapshot = () => shown()!;
    const llama = lastSnapshot().models.find((m) => m.providerModelId === 'llama3.2:latest')!;
    assert.ok(llama);
    const disabled = await request('e', 'setModelEnabled', { id: llama.id, enabled: false });
    assert.equal(disabled.ok && (disabled.value as { enabled: boolean }).enabled, false);
    assert.equal(lastSnapshot().models.find((m) => m.id === llama.id)?.enabled, false);
    const widened = await request('w', 'setContextWindow', { id: llama.id, contextWindow: 131072 });
    assert.equal(widened.ok && (widened.value as { contextWindow: number }).contextWindow, 131072);
    const reset = await request('c', 'clearContextWindow', { id: llama.id });
    assert.ok(reset.ok);
    assert.equal(lastSnapshot().models.find((m) => m.id === llama.id)?.sources.contextWindow, undefined, 'back to what the provider said: nothing, here');
    const added = await request('a', 'addModelById', { connectionId: local.id, providerModelId: 'my-finetune' });
    assert.ok(added.ok);
    const withDefault = await request('d', 'setDefaultModel', { connectionId: local.id, modelRef: 'my-finetune' });
    assert.equal(withDefault.ok && (withDefault.value as { defaultModel?: string }).defaultModel, 'my-finetune');
    assert.equal(lastSnapshot().connections[0]?.defaultModel, 'my-finetune');
    // The edit form may send the default it already has, and any registered one.
    assert.ok((await request('u1', 'updateConnection', { id: local.id, patch: { name: 'Home', defaultModel: 'my-finetune' } })).ok);
    assert.ok((await request('u2', 'updateConnection', { id: local.id, patch: { defaultModel: 'qwen2.5:7b' } })).ok);
    const removed = await request('x', 'deleteModel', { id: llama.id });
    assert.deepEqual(removed, { type: 'reply', id: 'x', ok: true, value: { deleted: true } });
    assert.deepEqual(lastSnapshot().models.map((m) => m.providerModelId).sort(), ['my-finetune', 'qwen2.5:7b']);
    const cleared = await request('n', 'setDefaultModel', { connectionId: local.id, modelRef: null });
    assert.equal(cleared.ok && (cleared.value as { defaultModel?: string }).defaultModel, undefined);
  });

  it('shows each standing permission (who, since when, which key, which origin) and revokes one on request: its next use asks again', async () => {
    const stack = setup();
    const { connection, use } = await keyedConnection(stack, 'https://api.openai.example/v1');
    const chat = chatRequesterId('Acme.Helper');
    stack.prompt.answers = ['always', 'always'];
    await use({ id: 'acme.helper', byPerson: false });
    await use({ id: chat, byPerson: false });
    await stack.controller.handle({ type: 'ready' });
    const permissions = () => {
      const snapshot = ToConnectionsViewSchema.parse(stack.posted.filter((m) => m.type === 'snapshot').at(-1));
      return snapshot.type === 'snapshot' ? snapshot.permissions : [];
    };
    const grantedAt = stack.clock.now().toISOString();
    const shown = (requesterId: string, hint: string | undefined) => ({
      connectionId: connection.id,
      requesterId,
      requesterName: requesterId,
      grantedAt,
      origin: 'https://api.openai.example',
      ...(hint ? { keyHint: hint } : {}),
    });
    assert.deepEqual(permissions(), [shown('acme.helper', keyHint(CANARY_KEY)), shown(chat, keyHint(CANARY_KEY))]);

    const revoked = await stack.request('revoke', 'revokePermission', { connectionId: connection.id, requesterId: 'acme.helper' });
    assert.deepEqual(revoked.ok && revoked.value, { revoked: true });
    assert.deepEqual(permissions(), [shown(chat, keyHint(CANARY_KEY))]);
    assert.deepEqual(stack.consent.grants().map((g) => g.requesterId), [chat]);
    const again = await stack.request('again', 'revokePermission', { connectionId: connection.id, requesterId: 'acme.helper' });
    assert.deepEqual(again.ok && again.value, { revoked: false });
    const bad = await stack.request('bad', 'revokePermission', { connectionId: connection.id, requesterId: '' });
    assert.equal(bad.ok === false && bad.error.code, 'invalid_input');

    const asked = stack.prompt.asked.length;
    stack.prompt.answers = ['once'];
    await use({ id: 'acme.helper', byPerson: false });
    await use({ id: chat, byPerson: false });
    assert.deepEqual(stack.prompt.asked.slice(asked).map((q) => q.requesterId), ['acme.helper'], 'only the revoked one asks again');

    // A permission given for an earlier key stays listed, without a key, until revoked: it no longer holds.
    await stack.service.setKey(connection.id, `${CANARY_KEY}-new`);
    assert.deepEqual(permissions(), [shown(chat, undefined)]);
    assertNoCanary(stack.posted);
  });

  it('deleting a connection in the view removes its models from the next snapshot', async () => {
    const { controller, shown, request, service, models } = setup([true]);
    await controller.handle({ type: 'ready' });
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    await models.register(local.id, [discovered('a'), discovered('b')]);
    assert.deepEqual(await request('d', 'deleteConnection', { id: local.id }), { type: 'reply', id: 'd', ok: true, value: { deleted: true } });
    assert.deepEqual([shown()?.connections, shown()?.models], [[], []]);
  });

  describe('discovery against the Ollama fixture', () => {
    const ollama = new OllamaFixture({ apiKey: CANARY_KEY });
    before(async () => {
      await ollama.start();
    });
    after(async () => {
      await ollama.stop();
    });

    it('discovers under a progress notification, registers the choice, and never sends or logs the key', async function () {
      const { controller, posted, shown, request, service, interactions, store, logger } = setup();
      await controller.handle({ type: 'ready' });
      const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
      await service.setKey(local.id, CANARY_KEY);
      const reply = await request('disc', 'discoverModels', { connectionId: local.id });
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.deepEqual(interactions.progress, ['Discovering the models of Local…']);
      const { models } = connectionsResults.discoverModels.parse(reply.value);
      assert.equal(models.length, 3);
      assert.equal(store.dump().includes('llava'), false, 'discovery alone stores nothing');
      const chosen = models.filter((m) => m.providerModelId !== 'llava:latest');
      assert.ok((await request('reg', 'registerModels', { connectionId: local.id, models: chosen })).ok);
      assert.deepEqual(shown()?.models.map((m) => m.providerModelId).sort(), ['llama3.2:latest', 'qwen2.5-coder:7b']);
      assertNoCanary({ posted, stored: store.dump(), log: logger.lines });
    });

    it('says how many models discovery left out and why, and the Test counts the same on a server with chat and embedding models', async function () {
      const { request, service } = setup();
      ollama.setModels([
        { name: 'llama3.2', capabilities: ['completion', 'tools'] },
        { name: 'nomic-embed-text', family: 'nomic-bert', contextLength: 2048, capabilities: ['embedding'] },
        { name: 'mxbai-embed-large', family: 'bert', contextLength: 512, capabilities: ['embedding'] },
      ]);
      try {
        const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
        await service.setKey(local.id, CANARY_KEY);

        const discovered = await request('disc', 'discoverModels', { connectionId: local.id });
        const tested = await request('test', 'testConnection', { id: local.id });
        assert.ok(discovered.ok && tested.ok, JSON.stringify([discovered, tested]));
        const discovery = connectionsResults.discoverModels.parse(discovered.value);
        const test = connectionsResults.testConnection.parse(tested.value);

        assert.deepEqual(discovery.models.map((m) => m.providerModelId), ['llama3.2:latest']);
        assert.deepEqual(discovery.leftOut, [{ count: 2, kind: 'embedding model', why: 'cannot chat' }]);
        assert.equal(describeDiscovery(discovery.models.length, discovery.leftOut), 'Found 3 models, 1 for chat; left out: 2 embedding models (cannot chat).');
        assert.equal(test.message, 'Ollama 0.12.3, 3 models installed, 1 for chat; left out: 2 embedding models (cannot chat)');
      } finally {
        ollama.reset();
      }
    });

    it('answers a failed discovery with its code, once', async function () {
      const { request, service } = setup();
      const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
      const reply = await request('disc', 'discoverModels', { connectionId: local.id });
      assert.equal(reply.ok === false && reply.error.code, 'auth_failed', JSON.stringify(reply));
    });
  });
});
