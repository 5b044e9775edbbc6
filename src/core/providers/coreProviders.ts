import type { Disposable } from '../base/ports';
import type { ProviderRegistry } from './providerRegistry';
import type { ProviderDescriptor } from '../../contracts/providers';
import type { ProviderAdapter } from './adapter';
import { anthropicAdapter, anthropicDescriptor } from './anthropic';
import { azureOpenAiAdapter, azureOpenAiDescriptor } from './azureOpenai';
import { geminiAdapter, geminiDescriptor } from './gemini';
import { ollamaAdapter, ollamaDescriptor } from './ollama';
import { openAiAdapter, openAiDescriptor } from './openai';
import { openAiCompatibleAdapter, openAiCompatibleDescriptor } from './openaiCompatible';

/** The providers Switchboard ships with, in the order people see them, with their words in the display language. */
export function coreProviders(): readonly { descriptor: ProviderDescriptor; adapter: ProviderAdapter }[] {
  return [
    { descriptor: ollamaDescriptor(), adapter: ollamaAdapter },
    { descriptor: openAiDescriptor(), adapter: openAiAdapter },
    { descriptor: anthropicDescriptor(), adapter: anthropicAdapter },
    { descriptor: geminiDescriptor(), adapter: geminiAdapter },
    { descriptor: azureOpenAiDescriptor(), adapter: azureOpenAiAdapter },
    { descriptor: openAiCompatibleDescriptor(), adapter: openAiCompatibleAdapter },
  ];
}

/** Registers the providers Switchboard ships with. Disposing removes them again. */
export function registerCoreProviders(registry: ProviderRegistry): Disposable {
  const registrations: Disposable[] = [];
  const dispose = () => {
    for (const registration of registrations.splice(0)) registration.dispose();
  };
  try {
    for (const { descriptor, adapter } of coreProviders()) registrations.push(registry.register(descriptor, adapter, 'core'));
  } catch (error) {
    // All or nothing: a half-registered set would hide the failure.
    dispose();
    throw error;
  }
  return { dispose };
}
