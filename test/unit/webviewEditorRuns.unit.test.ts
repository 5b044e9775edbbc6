import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/contracts/agents';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import { EMPTY_RUN_FILTER, modelOptions, RUN_STATUS_OPTIONS, runCells, runFilter, RUNS_PAGE_WORDS } from '../../webview/editor/runsFormat';
import { pageLabel } from '../../webview/shared/paging';

const HOME = '11111111-1111-4111-8111-111111111111';
const WORK = '22222222-2222-4222-8222-222222222222';

const connections: EditorSnapshot['connections'] = [
  { id: HOME, name: 'Home', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [{ providerModelId: 'llama3.2:latest', displayName: 'Llama 3.2' }, { providerModelId: 'qwen2.5', displayName: '' }] },
  { id: WORK, name: 'Work', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [{ providerModelId: 'llama3.2:latest', displayName: 'Llama 3.2' }] },
];

describe('Switchboard editor: the Runs tab', () => {
  it('sends only the filters that are set, and drops a status the contract does not know', () => {
    assert.deepEqual(runFilter(EMPTY_RUN_FILTER), {});
    assert.deepEqual(runFilter({ agentId: HOME, connectionId: WORK, modelRef: 'llama3.2:latest', status: 'failed', text: ' haiku ' }), {
      agentId: HOME,
      connectionId: WORK,
      modelRef: 'llama3.2:latest',
      status: 'failed',
      text: 'haiku',
    });
    assert.deepEqual(runFilter({ ...EMPTY_RUN_FILTER, status: 'exploded' }), {});
  });

  it('offers the models of the chosen connection, or of all connections each once, by name', () => {
    assert.deepEqual(modelOptions({ connections }, ''), [
      { value: 'llama3.2:latest', label: 'Llama 3.2' },
      { value: 'qwen2.5', label: 'qwen2.5' },
    ]);
    assert.deepEqual(modelOptions({ connections }, WORK).map((o) => o.value), ['llama3.2:latest']);
    assert.ok(RUN_STATUS_OPTIONS.some((o) => o.value === 'succeeded'));
  });

  it('writes a run\'s row with the connection and model by name', () => {
    const run: RunRecord = {
      id: '33333333-3333-4333-8333-333333333333',
      agentId: '44444444-4444-4444-8444-444444444444',
      agentName: 'Writer',
      requesterId: 'switchboard.agentsView',
      status: 'succeeded',
      input: 'hi',
      trace: [],
      latencyMs: 1500,
      createdAt: '2026-01-02T03:04:05.000Z',
      routing: { connectionId: HOME, providerId: 'ollama', modelRef: 'llama3.2:latest', sources: { connectionId: 'agent', modelRef: 'agent' } },
    };
    const cells = runCells(run, connections, Date.parse('2026-01-02T03:05:00.000Z'));
    assert.equal(cells.agent, 'Writer');
    assert.equal(cells.connection, 'Home');
    assert.equal(cells.model, 'Llama 3.2 (llama3.2:latest)');
    assert.equal(cells.duration, '1.5 s');
    assert.equal(runCells({ ...run, routing: undefined }, connections, 0).connection, '');
    assert.equal(pageLabel(0, 50, 10_000, RUNS_PAGE_WORDS, 'en-US'), 'Runs 1–50 of 10,000');
  });
});
