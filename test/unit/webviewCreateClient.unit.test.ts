import * as assert from 'node:assert/strict';
import type { AgentsViewState } from '../../webview/agents/client';
import { createAgentsClient } from '../../webview/agents/client';
import type { ConnectionsViewState } from '../../webview/connections/client';
import { createConnectionsClient } from '../../webview/connections/client';
import type { EditorViewState } from '../../webview/editor/client';
import { createEditorClient } from '../../webview/editor/client';
import type { FromAgentsView } from '../../src/contracts/agentsView';
import type { FromConnectionsView } from '../../src/contracts/connectionsView';
import type { FromEditorView } from '../../src/contracts/editorView';
import { FakeWebviewApi } from '../../webview/shared/fakeWebviewApi';

describe('createClient: one RPC client for every view, bound to its protocol by type', () => {
  it('gives each view a client that sends its requests in the envelope and settles on the reply', async () => {
    const editorApi = new FakeWebviewApi<FromEditorView, EditorViewState>();
    const agentsApi = new FakeWebviewApi<FromAgentsView, AgentsViewState>();
    const connectionsApi = new FakeWebviewApi<FromConnectionsView, ConnectionsViewState>();
    const clients = [
      { api: editorApi, send: () => createEditorClient(editorApi, { newId: () => 'e1' }), method: 'verifyAudit', params: {} },
      { api: agentsApi, send: () => createAgentsClient(agentsApi, { newId: () => 'a1' }), method: 'syncAllAgents', params: {} },
      { api: connectionsApi, send: () => createConnectionsClient(connectionsApi, { newId: () => 'c1' }), method: 'setKey', params: { id: '11111111-1111-4111-8111-111111111111' } },
    ] as const;
    for (const { api, send, method, params } of clients) {
      const client = send();
      client.start();
      const reply = (client.request as (method: string, params: unknown) => Promise<unknown>)(method, params);
      const sent = api.posted.at(-1) as { type: string; id: string; method: string; params: unknown };
      assert.deepEqual({ type: sent.type, method: sent.method, params: sent.params }, { type: 'request', method, params });
      assert.deepEqual(api.posted[0], { type: 'ready' }, 'start() says ready first');
      api.receive({ type: 'reply', id: sent.id, ok: true, value: { done: method } });
      assert.deepEqual(await reply, { done: method });
      client.dispose();
    }
  });
});
