import * as assert from 'node:assert/strict';
import { CONNECTIONS_KEY } from '../../src/core/store/storageKeys';
import { SwitchboardError } from '../../src/core/base/errors';
import { secretNames } from '../../src/core/keys/vault';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { personAt, requesterIds } from '../../src/core/keys/requesters';
import { makeService } from '../helpers/stacks';

/** The person's own click in the Connections view. */
const byPerson = personAt(requesterIds.connectionsView);

describe('ConnectionService', () => {
  it('creates an Ollama connection with the descriptor default base URL and status unknown', async () => {
    const { service, store } = makeService();
    const created = await service.create({ name: 'Local', providerId: 'ollama' });
    assert.equal(created.baseUrl, 'http://localhost:11434');
    assert.equal(created.status, 'unknown');
    assert.equal(created.keyHint, undefined);
    assert.deepEqual(service.list(), [created]);
    assert.deepEqual(store.get(CONNECTIONS_KEY), [created]);
  });

  it('refuses a duplicate name, an unknown provider, a bad URL and unknown options, and stores nothing', async () => {
    const { service, store } = makeService();
    await service.create({ name: 'Local', providerId: 'ollama' });
    const before = store.dump();
    await expectFailure(service.create({ name: ' local ', providerId: 'ollama' }), 'conflict', /already exists/);
    await expectFailure(service.create({ name: 'X', providerId: 'nope' }), 'not_found', /not available/);
    await expectFailure(service.create({ name: 'Y', providerId: 'ollama', baseUrl: 'ftp://host' }), 'invalid_input', /http/);
    await expectFailure(service.create({ name: 'Y', providerId: 'ollama', baseUrl: 'http://user:pw@host' }), 'invalid_input', /must not carry a user name or password/);
    await expectFailure(service.create({ name: 'Y', providerId: 'ollama', options: { bogus: '1' } }), 'invalid_input', /no field "bogus"/);
    await expectFailure(service.create({ name: '', providerId: 'ollama' }), 'invalid_input', /name is required/);
    await expectFailure(service.create('not an object'), 'invalid_input');
    await expectFailure(
      service.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', options: { customHeaders: 'Authorization: Bearer x' } }),
      'invalid_input',
      /Authorization/i,
    );
    assert.equal(store.dump(), before);
  });

  it('updates name and address, and a new address resets the last test', async () => {
    const { service } = makeService();
    const created = await service.create({ name: 'Local', providerId: 'ollama' });
    const renamed = await service.update(created.id, { name: 'Home' });
    assert.equal(renamed.name, 'Home');
    const moved = await service.update(created.id, { baseUrl: 'http://127.0.0.1:9/' });
    assert.equal(moved.baseUrl, 'http://127.0.0.1:9');
    assert.equal(moved.status, 'unknown');
    await expectFailure(service.update(created.id, { providerId: 'openai' }), 'invalid_input');
    await expectFailure(service.update('00000000-0000-4000-8000-000000000000', { name: 'Z' }), 'missing_connection');
  });

  it("moves a keyed connection to another origin only with the person's decision for exactly that origin", async () => {
    const { service, vault, store } = makeService();
    const created = await service.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.example.com/v1' });
    await service.setKey(created.id, CANARY_KEY);
    const before = store.dump();
    const elsewhere = 'https://elsewhere.example/v1';
    // No decision, or one for another origin: refused, and nothing changes.
    await expectFailure(service.update(created.id, { baseUrl: elsewhere }), 'consent_denied', /Moving "Cloud" to https:\/\/elsewhere\.example would send its key there\..*Nothing was changed\./);
    await expectFailure(service.update(created.id, { baseUrl: elsewhere }, { origin: 'https://third.example', action: 'send' }), 'consent_denied');
    assert.equal(store.dump(), before);
    // Within the key's origin, no decision is needed.
    assert.equal((await service.update(created.id, { baseUrl: 'https://api.example.com/v2' })).keyOrigin, 'https://api.example.com');
    // The person's "send": the key is bound to the new origin.
    const sent = await service.update(created.id, { baseUrl: elsewhere }, { origin: 'https://elsewhere.example', action: 'send' });
    assert.deepEqual([sent.keyOrigin, sent.keyHint, sent.allowInsecureKey], ['https://elsewhere.example', `****${CANARY_KEY.slice(-4)}`, undefined]);
    // The person's "remove": the key leaves the record and the vault.
    const removed = await service.update(created.id, { baseUrl: 'https://api.example.com/v1' }, { origin: 'https://api.example.com', action: 'remove' });
    assert.deepEqual([removed.keyOrigin, removed.keyHint, removed.keyId], [undefined, undefined, undefined]);
    // The vault keeps the audit chain's key, and nothing of the connection.
    assert.deepEqual([...vault.secrets.keys()].filter((name) => name.startsWith('switchboard.connection.')), []);
  });

  it('stores a key in the vault only, hints its last four characters, and deletes it with the connection', async () => {
    const { service, vault, store, settings } = makeService();
    const created = await service.create({ name: 'OpenAI', providerId: 'openai' });
    const { keyHint } = await service.setKey(created.id, `  ${CANARY_KEY}  `);
    assert.equal(keyHint, `****${CANARY_KEY.slice(-4)}`);
    assert.equal(vault.secrets.get(secretNames.connectionKey(created.id)), CANARY_KEY);
    assert.equal(service.get(created.id)?.keyHint, keyHint);
    assert.ok(!store.dump().includes(CANARY_KEY), 'the key must never reach globalState');
    await settings.setDefaultConnectionId(created.id);
    await service.delete(created.id);
    assert.deepEqual(vault.connectionSecrets(), []);
    assert.equal(settings.defaultConnectionId(), '', 'deleting the default connection clears the setting');
    assert.deepEqual(service.list(), []);
  });

  it('keeps nothing and says how to fix it when SecretStorage throws', async () => {
    const { service, vault, store, logger } = makeService();
    const created = await service.create({ name: 'OpenAI', providerId: 'openai' });
    vault.failStore = new Error('Cannot create an item in a locked collection');
    await expectFailure(service.setKey(created.id, CANARY_KEY), 'secret_storage_failed', /password-store/);
    assert.equal(service.get(created.id)?.keyHint, undefined);
    assert.deepEqual(vault.connectionSecrets(), []);
    assert.ok(!store.dump().includes(CANARY_KEY));
    assert.ok(!logger.lines.join('\n').includes(CANARY_KEY));
  });

  it('keeps nothing when the stored key does not read back', async () => {
    const { service, vault } = makeService();
    const created = await service.create({ name: 'OpenAI', providerId: 'openai' });
    vault.loseValues = true;
    await assert.rejects(service.setKey(created.id, CANARY_KEY), (error: SwitchboardError) => {
      assert.equal(error.code, 'secret_storage_failed');
      assert.ok(!error.message.includes(CANARY_KEY));
      return true;
    });
    assert.equal(service.get(created.id)?.keyHint, undefined);
  });

  it('loses no record when fifty creates and edits run at once', async () => {
    const { service } = makeService();
    const first = await service.create({ name: 'c-0', providerId: 'ollama' });
    await Promise.all([
      ...Array.from({ length: 49 }, (_, i) => service.create({ name: `c-${i + 1}`, providerId: 'ollama' })),
      service.update(first.id, { name: 'renamed' }),
    ]);
    const names = service.list().map((c) => c.name);
    assert.equal(names.length, 50);
    assert.ok(names.includes('renamed'));
  });

  it('skips a stored record that fails its schema, keeps it in storage, and logs why', async () => {
    const { service, store, logger } = makeService();
    await store.update(CONNECTIONS_KEY, [{ id: 'broken', name: 42 }]);
    const created = await service.create({ name: 'Local', providerId: 'ollama' });
    assert.deepEqual(service.list(), [created]);
    assert.equal((store.get(CONNECTIONS_KEY) as unknown[]).length, 2, 'the broken record is left as it was');
    assert.ok(logger.lines.some((line) => line.includes('not valid')));
  });
});

