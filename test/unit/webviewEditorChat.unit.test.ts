import * as assert from 'node:assert/strict';
import type { ChatRecord } from '../../src/contracts/chatRecords';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import { CHAT_PAGE_WORDS, CHAT_STATUS_OPTIONS, chatCells, chatFilter } from '../../webview/editor/chatFormat';
import { pageLabel } from '../../webview/shared/paging';

const HOME = '11111111-1111-4111-8111-111111111111';
const connections: EditorSnapshot['connections'] = [
  { id: HOME, name: 'Home', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [{ providerModelId: 'llama3.2:latest', displayName: 'Llama 3.2' }] },
];
const record: ChatRecord = {
  id: '22222222-2222-4222-8222-222222222222',
  requesterId: 'switchboard.vscodeChat',
  connectionId: HOME,
  providerId: 'ollama',
  modelRef: 'llama3.2:latest',
  status: 'succeeded',
  usage: { inputTokens: 1200, outputTokens: 34 },
  toolCalls: 0,
  latencyMs: 1500,
  createdAt: '2026-01-02T03:04:05.000Z',
};

describe('Switchboard editor: the Chat requests tab', () => {
  it('sends only the filters that are set, and drops a status the contract does not know', () => {
    assert.deepEqual(chatFilter({ connectionId: '', modelRef: '', status: '' }), {});
    assert.deepEqual(chatFilter({ connectionId: HOME, modelRef: 'llama3.2:latest', status: 'failed' }), { connectionId: HOME, modelRef: 'llama3.2:latest', status: 'failed' });
    assert.deepEqual(chatFilter({ connectionId: '', modelRef: '', status: 'running' }), {}, 'a chat request is never running');
    assert.deepEqual(CHAT_STATUS_OPTIONS.map((option) => option.label), ['Succeeded', 'Failed', 'Cancelled']);
  });

  it('writes a row with names: the requester, the connection and the model, never their ids', () => {
    const cells = chatCells(record, connections, { 'switchboard.vscodeChat': 'VS Code chat' }, 'en-US');
    assert.equal(cells.requester, 'VS Code chat');
    assert.equal(cells.connection, 'Home');
    assert.equal(cells.model, 'Llama 3.2 (llama3.2:latest)');
    assert.equal(cells.tokens, '1,200 in · 34 out');
    assert.equal(cells.duration, '1.5 s');
    assert.match(cells.started, /2026/);
    assert.equal(chatCells({ ...record, connectionId: '33333333-3333-4333-8333-333333333333' }, connections, {}).connection, 'deleted connection');
  });

  it('says which requests a page shows, and when none match', () => {
    assert.equal(pageLabel(50, 50, 1000, CHAT_PAGE_WORDS, 'en-US'), 'Chat requests 51–100 of 1,000');
    assert.equal(pageLabel(0, 0, 0, CHAT_PAGE_WORDS), 'No chat requests match.');
  });
});
