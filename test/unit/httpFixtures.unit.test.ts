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

  it('exits when terminated', async () => {
    await serve('--kind', 'proxy');
    const exited = once(child!, 'exit');

    child!.kill('SIGTERM');

    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });
});