describe('ConnectionService.test against fixture servers', () => {
  const ollama = new OllamaFixture();
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });

  before(async () => {
    await ollama.start();
    await openai.start();
  });
  after(async () => {
    await ollama.stop();
    await openai.stop();
  });
  beforeEach(() => {
    ollama.reset();
    openai.reset();
  });

  it('marks a reachable Ollama valid with the latency and the time it was checked', async () => {
    const { service } = makeService();
    const created = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    const result = await service.test(created.id, byPerson);
    assert.equal(result.status, 'valid', result.message);
    assert.match(result.message, /Ollama/);
    const stored = service.get(created.id)!;
    assert.equal(stored.status, 'valid');
    assert.equal(stored.lastValidatedAt, '2026-11-22T10:00:00.000Z');
    assert.equal(stored.lastLatencyMs, result.latencyMs);
    assert.equal(stored.lastTestMessage, result.message);
  });

  it('marks a refused Ollama invalid with the ollama serve hint', async () => {
    const { service } = makeService();
    const port = await closedPort();
    const created = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: `http://127.0.0.1:${port}` });
    const result = await service.test(created.id, byPerson);
    assert.equal(result.status, 'invalid');
    assert.equal(result.code, 'endpoint_unreachable');
    assert.match(result.message, /not reachable at http:\/\/127\.0\.0\.1:\d+\. Is it running\? Start it with the command "ollama serve"\./);
    assert.equal(service.get(created.id)?.status, 'invalid');
  });

  it('sends the stored OpenAI key only in the Authorization header and never records it', async () => {
    const { service, store, logger } = makeService();
    const created = await service.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await service.setKey(created.id, CANARY_KEY);
    const result = await service.test(created.id, byPerson);
    assert.equal(result.status, 'valid', result.message);
    assert.deepEqual(openai.authorizationHeaders(), [`Bearer ${CANARY_KEY}`]);
    assert.ok(openai.requests.every((r) => !r.url.includes(CANARY_KEY)));
    assertNoCanary({ result, stored: store.dump(), log: logger.lines });
  });

  it('reports a rejected key as invalid with what to do, and a missing key without calling', async () => {
    const { service } = makeService();
    const created = await service.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    const noKey = await service.test(created.id, byPerson);
    assert.equal(noKey.status, 'invalid');
    assert.match(noKey.message, /needs an API key/);
    assert.equal(openai.requests.length, 0);
    await service.setKey(created.id, 'sk-wrong-key-123456');
    const rejected = await service.test(created.id, byPerson);
    assert.equal(rejected.status, 'invalid');
    assert.equal(rejected.code, 'auth_failed', 'the code lets the UI offer Set API Key');
    assert.match(rejected.message, /rejected/);
  });

  it('leaves the status alone when the test is cancelled', async () => {
    const { service } = makeService();
    const created = await service.create({ name: 'Local', providerId: 'ollama', baseUrl: ollama.url });
    ollama.setBehaviour('hang');
    const controller = new AbortController();
    void ollama.nextRequest().then(() => controller.abort());
    const pending = service.test(created.id, byPerson, controller.signal);
    await expectFailure(pending, 'cancelled');
    assert.equal(service.get(created.id)?.status, 'unknown');
  });
});

