import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApi } from '../../src/api/createApi';
import type { SwitchboardApiV1, SwitchboardExports } from '../../src/api/types';
import type { RunRecord } from '../../src/contracts/agents';
import { requesterIds } from '../../src/core/keys/requesters';
import { coreApiHost } from '../../src/core/views/apiHost';
import { assertCanaryOnlyInHeader, assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { echoAdapter, echoDescriptor, startEchoServer, type EchoServer } from '../fixtures/extensions/fixture-provider/echo';
import { expectFailure } from '../fixtures/expectFailure';
import { tempDirRemovedAtExit } from '../fixtures/tempDirs';
import { makeStack } from '../helpers/stacks';

const FIXTURE = 'switchboard-test.fixture-provider';
const OTHER = 'switchboard-test.other';

type GetApi = (exports: SwitchboardExports, ...args: unknown[]) => SwitchboardApiV1;

/**
 * A folder holding an extension's code that calls getApi with whatever it is given, as that
 * extension's own code would: its frames are in this folder.
 */
async function extensionCode(): Promise<{ folder: string; getApi: GetApi }> {
  const folder = tempDirRemovedAtExit('switchboard-extension-');
  const file = path.join(folder, 'extension.js');
  writeFileSync(file, 'module.exports = (exports, ...args) => exports.getApi(...args);\n');
  const loaded = (await import(pathToFileURL(file).href)) as { default: GetApi };
  return { folder, getApi: loaded.default };
}

describe('The public API (src/api) over the real run path', function () {
  this.timeout(30_000);
  // The fixture extension's own provider (the integration run installs that extension).
  let echo: EchoServer;
  let stack: Awaited<ReturnType<typeof makeStack>>;

  // The other extension's code, in its own folder; calls written in this file are the fixture's.
  let other: { folder: string; getApi: GetApi };

  before(async () => {
    echo = await startEchoServer();
    other = await extensionCode();
  });
  after(() => echo.close());
  afterEach(async () => {
    echo.requests.length = 0;
    await stack?.cleanup();
  });

  async function exportsOf(answers: ('once' | 'always' | 'deny')[] = [], more: { id: string; folder: string }[] = []) {
    stack = await makeStack({ answers });
    const installed = [{ id: FIXTURE, folder: __dirname }, { id: OTHER, folder: other.folder }, ...more];
    return createApi(coreApiHost({ ...stack, runService: stack.service, installedExtensions: () => installed }));
  }

  /** The echo provider registered by the fixture, a connection of it holding the canary key, and an agent on it. */
  async function echoSetup(api: SwitchboardApiV1) {
    const registration = api.registerProvider(echoDescriptor(echo.url), echoAdapter);
    const connection = await stack.connections.create({ name: 'Echo', providerId: `${FIXTURE}/echo`, baseUrl: echo.url });
    await stack.connections.setKey(connection.id, CANARY_KEY);
    const agent = await stack.agents.create({ name: 'echoer', connectionId: connection.id });
    return { registration, connection, agent };
  }

  it('refuses an unknown version and a caller argument that is not an extension id, with invalid_input', async () => {
    const exports = await exportsOf();
    await expectFailure((async () => exports.getApi(2 as 1, FIXTURE))(), 'invalid_input', /^Switchboard has no API version 2; this version of Switchboard offers version 1\.$/);
    // What a caller passed is quoted, cut short: never a whole object (or a secret in it).
    await expectFailure((async () => exports.getApi({ token: 'x'.repeat(50) } as never, FIXTURE))(), 'invalid_input', /^Switchboard has no API version \{"token":"x{10}; /);
    await expectFailure((async () => exports.getApi(1, { id: FIXTURE } as unknown as string))(), 'invalid_input', /^getApi takes the calling extension's id \(context\.extension\.id\) as its second argument, or nothing\.$/);
    assert.equal(exports.getApi(1, FIXTURE).apiVersion, 1);
  });

  it('names the caller by its code: naming another extension is refused, naming itself or nobody is itself, in any case', async () => {
    const exports = await exportsOf(['once']);
    const { agent } = await echoSetup(exports.getApi(1, FIXTURE));

    await expectFailure(
      (async () => other.getApi(exports, 1, FIXTURE))(),
      'invalid_input',
      new RegExp(`^getApi was called by the code of the extension ${OTHER} but names ${FIXTURE} as the caller\\. An extension uses the API only as itself: pass context\\.extension\\.id, or nothing\\.$`),
    );
    await expectFailure((async () => exports.getApi(1, OTHER))(), 'invalid_input', new RegExp(`code of the extension ${FIXTURE} but names ${OTHER}`));
    await expectFailure((async () => exports.getApi(1, 'nobody.installed'))(), 'invalid_input', /names nobody\.installed/);

    const run = await other.getApi(exports, 1).startAgentRun({ agentId: agent.id, input: 'who am I?' });
    assert.equal(run.requesterId, OTHER);
    assert.deepEqual(stack.prompts, [`${OTHER}@Echo`], 'the prompt names the extension whose code called');
    assert.equal(other.getApi(exports, 1, OTHER.toUpperCase()).apiVersion, 1);
  });

  it('keeps an extension that names another from its runs and its "Always Allow"', async () => {
    // The fixture allows always; the other extension, once identified as itself, is asked and denied.
    const exports = await exportsOf(['always', 'deny']);
    const fixture = exports.getApi(1, FIXTURE);
    const { agent } = await echoSetup(fixture);
    await expectFailure((async () => other.getApi(exports, 1, FIXTURE))(), 'invalid_input');
    const heardByOther: string[] = [];
    other.getApi(exports, 1).onDidFinishRun((run) => heardByOther.push(run.id));

    const run = await fixture.startAgentRun({ agentId: agent.id, input: 'mine' });
    const otherRun = await other.getApi(exports, 1).startAgentRun({ agentId: agent.id, input: 'let me in' });

    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(otherRun.error?.code, 'consent_denied');
    assert.deepEqual(heardByOther, [otherRun.id], 'the other extension hears only of its own run');
    assert.deepEqual(stack.prompts, [`${FIXTURE}@Echo`, `${OTHER}@Echo`]);
  });

  it('names the caller whatever stack settings another extension left, and leaves them as they were', async () => {
    const exports = await exportsOf();
    const { stackTraceLimit, prepareStackTrace } = Error;
    const theirs = (error: Error) => `formatted: ${error.message}`;
    try {
      Error.stackTraceLimit = 0;
      Error.prepareStackTrace = theirs;

      assert.equal(other.getApi(exports, 1, OTHER).apiVersion, 1);
      assert.equal(Error.stackTraceLimit, 0);
      assert.equal(Error.prepareStackTrace, theirs);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
      Error.prepareStackTrace = prepareStackTrace;
    }
  });

  it('refuses a call from code in no installed extension\'s folder', async () => {
    const stranger = await extensionCode();
    const exports = await exportsOf();

    await expectFailure((async () => stranger.getApi(exports, 1))(), 'invalid_input', /could not tell which extension/);
    await expectFailure((async () => stranger.getApi(exports, 1, FIXTURE))(), 'invalid_input', /could not tell which extension/);
  });

  it('refuses every extension whose id is in the namespace of Switchboard\'s own requesters, so none uses their grants', async () => {
    for (const id of [...Object.values(requesterIds), 'Switchboard.Palette']) {
      const impostor = await extensionCode();
      const exports = await exportsOf([], [{ id, folder: impostor.folder }]);

      await expectFailure((async () => impostor.getApi(exports, 1))(), 'invalid_input', /Switchboard's own views and commands/);
      await expectFailure((async () => impostor.getApi(exports, 1, id))(), 'invalid_input', /Switchboard's own views and commands/);
      await stack.cleanup();
    }
  });

  it('registers a provider under the caller, refuses malformed and duplicate ones, and changes nothing then', async () => {
    const api = (await exportsOf()).getApi(1, FIXTURE);
    let changes = 0;
    api.onDidChangeProviders(() => changes++);
    const before = api.listProviders();
    await expectFailure((async () => api.registerProvider({ ...echoDescriptor(echo.url), id: 'Bad Id' }, echoAdapter))(), 'invalid_input');
    await expectFailure((async () => api.registerProvider({ ...echoDescriptor(echo.url), source: 'core', fields: 'none' } as never, echoAdapter))(), 'invalid_input');
    await expectFailure((async () => api.registerProvider(echoDescriptor(echo.url), { testConnection: 'no' } as never))(), 'invalid_input');
    assert.deepEqual(api.listProviders(), before);
    assert.equal(changes, 0);

    const registration = api.registerProvider({ ...echoDescriptor(echo.url), source: 'core' }, echoAdapter);
    const added = api.listProviders().find((provider) => provider.id === `${FIXTURE}/echo`);
    assert.equal(added?.source, FIXTURE, 'the source is the caller, whatever the descriptor says');
    await expectFailure((async () => api.registerProvider(echoDescriptor(echo.url), echoAdapter))(), 'conflict');
    assert.equal(changes, 1);
    registration.dispose();
    assert.ok(!api.listProviders().some((provider) => provider.id === `${FIXTURE}/echo`));
    assert.equal(changes, 2);
  });

  it('runs an agent as the calling extension: its own consent and standing permission, its id in the audit, the key only in the adapter\'s header', async () => {
    // The fixture allows always; another extension is asked again and denied.
    const exports = await exportsOf(['always', 'deny']);
    const api = exports.getApi(1, FIXTURE);
    const { connection, agent } = await echoSetup(api);
    const finishedEvents: RunRecord[] = [];
    api.onDidFinishRun((run) => finishedEvents.push(run));

    const run = await api.startAgentRun({ agentId: agent.id, input: 'hello echo' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.match(run.output ?? '', /echo: hello echo/);
    assert.equal(run.requesterId, FIXTURE);
    assert.equal(run.routing?.connectionId, connection.id);
    const again = await api.startAgentRun({ agentId: agent.id, input: 'second' });
    assert.equal(again.status, 'succeeded', 'the standing permission covers the second run');
    assert.deepEqual(stack.prompts, [`${FIXTURE}@Echo`]);

    const otherRun = await other.getApi(exports, 1, OTHER).startAgentRun({ agentId: agent.id, input: 'me too' });
    assert.equal(otherRun.status, 'failed');
    assert.equal(otherRun.error?.code, 'consent_denied');
    assert.deepEqual(stack.prompts, [`${FIXTURE}@Echo`, `${OTHER}@Echo`], 'the fixture\'s "Always Allow" does not cover another extension');

    const audit = await stack.audit.read();
    const calls = audit.filter((entry) => entry.kind === 'model_call' && entry.runId === run.id);
    assert.deepEqual(calls.map((entry) => entry.requesterId), [FIXTURE]);
    assert.ok(audit.some((entry) => entry.kind === 'key_read' && entry.requesterId === OTHER && entry.outcome === 'denied'));

    assert.deepEqual(finishedEvents.map((r) => r.id), [run.id, again.id], 'each extension hears only of its own runs');
    assert.ok(assertCanaryOnlyInHeader(echo.requests, 'authorization') >= 2, 'the adapter received the key');
    for (const value of [run, again, otherRun, finishedEvents, api.listConnections(), api.listProviders(), api.listModels()]) assertNoCanary(value);
  });

  it("reports only the caller's own usage, whatever requester its filter names", async () => {
    const exports = await exportsOf(['always', 'always']);
    const api = exports.getApi(1, FIXTURE);
    const { agent } = await echoSetup(api);
    const otherApi = other.getApi(exports, 1, OTHER);
    assert.equal((await api.startAgentRun({ agentId: agent.id, input: 'mine' })).status, 'succeeded');
    assert.equal((await otherApi.startAgentRun({ agentId: agent.id, input: 'theirs, and longer' })).status, 'succeeded');
    assert.equal((await otherApi.startAgentRun({ agentId: agent.id, input: 'theirs again' })).status, 'succeeded');
    const day = stack.clock.now().toISOString().slice(0, 10);
    const request = { period: 'day' as const, groupBy: 'requester' as const, from: day, to: day, utcOffsetMinutes: 0 };
    const mine = api.usage(request);
    assert.equal(mine.totals.calls, 1);
    assert.deepEqual(mine.groups.map((group) => group.key), [FIXTURE]);
    // Naming another caller, or every caller, still reads only its own.
    for (const filter of [{ requesterId: OTHER }, { requesterId: undefined }, {}]) {
      const asked = api.usage({ ...request, filter: filter as object });
      assert.deepEqual(asked.groups.map((group) => group.key), [FIXTURE], JSON.stringify(filter));
    }
    assert.equal(otherApi.usage(request).totals.calls, 2);
    await expectFailure((async () => api.usage({ ...request, period: 'year' as 'day' }))(), 'invalid_input', /period/);
    assertNoCanary(mine);
  });

  it('runs on the default connection when neither the request nor the agent names one, and records it; a throwing listener breaks nothing', async () => {
    const api = (await exportsOf(['always'])).getApi(1, FIXTURE);
    const { connection } = await echoSetup(api);
    await stack.settings.setDefaultConnectionId(connection.id);
    const agent = await stack.agents.create({ name: 'no connection' });
    api.onDidFinishRun(() => {
      throw new Error('a careless listener');
    });
    const heard: string[] = [];
    api.onDidFinishRun((run) => heard.push(run.id));
    const run = await api.startAgentRun({ agentId: agent.id, input: 'defaults' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.routing?.sources.connectionId, 'default');
    assert.equal(stack.runs.get(run.id)?.routing?.connectionId, connection.id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(heard, [run.id], 'the next listener still heard it');
    assert.ok(stack.logger.lines.some((line) => line.includes('a careless listener') && line.includes(FIXTURE)), stack.logger.lines.join('\n'));
  });

  it('streams a launched run\'s output, ends the stream with the run, and cancels', async () => {
    const api = (await exportsOf(['always'])).getApi(1, FIXTURE);
    const { agent } = await echoSetup(api);
    const handle = await api.launchAgentRun({ agentId: agent.id, input: 'stream me' });
    let streamed = '';
    for await (const piece of handle.output) streamed += piece;
    const run = await handle.finished;
    assert.equal(run.id, handle.runId);
    assert.equal(streamed, run.output);

    const cancelled = await api.launchAgentRun({ agentId: agent.id, input: 'stop me' });
    cancelled.cancel();
    assert.equal((await cancelled.finished).status, 'cancelled');
  });

  it('marks connections of a gone provider unavailable, refuses runs on them, and works again when it registers again', async () => {
    const api = (await exportsOf(['always'])).getApi(1, FIXTURE);
    const { registration, connection, agent } = await echoSetup(api);
    registration.dispose();
    assert.equal(api.listConnections().find((c) => c.id === connection.id)?.providerAvailable, false);
    const refused = await api.startAgentRun({ agentId: agent.id, input: 'anyone?' });
    assert.equal(refused.status, 'failed');
    assert.equal(refused.error?.code, 'missing_connection');
    assert.match(refused.error?.message ?? '', /not available/);

    api.registerProvider(echoDescriptor(echo.url), echoAdapter);
    const listed = api.listConnections().find((c) => c.id === connection.id);
    assert.equal(listed?.providerAvailable, true);
    assert.equal(listed?.hasCredentials, true);
    assert.equal(listed?.defaultModel, undefined);
    await stack.connections.update(connection.id, { defaultModel: 'echo-1' });
    assert.equal(api.listConnections().find((c) => c.id === connection.id)?.defaultModel, 'echo-1');
    assert.equal((await api.startAgentRun({ agentId: agent.id, input: 'back' })).status, 'succeeded');
  });

  it('keeps the code of an error a contributed adapter throws, as the API documents', async () => {
    const api = (await exportsOf()).getApi(1, FIXTURE);
    api.registerProvider({ ...echoDescriptor(echo.url), id: 'grumpy' }, {
      ...echoAdapter,
      chat: async () => {
        throw Object.assign(new Error('Grumpy refused the key: set a new one.'), { code: 'auth_failed' });
      },
    });
    const connection = await stack.connections.create({ name: 'Grumpy', providerId: `${FIXTURE}/grumpy`, baseUrl: echo.url });
    const agent = await stack.agents.create({ name: 'grump', connectionId: connection.id });
    const run = await api.startAgentRun({ agentId: agent.id, input: 'hello' });
    assert.deepEqual(run.error, { code: 'auth_failed', message: 'Grumpy refused the key: set a new one.' });
  });

  it('refuses a malformed run request or model filter with invalid_input, storing nothing', async () => {
    const api = (await exportsOf()).getApi(1, FIXTURE);
    await expectFailure(api.startAgentRun({ agentId: 'not-a-uuid', input: 'x' }), 'invalid_input');
    await expectFailure(api.launchAgentRun({ input: 'x' } as never), 'invalid_input');
    await expectFailure(api.startAgentRun({ agentId: '3f8e6a52-4b1c-4d2a-9e77-0c5b1a2d3e4f', input: 'x', extra: 1 } as never), 'invalid_input');
    assert.equal(stack.runs.page({ limit: 10 }).total, 0);
    await expectFailure((async () => api.listModels('../etc'))(), 'invalid_input', /^listModels takes a connection id \(a UUID from listConnections\) or nothing\.$/);
  });

  it('lists registered models, of one connection when asked, and tells of registry changes', async () => {
    const api = (await exportsOf()).getApi(1, FIXTURE);
    const { connection } = await echoSetup(api);
    let changes = 0;
    api.onDidChangeModels(() => changes++);
    await stack.models.register(connection.id, [{ providerModelId: 'echo-1', displayName: 'Echo 1', modalities: ['text'], sources: {} }]);
    assert.deepEqual(api.listModels(connection.id).map((model) => model.providerModelId), ['echo-1']);
    assert.deepEqual(api.listModels('3f8e6a52-4b1c-4d2a-9e77-0c5b1a2d3e4f'), []);
    assert.ok(changes > 0);
  });
});
