import * as assert from 'node:assert/strict';
import { editorResults, ToEditorViewSchema, type ToEditorView } from '../../src/contracts/editorView';
import { createEditorController } from '../../src/core/editorController';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { makeService } from '../helpers/stacks';

const names: Record<string, string> = { 'view:agents': 'the Agents view', 'command:palette': 'a command' };

function setup(saveAnswer: 'save' | 'cancel' = 'save') {
  const parts = makeService();
  const saved: string[] = [];
  const posted: ToEditorView[] = [];
  let requested: { tab: 'audit'; request: number } | undefined;
  const controller = createEditorController({
    audit: parts.audit,
    connections: parts.connections,
    describeRequester: (id) => names[id] ?? id,
    saveExport: async (text) => (saveAnswer === 'save' ? (saved.push(text), true) : false),
    requestedTab: () => requested,
    logger: parts.logger,
    post: (message) => posted.push(message),
  });
  let next = 0;
  /** Sends a request as the webview would and returns the value of its one successful reply. */
  const request = async <M extends keyof typeof editorResults>(method: M, params: unknown) => {
    const id = `r${++next}`;
    await controller.handle({ type: 'request', id, method, params });
    const replies = posted.filter((m) => m.type === 'reply' && m.id === id);
    assert.equal(replies.length, 1, `one reply to ${method}`);
    const reply = ToEditorViewSchema.parse(replies[0]);
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    return editorResults[method].parse(reply.value) as ReturnType<(typeof editorResults)[M]['parse']>;
  };
  return { ...parts, controller, posted, saved, request, ask: (tab: 'audit', n: number) => (requested = { tab, request: n }) };
}

describe('EditorController', () => {
  it('sends the connections by name in a whole snapshot after ready, with the tab a command asked for', async () => {
    const { controller, connections, posted, ask } = setup();
    const connection = await connections.create({ name: 'Home Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    controller.pushSnapshot();
    assert.equal(posted.length, 0, 'nothing before ready');
    ask('audit', 1);
    await controller.handle({ type: 'ready' });
    const snapshot = ToEditorViewSchema.parse(posted.at(-1));
    assert.deepEqual(snapshot, { type: 'snapshot', connections: [{ id: connection.id, name: 'Home Ollama' }], show: { tab: 'audit', request: 1 } });
  });

  it('pages the audit log newest first and filters it on the host by kind, requester name, connection and run', async () => {
    const { request, connections, audit } = setup();
    const home = await connections.create({ name: 'Home Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const work = await connections.create({ name: 'Work Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11435' });
    for (let i = 0; i < 7; i++) {
      await audit.append({ kind: 'model_call', connectionId: i % 2 ? home.id : work.id, requesterId: 'view:agents', runId: `run-${i}`, modelRef: 'llama3.2', outcome: 'ok' });
    }
    await audit.append({ kind: 'key_read', connectionId: home.id, requesterId: 'command:palette', purpose: 'test', outcome: 'granted (once)' });

    const all = await request('auditPage', { offset: 0, limit: 3, filter: {} });
    // Two connection_created entries, seven calls and a key read.
    assert.equal(all.total, 10);
    assert.deepEqual(all.entries.map((e) => e.kind), ['key_read', 'model_call', 'model_call']);
    assert.equal(all.entries[0]!.requester, 'a command', 'the requester by name');
    assert.equal(all.entries[0]!.connection, 'Home Ollama', 'the connection by name');
    assert.ok(!('connectionId' in all.entries[0]!) && !('requesterId' in all.entries[0]!), 'no ids of people or connections in a row');

    const second = await request('auditPage', { offset: 3, limit: 3, filter: {} });
    assert.deepEqual(second.entries.map((e) => e.seq), [all.entries[2]!.seq - 1, all.entries[2]!.seq - 2, all.entries[2]!.seq - 3]);

    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { kind: 'model_call' } })).total, 7);
    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { requester: 'AGENTS' } })).total, 7, 'by name, case-insensitive');
    const byConnection = await request('auditPage', { offset: 0, limit: 50, filter: { connectionId: home.id, kind: 'model_call' } });
    assert.equal(byConnection.total, 3);
    assert.ok(byConnection.entries.every((e) => e.connection === 'Home Ollama'));
    assert.deepEqual((await request('auditPage', { offset: 0, limit: 50, filter: { run: 'run-4' } })).entries.map((e) => e.runId), ['run-4']);
    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { run: 'nothing' } })).total, 0);
  });

  it('names a deleted connection as such, not by its id', async () => {
    const { request, connections, audit } = setup();
    const gone = await connections.create({ name: 'Gone', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    await audit.append({ kind: 'model_call', connectionId: gone.id, requesterId: 'view:agents', outcome: 'ok' });
    await connections.delete(gone.id);
    const page = await request('auditPage', { offset: 0, limit: 50, filter: { kind: 'model_call' } });
    assert.equal(page.entries[0]!.connection, 'a deleted connection');
    assert.ok(!JSON.stringify(page).includes(gone.id));
  });

  it('verifies the chain, and exports every entry oldest first as JSON lines, or nothing when the person cancels', async () => {
    const { request, audit, saved } = setup();
    await audit.append({ kind: 'model_call', requesterId: 'view:agents', outcome: 'ok' });
    await audit.append({ kind: 'model_call', requesterId: 'view:agents', outcome: 'failed' });
    assert.deepEqual(await request('verifyAudit', {}), { ok: true, entries: 2 });
    assert.deepEqual(await request('exportAudit', {}), { exported: true, entries: 2 });
    const lines = saved[0]!.trimEnd().split('\n').map((line) => JSON.parse(line) as { seq: number });
    assert.deepEqual(lines.map((line) => line.seq), [1, 2]);

    const cancelled = setup('cancel');
    await cancelled.audit.append({ kind: 'model_call', outcome: 'ok' });
    assert.deepEqual(await cancelled.request('exportAudit', {}), { exported: false, entries: 0 });
  });

  it('answers a malformed request with invalid_input, once, and a page larger than the contract allows too', async () => {
    const { controller, posted } = setup();
    await controller.handle({ type: 'request', id: 'bad', method: 'auditPage', params: { offset: 0, limit: 10_000, filter: {} } });
    await controller.handle({ type: 'request', id: 'worse', method: 'auditPage', params: { offset: 0, limit: 10, filter: { connectionId: 'not-a-uuid', apiKey: CANARY_KEY } } });
    const replies = posted.filter((m) => m.type === 'reply');
    assert.deepEqual(replies.map((r) => r.type === 'reply' && !r.ok && r.error.code), ['invalid_input', 'invalid_input']);
    assertNoCanary(posted);
  });
});
