import { describeIssues } from '../contracts/issues';
import { ProviderDescriptorSchema, type ListProvidersResponse, type ProviderDescriptor } from '../contracts/providers';
import { SwitchboardError } from './errors';
import { Emitter } from './events';
import type { Disposable } from './ports';
import type { ProviderAdapter } from './providers/adapter';

export interface RegisteredProvider {
  descriptor: ProviderDescriptor;
  adapter: ProviderAdapter;
}

/**
 * The providers this session knows, core and contributed, served from memory. Registering
 * validates the descriptor and returns a Disposable that removes it again.
 */
export class ProviderRegistry implements Disposable {
  private readonly providers = new Map<string, RegisteredProvider>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  register(descriptor: unknown, adapter: ProviderAdapter): Disposable {
    const parsed = ProviderDescriptorSchema.safeParse(descriptor);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', `The provider descriptor is not valid: ${describeIssues(parsed.error.issues)}`);
    }
    const problem = adapterProblem(adapter);
    if (problem) throw new SwitchboardError('invalid_input', `The provider adapter is not valid: ${problem}.`);
    const { id } = parsed.data;
    if (this.providers.has(id)) {
      throw new SwitchboardError('conflict', `A provider with id "${id}" is already registered.`);
    }
    const entry = { descriptor: parsed.data, adapter };
    this.providers.set(id, entry);
    this.changed.fire();
    return {
      dispose: () => {
        if (this.providers.get(id) === entry) {
          this.providers.delete(id);
          this.changed.fire();
        }
      },
    };
  }

  get(id: string): RegisteredProvider | undefined {
    return this.providers.get(id);
  }

  /** The provider of `id`, or a `not_found` error that says the provider is gone. */
  require(id: string): RegisteredProvider {
    const provider = this.providers.get(id);
    if (!provider) {
      throw new SwitchboardError('not_found', `The provider "${id}" is not available. Is the extension that contributes it installed and enabled?`);
    }
    return provider;
  }

  list(): ListProvidersResponse {
    return { providers: [...this.providers.values()].map((entry) => entry.descriptor) };
  }

  dispose(): void {
    this.changed.dispose();
    this.providers.clear();
  }
}

/** What is wrong with an adapter another extension passed, or undefined: its methods are called later, far from here. */
function adapterProblem(adapter: unknown): string | undefined {
  if (typeof adapter !== 'object' || adapter === null) return 'it is not an object';
  const methods = adapter as Record<string, unknown>;
  if (typeof methods.testConnection !== 'function') return 'testConnection is not a function';
  for (const name of ['validateOptions', 'discoverModels', 'chat']) {
    if (methods[name] !== undefined && typeof methods[name] !== 'function') return `${name} is not a function`;
  }
  return undefined;
}

// runService.ts and connectionService.ts, which are being rewritten elsewhere, still import it
// from here; once they import it from src/contracts/issues, this line goes.
export { describeIssue } from '../contracts/issues';
