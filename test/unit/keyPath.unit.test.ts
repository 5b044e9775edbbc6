import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hasCredentials } from '../../src/contracts/connections';
import { SwitchboardError } from '../../src/core/base/errors';
import type { ConsentAnswer } from '../../src/core/keys/consent';
import { CONNECTIONS_KEY, TABLES } from '../../src/core/store/storageKeys';
import { commandArgument, gatewayRequester, personAt, requesterIds } from '../../src/core/keys/requesters';
import { blankSecrets, keyHint } from '../../src/core/base/secrets';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import type { Connection } from '../../src/contracts/connections';
import { agentsView, buildConnectionsStack, buildKeyPath, fromView, keyedConnection } from '../fixtures/keyPathKit';
import { auditChainKeys } from '../../src/core/keys/keyPath';
import { secretNames } from '../../src/core/keys/vault';
import { OpenAiCompatibleFixture } from '../fixtures/openaiCompatibleFixture';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import type { ConnectionTarget } from '../../src/core/providers/adapter';
import { serveDuringSuite } from '../helpers/providerTestKit';
import { MemoryLogger, MemoryStore } from '../helpers/fakes';

function code(expected: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof SwitchboardError, `expected a SwitchboardError, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

describe('KeyPath', () => {
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(openai);

  /**
   * A keyed OpenAI connection on the fixture, and a use of its key for `requester` that returns
   * the key the call received (what comes back from the key path is blanked of it).
   */
  async function keyed(stack = buildConnectionsStack()) {
    return { ...stack, ...(await keyedConnection(stack, `${openai.url}/v1`)) };
  }

  async function outcomes(stack: { keyReads(): Promise<{ requesterId?: string; purpose?: string; outcome?: string }[]> }) {
    return (await stack.keyReads()).map((e) => `${e.requesterId}:${e.purpose}:${e.outcome}`);
  }

  it('allow once lets this use through and asks again next time; each use is one audit entry', async () => {
    const stack = await keyed();
    stack.prompt.answers = ['once', 'once'];
    assert.equal(await stack.use(agentsView), CANARY_KEY);
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 2);
    assert.deepEqual(stack.consent.grants(), []);
    assert.deepEqual(await outcomes(stack), [`${requesterIds.agentsView}:chat:granted_once`, `${requesterIds.agentsView}:chat:granted_once`]);
  });

  it('always allow keeps a grant for that requester, key and origin only', async () => {
    const stack = await keyed();
    stack.prompt.answers = ['always', 'deny'];
    await stack.use(agentsView);
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 1);
    const [grant] = stack.consent.grants();
    assert.deepEqual([grant?.requesterId, grant?.origin], [requesterIds.agentsView, new URL(openai.url).origin]);
    assert.match(grant?.keyId ?? '', /^[0-9a-f]{32}$/);
    await assert.rejects(stack.use({ id: 'other.extension', byPerson: false }), code('consent_denied'));
    assert.deepEqual(await outcomes(stack), [
      `${requesterIds.agentsView}:chat:granted_always`,
      `${requesterIds.agentsView}:chat:granted_standing`,
      'other.extension:chat:denied',
    ]);
    assertNoCanary({ grants: stack.consent.grants(), state: stack.store.dump() });
  });

  it('deny fails with consent_denied, audits the denial with the run id, grants nothing and sends nothing', async () => {
    const stack = await keyed();
    stack.prompt.answers = ['deny'];
    await assert.rejects(stack.use(agentsView, 'r1'), code('consent_denied', /The key of "Cloud" was not used: you denied it to switchboard\.agentsView\./));
    assert.deepEqual(stack.consent.grants(), []);
    const [entry] = await stack.keyReads();
    assert.deepEqual([entry?.outcome, entry?.runId, entry?.providerId], ['denied', 'r1', 'openai']);
  });

  it('asks again after the grant is revoked, the key is replaced, or the connection moves to another origin; not after a change of name or options', async () => {
    const stack = await keyed();
    stack.prompt.answers = ['always', 'always', 'always', 'always'];
    await stack.use(agentsView);
    await stack.consent.revoke(stack.connection.id, requesterIds.agentsView);
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 2, 'revoked');

    await stack.connections.update(stack.connection.id, { name: 'Renamed', options: { organizationId: 'org-1' }, baseUrl: `${openai.url}/v1/` });
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 2, 'a new name, options or path on the same origin keep the permission');

    await stack.connections.setKey(stack.connection.id, `${CANARY_KEY}-2`);
    await stack.connections.setKey(stack.connection.id, CANARY_KEY);
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 3, 'a replaced key (even by the same value) asks again');

    const other = `http://localhost:${new URL(openai.url).port}/v1`;
    await stack.connections.update(stack.connection.id, { baseUrl: other }, { origin: new URL(other).origin, action: 'send' });
    await stack.use(agentsView);
    assert.equal(stack.prompt.asked.length, 4, 'a new origin asks again');
    assert.equal(stack.consent.grants().length, 1, 'one grant per requester and connection');
  });

  it("takes the person's click as consent for that one use, but never a command's argument", async () => {
    const stack = await keyed();
    stack.prompt.answers = ['deny'];
    await stack.use(fromView);
    await stack.use(personAt(requesterIds.palette));
    await assert.rejects(stack.use(commandArgument), code('consent_denied'));
    assert.equal(stack.prompt.asked.length, 1);
    assert.deepEqual(await outcomes(stack), [
      `${requesterIds.connectionsView}:chat:granted_by_person`,
      `${requesterIds.palette}:chat:granted_by_person`,
      `${requesterIds.commandArgument}:chat:denied`,
    ]);
  });

  it("asks even for the person's click when another extension's adapter would receive the key, naming the extension", async () => {
    const stack = buildConnectionsStack();
    const received: (string | undefined)[] = [];
    stack.registry.register(
      { id: 'acme', displayName: 'Acme', source: 'acme.ext', fields: [{ key: 'apiKey', label: 'API key', kind: 'secret', required: true }], defaults: { baseUrl: 'https://acme.example' }, capabilities: { test: true, discovery: false, chat: false } },
      { testConnection: async (target) => { received.push(target.apiKey); return 'ok'; } },
      'acme.ext',
    );
    const connection = await stack.connections.create({ name: 'Acme', providerId: 'acme.ext/acme' });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    stack.prompt.answers = ['deny', 'once'];
    assert.equal((await stack.connections.test(connection.id, fromView)).code, 'consent_denied');
    assert.equal((await stack.connections.test(connection.id, fromView)).status, 'valid');
    assert.deepEqual(received, [CANARY_KEY]);
    assert.deepEqual(stack.prompt.asked.map((a) => a.destination), [
      { origin: 'https://acme.example', extensionId: 'acme.ext' },
      { origin: 'https://acme.example', extensionId: 'acme.ext' },
    ]);
  });

  it('asks once for many uses waiting on the same answer, and audits every one', async () => {
    const stack = await keyed();
    stack.prompt.answers = ['once'];
    await Promise.all(Array.from({ length: 20 }, () => stack.use(agentsView)));
    assert.equal(stack.prompt.asked.length, 1);
    assert.equal((await stack.keyReads()).length, 20);
  });

  it('asks per destination: a question still open for one gateway does not let the key go to another, and each key_read names its destination', async () => {
    const stack = await keyed();
    const open: { origin: string; answer(answer: ConsentAnswer): void }[] = [];
    let asked = () => {};
    const nextQuestion = () => new Promise<'asked'>((resolve) => (asked = () => resolve('asked')));
    stack.prompt.ask = (request) =>
      new Promise((answer) => {
        open.push({ origin: request.destination.origin, answer });
        asked();
      });
    const received: Record<string, string | undefined> = {};
    const sendTo = (destination: string) =>
      stack.keys.use({ connection: stack.connections.require(stack.connection.id), provider: stack.provider, requester: gatewayRequester, purpose: 'gateway', destination }, async (target) => {
        received[destination] = target.apiKey;
      });
    let question = nextQuestion();
    const toFirst = sendTo('https://g1.example/v1');
    await question;
    question = nextQuestion();
    const toSecond = sendTo('https://g2.example');
    open[0]!.answer('once');
    await toFirst;
    // Its own question, or (were the open one shared) the first gateway's answer.
    const settled = toSecond.then(
      () => 'went on the first gateway\'s answer',
      () => 'went on the first gateway\'s answer',
    );
    assert.equal(await Promise.race([question, settled]), 'asked');
    assert.deepEqual(open.map((q) => q.origin), ['https://g1.example', 'https://g2.example']);
    open[1]!.answer('deny');
    await assert.rejects(toSecond, code('consent_denied'));
    assert.deepEqual(received, { 'https://g1.example/v1': CANARY_KEY });
    assert.deepEqual((await stack.keyReads()).map((e) => [e.requesterId, e.purpose, e.origin, e.outcome]), [
      [requesterIds.gateway, 'gateway', 'https://g1.example', 'granted_once'],
      [requesterIds.gateway, 'gateway', 'https://g2.example', 'denied'],
    ]);
  });

  it('refuses plain http to another machine unless the person allowed it, and says how', async () => {
    const stack = buildConnectionsStack();
    const provider = stack.registry.require('openai').descriptor;
    const remote = await stack.connections.create({ name: 'Remote', providerId: 'openai', baseUrl: 'http://192.0.2.10/v1' });
    await stack.connections.setKey(remote.id, CANARY_KEY);
    let called = 0;
    const use = () => stack.keys.use({ connection: stack.connections.require(remote.id), provider, requester: fromView, purpose: 'test' }, async () => called++);
    await assert.rejects(use(), code('consent_denied', /plain http:\/\/ to another machine.*Use an https:\/\/ address/));
    assert.equal(called, 0);
    assert.equal((await stack.keyReads())[0]?.outcome, 'refused');

    stack.interactions.answers = [CANARY_KEY, true];
    assert.deepEqual(await stack.actions.setKey(remote.id), { stored: true, keyHint: keyHint(CANARY_KEY) });
    assert.match(stack.interactions.asked[1] ?? '', /over unencrypted HTTP/);
    assert.equal(stack.connections.require(remote.id).allowInsecureKey, true);
    await use();
    assert.equal(called, 1);
  });

  it('stores no key or credential header when the person declines to send it over plain http', async () => {
    const stack = buildConnectionsStack();
    const remote = await stack.connections.create({ name: 'Remote', providerId: 'openai', baseUrl: 'http://192.0.2.10/v1' });

    stack.interactions.answers = [CANARY_KEY, false];
    assert.deepEqual(await stack.actions.setKey(remote.id), { stored: false });
    assert.match(stack.interactions.asked[1] ?? '', /over unencrypted HTTP/);
    stack.interactions.answers = ['X-Api-Token', CANARY_KEY, false];
    assert.deepEqual(await stack.actions.setCredentialHeader(remote.id), { stored: false });

    const after = stack.connections.require(remote.id);
    assert.equal(hasCredentials(after), false);
    assert.equal(after.allowInsecureKey, undefined);
  });

  it('sends a key only to the origin it was entered for: a record that points elsewhere is refused, audited, and nothing is sent', async () => {
    const stack = await keyed();
    // The same fixture under another origin (localhost, not 127.0.0.1): were the key sent, it would arrive.
    const elsewhere = `http://localhost:${new URL(openai.url).port}/v1`;
    // What another window, an older version or a hand edit can leave in globalState: the address moved, the key's origin did not.
    const records = stack.store.get(CONNECTIONS_KEY) as Array<Record<string, unknown>>;
    await stack.store.update(CONNECTIONS_KEY, records.map((record) => ({ ...record, baseUrl: elsewhere })));
    stack.prompt.answers = ['always'];
    for (const requester of [fromView, agentsView]) {
      await assert.rejects(stack.use(requester), code('consent_denied', /was entered for http:\/\/127\.0\.0\.1:\d+, and the connection now points to http:\/\/localhost:\d+\. Switchboard did not send it\./));
    }
    assert.equal(openai.requests.length, 0);
    assert.equal(stack.prompt.asked.length, 0, 'refused before anyone is asked');
    assert.deepEqual(await outcomes(stack), [`${requesterIds.connectionsView}:chat:refused`, `${requesterIds.agentsView}:chat:refused`]);
  });

  it('sends no key, and makes no call, when the audit entry of its use cannot be written', async () => {
    const stack = await keyed();
    // A real failing write: the database refuses every new audit row, as a full disk would.
    stack.db.write((sql) => sql.run(`CREATE TRIGGER refuse_audit BEFORE INSERT ON ${TABLES.audit} BEGIN SELECT RAISE(ABORT, 'disk is full'); END`));
    stack.prompt.answers = ['once'];
    const connection = stack.connections.require(stack.connection.id);
    let calls = 0;
    const call = async () => calls++;
    for (const requester of [fromView, agentsView]) {
      await assert.rejects(stack.keys.use({ connection, provider: stack.provider, requester, purpose: 'chat' }, call), /disk is full/);
    }
    await assert.rejects(stack.keys.tryKey({ connection, provider: stack.provider, requester: fromView, purpose: 'test' }, `${CANARY_KEY}-new`, call), /disk is full/);
    assert.equal(calls, 0);
    assert.equal(stack.prompt.asked.length, 1);
  });

  it('keeps a key that is stored on loopback http usable without asking about transport', async () => {
    const stack = await keyed();
    assert.equal(stack.connections.require(stack.connection.id).allowInsecureKey, undefined);
    assert.equal(await stack.use(fromView), CANARY_KEY);
  });

  it('blanks a key the provider echoes in a successful answer, in nested strings and object keys', async () => {
    const stack = await keyed();
    const answer = await stack.keys.use({ connection: stack.connections.require(stack.connection.id), provider: stack.provider, requester: fromView, purpose: 'chat' }, async (target) => ({
      content: `your key is ${target.apiKey}`,
      nested: [{ [`k-${target.apiKey}`]: `escaped ${JSON.stringify(target.apiKey).slice(1, -1).replace(/-/g, '\\u002d')}` }],
    }));
    assertNoCanary(answer);
    assert.equal(answer.content, 'your key is ****');
    assert.deepEqual(answer.nested, [{ 'k-****': 'escaped ****' }]);
  });

  it('blanks a key an adapter puts in its error, whatever kind of error it is', async () => {
    const stack = await keyed();
    const connection = stack.connections.require(stack.connection.id);
    for (const make of [(key: string) => new SwitchboardError('bad_response', `no ${key}`), (key: string) => new Error(`socket said ${key}`)]) {
      await assert.rejects(
        stack.keys.use({ connection, provider: stack.provider, requester: fromView, purpose: 'chat' }, (target) => Promise.reject(make(target.apiKey!))),
        (error: unknown) => {
          assertNoCanary(error);
          assert.match((error as Error).message, /\*\*\*\*/);
          return true;
        },
      );
    }
  });

  it('fails closed when the key is gone from SecretStorage, and audits the failure', async () => {
    const stack = await keyed();
    stack.vault.secrets.clear();
    await assert.rejects(stack.use(fromView), code('auth_failed', /no longer in SecretStorage/));
    assert.equal((await stack.keyReads())[0]?.outcome, 'failed');
  });

  it('uses no key and writes no key_read for a connection without one', async () => {
    const stack = buildConnectionsStack();
    const local = await stack.connections.create({ name: 'Local', providerId: 'ollama' });
    const provider = stack.registry.require('ollama').descriptor;
    const target = await stack.keys.use({ connection: local, provider, requester: agentsView, purpose: 'chat' }, async (t) => t);
    assert.equal(target.apiKey, undefined);
    assert.deepEqual(await stack.keyReads(), []);
    assert.equal(stack.prompt.asked.length, 0);
  });
});

