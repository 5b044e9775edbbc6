import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CANARY_KEY } from '../fixtures/canary';

/** The fixture CLI is what the integration and e2e harnesses start; check it works as documented. */
describe('fixture CLI (test/fixtures/serve.ts)', function () {
  // Starting node with tsx takes about a second.
  this.timeout(20000);
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    child = undefined;
  });

  async function serve(...args: string[]): Promise<string> {
    child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../fixtures/serve.ts'), ...args], {
      cwd: join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const [first] = (await once(lines, 'line')) as [string];
    return (JSON.parse(first) as { url: string }).url;
  }

  it('prints its URL as one JSON line, serves Ollama, and switches behaviour over HTTP', async () => {
    const url = await serve('--kind', 'ollama', '--port', '0');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const auth = { authorization: `Bearer ${CANARY_KEY}` };

    assert.deepEqual(await (await fetch(`${url}/api/version`, { headers: auth })).json(), { version: '0.12.3' });

    const switched = await fetch(`${url}/__fixture/behaviour`, { method: 'POST', body: JSON.stringify({ behaviour: 'unauthorized', path: '/api/tags' }) });
    assert.equal(switched.status, 200);
    const rejected = await fetch(`${url}/api/tags`, { headers: auth });
    assert.equal(rejected.status, 401);
    assert.deepEqual(await rejected.json(), { error: 'invalid API key' });

    const { requests } = (await (await fetch(`${url}/__fixture/requests`)).json()) as { requests: { url: string; headers: Record<string, string> }[] };
    assert.deepEqual(requests.map((request) => request.url), ['/api/version', '/api/tags']);
    assert.ok(requests.every((request) => request.headers.authorization === `Bearer ${CANARY_KEY}`));

    await fetch(`${url}/__fixture/reset`, { method: 'POST' });
    assert.equal((await fetch(`${url}/api/tags`)).status, 200);
  });

  it('serves OpenAI under /v1 and enforces --api-key', async () => {
    const url = await serve('--kind', 'openai', '--api-key', CANARY_KEY);

    assert.equal((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-other-key-000' } })).status, 401);
    const listed = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${CANARY_KEY}` } });
    assert.equal(listed.status, 200);
    const body = (await listed.json()) as { object: string; data: { id: string }[] };
    assert.equal(body.object, 'list');
    assert.ok(body.data.some((model) => model.id === 'gpt-4o-mini'));
  });

  it('serves N generated Ollama models on POST /__fixture/models {count}, with /api/show details for each', async () => {
    const url = await serve('--kind', 'ollama');

    const generated = await fetch(`${url}/__fixture/models`, { method: 'POST', body: JSON.stringify({ count: 2000 }) });
    assert.deepEqual(await generated.json(), { ok: true, count: 2000 });
    const { models } = (await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string }[] };
    assert.equal(models.length, 2000);
    const show = (await (await fetch(`${url}/api/show`, { method: 'POST', body: JSON.stringify({ model: models[0].name }) })).json()) as Record<string, unknown>;
    assert.match(String(show.parameters), /^num_ctx\s+8192$/m);
    assert.deepEqual(show.capabilities, ['completion', 'tools']);
    assert.equal((show.model_info as Record<string, unknown>)['llama.context_length'], 131072);
    const refused = await fetch(`${url}/__fixture/models`, { method: 'POST', body: JSON.stringify({ count: -1 }) });
    assert.equal(refused.status, 400);
  });

  it('serves Anthropic with paging, a required anthropic-version and both key headers', async () => {
    const url = await serve('--kind', 'anthropic', '--api-key', CANARY_KEY);
    const v1 = { 'x-api-key': CANARY_KEY, 'anthropic-version': '2023-06-01' };
    const v2 = { authorization: `Bearer ${CANARY_KEY}`, 'anthropic-version': '2026-10-21' };

    const first = (await (await fetch(`${url}/v1/models?limit=2`, { headers: v1 })).json()) as { data: { id: string }[]; has_more: boolean; last_id: string };
    assert.equal(first.data.length, 2);
    assert.equal(first.has_more, true);
    const second = (await (await fetch(`${url}/v1/models?limit=2&after_id=${first.last_id}`, { headers: v2 })).json()) as { data: { id: string }[]; has_more: boolean };
    assert.equal(second.has_more, false);
    assert.equal(new Set([...first.data, ...second.data].map((model) => model.id)).size, 4);

    assert.equal((await fetch(`${url}/v1/models`, { headers: { 'x-api-key': CANARY_KEY } })).status, 400, 'anthropic-version is required');
    assert.equal((await fetch(`${url}/v1/models`, { headers: { 'x-api-key': CANARY_KEY, 'anthropic-version': '2026-10-21' } })).status, 401, '2026-10-21 wants a Bearer token');
    const message = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const withTemperature = await fetch(`${url}/v1/messages`, { method: 'POST', headers: v2, body: JSON.stringify({ ...message, temperature: 0.5 }) });
    assert.equal(withTemperature.status, 400);
    assert.deepEqual(((await withTemperature.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.equal((await fetch(`${url}/v1/messages`, { method: 'POST', headers: v1, body: JSON.stringify({ ...message, temperature: 0.5 }) })).status, 200);
  });

  it('serves Gemini with nextPageToken paging and a 400 API_KEY_INVALID for a wrong key', async () => {
    const url = await serve('--kind', 'gemini', '--api-key', CANARY_KEY);
    const headers = { 'x-goog-api-key': CANARY_KEY };

    const first = (await (await fetch(`${url}/v1beta/models?pageSize=4`, { headers })).json()) as { models: unknown[]; nextPageToken?: string };
    assert.equal(first.models.length, 4);
    assert.ok(first.nextPageToken);
    const last = (await (await fetch(`${url}/v1beta/models?pageSize=4&pageToken=${first.nextPageToken}`, { headers })).json()) as { models: unknown[]; nextPageToken?: string };
    assert.equal(last.models.length, 2);
    assert.equal(last.nextPageToken, undefined);

    const wrong = await fetch(`${url}/v1beta/models`, { headers: { 'x-goog-api-key': 'AIza-wrong' } });
    assert.equal(wrong.status, 400);
    const body = (await wrong.json()) as { error: { status: string; details: { reason?: string }[] } };
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.ok(body.error.details.some((detail) => detail.reason === 'API_KEY_INVALID'));
    assert.equal((await fetch(`${url}/v1beta/models`)).status, 403);
  });

  it('serves Azure OpenAI deployments with the api-version query and DeploymentNotFound', async () => {
    const url = await serve('--kind', 'azure', '--api-key', CANARY_KEY);
    const post = (path: string) => fetch(`${url}${path}`, { method: 'POST', headers: { 'api-key': CANARY_KEY }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });

    const ok = await post('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { model: string }).model, 'gpt-4o-2024-08-06');
    const missing = await post('/openai/deployments/nope/chat/completions?api-version=2024-10-21');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'DeploymentNotFound');
    const noVersion = await post('/openai/deployments/gpt-4o-prod/chat/completions');
    assert.deepEqual(await noVersion.json(), { error: { code: '404', message: 'Resource not found' } });
  });

  it('serves an OpenAI-compatible API under /v1 and records the custom headers it receives', async () => {
    const url = await serve('--kind', 'openai-compatible');

    const listed = await fetch(`${url}/v1/models`, { headers: { 'x-title': 'Switchboard' } });
    assert.equal(listed.status, 200);
    const { requests } = (await (await fetch(`${url}/__fixture/requests`)).json()) as { requests: { headers: Record<string, string> }[] };
    assert.equal(requests[0].headers['x-title'], 'Switchboard');
  });

  it('exits when terminated', async () => {
    await serve('--kind', 'proxy');
    const exited = once(child!, 'exit');

    child!.kill('SIGTERM');

    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });
});
