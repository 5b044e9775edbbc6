import * as assert from 'node:assert/strict';
import { FromAgentsViewSchema, type AgentsSnapshot, type FromAgentsView } from '../../src/contracts/agentsView';
import { buildRunRequest, emptyRunValues } from '../../webview/agents/agentModel';
import { createAgentsClient, type AgentsClient, type AgentsViewState } from '../../webview/agents/client';
import { FakeWebviewApi } from '../../webview/shared/fakeWebviewApi';
import { RpcError } from '../../webview/shared/rpcClient';

const AGENT_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const RUN_ID = 'e1e1e1e1-1111-4222-8333-444455556661';
const CONNECTION_ID = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';

type Request = Extract<FromAgentsView, { type: 'request' }>;

function lastRequest(api: FakeWebviewApi<FromAgentsView, AgentsViewState>): Request {
  const message = api.posted.at(-1);
  assert.ok(message && message.type === 'request', 'the client posted a request');
  return message;
}

const snapshot: AgentsSnapshot = {
  type: 'snapshot',
  gateway: { configured: false, agents: {}, pendingDeletes: [] },
  agents: [
    {
      id: AGENT_ID,
      name: 'Reviewer',
      role: '',
      soul: '',
      guardrails: '',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  connections: [{ id: CONNECTION_ID, name: 'Local Ollama', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [] }],
  defaultConnectionId: CONNECTION_ID,
  runs: [
    {
      id: RUN_ID,
      agentId: AGENT_ID,
      agentName: 'Reviewer',
      requesterId: 'switchboard.agentsView',
      status: 'failed',
      input: 'hi',
      error: { code: 'missing_connection', message: 'No connection.' },
      trace: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
};

describe('webview Agents client', () => {
  let api: FakeWebviewApi<FromAgentsView, AgentsViewState>;
  let client: AgentsClient;
  let invalid: unknown[];

  beforeEach(() => {
    api = new FakeWebviewApi();
    invalid = [];
    let next = 0;
    client = createAgentsClient(api, { newId: () => `r${++next}`, onInvalidMessage: (data) => invalid.push(data) });
    client.start();
  });

  afterEach(() => client.dispose());

  it('says ready, then passes on each whole snapshot', () => {
    const pushed: unknown[] = [];
    client.onPush((message) => pushed.push(message));
    api.receive(snapshot);
    api.receive({ ...snapshot, runs: [] });
    assert.deepEqual(api.posted, [{ type: 'ready' }]);
    assert.equal(pushed.length, 2);
    assert.deepEqual(pushed[0], snapshot);
    assert.deepEqual(invalid, []);
  });

  it('starts a run with the request the run panel builds, without empty overrides, and settles on its reply', async () => {
    const pending = client.request('startRun', { request: buildRunRequest(AGENT_ID, { ...emptyRunValues('Review this'), connectionId: '', modelRef: '' }) });
    assert.deepEqual(lastRequest(api), { type: 'request', id: 'r1', method: 'startRun', params: { request: { agentId: AGENT_ID, input: 'Review this' } } });
    api.receive({ type: 'reply', id: 'r1', ok: true, value: { runId: RUN_ID } });
    assert.deepEqual(await pending, { runId: RUN_ID });
    assert.equal(client.pendingCount, 0);
  });

  it('rejects with the host’s code and message, e.g. a name already taken', async () => {
    const pending = client.request('createAgent', { input: { name: 'Reviewer' } });
    assert.deepEqual(lastRequest(api).params, { input: { name: 'Reviewer' } });
    api.receive({ type: 'reply', id: 'r1', ok: false, error: { code: 'invalid_input', message: 'An agent named "Reviewer" already exists.' } });
    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === 'invalid_input' && /already exists/.test(error.message));
  });

  it('sends cancelRun and chooseDefaultConnection as requests the host’s contract accepts, and settles each on its own reply', async () => {
    const cancel = client.request('cancelRun', { runId: RUN_ID });
    const choose = client.request('chooseDefaultConnection', {});
    // What the Agents view's controller parses every message from the view with.
    const parsed = api.posted.slice(-2).map((message) => FromAgentsViewSchema.safeParse(message));
    assert.deepEqual(parsed.map((result) => result.success && result.data.type === 'request' && result.data.method), ['cancelRun', 'chooseDefaultConnection']);
    api.receive({ type: 'reply', id: 'r2', ok: true, value: { defaultConnectionId: CONNECTION_ID } });
    api.receive({ type: 'reply', id: 'r1', ok: true, value: { cancelled: false } });
    assert.deepEqual(await choose, { defaultConnectionId: CONNECTION_ID });
    assert.deepEqual(await cancel, { cancelled: false });
  });

});
