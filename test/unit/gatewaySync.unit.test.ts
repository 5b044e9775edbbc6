import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGatewayUrl } from '../../src/contracts/gateway';
import { SwitchboardError } from '../../src/core/base/errors';
import { GatewaySync } from '../../src/core/gateway/gatewaySync';
import { requesterIds } from '../../src/core/keys/requesters';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { GatewayFixture } from '../fixtures/gatewayFixture';
import { buildConnectionsStack } from '../fixtures/keyPathKit';
import { serveDuringSuite } from '../helpers/providerTestKit';

const TOKEN = 'gw-token-5d1e8a7c3b9f';

/** Fails when the gateway token is anywhere in `value`. */
function assertNoToken(value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  assert.ok(!text.includes(TOKEN), `the gateway token leaked into: ${text.replace(TOKEN, '<TOKEN>')}`);
}

describe('GatewaySync', () => {
  const gateway = new GatewayFixture({ token: TOKEN });
  serveDuringSuite(gateway);
  /** A second gateway, where switchboard.gateway.url may be moved. */
  const elsewhere = new GatewayFixture({ token: TOKEN });
  serveDuringSuite(elsewhere);

  /**
   * Connections, agents and the gateway sync on one store and one key path, as extension.ts
   * wires them: a keyed OpenAI connection (its provider is never called here: the gateway is),
   * the gateway URL set and its token stored.
   */
  async function build(options: { token?: boolean } = {}) {
    const stack = buildConnectionsStack();
    stack.settings.gateway = gateway.url;
    if (options.token !== false) await stack.keys.storeGatewayToken(TOKEN, stack.settings.gatewayUrl());
    const connection = await stack.connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.example/v1', defaultModel: 'gpt-4o-mini' });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    const newSync = () => new GatewaySync({ ...stack, keys: stack.keys });
    const sync = newSync();
    sync.start();
    /** Everything a key or token must never reach: storage, the log, the view, the audit log. */
    const assertNothingLeaked = async () => {
      for (const check of [assertNoCanary, assertNoToken]) {
        check(stack.store.dump());
        check(stack.logger.lines);
        check(sync.view());
        check(await stack.audit.read());
      }
    };
    return { ...stack, connection, sync, newSync, assertNothingLeaked };
  }

  function bodyOf(index: number): Record<string, unknown> {
    return JSON.parse(gateway.requests[index]!.body) as Record<string, unknown>;
  }

  it('creates, updates and deletes agents on the gateway with the token header and the body the issue names', async () => {
    const s = await build();
    s.prompt.answers = ['once', 'once'];
    const agent = await s.agents.create({ name: 'Reviewer', soul: 'Be kind.', guardrails: 'No secrets.', connectionId: s.connection.id, modelRef: 'gpt-4o' });
    await s.sync.idle();
    assert.deepEqual(gateway.calls(), ['POST /v1/agents']);
    assert.equal(gateway.requests[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(bodyOf(0), {
      id: agent.id,
      name: 'Reviewer',
      model: 'openai/gpt-4o',
      baseUrl: 'https://api.openai.example/v1',
      soul: 'Be kind.',
      guardrails: 'No secrets.',
      apiKey: CANARY_KEY,
    });
    assert.equal(s.sync.state(agent.id).state, 'synced');

    await s.agents.update(agent.id, { name: 'Reviewer', soul: 'Be brief.', guardrails: 'No secrets.', connectionId: s.connection.id, modelRef: 'gpt-4o' });
    await s.sync.idle();
    assert.deepEqual(gateway.calls().slice(1), [`PUT /v1/agents/${agent.id}`]);
    assert.equal(bodyOf(1).soul, 'Be brief.');

    await s.agents.delete(agent.id);
    await s.sync.idle();
    assert.deepEqual(gateway.calls().slice(2), [`DELETE /v1/agents/${agent.id}`]);
    assert.equal(gateway.requests[2]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(gateway.agents.size, 0);
    assert.deepEqual(s.sync.view().pendingDeletes, []);

    // Each key that left is matched by one key_read entry: requester gateway, purpose gateway.
    const reads = (await s.keyReads()).map((e) => `${e.requesterId}:${e.purpose}:${e.outcome}`);
    assert.deepEqual(reads, [`${requesterIds.gateway}:gateway:granted_once`, `${requesterIds.gateway}:gateway:granted_once`]);
    assert.equal(gateway.requests.filter((r) => r.body.includes(CANARY_KEY)).length, reads.length);
    await s.assertNothingLeaked();
  });

  it('asks for consent naming the gateway before the first key is sent, and a denial sends nothing', async () => {
    const s = await build();
    let requestsWhenAsked = -1;
    const ask = s.prompt.ask.bind(s.prompt);
    s.prompt.ask = (request) => {
      requestsWhenAsked = gateway.requests.length;
      return ask(request);
    };
    s.prompt.answers = ['deny', 'always'];
    const agent = await s.agents.create({ name: 'Writer', connectionId: s.connection.id });
    await s.sync.idle();
    assert.equal(requestsWhenAsked, 0);
    assert.deepEqual(s.prompt.asked.map((q) => [q.requesterId, q.destination.origin]), [[requesterIds.gateway, new URL(gateway.url).origin]]);
    assert.deepEqual(gateway.requests, []);
    const state = s.sync.state(agent.id);
    assert.equal(state.state === 'failed' && state.error.code, 'consent_denied');

    // "Sync now" asks again; "Always Allow" holds for this key and this gateway.
    assert.equal((await s.sync.syncNow(agent.id)).state, 'synced');
    await s.agents.update(agent.id, { name: 'Writer', soul: 'Short.', connectionId: s.connection.id });
    await s.sync.idle();
    assert.equal(s.prompt.asked.length, 2);
    assert.deepEqual(gateway.calls(), ['POST /v1/agents', `PUT /v1/agents/${agent.id}`]);
    assert.equal(bodyOf(0).model, 'openai/gpt-4o-mini', "the connection's default model, as a run would use it");
    await s.assertNothingLeaked();
  });

  it('replacing the key of the connection re-syncs the agent with the new key, after asking again', async () => {
    const s = await build();
    s.prompt.answers = ['always', 'once'];
    const agent = await s.agents.create({ name: 'Ops', connectionId: s.connection.id });
    await s.sync.idle();
    const newKey = 'sk-replaced-0a1b2c3d4e5f';
    await s.connections.setKey(s.connection.id, newKey);
    await s.sync.idle();
    assert.deepEqual(gateway.calls(), ['POST /v1/agents', `PUT /v1/agents/${agent.id}`]);
    assert.equal(bodyOf(1).apiKey, newKey);
    // The standing permission was for the old key.
    assert.equal(s.prompt.asked.length, 2);
  });

  it('sends the token only to the gateway it was set for: a moved gateway URL asks before anything is sent, a no sends nothing, a yes binds it there', async () => {
    const s = await build();
    s.prompt.answers = ['always'];
    const agent = await s.agents.create({ name: 'Mover', connectionId: s.connection.id });
    await s.sync.idle();
    assert.equal(s.sync.state(agent.id).state, 'synced');
    assert.deepEqual(s.prompt.tokenAsked, [], 'the gateway the token was set for needs no question');

    s.settings.gateway = elsewhere.url;
    s.settings.fireChange();
    s.prompt.tokenAnswers = [false];
    const refused = await s.sync.syncNow(agent.id);
    assert.equal(refused.state === 'failed' && refused.error.code, 'consent_denied');
    assert.deepEqual(s.prompt.tokenAsked, [{ from: new URL(gateway.url).origin, to: new URL(elsewhere.url).origin }]);
    assert.equal(elsewhere.requests.length, 0, 'nothing reached the other gateway: neither the token nor a key');
    assert.equal((await s.keyReads()).length, 1, 'no key was read for it');

    // Yes binds the token there; the key's "Always Allow" was for the first gateway, so it asks too.
    s.prompt.tokenAnswers = [true];
    s.prompt.answers = ['once'];
    assert.equal((await s.sync.syncNow(agent.id)).state, 'synced');
    assert.equal(elsewhere.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(s.prompt.asked.map((q) => q.destination.origin), [new URL(gateway.url).origin, new URL(elsewhere.url).origin]);
    assert.equal(s.consent.gatewayTokenOrigin(), new URL(elsewhere.url).origin);
    s.prompt.answers = ['once'];
    await s.sync.syncNow(agent.id);
    assert.equal(s.prompt.tokenAsked.length, 2, 'bound there now: no question about the token');

    // And back: the token is bound to the second gateway now, so the first asks again.
    s.settings.gateway = gateway.url;
    s.settings.fireChange();
    const before = gateway.requests.length;
    assert.equal((await s.sync.syncNow(agent.id)).state, 'failed');
    assert.equal(s.prompt.tokenAsked.length, 3);
    assert.equal(gateway.requests.length, before);
    await s.assertNothingLeaked();
  });

  it('takes the gateway URL from the person\'s own settings only: a workspace cannot point the token elsewhere (scope application)', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
    assert.equal(manifest.contributes.configuration.properties['switchboard.gateway.url']?.scope, 'application');
  });

  it('asks where a token set before any gateway may go, once, and binds it there', async () => {
    const s = await build({ token: false });
    await s.keys.storeGatewayToken(TOKEN, '');
    const local = await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    s.prompt.tokenAnswers = [true];
    const agent = await s.agents.create({ name: 'Local first', connectionId: local.id });
    await s.sync.idle();
    assert.equal((await s.sync.syncNow(agent.id)).state, 'synced');
    assert.deepEqual(s.prompt.tokenAsked, [{ from: undefined, to: new URL(gateway.url).origin }]);
    assert.deepEqual(gateway.calls(), ['POST /v1/agents', `PUT /v1/agents/${agent.id}`]);
  });

  it('sends no key for a connection without one, and reads none', async () => {
    const s = await build();
    const local = await s.connections.create({ name: 'Local', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434', defaultModel: 'llama3.2' });
    await s.agents.create({ name: 'Local agent', connectionId: local.id });
    await s.sync.idle();
    assert.equal(bodyOf(0).model, 'ollama/llama3.2');
    assert.equal('apiKey' in bodyOf(0), false);
    assert.deepEqual(await s.keyReads(), []);
    assert.deepEqual(s.prompt.asked, []);
  });

  it('a failing gateway does not hold up a local delete; the delete stays pending with its reason and lands on Sync now', async () => {
    const s = await build();
    // One standing permission for the gateway: the test is about the delete, not consent.
    s.prompt.answers = ['always'];
    const agent = await s.agents.create({ name: 'Temp', connectionId: s.connection.id });
    await s.sync.idle();
    gateway.setBehaviour('server-error');
    await s.agents.delete(agent.id);
    assert.equal(s.agents.get(agent.id), undefined);
    await s.sync.idle();
    const [pending] = s.sync.view().pendingDeletes;
    assert.equal(pending?.agentName, 'Temp');
    assert.match(pending?.error?.message ?? '', /answered 500/);
    assert.equal(gateway.agents.has(agent.id), true);

    gateway.setBehaviour('normal');
    const other = await s.agents.create({ name: 'Keeper', connectionId: s.connection.id });
    await s.sync.idle();
    await s.sync.syncNow(other.id);
    assert.equal(gateway.agents.has(agent.id), false);
    assert.deepEqual(s.sync.view().pendingDeletes, []);
    await s.assertNothingLeaked();
  });

  it('a delete the gateway never answered is retried at the next start', async () => {
    const s = await build();
    s.prompt.answers = ['always'];
    s.settings.requestTimeout = 300;
    const agent = await s.agents.create({ name: 'Slow', connectionId: s.connection.id });
    await s.sync.idle();
    gateway.setBehaviour('hang');
    const arrived = gateway.nextRequest(`/v1/agents/${agent.id}`);
    await s.agents.delete(agent.id);
    // The local delete is done while the gateway still holds the request.
    await arrived;
    assert.equal(s.agents.get(agent.id), undefined);
    await s.sync.idle();
    assert.equal(s.sync.view().pendingDeletes[0]?.error?.code, 'timeout');
    s.sync.dispose();

    gateway.setBehaviour('normal');
    const next = s.newSync();
    next.start();
    await next.idle();
    assert.equal(gateway.agents.has(agent.id), false);
    assert.deepEqual(next.view().pendingDeletes, []);
    next.dispose();
  });

  it('blanks the key and the token when the gateway echoes them, and says what to do about a rejected token', async () => {
    const s = await build();
    s.prompt.answers = ['always'];
    gateway.echoBody = true;
    const agent = await s.agents.create({ name: 'Echo', connectionId: s.connection.id });
    await s.sync.idle();
    assert.ok(gateway.requests[0]!.body.includes(CANARY_KEY), 'the key went in the body');
    const echoed = s.sync.state(agent.id);
    assert.equal(echoed.state, 'failed');
    assert.match(echoed.state === 'failed' ? echoed.error.message : '', /\*\*\*\*/);

    gateway.echoBody = false;
    gateway.setBehaviour('echo-key');
    const rejected = await s.sync.syncNow(agent.id);
    assert.equal(rejected.state === 'failed' && rejected.error.code, 'auth_failed');
    assert.match(rejected.state === 'failed' ? rejected.error.message : '', /Set Gateway Token/);
    await s.assertNothingLeaked();
  });

  it('sends nothing without a token, and nothing when no gateway is set', async () => {
    const s = await build({ token: false });
    const agent = await s.agents.create({ name: 'No token', connectionId: s.connection.id });
    await s.sync.idle();
    const state = s.sync.state(agent.id);
    assert.equal(state.state === 'failed' && state.error.code, 'auth_failed');
    assert.match(state.state === 'failed' ? state.error.message : '', /^No gateway token is set, so nothing was sent to the AI gateway\. Set one with Switchboard: Set Gateway Token\.$/);
    assert.deepEqual(gateway.requests, []);
    assert.deepEqual(await s.keyReads(), [], 'no key is read for a call that cannot be made');

    s.settings.gateway = '';
    s.settings.fireChange();
    assert.equal(s.sync.state(agent.id).state, 'not_configured');
    await assert.rejects(s.sync.syncNow(agent.id), (e: SwitchboardError) => e.code === 'invalid_input' && /switchboard\.gateway\.url/.test(e.message));
  });

  it('says the gateway token was rejected on a 401 or 403, with the gateway\'s own words, and names the AI gateway for other failures', async () => {
    const s = await build();
    s.prompt.answers = ['always'];
    const agent = await s.agents.create({ name: 'Auth', connectionId: s.connection.id });
    await s.sync.idle();
    const failure = async () => {
      const state = await s.sync.syncNow(agent.id);
      assert.equal(state.state, 'failed');
      return state.state === 'failed' ? state.error : { code: '', message: '' };
    };
    for (const [behaviour, status] of [['unauthorized', 401], ['forbidden', 403]] as const) {
      gateway.setBehaviour(behaviour);
      const error = await failure();
      assert.equal(error.code, 'auth_failed', behaviour);
      assert.match(error.message, new RegExp(`answered ${status}: the gateway token was rejected\\. Set it again with Switchboard: Set Gateway Token\\. The gateway said: "`), behaviour);
    }
    gateway.setBehaviour('server-error');
    const error = await failure();
    assert.notEqual(error.code, 'auth_failed');
    assert.doesNotMatch(error.message, /token was rejected/);
    assert.match(error.message, /AI gateway/);
    await s.assertNothingLeaked();
  });

  it('sends an agent whose connection has credential headers but no key without reading a key or asking', async () => {
    const s = await build();
    const headersOnly = await s.connections.create({ name: 'Headers only', providerId: 'openai-compatible', baseUrl: 'https://llm.example/v1', defaultModel: 'm' });
    await s.connections.setCredentialHeader(headersOnly.id, 'X-Api-Token', 'header-secret-value');
    await s.agents.create({ name: 'Headers', connectionId: headersOnly.id });
    await s.sync.idle();
    assert.deepEqual(gateway.calls(), ['POST /v1/agents']);
    assert.equal('apiKey' in bodyOf(0), false);
    assert.ok(!gateway.requests[0]!.body.includes('header-secret-value'), 'credential headers stay here');
    assert.deepEqual(await s.keyReads(), []);
    assert.deepEqual(s.prompt.asked, []);
  });

  it('Sync All Agents syncs every agent and reports progress', async () => {
    const s = await build();
    s.prompt.answers = ['always'];
    // Agents that exist before a gateway is set are not sent on their own.
    s.settings.gateway = '';
    s.settings.fireChange();
    for (const name of ['A', 'B', 'C']) await s.agents.create({ name, connectionId: s.connection.id });
    s.settings.gateway = gateway.url;
    s.settings.fireChange();
    await s.sync.idle();
    assert.deepEqual(gateway.requests, []);
    const progress: string[] = [];
    const result = await s.sync.syncAll((done, total) => progress.push(`${done}/${total}`));
    assert.deepEqual(result, { synced: 3, failed: 0, pendingDeletes: 0 });
    assert.deepEqual(progress, ['1/3', '2/3', '3/3']);
    assert.deepEqual(gateway.calls(), ['POST /v1/agents', 'POST /v1/agents', 'POST /v1/agents']);
  });

  it('refuses a gateway on plain http to another machine, in the setting and in the key path', async () => {
    assert.deepEqual(checkGatewayUrl(''), { url: '' });
    assert.deepEqual(checkGatewayUrl('https://gw.example.com/'), { url: 'https://gw.example.com' });
    assert.deepEqual(checkGatewayUrl('http://127.0.0.1:8080'), { url: 'http://127.0.0.1:8080' });
    assert.ok('problem' in checkGatewayUrl('http://gw.example.com'));
    assert.ok('problem' in checkGatewayUrl('https://user:pw@gw.example.com'));
    assert.ok('problem' in checkGatewayUrl('ftp://gw.example.com'));

    const s = await build();
    const provider = s.registry.require('openai').descriptor;
    let called = false;
    await assert.rejects(
      s.keys.use({ connection: s.connections.require(s.connection.id), provider, requester: { id: requesterIds.gateway, byPerson: false }, purpose: 'gateway', destination: 'http://10.1.2.3:8080' }, async () => {
        called = true;
      }),
      (e: SwitchboardError) => e.code === 'consent_denied' && /plain http/.test(e.message),
    );
    assert.equal(called, false);
    assert.deepEqual((await s.keyReads()).map((e) => e.outcome), ['refused']);
    assert.deepEqual(s.prompt.asked, []);
  });
});
