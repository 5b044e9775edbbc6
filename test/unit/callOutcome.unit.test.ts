import * as assert from 'node:assert/strict';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { makeStack } from '../helpers/stacks';

describe('What a model call learns about its connection, and what it refuses to send', function () {
  this.timeout(30_000);
  let stack: Awaited<ReturnType<typeof makeStack>> | undefined;
  const ollama = new OllamaFixture();

  afterEach(async () => {
    ollama.reset();
    await ollama.stop();
    await stack?.cleanup();
    stack = undefined;
  });

  it('marks the connection invalid when a run finds it unreachable, valid when a run gets through, and writes globalState only then', async () => {
    const url = await ollama.start();
    stack = await makeStack();
    const connection = await stack.connections.create({ name: 'Flaky', providerId: 'ollama', baseUrl: url });
    const agent = await stack.agents.create({ name: 'Runner', connectionId: connection.id });
    const run = () => stack!.service.start({ agentId: agent.id, input: 'hello' }, 'view:agents');

    const writes = stack.store.updates;
    assert.equal((await run()).status, 'succeeded');
    assert.equal(stack.store.updates, writes, 'a run that changes no status wrote globalState');

    await ollama.stop();
    const failed = await run();
    assert.equal(failed.error?.code, 'endpoint_unreachable');
    const broken = stack.connections.require(connection.id);
    assert.equal(broken.status, 'invalid');
    assert.equal(broken.lastTestMessage, `A model call failed: ${failed.error?.message}`);
    assert.equal(broken.lastValidatedAt, stack.clock.now().toISOString());
    assert.equal(stack.store.updates, writes + 1);
    await run();
    assert.equal(stack.store.updates, writes + 1, 'a second failure of a connection already marked invalid wrote again');

    await ollama.start(Number(new URL(url).port));
    assert.equal((await run()).status, 'succeeded');
    assert.equal(stack.connections.require(connection.id).status, 'valid');
    assert.equal(stack.store.updates, writes + 2);
  });

  it("refuses a prompt beyond the registry's context window and an Ollama model id with spaces, before reading a key or sending", async () => {
    const url = await ollama.start();
    stack = await makeStack();
    const connection = await stack.connections.create({ name: 'Small', providerId: 'ollama', baseUrl: url });
    await stack.models.register(connection.id, [{ providerModelId: 'llama3.2:latest', displayName: 'llama3.2', modalities: ['text'], contextWindow: 1000, sources: { contextWindow: 'api' } }]);
    const agent = await stack.agents.create({ name: 'Runner', connectionId: connection.id, modelRef: 'llama3.2:latest' });

    const long = await stack.service.start({ agentId: agent.id, input: 'x'.repeat(4100) }, 'view:agents');
    assert.equal(long.error?.code, 'invalid_input');
    assert.match(long.error?.message ?? '', /about [\d,]+ tokens \([\d,]+ characters\), more than the 1,000-token context window of llama3\.2:latest on "Small"/);
    const fits = await stack.service.start({ agentId: agent.id, input: 'x'.repeat(3000) }, 'view:agents');
    assert.equal(fits.status, 'succeeded', JSON.stringify(fits.error));

    const spaced = await stack.service.start({ agentId: agent.id, input: 'hi', modelRef: 'my fancy model' }, 'view:agents');
    assert.equal(spaced.error?.code, 'invalid_input');
    assert.match(spaced.error?.message ?? '', /"my fancy model" is not an Ollama model name/);
    await assert.rejects(stack.models.addById(connection.id, 'my fancy model'), /no spaces/);

    const chats = ollama.requests.filter((request) => request.url === '/api/chat');
    assert.equal(chats.length, 1, 'only the prompt that fits was sent');
    assert.deepEqual(
      (await stack.audit.read()).filter((entry) => entry.kind === 'model_call').map((entry) => entry.outcome),
      ['ok'],
      'a refused call is no model call',
    );
  });
});
