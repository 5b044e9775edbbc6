import * as assert from 'node:assert/strict';
import { AUDIT_KIND_OPTIONS, AUDIT_PAGE_WORDS, auditCells, auditFilter, verificationLine } from '../../webview/editor/auditFormat';
import { pageLabel } from '../../webview/shared/paging';
import { AUDIT_KINDS } from '../../src/contracts/vocabulary';

describe('Switchboard editor: the Audit tab', () => {
  it('sends only the filters that are set, trimmed, and drops a kind the contract does not know', () => {
    assert.deepEqual(auditFilter({ kind: '', requester: '  ', connectionId: '', run: '' }), {});
    assert.deepEqual(auditFilter({ kind: 'key_read', requester: ' Agents ', connectionId: '11111111-1111-4111-8111-111111111111', run: ' abc ' }), {
      kind: 'key_read',
      requester: 'Agents',
      connectionId: '11111111-1111-4111-8111-111111111111',
      run: 'abc',
    });
    assert.deepEqual(auditFilter({ kind: 'made_up', requester: '', connectionId: '', run: '' }), {});
  });

  it('offers every kind the contract knows, once, by a label in words that the rows use too', () => {
    assert.deepEqual(AUDIT_KIND_OPTIONS.map((option) => option.value), [...AUDIT_KINDS]);
    const labels = AUDIT_KIND_OPTIONS.map((option) => option.label);
    assert.equal(new Set(labels).size, AUDIT_KINDS.length, labels.join(', '));
    for (const { value, label } of AUDIT_KIND_OPTIONS) {
      assert.match(label, /^[A-Z][a-z]+( [a-z]+)*$/, `"${label}" is not words`);
      assert.equal(auditCells({ seq: 1, time: '2026-01-02T03:04:05.000Z', kind: value as (typeof AUDIT_KINDS)[number], outcome: 'ok' }).kind, label);
    }
  });

  it('writes a row as a person reads it: the kind, the names and the outcome with its details', () => {
    const cells = auditCells({ seq: 3, time: '2026-01-02T03:04:05.000Z', kind: 'model_call', requester: 'the Agents view', connection: 'Home Ollama', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 1250, runId: 'r1' }, 'en-US');
    assert.equal(cells.kind, 'Model call');
    assert.equal(cells.requester, 'the Agents view');
    assert.equal(cells.connection, 'Home Ollama');
    assert.equal(cells.detail, 'ok · llama3.2 · 1.3 s');
    assert.equal(cells.run, 'r1');
    assert.match(cells.time, /2026/);
    assert.equal(auditCells({ seq: 1, time: '2026-01-02T03:04:05.000Z', kind: 'key_read', purpose: 'test', outcome: 'granted (once)' }).detail, 'granted (once) · for test');
  });

  it('says which entries a page shows, and when none match', () => {
    assert.equal(pageLabel(0, 50, 2345, AUDIT_PAGE_WORDS, 'en-US'), 'Entries 1–50 of 2,345');
    assert.equal(pageLabel(2300, 45, 2345, AUDIT_PAGE_WORDS, 'en-US'), 'Entries 2,301–2,345 of 2,345');
    assert.equal(pageLabel(0, 0, 0, AUDIT_PAGE_WORDS), 'No entries match.');
  });

  it('states the verification result, and where the chain breaks', () => {
    assert.equal(verificationLine({ ok: true, entries: 1200 }, 'en-US'), 'Verified: 1,200 entries, every link of the hash chain checks.');
    assert.match(verificationLine({ ok: false, entries: 9, broken: { line: 4, reason: 'its content does not match its hash (the entry was edited)' } }), /broken at entry 4: its content does not match its hash/);
  });
});
