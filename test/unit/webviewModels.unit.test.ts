import * as assert from 'node:assert/strict';
import type { RegisteredModel } from '../../src/contracts/models';
import { describeDiscovery, describeModelCount, withContextOverride, withoutContextOverride } from '../../src/contracts/modelFacts';
import { contextWindowDetail, contextWindowText, filterModels, formatContextWindow, formatCost, formatDollars, modelSummary, parseTokens } from '../../webview/connections/modelFormat';
import { keyTarget, revealDelta, windowRange } from '../../webview/shared/windowing';

function model(id: string, connectionId: string, fields: Partial<RegisteredModel> = {}): RegisteredModel {
  return {
    id: `00000000-0000-4000-8000-${String(id.length).padStart(12, '0')}`,
    connectionId,
    providerModelId: id,
    displayName: id,
    modalities: ['text'],
    sources: {},
    enabled: true,
    lastSyncedAt: '2026-11-22T10:00:00.000Z',
    ...fields,
  };
}

describe('webview model formatting', () => {
  it('writes context windows the way model cards do', () => {
    assert.equal(formatContextWindow(undefined), '—');
    assert.equal(formatContextWindow(0), '—');
    assert.equal(formatContextWindow(512), '512');
    assert.equal(formatContextWindow(1000), '1k');
    assert.equal(formatContextWindow(4096), '4k');
    assert.equal(formatContextWindow(8192), '8k');
    assert.equal(formatContextWindow(16_385), '16.4k');
    assert.equal(formatContextWindow(32_768), '32k');
    assert.equal(formatContextWindow(128_000), '128k', 'a round decimal count wins over 125 × 1,024');
    assert.equal(formatContextWindow(131_072), '128k');
    assert.equal(formatContextWindow(200_000), '200k');
    assert.equal(formatContextWindow(400_000), '400k');
    assert.equal(formatContextWindow(1_000_000), '1M');
    assert.equal(formatContextWindow(1_047_576), '1M');
    assert.equal(formatContextWindow(1_048_576), '1M');
    assert.equal(formatContextWindow(2_097_152), '2M');
  });

  it('writes prices per 1k tokens as input / output, with — for what is unknown', () => {
    assert.equal(formatCost(0.15, 0.6), '$0.15 / $0.60 per 1k');
    assert.equal(formatCost(0.00015, 0.0006), '$0.00015 / $0.0006 per 1k');
    assert.equal(formatCost(0.0025, 0.01), '$0.0025 / $0.01 per 1k');
    assert.equal(formatCost(0.00125, undefined), '$0.00125 / — per 1k');
    assert.equal(formatCost(undefined, undefined), '—');
    assert.equal(formatCost(0, 0), '$0.00 / $0.00 per 1k');
    assert.equal(formatDollars(12.5), '$12.50');
    assert.equal(formatDollars(0.015), '$0.015');
    assert.equal(formatDollars(Number.NaN), '—');
  });

  it('says in full which window a run gets, the maximum, and where each figure came from', () => {
    const ollama = model('qwen2.5-coder:7b', 'c', { contextWindow: 16_384, maxContextWindow: 32_768, sources: { contextWindow: 'api', maxContextWindow: 'api' } });
    assert.equal(contextWindowDetail(ollama), 'A run gets 16,384 tokens (reported by the provider). The model takes at most 32,768 tokens (reported by the provider).');
    const assumed = model('llama3.2:latest', 'c', { contextWindow: 4096, maxContextWindow: 131_072, sources: { contextWindow: 'default', maxContextWindow: 'api' } });
    assert.match(contextWindowDetail(assumed), /^A run gets 4,096 tokens \(the provider's documented default, assumed: its API does not report it\)\. The model takes at most 131,072 tokens/);
    const overridden = withContextOverride(assumed, 65_536);
    assert.equal(contextWindowDetail(overridden), "A run gets 65,536 tokens (your value). Without your value: 4,096 tokens (the provider's documented default, assumed: its API does not report it). The model takes at most 131,072 tokens (reported by the provider).");
    assert.deepEqual(withoutContextOverride(overridden), assumed, 'clearing gives back the figure and its source');
    assert.equal(contextWindowDetail(model('gpt-4o', 'c', { contextWindow: 128_000, sources: { contextWindow: 'builtin' } })), "A run gets 128,000 tokens (Switchboard's built-in table, 2026-11).");
    assert.equal(contextWindowDetail(model('x', 'c')), 'The window a run gets is unknown.');
    assert.equal(contextWindowText(model('x', 'c')), '—');
  });

  it('counts models the same way for Test and Discover, saying how many were left out and why', () => {
    assert.equal(describeModelCount(3, []), '3 models');
    assert.equal(describeModelCount(1, [], 'installed'), '1 model installed');
    assert.equal(
      describeModelCount(2, [{ count: 1, kind: 'embedding model', why: 'cannot chat' }, { count: 2, kind: 'non-chat model', why: 'no "completion" capability' }], 'installed'),
      '5 models installed, 2 for chat; left out: 1 embedding model (cannot chat), 2 non-chat models (no "completion" capability)',
    );
    assert.equal(describeDiscovery(1_200, [{ count: 1_000, kind: 'embedding model', why: 'cannot chat' }]), 'Found 2,200 models, 1,200 for chat; left out: 1,000 embedding models (cannot chat).');
  });

  it('reads a typed context window as tokens: 128000, 128,000, 128k, 1.5k, 1M', () => {
    assert.equal(parseTokens('128000'), 128_000);
    assert.equal(parseTokens(' 128,000 '), 128_000);
    assert.equal(parseTokens('128k'), 128_000);
    assert.equal(parseTokens('1.5K'), 1500);
    assert.equal(parseTokens('1M'), 1_000_000);
    for (const bad of ['', '0', '-5', '1.5', 'lots', '128kb', '1e9', '200M']) assert.equal(parseTokens(bad), undefined, bad);
  });

  it('filters by connection and by text in name or id, and counts what is shown', () => {
    const a = 'a0000000-0000-4000-8000-000000000000';
    const b = 'b0000000-0000-4000-8000-000000000000';
    const all = [model('llama3.2:latest', a), model('qwen2.5:7b', a, { enabled: false }), model('gpt-4o-mini', b, { displayName: 'GPT-4o mini' })];
    assert.deepEqual(filterModels(all, '', '').map((m) => m.providerModelId), ['llama3.2:latest', 'qwen2.5:7b', 'gpt-4o-mini']);
    assert.deepEqual(filterModels(all, a, '').map((m) => m.providerModelId), ['llama3.2:latest', 'qwen2.5:7b']);
    assert.deepEqual(filterModels(all, '', ' MINI ').map((m) => m.providerModelId), ['gpt-4o-mini']);
    assert.deepEqual(filterModels(all, b, 'llama'), []);
    assert.equal(modelSummary(all, 3), '3 models · 2 enabled');
    assert.equal(modelSummary(all.slice(0, 1), 2_000), '1 of 2,000 models · 1 enabled');
  });
});

describe('windowed list arithmetic', () => {
  const rowHeight = 66;
  const count = 2000;

  it('renders the rows in view plus the overscan on each side', () => {
    // Scrolled 1,000 rows down with a 800 px viewport: rows 1000..1012 are in view.
    const range = windowRange({ scrollOffset: 66_000, viewportHeight: 800, rowHeight, count, overscan: 6 });
    assert.deepEqual(range, { start: 994, end: 1019, offsetTop: 994 * rowHeight, totalHeight: count * rowHeight });
  });

  it('renders the first rows while the list is below the viewport, and the last ones once it is above', () => {
    assert.deepEqual(windowRange({ scrollOffset: -5000, viewportHeight: 800, rowHeight, count, overscan: 3 }).start, 0);
    assert.deepEqual(windowRange({ scrollOffset: -5000, viewportHeight: 800, rowHeight, count, overscan: 3 }).end, 4);
    const above = windowRange({ scrollOffset: 1e9, viewportHeight: 800, rowHeight, count, overscan: 3 });
    assert.deepEqual([above.start, above.end], [1996, 2000]);
  });

  it('stays in bounds at the edges, for an empty list and for a hidden one', () => {
    assert.deepEqual(windowRange({ scrollOffset: 0, viewportHeight: 800, rowHeight, count: 0, overscan: 6 }), { start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
    const top = windowRange({ scrollOffset: 0, viewportHeight: 800, rowHeight, count, overscan: 6 });
    assert.deepEqual([top.start, top.end], [0, 19]);
    const small = windowRange({ scrollOffset: 0, viewportHeight: 800, rowHeight, count: 3, overscan: 6 });
    assert.deepEqual([small.start, small.end], [0, 3]);
    const hidden = windowRange({ scrollOffset: 0, viewportHeight: 0, rowHeight, count, overscan: 6 });
    assert.deepEqual([hidden.start, hidden.end], [0, 7]);
  });

  it('renders a bounded number of rows wherever the list is scrolled', () => {
    for (let offset = -1000; offset < count * rowHeight + 1000; offset += 997) {
      const { start, end } = windowRange({ scrollOffset: offset, viewportHeight: 800, rowHeight, count, overscan: 6 });
      assert.ok(end - start <= Math.ceil(800 / rowHeight) + 1 + 12, `${end - start} rows at ${offset}`);
      assert.ok(start >= 0 && end <= count && start < end);
    }
  });

  it('scrolls just enough to show a row', () => {
    assert.equal(revealDelta(10, rowHeight, 0, 800), 0);
    assert.equal(revealDelta(20, rowHeight, 0, 800), 21 * rowHeight - 800);
    assert.equal(revealDelta(5, rowHeight, 1000, 800), 5 * rowHeight - 1000);
    // A viewport shorter than a row shows the row's top.
    assert.equal(revealDelta(3, rowHeight, 0, 40), 3 * rowHeight);
  });

  it('moves with the list keys and clamps at the ends', () => {
    assert.equal(keyTarget('ArrowDown', 5, 10, 3), 6);
    assert.equal(keyTarget('ArrowDown', 9, 10, 3), 9);
    assert.equal(keyTarget('ArrowUp', 0, 10, 3), 0);
    assert.equal(keyTarget('PageDown', 5, 10, 3), 8);
    assert.equal(keyTarget('PageUp', 5, 10, 0), 4, 'a page is at least one row');
    assert.equal(keyTarget('Home', 5, 10, 3), 0);
    assert.equal(keyTarget('End', 5, 10, 3), 9);
    assert.equal(keyTarget('Tab', 5, 10, 3), undefined);
    assert.equal(keyTarget('ArrowDown', 0, 0, 3), undefined);
  });
});
