import * as assert from 'node:assert/strict';
import { SwitchboardError } from '../../src/core/base/errors';
import { ProviderRegistry } from '../../src/core/providers/providerRegistry';
import type { ProviderAdapter } from '../../src/core/providers/adapter';

const adapter: ProviderAdapter = { testConnection: async () => 'ok' };
const descriptor = {
  id: 'acme',
  displayName: 'Acme AI',
  source: 'acme.acme-ai',
  fields: [{ key: 'baseUrl', label: 'Base URL', kind: 'url', required: true, default: 'https://acme.example' }],
  defaults: {},
  capabilities: { test: true, discovery: false, chat: false },
};

describe('ProviderRegistry', () => {
  it('lists a registered provider, fires a change, and removes it on dispose', () => {
    const registry = new ProviderRegistry();
    let changes = 0;
    registry.onDidChange(() => changes++);
    const registration = registry.register(descriptor, adapter, 'acme.acme-ai');
    assert.deepEqual(registry.list().providers.map((p) => p.id), ['acme.acme-ai/acme']);
    assert.equal(registry.require('acme.acme-ai/acme').adapter, adapter);
    registration.dispose();
    registration.dispose();
    assert.deepEqual(registry.list().providers, []);
    assert.equal(changes, 2, 'one change for the registration, one for the removal');
  });

  it('refuses a duplicate id with conflict', () => {
    const registry = new ProviderRegistry();
    registry.register(descriptor, adapter, 'acme.acme-ai');
    assert.throws(() => registry.register(descriptor, adapter, 'Acme.Acme-AI'), (e: SwitchboardError) => e.code === 'conflict');
  });

  it("sets a contributed provider's source to the extension that registers it, and keeps its id apart from core's and other extensions'", () => {
    const registry = new ProviderRegistry();
    registry.register({ ...descriptor, id: 'openai', source: 'core' }, adapter, 'evil.spoofer');
    registry.register({ ...descriptor, id: 'openai' }, adapter, 'core');
    registry.register({ ...descriptor, id: 'openai', source: 'acme.acme-ai' }, adapter, 'other.ext');
    assert.deepEqual(
      registry.list().providers.map((p) => [p.id, p.source]),
      [['evil.spoofer/openai', 'evil.spoofer'], ['openai', 'core'], ['other.ext/openai', 'other.ext']],
    );
    for (const [candidate, contributor] of [[{ ...descriptor, id: 'other.ext/openai' }, 'evil.spoofer'], [descriptor, 'not an extension id']] as const) {
      assert.throws(() => registry.register(candidate, adapter, contributor), (e: SwitchboardError) => e.code === 'invalid_input');
    }
  });

  it('refuses a default base URL a connection could not have, and a credential field that is not secret', () => {
    const registry = new ProviderRegistry();
    const bad = [
      { ...descriptor, defaults: { baseUrl: 'ftp://acme.example' } },
      { ...descriptor, defaults: { baseUrl: 'https://acme.example/v1?api_key=abc' } },
      { ...descriptor, fields: [{ key: 'baseUrl', label: 'Base URL', kind: 'url', required: true, default: 'https://user:pw@acme.example' }] },
      { ...descriptor, fields: [{ key: 'token', label: 'Token', kind: 'text', required: true }] },
      { ...descriptor, fields: [{ key: 'org', label: 'Org access key', kind: 'text', required: false }] },
    ];
    for (const candidate of bad) {
      assert.throws(() => registry.register(candidate, adapter, 'acme.acme-ai'), (e: SwitchboardError) => e.code === 'invalid_input' && /descriptor/.test(e.message), JSON.stringify(candidate));
    }
    assert.deepEqual(registry.list().providers, []);
    registry.register({ ...descriptor, fields: [{ key: 'token', label: 'Token', kind: 'secret', required: true }] }, adapter, 'acme.acme-ai');
    assert.equal(registry.list().providers.length, 1);
  });

  it('refuses descriptors that do not match the schema, saying which field is wrong', () => {
    const registry = new ProviderRegistry();
    const bad = [
      { ...descriptor, id: 'Has Spaces' },
      { ...descriptor, fields: [{ key: 'baseUrl', label: 'x', kind: 'password', required: true }] },
      { ...descriptor, capabilities: undefined },
      'acme',
      null,
    ];
    for (const candidate of bad) {
      assert.throws(() => registry.register(candidate, adapter, 'acme.acme-ai'), (e: SwitchboardError) => e.code === 'invalid_input' && /descriptor/.test(e.message));
    }
    assert.deepEqual(registry.list().providers, []);
  });

  it('says which provider is missing when asked for an unknown id', () => {
    const registry = new ProviderRegistry();
    assert.throws(() => registry.require('gone'), (e: SwitchboardError) => e.code === 'not_found' && e.message.includes('"gone"'));
  });
});

describe('ProviderRegistry and the adapters other extensions pass', () => {
  it('refuses with invalid_input an adapter without testConnection, or whose methods are not functions, and lists nothing', () => {
    const registry = new ProviderRegistry();
    for (const bad of [undefined, null, {}, { testConnection: 'yes' }, { testConnection: async () => 'ok', chat: {} }, { testConnection: async () => 'ok', discoverModels: 1 }]) {
      assert.throws(
        () => registry.register(descriptor, bad as unknown as ProviderAdapter, 'acme.acme-ai'),
        (error: unknown) => error instanceof SwitchboardError && error.code === 'invalid_input',
        `accepted ${JSON.stringify(bad)}`,
      );
    }
    assert.deepEqual(registry.list().providers, []);
  });
});