describe('ConnectionService with a contributed adapter that repeats the key', () => {
  it('keeps the key out of the stored test message, the result and the log, whether the test passes or fails', async () => {
    const { service, store, registry, logger, prompt } = makeService();
    // Another extension's adapter receives the key: the person is asked even for their own click.
    prompt.answers = ['once', 'once'];
    const answers = [(key: string) => Promise.resolve(`hello ${key}`), (key: string) => Promise.reject(new SwitchboardError('auth_failed', `bad key ${key}`))];
    registry.register(
      { id: 'leaky', displayName: 'Leaky', source: 'leaky.ext', fields: [{ key: 'apiKey', label: 'API key', kind: 'secret', required: true }], defaults: { baseUrl: 'http://127.0.0.1:9' }, capabilities: { test: true, discovery: false, chat: false } },
      { testConnection: (target) => answers.shift()!(target.apiKey ?? '') },
      'leaky.ext',
    );
    const connection = await service.create({ name: 'Leaky', providerId: 'leaky.ext/leaky' });
    await service.setKey(connection.id, CANARY_KEY);
    const results = [await service.test(connection.id, byPerson), await service.test(connection.id, byPerson)];
    assert.deepEqual(results.map((r) => r.status), ['valid', 'invalid']);
    assertNoCanary({ results, state: store.dump(), log: logger.lines });
  });
});
