import * as assert from 'node:assert/strict';
import type { EditorSnapshot } from '../../src/contracts/editorView';
import type { RegisteredModel } from '../../src/contracts/models';
import { filterAndSort, modelTableRows, type ModelSort, type ModelTableFilter } from '../../src/contracts/modelTable';
import { cellTitle, modelCells, nextSort, parsePrice, parseSettings, priceFields, selectionLabel, settingsFields } from '../../webview/editor/modelsTable';

const HOME = '11111111-1111-4111-8111-111111111111';
const CLOUD = '22222222-2222-4222-8222-222222222222';
const connections: EditorSnapshot['connections'] = [
  { id: HOME, name: 'Home', providerId: 'ollama', providerName: 'Ollama', status: 'valid', models: [] },
  { id: CLOUD, name: 'Cloud', providerId: 'openai', providerName: 'OpenAI', status: 'valid', models: [] },
];

let n = 0;
function model(connectionId: string, providerModelId: string, fields: Partial<RegisteredModel> = {}): RegisteredModel {
  n++;
  return { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, connectionId, providerModelId, displayName: providerModelId, modalities: ['text'], sources: {}, enabled: true, lastSyncedAt: '2026-01-01T00:00:00.000Z', ...fields };
}

const models = [
  model(HOME, 'llama3.2:latest', { contextWindow: 131_072, modalities: ['text', 'tools'] }),
  model(HOME, 'llava', { modalities: ['text', 'vision'], enabled: false }),
  model(CLOUD, 'gpt-4o-mini', { displayName: 'GPT-4o mini', contextWindow: 128_000, inputCostPer1k: 0.00015, outputCostPer1k: 0.0006, modalities: ['text', 'vision', 'tools'] }),
];

/** The rows the host pages, as the table shows them. */
const modelRows = (list: readonly RegisteredModel[], filter: ModelTableFilter, sort: ModelSort) => filterAndSort(modelTableRows(list, connections), filter, sort);

