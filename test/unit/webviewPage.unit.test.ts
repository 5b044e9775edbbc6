import * as assert from 'node:assert/strict';
import { BOOTSTRAP_ELEMENT_ID, EDITOR_TABS, firstPageRequest, requestedOnPage } from '../../src/contracts/webviewPage';
import type { EditorClient } from '../../webview/editor/client';
import { askFirstPages } from '../../webview/editor/firstPages';
import { pageBootstrap } from '../../webview/shared/pageBootstrap';

describe('the tab a page opens on', () => {
  it('reads the tab and the request a command wrote on the page, and nothing else', () => {
    assert.deepEqual(requestedOnPage({ tab: 'audit', request: '3' }), { tab: 'audit', request: 3 });
    assert.deepEqual(requestedOnPage({ tab: 'usage', request: '0' }), { tab: 'usage', request: 0 });
    assert.equal(requestedOnPage({}), undefined, 'a page no command asked for');
    assert.equal(requestedOnPage({ tab: 'secrets', request: '1' }), undefined, 'not a tab');
    assert.equal(requestedOnPage({ tab: 'audit' }), undefined, 'no request');
    for (const request of ['', 'x', '-1', '1.5', '1e400']) assert.equal(requestedOnPage({ tab: 'audit', request }), undefined, request);
  });
});

describe('what a new page starts from', () => {
  const pageWith = (text: string | undefined) => ({ getElementById: (id: string) => (id === BOOTSTRAP_ELEMENT_ID && text !== undefined ? ({ textContent: text } as HTMLElement) : null) });
  const bootstrap = { id: 'page-2', snapshot: { type: 'snapshot' }, answers: [{ method: 'modelsPage', params: {}, value: { total: 0 } }] };

  it("reads the host's bootstrap once per page: not again when the page is loaded from the same HTML", () => {
    assert.deepEqual(pageBootstrap(undefined, pageWith(JSON.stringify(bootstrap))), bootstrap);
    assert.deepEqual(pageBootstrap('page-1', pageWith(JSON.stringify(bootstrap))), bootstrap);
    assert.equal(pageBootstrap('page-2', pageWith(JSON.stringify(bootstrap))), undefined, 'this page started from it before');
  });

  it('starts with nothing from a page without one, or with one that is not JSON of its shape', () => {
    for (const text of [undefined, '', '{', 'null', '[]', '{"snapshot":{},"answers":[]}', '{"id":"x","answers":[]}', '{"id":"x","snapshot":{}}', '{"id":"x","snapshot":{},"answers":{}}']) {
      assert.equal(pageBootstrap(undefined, pageWith(text)), undefined, String(text));
    }
  });

  it('asks first for exactly the page the host answers in a new page, for the tabs a new editor opens on', () => {
    for (const tab of EDITOR_TABS) {
      const asked: { method: string; params: unknown }[] = [];
      const client = { request: (method: string, params: unknown) => (asked.push({ method, params }), new Promise(() => undefined)) } as unknown as EditorClient;
      askFirstPages(client, tab);
      const first = firstPageRequest(tab);
      if (first) assert.deepEqual(asked[0], first, tab);
      else assert.ok(tab === 'runs' ? asked[0]?.method === 'runsPage' : asked.length === 0, tab);
    }
  });
});
