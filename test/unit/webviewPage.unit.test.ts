import * as assert from 'node:assert/strict';
import { requestedOnPage } from '../../src/contracts/webviewPage';

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
