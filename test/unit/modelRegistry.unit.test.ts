import * as assert from 'node:assert/strict';
import type { ModelListing, RegisteredModel } from '../../src/contracts/models';
import { SwitchboardError } from '../../src/core/base/errors';
import { join } from 'node:path';
import { Database } from '../../src/core/store/database';
import { ModelRegistry } from '../../src/core/models/modelRegistry';
import { CONNECTIONS_KEY, DATABASE_FILE, TABLES } from '../../src/core/store/storageKeys';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { personAt, requesterIds } from '../../src/core/keys/requesters';
import { discovered, makeModels } from '../helpers/stacks';

/** The person's own click in the Connections view. */
const byPerson = personAt(requesterIds.connectionsView);

/** Every stored model record as the database holds it, valid or not, in order. */
function stored(db: Database): RegisteredModel[] {
  return db.read((sql) => sql.all<{ body: string }>(`SELECT body FROM ${TABLES.models} ORDER BY pos`)).map((row) => JSON.parse(row.body) as RegisteredModel);
}

describe('ModelRegistry', () => {
  it('registers models enabled, with ids and the sync time, and lists them per connection', async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const other = await service.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:1' });
    const { models: done, added } = await models.register(local.id, [discovered('llama3.2:latest', { contextWindow: 131072 }), discovered('qwen2.5:7b')]);
    await models.register(other.id, [discovered('llama3.2:latest')]);
    assert.equal(added, 2);
    assert.deepEqual(done.map((m) => [m.providerModelId, m.enabled, m.connectionId, m.lastSyncedAt]), [
      ['llama3.2:latest', true, local.id, '2026-11-22T10:00:00.000Z'],
      ['qwen2.5:7b', true, local.id, '2026-11-22T10:00:00.000Z'],
    ]);
    assert.equal(models.list().length, 3);
    assert.deepEqual(models.list({ connectionId: local.id }).map((m) => m.providerModelId), ['llama3.2:latest', 'qwen2.5:7b']);
    assert.deepEqual(models.list({ connectionId: other.id }).map((m) => m.providerModelId), ['llama3.2:latest']);
    assert.notEqual(models.list({ connectionId: other.id })[0]!.id, done[0]!.id, 'the same modelRef on two connections is two models');
  });

  it('takes the person\'s word on image input and tool calling, keeps the other modalities, and keeps it through discovery', async () => {
    const { service, models } = makeModels();
    const server = await service.create({ name: 'Server', providerId: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1' });
    const [model] = (await models.register(server.id, [discovered('qwen2.5-vl-7b', { modalities: ['text', 'reasoning'], sources: { modalities: 'api' } })])).models;

    const set = await models.setCapabilities(model!.id, { vision: true, tools: true });
    assert.deepEqual([set.modalities, set.sources.modalities], [['text', 'reasoning', 'vision', 'tools'], 'user']);
    // Discovery says nothing of images again: the person's word stays.
    const [again] = (await models.register(server.id, [discovered('qwen2.5-vl-7b', { modalities: ['text'], sources: { modalities: 'api' } })])).models;
    assert.deepEqual([again!.modalities, again!.sources.modalities], [['text', 'reasoning', 'vision', 'tools'], 'user']);
    const unset = await models.setCapabilities(model!.id, { vision: false, tools: true });
    assert.deepEqual(unset.modalities, ['text', 'reasoning', 'tools']);
    assert.deepEqual(models.list().find((m) => m.id === model!.id)?.modalities, ['text', 'reasoning', 'tools']);
  });

  it('keeps one record per (connection, modelRef): registering again refreshes metadata and keeps id, enabled and the user context window', async () => {
    const { service, models, clock } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const [llama, qwen] = (await models.register(local.id, [discovered('llama3.2:latest', { contextWindow: 8192, metadata: { family: 'llama' } }), discovered('qwen2.5:7b', { contextWindow: 32768 })])).models;
    await models.setEnabled(llama!.id, false);
    await models.setContextWindow(qwen!.id, 16000);
    clock.time = new Date('2026-11-23T08:00:00.000Z');

    const again = await models.register(local.id, [
      discovered('llama3.2:latest', { displayName: 'Llama 3.2', contextWindow: 131072, modalities: ['text', 'tools'], sources: { contextWindow: 'api', modalities: 'api' } }),
      discovered('qwen2.5:7b', { contextWindow: 32768, sources: { contextWindow: 'api' } }),
      discovered('qwen2.5:7b', { displayName: 'a duplicate in the same request counts once' }),
    ]);
    assert.equal(again.added, 0);
    const all = models.list();
    assert.equal(all.length, 2);
    const refreshed = all.find((m) => m.providerModelId === 'llama3.2:latest')!;
    assert.equal(refreshed.id, llama!.id);
    assert.equal(refreshed.enabled, false, 'a re-registered model keeps being disabled');
    assert.equal(refreshed.displayName, 'Llama 3.2');
    assert.equal(refreshed.contextWindow, 131072);
    assert.deepEqual(refreshed.modalities, ['text', 'tools']);
    assert.equal(refreshed.metadata, undefined, 'metadata the provider no longer reports is gone');
    assert.equal(refreshed.lastSyncedAt, '2026-11-23T08:00:00.000Z');
    const overridden = all.find((m) => m.providerModelId === 'qwen2.5:7b')!;
    assert.equal(overridden.contextWindow, 16000, "the person's context window survives");
    assert.equal(overridden.sources.contextWindow, 'user');
    assert.equal(overridden.enabled, true);
  });

  it('refuses invalid models and unknown connections, and stores nothing', async () => {
    const { service, models, store } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const before = store.dump();
    await expectFailure(models.register(local.id, 'all of them'), 'invalid_input');
    await expectFailure(models.register(local.id, [{ providerModelId: '', displayName: 'x', modalities: [], sources: {} }]), 'invalid_input');
    await expectFailure(models.register(local.id, [discovered('m', { modalities: ['telepathy' as 'text'] })]), 'invalid_input');
    await expectFailure(models.register(local.id, Array.from({ length: 5001 }, (_, i) => discovered(`m${i}`))), 'invalid_input');
    await expectFailure(models.register('00000000-0000-4000-8000-000000000000', [discovered('m')]), 'missing_connection');
    await expectFailure(models.addById(local.id, '   '), 'invalid_input');
    await expectFailure(models.setContextWindow('00000000-0000-4000-8000-000000000000', 0), 'invalid_input');
    await expectFailure(models.setEnabled('00000000-0000-4000-8000-000000000000', true), 'not_found');
    await expectFailure(models.delete('00000000-0000-4000-8000-000000000000'), 'not_found');
    assert.equal(store.dump(), before);
  });

  it('adds a model by id with the built-in facts when the table has them, else as plain text', async () => {
    const { service, models } = makeModels();
    const cloud = await service.create({ name: 'Cloud', providerId: 'openai' });
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const known = await models.addById(cloud.id, 'gpt-4o-mini-2024-07-18');
    assert.equal(known.providerModelId, 'gpt-4o-mini-2024-07-18');
    assert.equal(known.contextWindow, 128_000);
    assert.equal(known.sources.contextWindow, 'builtin');
    assert.ok(known.modalities.includes('vision'));
    assert.ok(known.inputCostPer1k! > 0 && known.outputCostPer1k! > 0);
    const bare = await models.addById(local.id, ' my-finetune:q4 ');
    assert.deepEqual(
      { id: bare.providerModelId, name: bare.displayName, modalities: bare.modalities, sources: bare.sources, contextWindow: bare.contextWindow },
      { id: 'my-finetune:q4', name: 'my-finetune:q4', modalities: ['text'], sources: {}, contextWindow: undefined },
    );
    const again = await models.addById(local.id, 'my-finetune:q4');
    assert.deepEqual(again, bare, 'adding a registered model again changes nothing');
    assert.equal(models.list().length, 2);
  });

  it('enables, disables, overrides the context window and deletes one model', async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const [a, b] = (await models.register(local.id, [discovered('a'), discovered('b')])).models;
    assert.equal((await models.setEnabled(a!.id, false)).enabled, false);
    assert.equal(models.get(a!.id)?.enabled, false);
    assert.equal((await models.setEnabled(a!.id, true)).enabled, true);
    const overridden = await models.setContextWindow(b!.id, 200_000);
    assert.deepEqual([overridden.contextWindow, overridden.sources.contextWindow], [200_000, 'user']);
    await expectFailure(models.setContextWindow(b!.id, 1.5), 'invalid_input');
    await expectFailure(models.setContextWindow(b!.id, -1), 'invalid_input');
    await models.delete(a!.id);
    assert.deepEqual(models.list().map((m) => m.providerModelId), ['b']);
  });

  it("keeps the provider's window aside under the person's, refreshes it on discovery, and clears back to it", async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const qwen = discovered('qwen2.5-coder:7b', { contextWindow: 16384, maxContextWindow: 32768, sources: { contextWindow: 'api', maxContextWindow: 'api' } });
    const [model] = (await models.register(local.id, [qwen])).models;

    const overridden = await models.setContextWindow(model!.id, 24000);
    assert.deepEqual(
      [overridden.contextWindow, overridden.providerContextWindow, overridden.sources],
      [24000, 16384, { contextWindow: 'user', maxContextWindow: 'api', providerContextWindow: 'api' }],
    );
    assert.deepEqual(models.contextWindow(local.id, 'qwen2.5-coder:7b'), { tokens: 24000, requested: true });
    // A second value replaces the first; the provider's stays the one kept aside.
    assert.equal((await models.setContextWindow(model!.id, 20000)).providerContextWindow, 16384);
    // The Modelfile changed: discovery reports a new window, kept aside while the person's stays in force.
    const [refreshed] = (await models.register(local.id, [{ ...qwen, contextWindow: 8192 }])).models;
    assert.deepEqual([refreshed!.contextWindow, refreshed!.providerContextWindow], [20000, 8192]);

    const cleared = await models.clearContextWindow(model!.id);
    assert.deepEqual([cleared.contextWindow, cleared.providerContextWindow, cleared.sources], [8192, undefined, { contextWindow: 'api', maxContextWindow: 'api' }]);
    assert.deepEqual(models.get(model!.id), cleared);
    assert.deepEqual(models.contextWindow(local.id, 'qwen2.5-coder:7b'), { tokens: 8192, requested: false });
    assert.deepEqual(await models.clearContextWindow(model!.id), cleared, 'clearing again changes nothing');
  });

  it('stores both context figures and their sources in the SQLite file: another window reads them back as written', async () => {
    const stack = makeModels();
    const local = await stack.service.create({ name: 'Local', providerId: 'ollama' });
    const [model] = (
      await stack.models.register(local.id, [discovered('llama3.2:latest', { contextWindow: 4096, maxContextWindow: 131072, sources: { contextWindow: 'default', maxContextWindow: 'api' } })])
    ).models;
    const overridden = await stack.models.setContextWindow(model!.id, 65536);

    // Another window: its own connection to the same file.
    const other = new Database({ file: join(stack.dir, DATABASE_FILE), logger: stack.logger });
    const otherModels = new ModelRegistry({ db: other, store: stack.store, connections: stack.connections, providers: stack.registry, keys: stack.keys, settings: stack.settings, clock: stack.clock, http: stack.http, logger: stack.logger });
    try {
      assert.deepEqual(otherModels.get(model!.id), overridden);
      assert.deepEqual(
        [overridden.contextWindow, overridden.maxContextWindow, overridden.providerContextWindow, overridden.sources],
        [65536, 131072, 4096, { contextWindow: 'user', maxContextWindow: 'api', providerContextWindow: 'default' }],
      );
      assert.deepEqual(otherModels.contextWindow(local.id, 'llama3.2:latest'), { tokens: 65536, requested: true });
    } finally {
      otherModels.dispose();
      other.dispose();
    }
  });

  it("refuses a window above the model's maximum, and one for an unknown model, changing nothing", async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const [model] = (await models.register(local.id, [discovered('llava:latest', { contextWindow: 4096, maxContextWindow: 4096, sources: { contextWindow: 'default', maxContextWindow: 'api' } })])).models;

    await expectFailure(models.setContextWindow(model!.id, 8192), 'invalid_input', /takes at most 4,096 tokens \(reported by the provider\)/);
    await expectFailure(models.clearContextWindow('00000000-0000-4000-8000-000000000000'), 'not_found');
    assert.deepEqual(models.get(model!.id), model);
  });

  it("clears a person's window stored before the provider's was kept: the built-in table's figure, else unknown until the next Discover", async () => {
    const { service, models, db } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const cloud = await service.create({ name: 'Cloud', providerId: 'openai' });
    const [old] = (await models.register(local.id, [discovered('old')])).models;
    const [gpt] = (await models.register(cloud.id, [discovered('gpt-4o')])).models;
    // Rows as the previous version wrote an override: the provider's figure is gone.
    for (const model of [old!, gpt!]) {
      const legacy = { ...model, contextWindow: 50000, sources: { contextWindow: 'user' } };
      db.write((sql) => sql.run(`UPDATE ${TABLES.models} SET body = ? WHERE id = ?`, JSON.stringify(legacy), model.id));
    }

    const clearedOld = await models.clearContextWindow(old!.id);
    const clearedGpt = await models.clearContextWindow(gpt!.id);

    assert.deepEqual([clearedOld.contextWindow, clearedOld.sources], [undefined, {}]);
    assert.deepEqual([clearedGpt.contextWindow, clearedGpt.sources], [128_000, { contextWindow: 'builtin' }]);
  });

  it('fires a change for each write and none for a write that changes nothing', async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    let changes = 0;
    models.onDidChange(() => changes++);
    const [a] = (await models.register(local.id, [discovered('a')])).models;
    await models.setEnabled(a!.id, false);
    await models.addById(local.id, 'a');
    await models.delete(a!.id);
    assert.equal(changes, 3);
  });

  it('enables, disables and deletes a selection of many models in one write and one change, skipping ids that are gone', async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const registered = (await models.register(local.id, Array.from({ length: 300 }, (_, i) => discovered(`m${i}`)))).models;
    let changes = 0;
    models.onDidChange(() => changes++);
    const ids = registered.map((model) => model.id);

    assert.equal(await models.setEnabledMany([...ids.slice(0, 200), 'gone'], false), 200);
    assert.equal(changes, 1);
    assert.equal(await models.setEnabledMany(ids.slice(100, 250), false), 50, 'the first 100 were disabled already');
    assert.equal(await models.setEnabledMany(ids.slice(0, 250), false), 0);
    assert.equal(changes, 2, 'no change, no event');
    assert.deepEqual(
      models.list().map((model) => model.enabled),
      ids.map((_, i) => i >= 250),
    );

    assert.equal(await models.deleteMany([...ids.slice(0, 150), 'gone']), 150);
    assert.equal(await models.deleteMany(['gone']), 0);
    assert.equal(changes, 3);
    assert.deepEqual(
      models.list().map((model) => model.providerModelId),
      registered.slice(150).map((model) => model.providerModelId),
    );
  });

  it('deletes the models of a connection with the connection, in the same queued operation', async () => {
    const { service, models, store, db, logger } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const other = await service.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:1' });
    await models.register(local.id, [discovered('a'), discovered('b')]);
    await models.register(other.id, [discovered('a')]);
    // What globalState holds when the models change: the connection record must already be gone.
    let connectionsAtModelChange: string[] | undefined;
    models.onDidChange(() => (connectionsAtModelChange ??= (store.get(CONNECTIONS_KEY) as Array<{ id: string }>).map((c) => c.id)));
    // A register queued behind the delete must not bring models of the gone connection back.
    const [deleted, late] = await Promise.allSettled([service.delete(local.id), models.register(local.id, [discovered('c')])]);
    assert.equal(deleted.status, 'fulfilled');
    assert.equal(late.status, 'rejected');
    assert.equal(late.status === 'rejected' && (late.reason as SwitchboardError).code, 'missing_connection');
    assert.deepEqual(connectionsAtModelChange, [other.id], 'the connection record was written (globalState) before its models were removed (the database)');
    assert.deepEqual(stored(db).map((m) => [m.connectionId, m.providerModelId]), [[other.id, 'a']]);
    assert.ok(logger.lines.some((line) => line.includes('Deleted the 2 registered models')));
  });

  it('hides models whose connection is gone (a delete cut short between its writes) and drops them on the next write', async () => {
    const { service, models, store, db } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const other = await service.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:1' });
    await models.register(local.id, [discovered('a')]);
    await models.register(other.id, [discovered('b')]);
    // What a window closed after the connection write and before the model write leaves behind.
    const listed = models.listed();
    assert.equal(models.listed(), listed, 'the same array while nothing changed: what callers derive from it is kept against it');
    const connections = store.get(CONNECTIONS_KEY) as Array<{ id: string }>;
    await store.update(CONNECTIONS_KEY, connections.filter((c) => c.id !== local.id));
    assert.deepEqual(models.list().map((m) => m.providerModelId), ['b']);
    assert.deepEqual(models.listed().map((m) => m.providerModelId), ['b'], 'a new array once the connections changed');
    assert.equal(stored(db).length, 2, 'reading changes nothing');
    // As many connections as before, one of them another: a new array too.
    const third = await service.create({ name: 'Third', providerId: 'ollama', baseUrl: 'http://127.0.0.1:2' });
    await models.register(third.id, [discovered('t')]);
    assert.deepEqual(models.listed().map((m) => m.providerModelId), ['b', 't']);
    const withThird = store.get(CONNECTIONS_KEY) as Array<{ id: string }>;
    await store.update(CONNECTIONS_KEY, [...withThird.filter((c) => c.id !== third.id), { ...connections.find((c) => c.id === local.id)! }]);
    assert.deepEqual(models.listed().map((m) => m.providerModelId), ['b'], 'the same count of connections, one of them another (whose models the last write dropped)');
    const before = models.listed();
    await models.register(other.id, [discovered('c')]);
    assert.deepEqual([models.listed() === before, models.listed().map((m) => m.providerModelId)], [false, ['b', 'c']], 'and once the registry changed');
  });

  it('keeps the models of a connection whose record fails its schema, and a model record that fails its own', async () => {
    const { service, models, store, db, logger } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const other = await service.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:1' });
    await models.register(local.id, [discovered('a')]);
    const connections = store.get(CONNECTIONS_KEY) as Array<Record<string, unknown>>;
    // A record a newer version wrote: not valid for this one, but the connection still exists.
    await store.update(CONNECTIONS_KEY, connections.map((c) => (c.id === local.id ? { ...c, status: 'from-the-future' } : c)));
    db.write((sql) => sql.run(`INSERT INTO ${TABLES.models} (body) VALUES (?)`, JSON.stringify({ id: 'broken', enabled: 'yes' })));
    await models.register(other.id, [discovered('b')]);
    assert.deepEqual(models.list().map((m) => m.providerModelId), ['b'], 'a model of an unreadable connection is hidden');
    const raw = stored(db);
    assert.equal(raw.length, 3, 'but kept, and so is the broken record');
    assert.ok(logger.lines.some((line) => /Ignoring 1 stored models that are not valid/.test(line)));
  });

  it('loses nothing when 200 registers run at once, with toggles in between', async () => {
    const { service, models } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const [first] = (await models.register(local.id, [discovered('m-0')])).models;
    await Promise.all([
      ...Array.from({ length: 200 }, (_, i) => models.register(local.id, [discovered(`m-${i}`), discovered(`shared-${i % 7}`)])),
      models.setEnabled(first!.id, false),
      models.setContextWindow(first!.id, 4096),
    ]);
    const all = models.list();
    assert.equal(all.length, 207);
    assert.equal(new Set(all.map((m) => m.id)).size, 207);
    const kept = all.find((m) => m.providerModelId === 'm-0')!;
    assert.deepEqual([kept.enabled, kept.contextWindow], [false, 4096]);
  });

  it('sets a default model only from the registered models of that connection', async () => {
    const { service, models, modelActions } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama' });
    const other = await service.create({ name: 'Other', providerId: 'ollama', baseUrl: 'http://127.0.0.1:1' });
    await models.register(local.id, [discovered('llama3.2:latest')]);
    await models.register(other.id, [discovered('qwen2.5:7b')]);
    assert.equal((await modelActions.setDefaultModel(local.id, 'llama3.2:latest')).defaultModel, 'llama3.2:latest');
    await assert.rejects(modelActions.setDefaultModel(local.id, 'qwen2.5:7b'), /not a registered model of "Local"/);
    assert.equal(service.get(local.id)?.defaultModel, 'llama3.2:latest');
    assert.equal((await modelActions.setDefaultModel(local.id, null)).defaultModel, undefined);
  });
});

