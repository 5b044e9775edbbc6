import * as assert from 'node:assert/strict';
import type { Routing } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { ErrorCodeSchema } from '../../src/contracts/errors';
import {
  answeredByLine,
  attemptLines,
  connectionName,
  connectionSourceLabel,
  formatClockTime,
  errorTitle,
  formatDuration,
  formatStepOffset,
  formatTokens,
  formatTokensLong,
  isActiveRun,
  isProminentError,
  modelSourceLabel,
  providerName,
  routingLines,
  runDuration,
  runStatusIcon,
  runStatusLabel,
  syncLine,
} from '../../webview/agents/format';

const OLLAMA_ID = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';
const GONE_ID = '0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d';

const connections: AgentsConnection[] = [
  {
    id: OLLAMA_ID,
    name: 'Local Ollama',
    providerId: 'ollama',
    providerName: 'Ollama',
    status: 'valid',
    models: [{ providerModelId: 'qwen2.5-coder:7b', displayName: 'Qwen 2.5 Coder' }],
  },
];

const routing = (patch: Partial<Routing> = {}): Routing => ({
  connectionId: OLLAMA_ID,
  providerId: 'ollama',
  modelRef: 'llama3.2',
  sources: { connectionId: 'default', modelRef: 'provider' },
  ...patch,
});

describe('webview Agents routing labels', () => {
  it('says where each routed value came from', () => {
    assert.deepEqual(routingLines(routing(), connections), {
      connection: 'connection: Local Ollama (from: default)',
      provider: 'provider: Ollama',
      model: 'model: llama3.2 (from: provider default)',
    });
  });

  it('names every source of the routing precedence', () => {
    assert.deepEqual(
      (['request', 'agent', 'default'] as const).map(connectionSourceLabel),
      ['request', 'agent', 'default'],
    );
    assert.deepEqual(
      (['request', 'agent', 'connection', 'provider'] as const).map(modelSourceLabel),
      ['request', 'agent', 'connection default', 'provider default'],
    );
  });

  it('shows a registered model’s display name with its id', () => {
    const lines = routingLines(routing({ modelRef: 'qwen2.5-coder:7b', sources: { connectionId: 'agent', modelRef: 'agent' } }), connections);
    assert.equal(lines.connection, 'connection: Local Ollama (from: agent)');
    assert.equal(lines.model, 'model: Qwen 2.5 Coder (qwen2.5-coder:7b) (from: agent)');
  });

  it('reads "deleted connection" when the run’s connection is gone, and the provider id when no connection names it', () => {
    const lines = routingLines(routing({ connectionId: GONE_ID, providerId: 'openai', sources: { connectionId: 'request', modelRef: 'request' } }), connections);
    assert.equal(lines.connection, 'connection: deleted connection (from: request)');
    assert.equal(lines.provider, 'provider: openai');
    assert.equal(connectionName(connections, GONE_ID), 'deleted connection');
    assert.equal(providerName(connections, 'ollama', GONE_ID), 'Ollama');
  });
});