describe('Switchboard editor: the Models tab', () => {
  it('writes each cell with names: the connection, its provider, tools apart from the other modalities', () => {
    const cells = modelCells(models[2]!, connections);
    assert.deepEqual(cells, {
      model: 'GPT-4o mini (gpt-4o-mini)',
      connection: 'Cloud',
      provider: 'OpenAI',
      modalities: 'text, vision',
      tools: 'yes',
      context: '128k',
      output: '—',
      reasoning: 'default',
      priceIn: '$0.00015',
      priceOut: '$0.0006',
      enabled: 'yes',
    });
    const plain = modelCells(models[1]!, connections);
    assert.deepEqual([plain.model, plain.tools, plain.enabled], ['llava', 'no', 'no'], 'a name that is its id once; no tools; disabled');
  });

  it('leaves an unknown price empty, never a lone dash, and says on hover that it is not known', () => {
    const local = model(HOME, 'llama3.2:latest');
    const cells = modelCells(local, connections);
    assert.deepEqual([cells.priceIn, cells.priceOut], ['', '']);
    assert.equal(cellTitle(local, 'priceIn', cells), 'No price is known for this model.');
    assert.equal(cellTitle(models[2]!, 'priceOut', modelCells(models[2]!, connections)), '$0.0006');
    assert.match(cellTitle(local, 'context', cells), /^A run gets|window/i);
  });

  it('writes the context cell as the window a run gets, the maximum, and where the window came from', () => {
    const context = (fields: Partial<RegisteredModel>) => modelCells(model(HOME, 'm', fields), connections).context;
    assert.equal(context({ contextWindow: 16_384, maxContextWindow: 32_768, sources: { contextWindow: 'api', maxContextWindow: 'api' } }), '16k of 32k · provider');
    assert.equal(context({ contextWindow: 4096, maxContextWindow: 131_072, sources: { contextWindow: 'default', maxContextWindow: 'api' } }), '4k of 128k · default, assumed');
    assert.equal(context({ contextWindow: 128_000, sources: { contextWindow: 'builtin' } }), '128k · built-in table, 2026-11');
    assert.equal(context({ contextWindow: 65_536, maxContextWindow: 131_072, providerContextWindow: 4096, sources: { contextWindow: 'user', providerContextWindow: 'default' } }), '64k of 128k · your value');
    assert.equal(context({ maxContextWindow: 32_768, sources: { maxContextWindow: 'api' } }), '— of 32k');
  });

  it('sorts by a column either way, a number by its value and an unknown one last', () => {
    const ids = (sort: ModelSort) => modelRows(models, {}, sort).map((row) => row.model.providerModelId);
    assert.deepEqual(ids({ column: 'model', descending: false }), ['gpt-4o-mini', 'llama3.2:latest', 'llava']);
    assert.deepEqual(ids({ column: 'context', descending: true }), ['llama3.2:latest', 'gpt-4o-mini', 'llava']);
    assert.deepEqual(ids({ column: 'context', descending: false }), ['gpt-4o-mini', 'llama3.2:latest', 'llava'], 'unknown last either way');
    // Two unknown: they keep the registry's order, either way.
    const unknown = [model(HOME, 'b-unknown'), models[0]!, model(HOME, 'a-unknown')];
    for (const descending of [false, true]) {
      assert.deepEqual(modelRows(unknown, {}, { column: 'context', descending }).map((row) => row.model.providerModelId), ['llama3.2:latest', 'b-unknown', 'a-unknown']);
    }
    // "no" before "yes"; equal keys keep the registry's order.
    assert.deepEqual(ids({ column: 'enabled', descending: false }), ['llava', 'llama3.2:latest', 'gpt-4o-mini']);
    assert.deepEqual(nextSort({ column: 'model', descending: false }, 'model'), { column: 'model', descending: true });
    assert.deepEqual(nextSort({ column: 'model', descending: true }, 'context'), { column: 'context', descending: false });
  });

  it('filters by connection and by text in any cell', () => {
    const ids = (filter: ModelTableFilter) => modelRows(models, filter, { column: 'model', descending: false }).map((row) => row.model.providerModelId);
    assert.deepEqual(ids({ connectionId: HOME, text: '' }), ['llama3.2:latest', 'llava']);
    assert.deepEqual(ids({ connectionId: '', text: 'VISION' }), ['gpt-4o-mini', 'llava']);
    assert.deepEqual(ids({ connectionId: '', text: 'openai' }), ['gpt-4o-mini'], 'by provider name');
    assert.deepEqual(ids({ connectionId: HOME, text: 'gpt' }), []);
    assert.deepEqual(ids({ text: '  Cloud ' }), ['gpt-4o-mini'], 'trimmed');
    assert.deepEqual(ids({ text: 'yes\nno' }), [], 'never across two cells');
    assert.deepEqual(ids({ text: 'mini)cloud' }), [], 'the end of one cell and the start of the next are not one text');
    assert.deepEqual(ids({ connectionId: '', text: '' }), ['gpt-4o-mini', 'llama3.2:latest', 'llava'], 'empty: every one');
    assert.deepEqual(filterAndSort(modelTableRows(models, connections), {}, undefined).map((row) => row.model.providerModelId), ['llama3.2:latest', 'llava', 'gpt-4o-mini'], 'without a sort, in their order');
  });

  it('says how many are shown and selected', () => {
    assert.equal(selectionLabel(0, 3, 3), '3 models');
    assert.equal(selectionLabel(0, 1, 2000), '1 of 2,000 models shown');
    assert.equal(selectionLabel(2, 3, 3), '2 selected · 3 models');
  });

  it("writes the output limit with its source, the person's value over the provider's, and the reasoning setting", () => {
    const cells = (fields: Partial<RegisteredModel>) => {
      const row = model(CLOUD, 'm', fields);
      const written = modelCells(row, connections);
      return [written.output, written.reasoning, cellTitle(row, 'output', written)];
    };
    assert.deepEqual(cells({ maxOutputTokens: 64_000, sources: { maxOutputTokens: 'api' } }), ['64k · provider', 'default', 'An answer may be up to 64,000 tokens (reported by the provider).']);
    assert.deepEqual(cells({ maxOutputTokens: 64_000, outputLimitOverride: 8192, sources: { maxOutputTokens: 'api' }, reasoning: { budgetTokens: 4096 } }), [
      '8k · your value',
      '4,096 tokens',
      'An answer may be up to 8,192 tokens (your value). Without your value: 64,000 tokens (reported by the provider).',
    ]);
    assert.deepEqual(cells({ reasoning: { effort: 'high' } }).slice(0, 2), ['—', 'high']);
  });

  it('reads the settings form: an effort, a budget, a limit, empty for the provider\'s own, and says which field is wrong', () => {
    assert.deepEqual(parseSettings({ reasoning: ' High ', outputLimit: '8k' }), { reasoning: { effort: 'high' }, outputLimit: 8000 });
    assert.deepEqual(parseSettings({ reasoning: '8,192 tokens', outputLimit: '' }), { reasoning: { budgetTokens: 8192 }, outputLimit: null });
    assert.deepEqual(parseSettings({ reasoning: '', outputLimit: '16384' }), { reasoning: null, outputLimit: 16384 });
    assert.equal((parseSettings({ reasoning: 'extreme', outputLimit: '' }) as { field: string }).field, 'reasoning');
    assert.equal((parseSettings({ reasoning: 'low', outputLimit: 'lots' }) as { field: string }).field, 'outputLimit');
    assert.equal((parseSettings({ reasoning: 'low', outputLimit: '20M' }) as { field: string }).field, 'outputLimit');
    assert.deepEqual(settingsFields(model(CLOUD, 'm', { reasoning: { budgetTokens: 2048 }, outputLimitOverride: 4096 })), { reasoning: '2048', outputLimit: '4096' });
  });

  it('reads the form\'s prices: both in dollars per 1,000 tokens, both empty for the price from elsewhere, and says which is wrong', () => {
    assert.deepEqual(parsePrice({ input: ' 0.5 ', output: '$1.25' }), { price: { inputPer1k: 0.5, outputPer1k: 1.25 } });
    assert.deepEqual(parsePrice({ input: '', output: ' ' }), { price: null });
    assert.deepEqual(parsePrice({ input: '0', output: '1000' }), { price: { inputPer1k: 0, outputPer1k: 1000 } });
    for (const [input, output, field] of [['', '1', 'priceInput'], ['1', '', 'priceOutput'], ['-1', '1', 'priceInput'], ['1', '1000.01', 'priceOutput'], ['lots', '1', 'priceInput'], ['1', 'NaN', 'priceOutput'], ['Infinity', '1', 'priceInput']] as const) {
      assert.equal((parsePrice({ input, output }) as { field: string }).field, field, `${input} / ${output}`);
    }
    // Only the person's own price fills the fields: one from the provider stays a placeholder, so saving does not make it theirs.
    assert.deepEqual(priceFields(model(CLOUD, 'm', { inputCostPer1k: 0.5, outputCostPer1k: 1.5, sources: { costs: 'user' } })), { input: '0.5', output: '1.5' });
    assert.deepEqual(priceFields(model(CLOUD, 'm', { inputCostPer1k: 0.5, outputCostPer1k: 1.5, sources: { costs: 'builtin' } })), { input: '', output: '' });
  });
});