describe('ModelRegistry.discover', () => {
  const ollama = new OllamaFixture({ apiKey: CANARY_KEY });

  before(async () => {
    await ollama.start();
  });
  after(async () => {
    await ollama.stop();
  });
  beforeEach(function () {
    ollama.reset();
  });

  it('lists the Ollama fixture models through the real adapter, and the key stays in the Authorization header', async function () {
    const { service, models, store, logger, modelActions, interactions } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    await service.setKey(local.id, CANARY_KEY);
    const { models: found, leftOut } = await modelActions.discover(local.id, byPerson);
    assert.deepEqual(found.map((m) => m.providerModelId).sort(), ['llama3.2:latest', 'llava:latest', 'qwen2.5-coder:7b']);
    assert.deepEqual(leftOut, []);
    const llava = found.find((m) => m.providerModelId === 'llava:latest')!;
    assert.ok(llava.modalities.includes('vision'));
    assert.equal(llava.contextWindow, 4096);
    assert.equal(models.list().length, 0, 'discovery stores nothing');
    assert.equal(interactions.asked.length, 0);
    const { models: registered } = await models.register(local.id, found);
    assert.ok(ollama.authorizationHeaders().every((header) => header === `Bearer ${CANARY_KEY}`));
    assertNoCanary({ found, registered, stored: store.dump(), log: logger.lines });
  });

  it('passes the discovery timeout to the adapter and reports a hang as a timeout', async function () {
    const { service, models, settings } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    await service.setKey(local.id, CANARY_KEY);
    settings.discoveryTimeout = 200;
    ollama.setBehaviour('hang');
    // The message names the discovery timeout and its 0.2 s, not the request timeout.
    await expectFailure(models.discover(local.id, byPerson), 'timeout', /took longer than 0\.2 s[\s\S]*switchboard\.discoveryTimeoutSeconds/);
  });

  it('stops when cancelled and stores nothing', async function () {
    const { service, models, store } = makeModels();
    const local = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    await service.setKey(local.id, CANARY_KEY);
    const before = store.dump();
    ollama.setBehaviour('hang');
    const controller = new AbortController();
    void ollama.nextRequest().then(() => controller.abort());
    const pending = models.discover(local.id, byPerson, controller.signal);
    await expectFailure(pending, 'cancelled');
    assert.equal(store.dump(), before);
  });

  it('refuses a provider without discovery, and a missing required key before calling', async () => {
    const { service, models, registry } = makeModels();
    registry.register(
      { id: 'acme', displayName: 'Acme', source: 'acme.ext', fields: [], defaults: { baseUrl: 'http://127.0.0.1:1' }, capabilities: { test: true, discovery: false, chat: false } },
      { testConnection: async () => 'ok' },
      'acme.ext',
    );
    const acme = await service.create({ name: 'Acme', providerId: 'acme.ext/acme' });
    await expectFailure(models.discover(acme.id, byPerson), 'invalid_input', /cannot list its models/);
    const cloud = await service.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'http://127.0.0.1:1/v1' });
    await expectFailure(models.discover(cloud.id, byPerson), 'auth_failed', /needs an API key/);
    await expectFailure(models.discover('00000000-0000-4000-8000-000000000000', byPerson), 'missing_connection');
  });

  it("drops what an adapter returns that is not a model and repeats, and blanks the connection's key wherever a model holds it", async () => {
    const { service, models, registry, logger, prompt } = makeModels();
    // Another extension's adapter receives the key: the person is asked even for their own click.
    prompt.answers = ['once'];
    registry.register(
      { id: 'leaky', displayName: 'Leaky', source: 'leaky.ext', fields: [{ key: 'apiKey', label: 'Key', kind: 'secret', required: true }], defaults: { baseUrl: 'http://127.0.0.1:1' }, capabilities: { test: true, discovery: true, chat: false } },
      {
        testConnection: async () => 'ok',
        discoverModels: async (target) => [
          discovered('good'),
          discovered('good', { displayName: 'repeat' }),
          { providerModelId: 42 },
          discovered('leak', { metadata: { note: `key is ${target.apiKey}` } }),
          discovered(`model-${target.apiKey}`, { displayName: `named ${JSON.stringify(target.apiKey).slice(1, -1)}`, metadata: { [`${target.apiKey}`]: 1 } }),
          // A contributed adapter returns the models alone (src/api), not a listing.
        ] as unknown as ModelListing,
      },
      'leaky.ext',
    );
    const leaky = await service.create({ name: 'Leaky', providerId: 'leaky.ext/leaky' });
    await service.setKey(leaky.id, CANARY_KEY);
    const { models: found, leftOut } = await models.discover(leaky.id, byPerson);
    assert.deepEqual(leftOut, []);
    assert.deepEqual(found.map((m) => m.displayName), ['good', 'leak', 'named ****']);
    assert.deepEqual(found.map((m) => m.providerModelId), ['good', 'leak', 'model-****']);
    assert.deepEqual(found[1]!.metadata, { note: 'key is ****' });
    assert.deepEqual(found[2]!.metadata, { '****': 1 });
    assert.ok(logger.lines.some((line) => line.includes('left out 1 entries that are not valid models')));
    assertNoCanary({ found, log: logger.lines });
  });
});

