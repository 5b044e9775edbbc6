import * as assert from 'node:assert/strict';
import { SwitchboardError } from '../../src/core/errors';
import { ProviderRegistry } from '../../src/core/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { ollamaAdapter, ollamaDescriptor } from '../../src/core/providers/ollama';
import { openAiAdapter } from '../../src/core/providers/openai';

describe('registerCoreProviders', () => {
  it('registers Ollama and OpenAI with their adapters and removes both on dispose', () => {
    const registry = new ProviderRegistry();

    const registration = registerCoreProviders(registry);

    assert.deepEqual(registry.list().providers.map((provider) => provider.id), ['ollama', 'openai']);
    assert.equal(registry.require('ollama').adapter, ollamaAdapter);
    assert.equal(registry.require('openai').adapter, openAiAdapter);
    registration.dispose();
    assert.deepEqual(registry.list().providers, []);
  });

  it('registers nothing when one of them conflicts with a provider already there', () => {
    const registry = new ProviderRegistry();
    const openAiLookalike = { ...ollamaDescriptor, id: 'openai', displayName: 'Someone else' };
    registry.register(openAiLookalike, ollamaAdapter);

    assert.throws(() => registerCoreProviders(registry), (error) => error instanceof SwitchboardError && error.code === 'conflict');

    assert.deepEqual(registry.list().providers.map((provider) => provider.displayName), ['Someone else']);
  });
});