describe('the key path and SecretStorage', () => {
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  serveDuringSuite(openai);
  const locked = () => new Error('Cannot create an item in a locked collection');
  const GATEWAY = 'https://gateway.example/v1';

  it('says why a key could not be kept, and keeps nothing, whether the keyring throws or drops the value', async () => {
    const stack = buildConnectionsStack();
    const created = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    stack.vault.failStore = locked();
    await assert.rejects(stack.keys.store(created, CANARY_KEY), code('secret_storage_failed', /could not keep the key in the system keyring \(Cannot create an item in a locked collection\)\. Nothing was saved\./));
    stack.vault.failStore = undefined;
    stack.vault.loseValues = true;
    await assert.rejects(stack.keys.store(created, CANARY_KEY), code('secret_storage_failed', /could not keep the key in the system keyring \(the stored value could not be read back\)\. Nothing was saved\./));
    assert.deepEqual(stack.vault.connectionSecrets(), []);
  });

  it('sends nothing and says the keyring could not be read when reading the key fails, and audits the failure', async () => {
    const stack = buildConnectionsStack();
    const { use } = await keyedConnection(stack, `${openai.url}/v1`);
    await stack.keys.storeGatewayToken(CANARY_KEY, GATEWAY);
    // The audit log has its chain key at hand by now (the connection's creation was audited): only the connection's secrets are read.
    stack.vault.failRead = locked();
    await assert.rejects(use(fromView), code('secret_storage_failed', /could not read the key from the system keyring \(Cannot create an item in a locked collection\)\. Nothing was sent\./));
    assert.equal(openai.requests.length, 0);
    await assert.rejects(stack.keys.withGatewayToken(GATEWAY, async () => 'never'), code('secret_storage_failed', /could not read the key from the system keyring/));
    stack.vault.failRead = undefined;
    assert.deepEqual((await stack.keyReads()).map((entry) => entry.outcome), ['failed']);
  });

  it('logs, and goes on, when the keyring cannot delete a secret', async () => {
    const stack = buildConnectionsStack();
    stack.vault.secrets.set('switchboard.connection.c1.apiKey', CANARY_KEY);
    stack.vault.failDelete = locked();
    await stack.keys.forget('c1', ['x-api-token']);
    await stack.keys.forgetHeader('c1', 'x-other');
    assert.deepEqual(
      stack.logger.lines.filter((line) => line.startsWith('warn Could not delete')),
      [
        'warn Could not delete switchboard.connection.c1.apiKey from SecretStorage: Cannot create an item in a locked collection',
        'warn Could not delete switchboard.connection.c1.header.x-api-token from SecretStorage: Cannot create an item in a locked collection',
        'warn Could not delete switchboard.connection.c1.header.x-other from SecretStorage: Cannot create an item in a locked collection',
      ],
    );
  });

  it('blanks the gateway token out of what the call gives back, and gives undefined when none is set', async () => {
    const stack = buildConnectionsStack();
    assert.equal(await stack.keys.withGatewayToken(GATEWAY, async (token) => token), undefined);
    await stack.keys.storeGatewayToken(CANARY_KEY, GATEWAY);
    assert.equal(await stack.keys.withGatewayToken(GATEWAY, async (token) => `the token is ${token}`), 'the token is ****');
    await assert.rejects(stack.keys.withGatewayToken(GATEWAY, (token) => Promise.reject(new Error(`rejected ${token}`))), (error: unknown) => (assertNoCanary(error), /rejected \*\*\*\*/.test((error as Error).message)));
    assert.deepEqual(stack.prompt.tokenAsked, [], 'the gateway it was set for: no question');
  });

  it("tries a new key with the connection's credential headers, refuses it where the connection may not send keys, and audits each try", async () => {
    const stack = buildConnectionsStack();
    const provider = stack.registry.require('openai-compatible').descriptor;
    const gateway = await stack.connections.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: `${openai.url}/v1` });
    await stack.connections.setCredentialHeader(gateway.id, 'X-Api-Token', 'header-secret-value');
    const seen: ConnectionTarget[] = [];
    const call = async (target: ConnectionTarget) => (seen.push(target), `saw ${target.apiKey} ${target.credentialHeaders?.['x-api-token']}`);
    const use = (connection = stack.connections.require(gateway.id)) => ({ connection, provider, requester: fromView, purpose: 'test' as const });
    assert.equal(await stack.keys.tryKey(use(), CANARY_KEY, call), 'saw **** ****');
    assert.deepEqual(seen.map((target) => [target.apiKey, target.credentialHeaders]), [[CANARY_KEY, { 'x-api-token': 'header-secret-value' }]]);

    for (const name of stack.vault.connectionSecrets()) stack.vault.secrets.delete(name);
    await assert.rejects(stack.keys.tryKey(use(), CANARY_KEY, call), code('auth_failed', /no longer in SecretStorage/));

    const remote = await stack.connections.create({ name: 'Remote', providerId: 'openai', baseUrl: 'http://192.0.2.10/v1' });
    await assert.rejects(stack.keys.tryKey(use(stack.connections.require(remote.id)), CANARY_KEY, call), code('consent_denied', /plain http:\/\//));
    const plain = await stack.connections.create({ name: 'Plain', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await stack.keys.tryKey(use(stack.connections.require(plain.id)), CANARY_KEY, call);
    assert.equal(seen.at(-1)?.credentialHeaders, undefined, 'no credential headers: none sent');
    assert.equal(seen.length, 2, 'nothing was called for the refused and the failed try');
    assert.deepEqual((await stack.keyReads()).map((entry) => entry.outcome), ['granted_by_person', 'failed', 'refused', 'granted_by_person']);
  });

  it("refuses a new key where the connection's credential headers are bound to another origin, before anything is read or sent", async () => {
    const stack = buildConnectionsStack();
    const provider = stack.registry.require('openai-compatible').descriptor;
    const gateway = await stack.connections.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: `${openai.url}/v1` });
    await stack.connections.setCredentialHeader(gateway.id, 'X-Api-Token', 'header-secret-value');
    // What another window or a hand edit can leave in globalState: the address moved, the headers' origin did not.
    const elsewhere = `http://localhost:${new URL(openai.url).port}/v1`;
    await stack.store.update(CONNECTIONS_KEY, (stack.store.get(CONNECTIONS_KEY) as Connection[]).map((c) => ({ ...c, baseUrl: elsewhere })));
    let calls = 0;
    await assert.rejects(
      stack.keys.tryKey({ connection: stack.connections.require(gateway.id), provider, requester: fromView, purpose: 'test' }, CANARY_KEY, async () => calls++),
      code('consent_denied', /credential headers of "Gateway" were entered for http:\/\/127\.0\.0\.1:\d+, and the connection now points to http:\/\/localhost:\d+/),
    );
    assert.equal(calls, 0);
    assert.deepEqual((await stack.keyReads()).map((entry) => [entry.origin, entry.outcome]), [[new URL(elsewhere).origin, 'refused']]);
  });
});

