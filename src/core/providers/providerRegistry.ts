import * as l10n from '@vscode/l10n';
import { BaseUrlSchema } from '../../contracts/connections';
import { isCredentialName } from '../../contracts/urls';
import { describeIssues } from '../../contracts/issues';
import { ProviderDescriptorSchema, type ListProvidersResponse, type ProviderDescriptor } from '../../contracts/providers';
import { BASE_URL_FIELD, isExtensionId } from '../../contracts/vocabulary';
import { SwitchboardError } from '../base/errors';
import { Emitter } from '../base/events';
import type { Disposable } from '../base/ports';
import type { ProviderAdapter } from './adapter';

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

  /**
   * Registers a provider of `contributor`: `core`, or the id of the extension that contributes
   * it. A contributed provider's `source` is that extension whatever its descriptor says, and its
   * id is namespaced by it (`publisher.extension/id`), so no extension can pass for core or for
   * another extension, or take another's id.
   */
  register(descriptor: unknown, adapter: ProviderAdapter, contributor: string): Disposable {
    const source = contributor === 'core' ? 'core' : contributorId(contributor);
    const parsed = ProviderDescriptorSchema.safeParse(isRecord(descriptor) ? { ...descriptor, source } : descriptor);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('The provider descriptor is not valid: {0}', describeIssues(parsed.error.issues)));
    }
    const fieldProblem = parsed.data.id.includes('/') ? l10n.t("The provider descriptor is not valid: its id must not name a namespace: Switchboard adds the extension's.") : descriptorProblem(parsed.data);
    if (fieldProblem) throw new SwitchboardError('invalid_input', fieldProblem);
    const problem = adapterProblem(adapter);
    if (problem) throw new SwitchboardError('invalid_input', problem);
    const id = source === 'core' ? parsed.data.id : `${source}/${parsed.data.id}`;
    if (this.providers.has(id)) {
      throw new SwitchboardError('conflict', l10n.t('A provider with id "{0}" is already registered.', id));
    }
    const entry = { descriptor: { ...parsed.data, id }, adapter };
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
      throw new SwitchboardError('not_found', l10n.t('The provider "{0}" is not available. Is the extension that contributes it installed and enabled?', id));
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

/** A contributing extension's id as VS Code compares them (`publisher.name`, case-insensitive), or `invalid_input`. */
function contributorId(extensionId: string): string {
  const id = String(extensionId).toLowerCase();
  if (!isExtensionId(id)) {
    throw new SwitchboardError('invalid_input', l10n.t('"{0}" is not an extension id (publisher.name).', String(extensionId).slice(0, 100)));
  }
  return id;
}

/**
 * What the schema cannot see: a default address that could not be a connection's, or a field
 * that by its key or label carries a credential but would be typed into a webview as text.
 */
function descriptorProblem(descriptor: ProviderDescriptor): string | undefined {
  const defaults = [descriptor.defaults.baseUrl, descriptor.fields.find((field) => field.key === BASE_URL_FIELD)?.default];
  for (const url of defaults) {
    if (url === undefined) continue;
    const parsed = BaseUrlSchema.safeParse(url);
    if (!parsed.success) return l10n.t('The provider descriptor is not valid: the default base URL is not valid: {0}.', describeIssues(parsed.error.issues));
  }
  const credential = descriptor.fields.find((field) => field.kind !== 'secret' && (isCredentialName(field.key) || isCredentialName(field.label)));
  if (credential) return l10n.t('The provider descriptor is not valid: the field "{0}" carries a credential, so its kind must be "secret" (typed into VS Code\'s password box, kept in SecretStorage).', credential.key);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with an adapter another extension passed, or undefined: its methods are called later, far from here. */
function adapterProblem(adapter: unknown): string | undefined {
  if (typeof adapter !== 'object' || adapter === null) return l10n.t('The provider adapter is not valid: it is not an object.');
  const methods = adapter as Record<string, unknown>;
  if (typeof methods.testConnection !== 'function') return l10n.t('The provider adapter is not valid: testConnection is not a function.');
  for (const name of ['validateOptions', 'validateModelRef', 'discoverModels', 'chat']) {
    if (methods[name] !== undefined && typeof methods[name] !== 'function') return l10n.t('The provider adapter is not valid: {0} is not a function.', name);
  }
  return undefined;
}

