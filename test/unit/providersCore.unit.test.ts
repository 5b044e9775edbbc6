import * as assert from 'node:assert/strict';
import { ProviderDescriptorSchema } from '../../src/contracts/providers';
import { SwitchboardError } from '../../src/core/base/errors';
import { ProviderRegistry } from '../../src/core/providers/providerRegistry';
import { anthropicAdapter } from '../../src/core/providers/anthropic';
import { azureOpenAiAdapter } from '../../src/core/providers/azureOpenai';
import { coreProviders, registerCoreProviders } from '../../src/core/providers/coreProviders';
import { geminiAdapter } from '../../src/core/providers/gemini';
import { ollamaAdapter, ollamaDescriptor } from '../../src/core/providers/ollama';
import { openAiAdapter } from '../../src/core/providers/openai';
import { openAiCompatibleAdapter } from '../../src/core/providers/openaiCompatible';

describe('registerCoreProviders', () => {
  it('registers the six core providers with their adapters and removes them all on dispose', () => {
    const registry = new ProviderRegistry();

    const registration = registerCoreProviders(registry);

    assert.deepEqual(registry.list().providers.map((provider) => provider.id), ['ollama', 'openai', 'anthropic', 'gemini', 'azure-openai', 'openai-compatible']);
    assert.equal(registry.require('ollama').adapter, ollamaAdapter);
    assert.equal(registry.require('openai').adapter, openAiAdapter);
    assert.equal(registry.require('anthropic').adapter, anthropicAdapter);
    assert.equal(registry.require('gemini').adapter, geminiAdapter);
    assert.equal(registry.require('azure-openai').adapter, azureOpenAiAdapter);
    assert.equal(registry.require('openai-compatible').adapter, openAiCompatibleAdapter);
    registration.dispose();
    assert.deepEqual(registry.list().providers, []);
  });

  it('registers nothing when one of them conflicts with a provider already there', () => {
    const registry = new ProviderRegistry();
    const openAiLookalike = { ...ollamaDescriptor(), id: 'openai', displayName: 'Someone else' };
    registry.register(openAiLookalike, ollamaAdapter, 'core');

    assert.throws(() => registerCoreProviders(registry), (error) => error instanceof SwitchboardError && error.code === 'conflict');

    assert.deepEqual(registry.list().providers.map((provider) => provider.displayName), ['Someone else']);
  });

  it('gives every core descriptor a valid schema and capabilities that match the methods its adapter has', () => {
    for (const { descriptor, adapter } of coreProviders()) {
      const parsed = ProviderDescriptorSchema.parse(descriptor);
      assert.equal(parsed.source, 'core');
      assert.deepEqual(parsed.capabilities, { test: true, discovery: typeof adapter.discoverModels === 'function', chat: typeof adapter.chat === 'function' }, descriptor.id);
      assert.deepEqual(parsed.capabilities, { test: true, discovery: true, chat: true }, descriptor.id);
    }
  });

  it('declares each provider\'s fields with the keys, kinds and required flags of the issue', () => {
    const fields = Object.fromEntries(
      coreProviders().map(({ descriptor }) => [descriptor.id, descriptor.fields.map(({ key, kind, required, default: value }) => `${key}:${kind}:${required ? 'required' : 'optional'}${value ? `=${value}` : ''}`)]),
    );

    assert.deepEqual(fields, {
      ollama: ['baseUrl:url:required=http://localhost:11434', 'apiKey:secret:optional'],
      openai: ['apiKey:secret:required', 'baseUrl:url:optional=https://api.openai.com/v1', 'organizationId:text:optional'],
      anthropic: ['apiKey:secret:required', 'baseUrl:url:optional=https://api.anthropic.com', 'apiVersion:text:optional=2023-06-01'],
      gemini: ['apiKey:secret:required', 'baseUrl:url:optional=https://generativelanguage.googleapis.com'],
      'azure-openai': ['apiKey:secret:required', 'baseUrl:url:required', 'deployments:text:required', 'apiVersion:text:optional=2024-10-21'],
      'openai-compatible': ['baseUrl:url:required', 'apiKey:secret:optional', 'customHeaders:text:optional'],
    });
  });
});
