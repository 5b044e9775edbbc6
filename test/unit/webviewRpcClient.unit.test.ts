import * as assert from 'node:assert/strict';
import type { Connection } from '../../src/contracts/connections';
import type { ConnectionsSnapshot, FromConnectionsView } from '../../src/contracts/connectionsView';
import { createConnectionsClient, type ConnectionsClient, type ConnectionsViewState } from '../../webview/connections/client';
import { FakeWebviewApi } from '../../webview/shared/fakeWebviewApi';
import { DEFAULT_REQUEST_TIMEOUT_MS, RpcError } from '../../webview/shared/rpcClient';

const CONNECTION_ID = '0b9f6c1e-6a43-4a3f-9d43-5c1f2a7e8b10';

const connection: Connection = {
  id: CONNECTION_ID,
  name: 'Local Ollama',
  providerId: 'ollama',
  baseUrl: 'http://localhost:11434',
  options: {},
  status: 'unknown',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const snapshot: ConnectionsSnapshot = { type: 'snapshot', providers: [], connections: [connection], models: [], defaultConnectionId: '', unavailableConnectionIds: [], permissions: [] };

type Request = Extract<FromConnectionsView, { type: 'request' }>;

function lastRequest(api: FakeWebviewApi<FromConnectionsView, ConnectionsViewState>): Request {
  const message = api.posted.at(-1);
  assert.ok(message && message.type === 'request', 'the client posted a request');
  return message;
}

describe('webview RPC client', () => {
  let api: FakeWebviewApi<FromConnectionsView, ConnectionsViewState>;
  let client: ConnectionsClient;
  let invalid: unknown[];

  beforeEach(() => {
    api = new FakeWebviewApi();
    invalid = [];
    let next = 0;
    client = createConnectionsClient(api, { newId: () => `r${++next}`, onInvalidMessage: (data) => invalid.push(data) });
    client.start();
  });

  afterEach(() => client.dispose());

  it('says ready when it starts, and only from then on hands what the host sends to its listeners', () => {
    assert.deepEqual(api.posted, [{ type: 'ready' }]);
    const pushed: unknown[] = [];
    client.onPush((message) => pushed.push(message));
    api.receive(snapshot);
    assert.deepEqual(pushed, [snapshot]);

    const otherApi = new FakeWebviewApi<FromConnectionsView, ConnectionsViewState>();
    const notStarted = createConnectionsClient(otherApi);
    const heard: unknown[] = [];
    notStarted.onPush((message) => heard.push(message));
    otherApi.receive(snapshot);
    assert.deepEqual([otherApi.posted, heard], [[], []]);
    notStarted.dispose();
  });

  it('holds a request made before it starts until after its ready, so the snapshot comes before the reply', async () => {
    const otherApi = new FakeWebviewApi<FromConnectionsView, ConnectionsViewState>();
    const early = createConnectionsClient(otherApi, { newId: () => 'early-1' });
    const pending = early.request('testConnection', { id: CONNECTION_ID });
    assert.equal(otherApi.posted.length, 0, 'nothing before ready');
    early.start();
    assert.deepEqual(
      (otherApi.posted as FromConnectionsView[]).map((message) => message.type),
      ['ready', 'request'],
    );
    otherApi.receive({ type: 'reply', id: 'early-1', ok: true, value: { status: 'valid', message: 'ok', latencyMs: 1 } });
    assert.equal((await pending).status, 'valid');
    early.dispose();
  });

  it('sends a request with an id and resolves with the value of the reply with that id', async () => {
    const pending = client.request('testConnection', { id: CONNECTION_ID });
    const request = lastRequest(api);
    assert.deepEqual(request, { type: 'request', id: 'r1', method: 'testConnection', params: { id: CONNECTION_ID } });

    api.receive({ type: 'reply', id: 'r1', ok: true, value: { status: 'valid', message: 'Ollama 0.5.1 answered.', latencyMs: 42 } });

    assert.deepEqual(await pending, { status: 'valid', message: 'Ollama 0.5.1 answered.', latencyMs: 42 });
    assert.equal(client.pendingCount, 0);
  });

  it('settles each request on its own reply, whatever the order of the replies', async () => {
    const first = client.request('setDefault', { id: CONNECTION_ID });
    const second = client.request('deleteConnection', { id: CONNECTION_ID });

    api.receive({ type: 'reply', id: 'r2', ok: true, value: { deleted: false } });
    api.receive({ type: 'reply', id: 'r1', ok: true, value: { defaultConnectionId: CONNECTION_ID } });

    assert.deepEqual(await second, { deleted: false });
    assert.deepEqual(await first, { defaultConnectionId: CONNECTION_ID });
  });

  it('rejects with the code and message of an error reply', async () => {
    const pending = client.request('createConnection', { input: { name: 'x', providerId: 'ollama' } });
    api.receive({ type: 'reply', id: 'r1', ok: false, error: { code: 'invalid_input', message: 'input.baseUrl: the base URL must be an http:// or https:// address' } });

    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, 'invalid_input');
      assert.match(error.message, /base URL/);
      return true;
    });
  });

  it('rejects with timeout when no reply comes, and ignores a reply that arrives afterwards', async () => {
    const slow = createConnectionsClient(api, { timeoutMs: 20, newId: () => 'late' });
    slow.start();
    const pending = slow.request('setKey', { id: CONNECTION_ID });

    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === 'timeout' && /setKey/.test(error.message));
    assert.equal(slow.pendingCount, 0);
    api.receive({ type: 'reply', id: 'late', ok: true, value: { stored: true } });
    slow.dispose();
  });

  it('waits five minutes by default, so a person has time to answer a prompt the host opened', () => {
    assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 5 * 60 * 1000);
  });

  it('sends params as they are: the host parses them with the contract, and answers a bad one with invalid_input', async () => {
    const pending = client.request('testConnection', { id: 'not-a-uuid' });
    assert.deepEqual(lastRequest(api).params, { id: 'not-a-uuid' });
    api.receive({ type: 'reply', id: 'r1', ok: false, error: { code: 'invalid_input', message: 'id: Invalid UUID' } });
    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === 'invalid_input' && error.message === 'id: Invalid UUID');
  });

  it('ignores messages that are not a message of the protocol, and reports them', async () => {
    const pushed: unknown[] = [];
    client.onPush((message) => pushed.push(message));
    const pending = client.request('setKey', { id: CONNECTION_ID });

    const garbage = [
      null,
      'snapshot',
      { type: 7 },
      { kind: 'snapshot' },
      { type: 'reply', ok: true, value: {} },
      { type: 'reply', id: 'r1', ok: false, error: { message: 'x' } },
      { type: 'reply', id: 'r1', ok: false },
      { type: 'reply', id: 'r1', ok: 'yes', value: {} },
    ];
    for (const message of garbage) api.receive(message);

    assert.equal(invalid.length, garbage.length);
    assert.deepEqual(pushed, []);
    assert.equal(client.pendingCount, 1, 'an invalid reply does not settle the request');

    api.receive({ type: 'reply', id: 'r1', ok: true, value: { stored: true, keyHint: '****abcd' } });
    assert.deepEqual(await pending, { stored: true, keyHint: '****abcd' });
  });

  it('ignores replies to requests it did not send', () => {
    assert.doesNotThrow(() => api.receive({ type: 'reply', id: 'someone-else', ok: true, value: {} }));
    assert.equal(invalid.length, 0);
  });

  it('hands snapshots to its listeners', () => {
    const pushed: unknown[] = [];
    const stop = client.onPush((message) => pushed.push(message));
    api.receive(snapshot);
    stop();
    api.receive(snapshot);
    assert.deepEqual(pushed, [snapshot]);
  });

  it('rejects waiting requests with cancelled and stops listening when disposed', async () => {
    const pushed: unknown[] = [];
    client.onPush((message) => pushed.push(message));
    const pending = client.request('testConnection', { id: CONNECTION_ID });
    client.dispose();
    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === 'cancelled');
    api.receive(snapshot);
    api.receive({ type: 'reply', id: 'r1', ok: true, value: { status: 'valid', message: 'late', latencyMs: 1 } });
    assert.deepEqual([pushed, invalid], [[], []], 'a disposed client hears nothing');
  });

  it('rejects when the message cannot be posted', async () => {
    api.onPost = () => {
      throw new Error('webview is disposed');
    };
    await assert.rejects(client.request('setKey', { id: CONNECTION_ID }), (error: unknown) => error instanceof RpcError && error.code === 'internal');
    assert.equal(client.pendingCount, 0);
  });

  it('makes request ids unique per page by default', () => {
    const a = new FakeWebviewApi<FromConnectionsView, ConnectionsViewState>();
    const b = new FakeWebviewApi<FromConnectionsView, ConnectionsViewState>();
    const first = createConnectionsClient(a);
    const second = createConnectionsClient(b);
    first.start();
    second.start();
    void first.request('setKey', { id: CONNECTION_ID }).catch(() => undefined);
    void second.request('setKey', { id: CONNECTION_ID }).catch(() => undefined);
    const idA = (a.posted[1] as Request).id;
    const idB = (b.posted[1] as Request).id;
    first.dispose();
    second.dispose();
    assert.notEqual(idA, idB);
    assert.ok(idA.length <= 64 && idB.length <= 64);
  });
});
