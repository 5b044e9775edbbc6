import * as assert from 'node:assert/strict';
import { AUDIT_KIND_OPTIONS, AUDIT_PAGE_WORDS, auditCells, auditFilter, auditOutcome, verificationLine } from '../../webview/editor/auditFormat';
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

  it('writes a row as a person reads it: the kind and its outcome in words, the names, why and in which run', () => {
    const time = '2026-01-02T03:04:05.000Z';
    const cells = auditCells({ seq: 3, time, kind: 'model_call', requester: 'the Agents view', connection: 'Home Ollama', modelRef: 'llama3.2', outcome: 'ok', latencyMs: 1250, runId: 'r1', run: { agentName: 'Writer', startedAt: time } }, 'en-US');
    assert.equal(cells.kind, 'Model call');
    assert.deepEqual([cells.outcome, cells.result], ['Succeeded', 'ok']);
    assert.equal(cells.requester, 'the Agents view');
    assert.equal(cells.connection, 'Home Ollama');
    assert.equal(cells.detail, 'llama3.2 · 1.3 s');
    assert.match(cells.run, /^Writer, started \d\d:\d\d:05 [AP]M$/, 'on the day of the entry, the clock time');
    assert.match(auditCells({ seq: 3, time, kind: 'model_call', runId: 'r1', run: { agentName: 'Writer', startedAt: '2025-12-31T23:59:00.000Z' } }, 'en-US').run, /^Writer, started .*2025/, 'a day before, with its date');
    assert.match(cells.time, /2026/);
    assert.equal(auditCells({ seq: 4, time, kind: 'model_call', runId: 'r2' }).run, 'a run no longer in the history', 'a run the history no longer holds, never a clipped id');

    const keyRead = auditCells({ seq: 1, time, kind: 'key_read', purpose: 'discover', outcome: 'granted_by_person' });
    assert.deepEqual([keyRead.outcome, keyRead.result, keyRead.detail], ['Allowed: your own click', 'ok', 'to list its models']);
    assert.equal(auditCells({ seq: 1, time, kind: 'key_read', purpose: 'test', outcome: 'granted (once)' }).outcome, 'granted (once)', 'an outcome no version knew stays as written');
  });

  it('lists a call whose key was denied as denied, without a latency, and a failed one by what went wrong', () => {
    const time = '2026-01-02T03:04:05.000Z';
    const denied = auditCells({ seq: 5, time, kind: 'model_call', modelRef: 'gpt-4o-mini', outcome: 'consent_denied', latencyMs: 231 });
    assert.deepEqual([denied.kind, denied.outcome, denied.result, denied.detail], ['Model call', 'Denied: no permission to use the key', 'denied', 'gpt-4o-mini']);
    assert.deepEqual(auditOutcome('key_read', 'denied'), { text: 'Denied', result: 'denied' });
    assert.deepEqual(auditOutcome('key_read', 'refused'), { text: 'Refused: the key may not go to that address', result: 'denied' });
    assert.deepEqual(auditOutcome('model_call', 'endpoint_unreachable'), { text: 'Failed: The provider could not be reached', result: 'failed' });
    assert.deepEqual(auditOutcome('model_call', 'cancelled'), { text: 'Cancelled', result: 'none' });
    assert.deepEqual(auditOutcome('connection_created', undefined), { text: '', result: 'none' });
    for (const outcome of ['granted_once', 'granted_always', 'granted_standing', 'granted_by_person', 'denied', 'refused', 'failed']) {
      assert.doesNotMatch(auditOutcome('key_read', outcome).text, /_/, `${outcome} in words`);
    }
  });

  it("keeps a deleted connection's name, marked deleted, and says so when no name is known", () => {
    const time = '2026-01-02T03:04:05.000Z';
    assert.equal(auditCells({ seq: 1, time, kind: 'connection_deleted', connection: 'Old Ollama', connectionDeleted: true }).connection, 'Old Ollama (deleted)');
    assert.equal(auditCells({ seq: 1, time, kind: 'model_call', connectionDeleted: true }).connection, 'a deleted connection');
  });

  it('says which entries a page shows, and when none match', () => {
    assert.equal(pageLabel(0, 50, 2345, AUDIT_PAGE_WORDS, 'en-US'), 'Entries 1–50 of 2,345');
    assert.equal(pageLabel(2300, 45, 2345, AUDIT_PAGE_WORDS, 'en-US'), 'Entries 2,301–2,345 of 2,345');
    assert.equal(pageLabel(0, 0, 0, AUDIT_PAGE_WORDS), 'No entries match.');
  });

  it('states the verification result, and where the chain breaks', () => {
    assert.equal(verificationLine({ ok: true, entries: 1200 }, 'en-US'), 'Verified: 1,200 entries, every link of the hash chain checks.');
    // Only the new entries were checked: the line says so instead of claiming every link.
    assert.equal(
      verificationLine({ ok: true, entries: 1200, newSince: 3 }, 'en-US'),
      'Verified: 1,200 entries; the 3 written since the last check link on to the chain checked then. Verify All checks every link again.',
    );
    assert.match(verificationLine({ ok: false, entries: 9, broken: { line: 4, reason: 'its content does not match its hash (the entry was edited)' } }), /broken at entry 4: its content does not match its hash/);
  });
});