describe('webview Agents run formatting', () => {
  it('formats durations from milliseconds to hours', () => {
    assert.equal(formatDuration(undefined), '');
    assert.equal(formatDuration(-1), '');
    assert.equal(formatDuration(Number.NaN), '');
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(849.6), '850 ms');
    assert.equal(formatDuration(1_340), '1.3 s');
    assert.equal(formatDuration(9_999), '9.9 s');
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(60_000), '1 min');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(formatDuration(3_600_000), '1 h');
    assert.equal(formatDuration(3_900_000), '1 h 5 min');
  });

  it('formats token usage, with thousands separators', () => {
    assert.equal(formatTokens(undefined), '');
    assert.equal(formatTokens({ inputTokens: 1234, outputTokens: 56 }), '1,234 in · 56 out');
    assert.equal(formatTokensLong({ inputTokens: 1234, outputTokens: 56 }), '1,290 tokens (1,234 in, 56 out)');
    assert.equal(formatTokensLong({ inputTokens: 1, outputTokens: 0 }), '1 token (1 in, 0 out)');
    assert.equal(formatTokensLong(undefined), '');
  });

  it('takes a finished run’s latency, and an active run’s time so far', () => {
    const createdAt = '2026-03-10T12:00:00.000Z';
    const now = Date.parse(createdAt) + 4_200;
    assert.equal(runDuration({ status: 'succeeded', latencyMs: 2_340, createdAt }, now), 2_340);
    assert.equal(runDuration({ status: 'running', createdAt }, now), 4_200);
    assert.equal(runDuration({ status: 'queued', createdAt }, Date.parse(createdAt) - 50), 0);
    assert.equal(runDuration({ status: 'failed', createdAt, finishedAt: '2026-03-10T12:00:00.003Z' }, now), 3);
    assert.equal(runDuration({ status: 'failed', createdAt }, now), undefined);
  });

  it('gives each status words and an icon, and only queued and running runs can be cancelled', () => {
    const statuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
    assert.deepEqual(statuses.map(runStatusLabel), ['Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled']);
    assert.ok(statuses.every((status) => runStatusIcon(status).length > 0));
    assert.deepEqual(statuses.filter(isActiveRun), ['queued', 'running']);
  });

  it('times trace steps from the run’s start', () => {
    assert.equal(formatStepOffset({ startedAt: '2026-03-10T12:00:00.120Z' }, '2026-03-10T12:00:00.000Z'), '+120 ms');
    assert.equal(formatStepOffset({ startedAt: 'not a time' }, '2026-03-10T12:00:00.000Z'), '');
  });

  it('has a title for every error code, and shows the host’s message large where it is the next step', () => {
    for (const code of ErrorCodeSchema.options) {
      assert.ok(errorTitle(code).length > 0, code);
    }
    assert.ok(isProminentError('consent_denied'));
    assert.ok(isProminentError('endpoint_unreachable'));
    assert.ok(isProminentError('missing_connection'));
    assert.equal(isProminentError('bad_response'), false);
  });

  it("words an agent's gateway sync state and offers Sync now, Retry or nothing", () => {
    const at = '2026-11-22T10:00:00.000Z';
    assert.deepEqual(syncLine({ state: 'not_configured' }), { text: 'Gateway sync not configured', failed: false });
    assert.deepEqual(syncLine(undefined), { text: 'Gateway sync not configured', failed: false });
    assert.deepEqual(syncLine({ state: 'syncing' }), { text: 'Syncing to the gateway…', failed: false });
    assert.deepEqual(syncLine({ state: 'not_synced' }).action, 'Sync now');
    // The time in the person's own time zone, as run times are shown.
    assert.deepEqual(syncLine({ state: 'synced', at }, 'en-GB'), { text: `Synced to the gateway at ${formatClockTime(at, 'en-GB')}`, action: 'Sync now', failed: false });
    assert.deepEqual(syncLine({ state: 'failed', at, error: { code: 'timeout', message: 'No answer.' } }), { text: 'Gateway sync failed: No answer.', action: 'Retry', failed: true });
  });
});

describe('webview run detail: the tries of a run', () => {
  const attempt = (outcome: string, fields: { status?: number; waitMs?: number; connectionId?: string; modelRef?: string } = {}) => ({
    connectionId: fields.connectionId ?? OLLAMA_ID,
    modelRef: fields.modelRef ?? 'qwen2.5-coder:7b',
    outcome,
    latencyMs: 120,
    waitMs: fields.waitMs ?? 0,
    ...(fields.status !== undefined ? { status: fields.status } : {}),
  });

  it('lists nothing for a run whose one try answered, and every try otherwise, with status, latency and wait in words', () => {
    assert.deepEqual(attemptLines(routing({ attempts: [attempt('ok')] }), connections), []);
    assert.deepEqual(attemptLines(routing(), connections), [], 'a run from before attempts were kept');
    const lines = attemptLines(
      routing({
        attempts: [
          attempt('rate_limited', { status: 429 }),
          attempt('rate_limited', { status: 429, waitMs: 2000 }),
          attempt('cooling_down', { connectionId: GONE_ID, modelRef: 'gpt-4o' }),
          attempt('consent_denied', { connectionId: GONE_ID, modelRef: 'o3-mini' }),
          attempt('ok', { waitMs: 0 }),
        ],
      }),
      connections,
    );
    assert.deepEqual(
      lines.map((line) => [line.kind, line.outcome, line.timing]),
      [
        ['failed', 'The provider is limiting requests (HTTP 429)', '120 ms'],
        ['failed', 'The provider is limiting requests (HTTP 429)', '120 ms · after waiting 2.0 s'],
        ['skipped', 'skipped: cooling down after repeated failures', ''],
        ['skipped', 'Permission to use the connection was not given', '120 ms'],
        ['ok', 'answered', '120 ms'],
      ],
    );
    assert.equal(lines[0]!.target, 'Local Ollama · Qwen 2.5 Coder (qwen2.5-coder:7b)');
    assert.match(lines[2]!.target, /gpt-4o/);
  });

  it('names the fallback that answered, and nothing when the run\'s own target did', () => {
    assert.equal(answeredByLine(routing(), connections), '');
    assert.equal(answeredByLine(routing({ answeredBy: { connectionId: OLLAMA_ID, modelRef: 'qwen2.5-coder:7b' } }), connections), 'answered by fallback: Local Ollama · Qwen 2.5 Coder (qwen2.5-coder:7b)');
  });
});
