import * as assert from 'node:assert/strict';
import type { Connection } from '../../src/contracts/connections';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { SwitchboardError } from '../../src/core/base/errors';
import { registeredChoices } from '../../src/contracts/routing';
import { resolveRouting } from '../../src/core/calls/routing';

const ids = {
  requested: '11111111-1111-4111-8111-111111111111',
  agents: '22222222-2222-4222-8222-222222222222',
  fallback: '33333333-3333-4333-8333-333333333333',
  deleted: '44444444-4444-4444-8444-444444444444',
};

function connection(id: string, providerId: string, defaultModel?: string): Connection {
  return {
    id,
    name: `conn-${id.slice(0, 4)}`,
    providerId,
    baseUrl: 'http://127.0.0.1:1',
    options: {},
    status: 'unknown',
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
    ...(defaultModel ? { defaultModel } : {}),
  };
}

const provider = (id: string, modelRef?: string): ProviderDescriptor => ({
  id,
  displayName: id,
  source: 'core',
  fields: [],
  defaults: modelRef ? { modelRef } : {},
  capabilities: { test: true, discovery: true, chat: true },
});

const connections = new Map([
  [ids.requested, connection(ids.requested, 'openai', 'gpt-conn-default')],
  [ids.agents, connection(ids.agents, 'ollama')],
  [ids.fallback, connection(ids.fallback, 'ollama', 'qwen-conn-default')],
]);
const providers = new Map([
  ['openai', provider('openai')],
  ['ollama', provider('ollama', 'llama3.2')],
]);

type Registered = Record<string, { providerModelId: string; enabled: boolean }[]>;

/**
 * resolveRouting over the connections in `among`, the providers above and, when `registered` is
 * given, those registered models of each connection.
 */
function router(among: Map<string, Connection> = connections, registered?: Registered) {
  return (request: { connectionId?: string; modelRef?: string }, agent: { connectionId?: string; modelRef?: string; model?: string }, defaultConnectionId = '') =>
    resolveRouting({
      request,
      agent,
      defaultConnectionId,
      findConnection: (id) => among.get(id),
      listConnections: () => [...among.values()],
      findProvider: (id) => providers.get(id),
      ...(registered ? { registeredModels: (id: string) => registeredChoices(registered[id] ?? []) } : {}),
    });
}

const route = router();