describe('ModelRegistry with a contributed adapter that repeats the key in its errors', () => {
  it('fails discovery with the same code and the key blanked', async () => {
    const { service, registry, models, prompt } = makeModels();
    prompt.answers = ['once', 'once'];
    const thrown = [(key: string) => new SwitchboardError('auth_failed', `bad key ${key}`), (key: string) => new Error(`socket said ${key}`)];
    registry.register(
      { id: 'leaky', displayName: 'Leaky', source: 'leaky.ext', fields: [{ key: 'apiKey', label: 'API key', kind: 'secret', required: true }], defaults: { baseUrl: 'http://127.0.0.1:9' }, capabilities: { test: true, discovery: true, chat: false } },
      { testConnection: async () => 'ok', discoverModels: (target) => Promise.reject(thrown.shift()!(target.apiKey ?? '')) },
      'leaky.ext',
    );
    const connection = await service.create({ name: 'Leaky', providerId: 'leaky.ext/leaky' });
    await service.setKey(connection.id, CANARY_KEY);
    for (const code of ['auth_failed', 'bad_response']) {
      await assert.rejects(models.discover(connection.id, byPerson), (error: unknown) => {
        assert.ok(error instanceof SwitchboardError);
        assert.equal(error.code, code);
        assertNoCanary(error);
        return true;
      });
    }
  });
});