describe('keys in text', () => {
  it('reads an audit chain key only under an id of its own form: an id from the database cannot name another secret', async () => {
    const { vault } = buildKeyPath({ store: new MemoryStore() });
    const logger = new MemoryLogger();
    const chainKeys = auditChainKeys({ vault, logger });
    const created = await chainKeys.create();
    assert.deepEqual(await chainKeys.get(created.id), created.key);
    await vault.store(secretNames.auditChainKey('not-one-of-ours'), Buffer.alloc(32, 1).toString('base64'));
    assert.equal(await chainKeys.get('not-one-of-ours'), undefined);
    assert.equal(await chainKeys.get(created.id.toUpperCase()), undefined);
  });

  it('blanks a key written as it is, with \\/ and with \\uXXXX escapes in either case', () => {
    const key = 'sk-ab/cd"ef\\gh1234';
    const json = JSON.stringify({ error: key });
    const unicode = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`).join('');
    const text = `${key} | ${json} | ${key.replace('/', '\\/')} | ${unicode} | ${unicode.toLowerCase()}`;
    assert.equal(blankSecrets(text, [key]), `**** | {"error":"****"} | **** | **** | ****`);
  });

  it('shows no character of a key under 12 characters in its hint', () => {
    assert.equal(keyHint('sk-12345678'), '****');
    assert.equal(keyHint('sk-123456789'), '****6789');
  });
});

describe('the vault', () => {
  it('is read only by the key path: no other module of src refers to SecretVault or the secret names', () => {
    const root = join(__dirname, '..', '..', 'src');
    // The port, its implementation, the wiring, the redacting wrapper, and the Test-mode hook
    // with which integration tests check what SecretStorage holds.
    const allowed = new Set(['core/keys/keyPath.ts', 'core/keys/vault.ts', 'core/base/ports.ts', 'core/base/secrets.ts', 'vscode/storage.ts', 'vscode/extension.ts', 'vscode/testing.ts']);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.tsx?$/.test(entry.name)) {
          const name = relative(root, path).split('\\').join('/');
          const text = readFileSync(path, 'utf8');
          if (!allowed.has(name) && /\bSecretVault\b|\bsecretNames\b|\w\.secrets\b/.test(text)) offenders.push(name);
        }
      }
    };
    walk(root);
    assert.deepEqual(offenders, []);
    // And within the allowed files, only the key path reads a value back.
    const reads = (file: string) => (readFileSync(join(root, file), 'utf8').match(/vault\.get\(/g) ?? []).length;
    assert.ok(reads('core/keys/keyPath.ts') > 0);
    assert.deepEqual(['core/keys/vault.ts', 'vscode/extension.ts'].map(reads), [1, 0], 'vault.ts only wraps the vault for the redactor');
  });
});

describe('credential headers', () => {
  const gateway = new OpenAiCompatibleFixture({ requiredHeaders: { 'x-api-token': CANARY_KEY } });
  serveDuringSuite(gateway);
  // A second gateway at another origin, with its own token.
  const SECOND_TOKEN = 'tok-second-7a1c4e9b2d6f';
  const secondGateway = new OpenAiCompatibleFixture({ requiredHeaders: { 'x-api-token': SECOND_TOKEN } });
  serveDuringSuite(secondGateway);

  async function gatewayConnection() {
    const stack = buildConnectionsStack();
    const connection = await stack.connections.create({ name: 'Gateway', providerId: 'openai-compatible', baseUrl: `${gateway.url}/v1` });
    stack.interactions.answers = ['X-Api-Token', CANARY_KEY];
    assert.deepEqual(await stack.actions.setCredentialHeader(connection.id), { stored: true, name: 'x-api-token' });
    await stack.view.handle({ type: 'ready' });
    return { ...stack, connection };
  }

  it('keeps the value in SecretStorage, shows only a hint, and sends it through the key path with one audit entry per use', async () => {
    const stack = await gatewayConnection();
    assert.deepEqual(stack.connections.require(stack.connection.id).credentialHeaders, [{ name: 'x-api-token', hint: keyHint(CANARY_KEY) }]);
    assert.equal(stack.vault.secrets.get(`switchboard.connection.${stack.connection.id}.header.x-api-token`), CANARY_KEY);
    const tested = await stack.request('testConnection', { id: stack.connection.id });
    assert.equal((tested.value as { status: string }).status, 'valid', JSON.stringify(tested));
    assert.deepEqual(gateway.requests.map((request) => request.headers['x-api-token']), [CANARY_KEY]);
    assert.deepEqual((await stack.keyReads()).map((entry) => [entry.purpose, entry.outcome]), [['test', 'granted_by_person']]);
    assertNoCanary({ state: stack.store.dump(), posted: stack.posted, log: stack.logger.lines, audit: await stack.audit.read() });
  });

  it('refuses a credential in the plain custom headers and points to the credential header', async () => {
    const stack = await gatewayConnection();
    for (const text of [`X-Api-Token: ${CANARY_KEY}`, `Ocp-Apim-Subscription-Key: ${CANARY_KEY}`, `X-Goog-Api-Key: ${CANARY_KEY}`, `Cookie: s=${CANARY_KEY}`]) {
      const reply = await stack.request('updateConnection', { id: stack.connection.id, patch: { options: { customHeaders: text } } });
      assert.equal(reply.error?.code, 'invalid_input', text);
      assert.match(reply.error?.message ?? '', /carries a credential.*Set Credential Header/);
    }
    assertNoCanary({ state: stack.store.dump(), posted: stack.posted, log: stack.logger.lines });
  });

  it('goes with the key: removed from SecretStorage when the person moves the connection without its credentials, or deletes it', async () => {
    const stack = await gatewayConnection();
    stack.interactions.answers = ['Remove the Key'];
    const moved = await stack.request('updateConnection', { id: stack.connection.id, patch: { baseUrl: 'https://gateway.example/v1' } });
    assert.equal(moved.ok, true, moved.error?.message);
    assert.equal((moved.value as { credentialHeaders?: unknown }).credentialHeaders, undefined);
    assert.deepEqual(stack.vault.connectionSecrets(), []);

    const other = await gatewayConnection();
    other.interactions.answers = [true];
    await other.actions.delete(other.connection.id);
    assert.deepEqual(other.vault.connectionSecrets(), []);
  });

  it('binds a header set after the last one was removed to the address the connection has then, not the old one', async () => {
    const stack = await gatewayConnection();
    const id = stack.connection.id;
    await stack.connections.removeCredentialHeader(id, 'X-Api-Token');
    // Without credentials the connection moves freely.
    await stack.connections.update(id, { baseUrl: `${secondGateway.url}/v1` });
    stack.interactions.answers = ['X-Api-Token', SECOND_TOKEN];
    assert.deepEqual(await stack.actions.setCredentialHeader(id), { stored: true, name: 'x-api-token' });
    const tested = await stack.request('testConnection', { id });
    assert.equal((tested.value as { status: string }).status, 'valid', JSON.stringify(tested));
    assert.deepEqual(secondGateway.requests.map((request) => request.headers['x-api-token']), [SECOND_TOKEN]);
    // Back to the first address: the new header was never meant for it, so the move needs the person.
    const before = gateway.requests.length;
    await assert.rejects(stack.connections.update(id, { baseUrl: `${gateway.url}/v1` }), code('consent_denied', /would send its key there/));
    assert.equal(stack.connections.require(id).baseUrl, `${secondGateway.url}/v1`);
    assert.equal(gateway.requests.length, before);
  });

  it('tells an import which credentials differ from those stored, without reading any for a use or asking', async () => {
    const stack = await gatewayConnection();
    const connection = stack.connections.require(stack.connection.id);
    const reads = (await stack.keyReads()).length;
    assert.deepEqual(await stack.keys.differingCredentials(connection, { credentialHeaders: { 'x-api-token': CANARY_KEY } }), { apiKey: false, headers: [] });
    // Same hint, another value: the hint alone does not decide.
    const lookalike = `${CANARY_KEY.slice(0, -4)}zzzz${CANARY_KEY.slice(-4)}`;
    assert.equal(keyHint(lookalike), keyHint(CANARY_KEY));
    assert.deepEqual(await stack.keys.differingCredentials(connection, { credentialHeaders: { 'x-api-token': lookalike, 'x-tenant': 'tenant-value-1234' } }), {
      apiKey: false,
      headers: ['x-api-token', 'x-tenant'],
    });
    // A key where the connection has none differs.
    assert.deepEqual(await stack.keys.differingCredentials(connection, { apiKey: 'sk-new-key-5f2a9c' }), { apiKey: true, headers: [] });
    assert.equal((await stack.keyReads()).length, reads, 'a comparison is not a use of the key');
  });

  it('refuses a new credential while the ones beside it are bound to another origin than the address, and changes nothing', async () => {
    const stack = await gatewayConnection();
    const id = stack.connection.id;
    // A record whose address moved away from its credentials' origin (written by an older version or another window).
    await stack.store.update(
      CONNECTIONS_KEY,
      (stack.store.get(CONNECTIONS_KEY) as Connection[]).map((c) => (c.id === id ? { ...c, baseUrl: `${secondGateway.url}/v1` } : c)),
    );
    const before = stack.connections.require(id);
    const secretsBefore = [...stack.vault.secrets];
    stack.interactions.answers = ['X-Tenant-Token', SECOND_TOKEN];
    await assert.rejects(stack.actions.setCredentialHeader(id), code('consent_denied', new RegExp(`credential headers of "Gateway" were entered for ${new URL(gateway.url).origin}`)));
    await assert.rejects(stack.connections.setKey(id, SECOND_TOKEN), code('consent_denied', /remove them first/));
    assert.deepEqual(stack.connections.require(id), before);
    assert.deepEqual([...stack.vault.secrets], secretsBefore);
    assert.deepEqual(secondGateway.requests, []);
  });
});