describe('resolveRouting', () => {
  // Every combination of (request names a connection?, agent has one?, default set?) x
  // (request names a model?, agent has one?): the expected connection and model and their sources.
  const requestConnection = [undefined, ids.requested] as const;
  const agentConnection = [undefined, ids.agents] as const;
  const defaults = ['', ids.fallback] as const;
  const requestModel = [undefined, 'req-model'] as const;
  const agentModel = [undefined, 'agent-model'] as const;

  for (const rc of requestConnection)
    for (const ac of agentConnection)
      for (const dc of defaults)
        for (const rm of requestModel)
          for (const am of agentModel) {
            const name = `request=${rc ? 'conn' : '-'}/${rm ?? '-'} agent=${ac ? 'conn' : '-'}/${am ?? '-'} default=${dc ? 'set' : '-'}`;
            it(name, () => {
              const expectedConnection = rc ?? ac ?? (dc || undefined);
              const run = () => route({ connectionId: rc, modelRef: rm }, { connectionId: ac, modelRef: am }, dc);
              if (!expectedConnection) {
                assert.throws(run, (e: SwitchboardError) => e.code === 'missing_connection');
                return;
              }
              const routing = run();
              assert.equal(routing.connectionId, expectedConnection);
              assert.equal(routing.sources.connectionId, rc ? 'request' : ac ? 'agent' : 'default');
              assert.equal(routing.providerId, connections.get(expectedConnection)!.providerId);
              // The agent's model applies on its own connection, or, for an agent without one, on the default.
              const agentConnectionUsed = ac !== undefined ? expectedConnection === ac : !rc && Boolean(dc);
              const connDefault = connections.get(expectedConnection)!.defaultModel;
              const providerDefault = providers.get(routing.providerId)!.defaults.modelRef;
              const [model, source] = rm
                ? [rm, 'request']
                : agentConnectionUsed && am
                  ? [am, 'agent']
                  : connDefault
                    ? [connDefault, 'connection']
                    : [providerDefault, 'provider'];
              assert.equal(routing.modelRef, model);
              assert.equal(routing.sources.modelRef, source);
            });
          }

  it("does not use the agent's model on another connection", () => {
    const routing = route({ connectionId: ids.fallback }, { connectionId: ids.agents, modelRef: 'agent-model' });
    assert.equal(routing.modelRef, 'qwen-conn-default');
    assert.equal(routing.sources.modelRef, 'connection');
  });

  it("uses the model of an agent without a connection of its own on the default connection only", () => {
    assert.deepEqual(route({}, { modelRef: 'qwen' }, ids.fallback).sources, { connectionId: 'default', modelRef: 'agent' });
    assert.equal(route({}, { modelRef: 'qwen' }, ids.fallback).modelRef, 'qwen');
    assert.deepEqual(route({ connectionId: ids.requested }, { modelRef: 'qwen' }, ids.fallback).sources.modelRef, 'connection');
  });

  it('fails with missing_connection when the named connection was deleted, saying whose it was', () => {
    assert.throws(() => route({ connectionId: ids.deleted }, {}), (e: SwitchboardError) => e.code === 'missing_connection' && /run names/.test(e.message));
    assert.throws(() => route({}, { connectionId: ids.deleted }), (e: SwitchboardError) => e.code === 'missing_connection' && /agent uses/.test(e.message));
    assert.throws(() => route({}, {}, ids.deleted), (e: SwitchboardError) => e.code === 'missing_connection' && /default connection/.test(e.message));
  });

  it("says what to do next when the agent's connection was deleted: run on the default it names, or choose one when there is none", () => {
    assert.throws(
      () => route({}, { connectionId: ids.deleted }, ids.fallback),
      (e: SwitchboardError) => e.code === 'missing_connection' && e.message.includes(`none to run on the default connection "${connections.get(ids.fallback)!.name}"`),
    );
    for (const defaultId of ['', ids.deleted]) {
      assert.throws(
        () => route({}, { connectionId: ids.deleted }, defaultId),
        (e: SwitchboardError) => e.code === 'missing_connection' && /choose a default connection/.test(e.message) && !/none to run on/.test(e.message),
        `default ${defaultId || 'unset'}`,
      );
    }
  });

  it('says to choose a default connection when nothing names one', () => {
    assert.throws(() => route({}, {}), (e: SwitchboardError) => e.code === 'missing_connection' && /no default connection is set\. Choose a default connection/.test(e.message));
  });

  it('fails with model_not_found when nothing names a model', () => {
    const openaiNoDefault = new Map(connections);
    openaiNoDefault.set(ids.requested, connection(ids.requested, 'openai'));
    assert.throws(
      () => router(openaiNoDefault)({ connectionId: ids.requested }, {}),
      (e: SwitchboardError) => e.code === 'model_not_found' && /choose a model/.test(e.message),
    );
  });

  describe('a run that names no model, with registered models', () => {
    const registered: Registered = {
      [ids.agents]: [
        { providerModelId: 'llama3.2', enabled: false },
        { providerModelId: 'mistral', enabled: false },
        { providerModelId: 'llama3.2:latest', enabled: true },
        { providerModelId: 'qwen', enabled: true },
      ],
      [ids.fallback]: [{ providerModelId: 'qwen-conn-default', enabled: false }, { providerModelId: 'phi', enabled: true }],
    };
    const routeWith = router(connections, registered);

    it("uses the connection's first enabled registered model before the provider's default, and says so", () => {
      const routing = routeWith({}, {}, ids.agents);
      assert.equal(routing.modelRef, 'llama3.2:latest');
      assert.equal(routing.sources.modelRef, 'registry');
    });

    it("passes over a connection default that is disabled, and never picks a disabled provider default", () => {
      assert.deepEqual(routeWith({}, {}, ids.fallback).sources.modelRef, 'registry');
      assert.equal(routeWith({}, {}, ids.fallback).modelRef, 'phi');
      const allDisabled = { ...registered, [ids.agents]: [{ providerModelId: 'llama3.2', enabled: false }] };
      assert.throws(() => router(connections, allDisabled)({}, {}, ids.agents), (e: SwitchboardError) => e.code === 'model_not_found');
    });

    it("keeps the connection's enabled default, and a model the run or the agent names", () => {
      assert.deepEqual(routeWith({}, {}, ids.requested).sources.modelRef, 'connection');
      assert.equal(routeWith({ modelRef: 'mistral' }, {}, ids.agents).modelRef, 'mistral');
      assert.equal(routeWith({}, { connectionId: ids.agents, modelRef: 'qwen' }).sources.modelRef, 'agent');
    });
  });

  describe('an agent with a legacy "<providerType>/<model>" string', () => {
    it('runs on the default connection when it is of that type, and says the route came from the string', () => {
      assert.deepEqual(route({}, { model: 'ollama/llama3.2:latest' }, ids.fallback), {
        connectionId: ids.fallback,
        providerId: 'ollama',
        modelRef: 'llama3.2:latest',
        sources: { connectionId: 'legacy', modelRef: 'legacy' },
        legacyModel: 'ollama/llama3.2:latest',
      });
    });

    it('otherwise runs on the first connection of that type, preferring one whose test passed', () => {
      assert.equal(route({}, { model: 'ollama/qwen' }, ids.requested).connectionId, ids.agents);
      const tested = new Map(connections);
      tested.set(ids.fallback, { ...connection(ids.fallback, 'ollama'), status: 'valid' });
      const routing = router(tested)({}, { model: 'ollama/qwen' }, ids.requested);
      assert.equal(routing.connectionId, ids.fallback);
    });

    it('keeps the model with its slashes, and a request still overrides the model or the connection', () => {
      assert.equal(route({}, { model: 'openai/org/gpt-x' }).modelRef, 'org/gpt-x');
      assert.deepEqual(route({ modelRef: 'other' }, { model: 'ollama/qwen' }, ids.fallback).sources, { connectionId: 'legacy', modelRef: 'request' });
      assert.equal(route({ connectionId: ids.requested }, { model: 'ollama/qwen' }).sources.connectionId, 'request');
    });

    it('fails with a clear error for an unknown provider type, or when no connection of that type exists', () => {
      assert.throws(
        () => route({}, { model: 'nosuch/model-1' }, ids.fallback),
        (e: SwitchboardError) => e.code === 'missing_connection' && /provider type "nosuch"/.test(e.message),
      );
      const onlyOllama = new Map([...connections].filter(([, c]) => c.providerId === 'ollama'));
      assert.throws(
        () => router(onlyOllama)({}, { model: 'openai/gpt-4o' }),
        (e: SwitchboardError) => e.code === 'missing_connection' && /needs a connection of type openai/.test(e.message),
      );
    });
  });
});
