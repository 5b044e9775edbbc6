import * as assert from 'node:assert/strict';
import { DiscoveredModelSchema } from '../../src/contracts/models';
import { SwitchboardError } from '../../src/core/base/errors';
import { HttpClient } from '../../src/core/http/httpClient';
import { anthropicBuiltin, BUILTIN_MODELS_WRITTEN, geminiModalities, openAiBuiltin } from '../../src/core/providers/builtinModels';
import { collectPages, mapLimit, MAX_PAGES, toDiscoveredModel, toDiscoveredModels, withinDiscoveryBudget } from '../../src/core/providers/shared';
import { expectFailure } from '../fixtures/expectFailure';

describe('provider helpers', () => {
  describe('mapLimit', () => {
    /** Items whose calls end when the test says: `end(item)` settles the call of that item. */
    function heldCalls() {
      const started: number[] = [];
      const endings = new Map<number, { resolve(): void; reject(error: Error): void }>();
      let running = 0;
      let most = 0;
      const call = (item: number) =>
        new Promise<number>((resolve, reject) => {
          started.push(item);
          running++;
          most = Math.max(most, running);
          endings.set(item, {
            resolve: () => (running--, resolve(item * 10)),
            reject: (error) => (running--, reject(error)),
          });
        });
      /** Lets the calls that can start, start. */
      const settle = () => new Promise((resolve) => setImmediate(resolve));
      return { started, endings, call, settle, most: () => most };
    }

    it('keeps at most `limit` calls running and returns the results in input order', async () => {
      const held = heldCalls();
      const all = mapLimit([0, 1, 2, 3, 4, 5, 6], 3, held.call);
      await held.settle();
      assert.deepEqual(held.started, [0, 1, 2]);
      // Calls end out of order; each end lets exactly one more start.
      for (const [item, next] of [[1, 3], [0, 4], [4, 5], [2, 6]] as const) {
        held.endings.get(item)!.resolve();
        await held.settle();
        assert.equal(held.started.at(-1), next);
      }
      for (const item of [3, 5, 6]) held.endings.get(item)!.resolve();
      assert.deepEqual(await all, [0, 10, 20, 30, 40, 50, 60]);
      assert.equal(held.most(), 3);
    });

    it('starts no new item after a failure and throws that first failure', async () => {
      const held = heldCalls();
      const all = mapLimit([1, 2, 3, 4, 5, 6], 2, held.call);
      await held.settle();
      held.endings.get(2)!.reject(new Error('item 2 failed'));
      await held.settle();
      held.endings.get(1)!.reject(new Error('item 1 failed later'));
      await assert.rejects(all, /item 2 failed/);
      assert.deepEqual(held.started, [1, 2]);
    });

    it('returns an empty list for no items', async () => {
      assert.deepEqual(await mapLimit([], 4, async () => 1), []);
    });
  });

  describe('collectPages', () => {
    it('follows the cursor until there is none', async () => {
      const cursors: (string | undefined)[] = [];
      const items = await collectPages('https://x.test/models', 'Example', async (cursor) => {
        cursors.push(cursor);
        const page = Number(cursor ?? 0);
        return { items: [page * 2, page * 2 + 1], next: page < 2 ? String(page + 1) : undefined };
      });

      assert.deepEqual(items, [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(cursors, [undefined, '1', '2']);
    });

    it('stops with bad_response when a server sends the same cursor again', async () => {
      const error = await expectFailure(collectPages('https://x.test/models', 'Example', async () => ({ items: [1], next: 'same' })), 'bad_response');

      assert.match(error.message, /same page cursor twice/);
      assert.match(error.message, /Example API/);
    });

    it('stops with bad_response when pages never end', async () => {
      let calls = 0;
      const error = await expectFailure(
        collectPages('https://x.test/models', 'Example', async () => {
          calls++;
          return { items: [], next: `page-${calls}` };
        }),
        'bad_response',
      );

      assert.equal(calls, MAX_PAGES);
      assert.match(error.message, new RegExp(`after ${MAX_PAGES}`));
    });
  });

  describe('withinDiscoveryBudget', () => {
    it('turns running out of the whole budget into a timeout that names the discovery setting', async () => {
      const http = new HttpClient({ proxy: () => ({ noProxy: [], strictSSL: true }), env: {} });
      try {
        const error = await expectFailure(
          withinDiscoveryBudget({ http, timeoutMs: 100 }, 'http://127.0.0.1:9', async (budget) => {
            // Each step is short, together they are longer than the budget.
            for (;;) {
              await new Promise((resolve) => setTimeout(resolve, 30));
              if (budget.signal?.aborted) throw new SwitchboardError('cancelled', 'stopped');
            }
          }),
          'timeout',
        );
        assert.match(error.message, /Listing the models at http:\/\/127\.0\.0\.1:9 took longer than 0\.1 s/);
        assert.match(error.message, /switchboard\.discoveryTimeoutSeconds/);
      } finally {
        await http.dispose();
      }
    });

    it('keeps the caller\'s own cancel a cancel', async () => {
      const http = new HttpClient({ proxy: () => ({ noProxy: [], strictSSL: true }), env: {} });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      try {
        await expectFailure(
          withinDiscoveryBudget({ http, timeoutMs: 5000, signal: controller.signal }, 'http://127.0.0.1:9', async (budget) => {
            await new Promise((resolve) => budget.signal?.addEventListener('abort', resolve));
            throw new SwitchboardError('cancelled', 'stopped');
          }),
          'cancelled',
        );
      } finally {
        await http.dispose();
      }
    });
  });

  describe('toDiscoveredModel', () => {
    it('builds a model the contract accepts, text by default, with sources only for what is known', () => {
      const model = toDiscoveredModel({ id: ' m1 ', contextWindow: 4096, contextSource: 'api', metadata: { family: 'llama', empty: '', none: undefined } });

      assert.deepEqual(model, { providerModelId: 'm1', displayName: 'm1', modalities: ['text'], contextWindow: 4096, sources: { contextWindow: 'api' }, metadata: { family: 'llama' } });
      DiscoveredModelSchema.parse(model);
    });

    it('cuts long text to the contract\'s limits and drops ids the contract cannot hold', () => {
      const model = toDiscoveredModel({ id: 'm', displayName: 'd'.repeat(400), metadata: { note: 'n'.repeat(400) } });

      assert.equal(model?.displayName.length, 256);
      assert.equal((model?.metadata?.note as string).length, 256);
      assert.equal(toDiscoveredModel({ id: '' }), undefined);
      assert.equal(toDiscoveredModel({ id: 'x'.repeat(257) }), undefined);
    });

    it('marks costs as builtin and keeps the first of repeated ids', () => {
      const models = toDiscoveredModels([
        { id: 'a', inputCostPer1k: 0.001, outputCostPer1k: 0.002 },
        { id: 'a', displayName: 'second' },
      ]);

      assert.equal(models.length, 1);
      assert.deepEqual(models[0].sources, { costs: 'builtin' });
      assert.equal(models[0].displayName, 'a');
    });
  });

  describe('built-in model table', () => {
    it('records the date it was written', () => {
      assert.equal(BUILTIN_MODELS_WRITTEN, '2026-11-22');
    });

    it('finds OpenAI models by id and by dated snapshot, without mixing up mini and full models', () => {
      assert.equal(openAiBuiltin('gpt-4o')?.contextWindow, 128_000);
      assert.equal(openAiBuiltin('gpt-4o-mini-2024-07-18')?.inputCostPer1k, 0.00015);
      assert.equal(openAiBuiltin('gpt-4o-2024-08-06')?.inputCostPer1k, 0.0025);
      assert.equal(openAiBuiltin('gpt-4.1-mini')?.contextWindow, 1_047_576);
      assert.deepEqual(openAiBuiltin('o4-mini')?.modalities, ['text', 'vision', 'tools', 'reasoning']);
      assert.equal(openAiBuiltin('gpt-4o-realtime-preview'), undefined);
      assert.equal(openAiBuiltin('constructor'), undefined);
    });

    it('finds Anthropic prices by alias and by dated id', () => {
      assert.equal(anthropicBuiltin('claude-sonnet-4-5-20250929')?.inputCostPer1k, 0.003);
      assert.equal(anthropicBuiltin('claude-3-5-haiku-20241022')?.id, 'claude-3-5-haiku-latest');
      assert.equal(anthropicBuiltin('claude-opus-4-20250514')?.id, 'claude-opus-4-0');
      assert.equal(anthropicBuiltin('claude-unknown-9'), undefined);
    });

    it('gives Gemini modalities by model line, and none to speech, image and unknown lines', () => {
      assert.deepEqual(geminiModalities('gemini-2.5-flash'), ['text', 'vision', 'audio', 'tools', 'reasoning']);
      assert.deepEqual(geminiModalities('gemini-2.0-flash-001'), ['text', 'vision', 'audio', 'tools']);
      assert.equal(geminiModalities('gemini-2.5-flash-preview-tts'), undefined);
      assert.equal(geminiModalities('gemini-2.5-flash-image'), undefined);
      assert.equal(geminiModalities('learnlm-2.0-flash'), undefined);
    });
  });
});
