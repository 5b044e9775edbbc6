import type { Disposable } from '../ports';
import type { ProviderRegistry } from '../providerRegistry';
import { ollamaAdapter, ollamaDescriptor } from './ollama';
import { openAiAdapter, openAiDescriptor } from './openai';

/** Registers the providers Switchboard ships with. Disposing removes them again. */
export function registerCoreProviders(registry: ProviderRegistry): Disposable {
  const registrations: Disposable[] = [];
  const dispose = () => {
    for (const registration of registrations.splice(0)) registration.dispose();
  };
  try {
    registrations.push(registry.register(ollamaDescriptor, ollamaAdapter));
    registrations.push(registry.register(openAiDescriptor, openAiAdapter));
  } catch (error) {
    // All or nothing: a half-registered set would hide the failure.
    dispose();
    throw error;
  }
  return { dispose };
}
