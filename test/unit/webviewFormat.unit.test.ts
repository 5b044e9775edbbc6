import * as assert from 'node:assert/strict';
import { keyHint } from '../../src/core/base/secrets';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { formatKeyHint, formatLatency, formatRelativeTime, providerName, statusIcon, statusLabel } from '../../webview/connections/format';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('webview formatting', () => {
  it('formats the last validation as a relative time', () => {
    assert.equal(formatRelativeTime(undefined, NOW), 'never');
    assert.equal(formatRelativeTime('not a date', NOW), 'never');
    assert.equal(formatRelativeTime(ago(5), NOW), 'just now');
    assert.equal(formatRelativeTime(ago(90), NOW), '1 minute ago');
    assert.equal(formatRelativeTime(ago(5 * 60), NOW), '5 minutes ago');
    assert.equal(formatRelativeTime(ago(3 * 3600 + 59), NOW), '3 hours ago');
    assert.equal(formatRelativeTime(ago(26 * 3600), NOW), 'yesterday');
    assert.equal(formatRelativeTime(ago(3 * 86400), NOW), '3 days ago');
    assert.equal(formatRelativeTime(ago(15 * 86400), NOW), '2 weeks ago');
    assert.equal(formatRelativeTime(ago(400 * 86400), NOW), 'last year');
  });

  it('reads a time in the future (clock skew) as just now', () => {
    assert.equal(formatRelativeTime(ago(-120), NOW), 'just now');
  });

  it('formats latency in ms, and in seconds from one second', () => {
    assert.equal(formatLatency(undefined), '');
    assert.equal(formatLatency(0), '0 ms');
    assert.equal(formatLatency(84.6), '85 ms');
    assert.equal(formatLatency(1340), '1.3 s');
  });

  it('shows the hint the host made of a key (its last four characters at most), or "no key"', () => {
    const shown = formatKeyHint(keyHint(CANARY_KEY));
    assert.equal(shown, `****${CANARY_KEY.slice(-4)}`);
    assertNoCanary(shown);
    assert.equal(formatKeyHint(undefined), 'no key');
  });

  it('names every status in words, not only in colour', () => {
    assert.equal(statusLabel('valid'), 'Valid');
    assert.equal(statusLabel('invalid'), 'Invalid');
    assert.equal(statusLabel('unknown'), 'Not tested');
    assert.notEqual(statusIcon('valid'), statusIcon('invalid'));
  });

  it('names the provider from the snapshot, and says when it is gone', () => {
    const providers = [{ id: 'ollama', displayName: 'Ollama', source: 'core', fields: [], defaults: {}, capabilities: { test: true, discovery: true, chat: true } }];
    assert.equal(providerName(providers, 'ollama'), 'Ollama');
    assert.equal(providerName(providers, 'acme'), 'acme (not available)');
  });
});
