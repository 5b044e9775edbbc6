import * as assert from 'node:assert/strict';
import type { RegisteredModel } from '../../src/contracts/models';
import { MODELS_PAGE_SIZE, pagesOfRows, withPage, type Loaded } from '../../webview/editor/useModelPages';

/** A page of models named by their row numbers. */
function reply(page: number, total: number, tag = '') {
  const first = page * MODELS_PAGE_SIZE;
  const models = Array.from({ length: Math.max(0, Math.min(MODELS_PAGE_SIZE, total - first)) }, (_, i) => ({ id: `${tag}${first + i}` }) as RegisteredModel);
  return { models, total, registered: total };
}

const ids = (loaded: Loaded) => [...loaded.pages].map(([page, models]) => `${page}:${models[0]?.id}`);

describe('Switchboard editor: the Models tab reads its rows a page at a time', () => {
  it('asks for the pages that hold the rows drawn', () => {
    assert.deepEqual(pagesOfRows(0, 1), [0]);
    assert.deepEqual(pagesOfRows(0, MODELS_PAGE_SIZE), [0]);
    assert.deepEqual(pagesOfRows(MODELS_PAGE_SIZE - 5, MODELS_PAGE_SIZE + 5), [0, 1]);
    assert.deepEqual(pagesOfRows(3 * MODELS_PAGE_SIZE, 3 * MODELS_PAGE_SIZE), [3], 'an empty range still names its page');
  });

  it('adds the pages of one read, keeps the old pages asked again while a new read of the same query comes, and starts a new query afresh', () => {
    const askedAgain = (pages: number[]) => (page: number) => pages.includes(page);
    let loaded = withPage(undefined, { query: 'q', read: 'q/0', page: 0, reply: reply(0, 250), askedAgain: askedAgain([]) });
    loaded = withPage(loaded, { query: 'q', read: 'q/0', page: 2, reply: reply(2, 250), askedAgain: askedAgain([]) });
    assert.deepEqual(ids(loaded), ['0:0', '2:200']);
    assert.deepEqual([loaded.total, loaded.registered], [250, 250]);

    // The host said the models changed: page 2 arrives first; page 0, asked again, stays until its own arrives.
    loaded = withPage(loaded, { query: 'q', read: 'q/1', page: 2, reply: reply(2, 240, 'new-'), askedAgain: askedAgain([0, 2]) });
    assert.deepEqual(ids(loaded), ['0:0', '2:new-200']);
    assert.equal(loaded.total, 240);
    loaded = withPage(loaded, { query: 'q', read: 'q/1', page: 0, reply: reply(0, 240, 'new-'), askedAgain: askedAgain([0, 2]) });
    assert.deepEqual(ids(loaded), ['0:new-0', '2:new-200']);

    // A page not asked again (scrolled away) is dropped, not shown stale.
    loaded = withPage(loaded, { query: 'q', read: 'q/2', page: 0, reply: reply(0, 240, 'newer-'), askedAgain: askedAgain([0]) });
    assert.deepEqual(ids(loaded), ['0:newer-0']);

    // Another filter or sort: nothing of the old rows.
    loaded = withPage(loaded, { query: 'r', read: 'r/0', page: 1, reply: reply(1, 150, 'r-'), askedAgain: askedAgain([0, 1]) });
    assert.deepEqual(ids(loaded), ['1:r-100']);
    assert.equal(loaded.query, 'r');
  });
});
