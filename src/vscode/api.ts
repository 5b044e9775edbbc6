import type { Connection } from '../contracts/connections';
import type { ProviderDescriptor } from '../contracts/providers';
import type { ConnectionService } from '../core/connectionService';
import type { Disposable } from '../core/ports';
import type { ProviderRegistry } from '../core/providerRegistry';
import type { ProviderAdapter } from '../core/providers/adapter';
import type { TestingApi } from './testing';

/** A connection as other extensions see it: IDs and metadata, never a key. */
export type ConnectionSummary = Pick<Connection, 'id' | 'name' | 'providerId' | 'status' | 'keyHint'>;

/**
 * The API other extensions get from `vscode.extensions.getExtension('switchboard-dev.switchboard').activate()`.
 * Version 1: register providers, list providers and connections by ID.
 */
export interface SwitchboardApi {
  readonly apiVersion: 1;
  /** Adds a provider; the descriptor is validated. Dispose the result to remove it. */
  registerProvider(descriptor: ProviderDescriptor, adapter: ProviderAdapter): Disposable;
  listProviders(): ProviderDescriptor[];
  listConnections(): ConnectionSummary[];
  /** Only in Test mode (`ExtensionMode.Test`): hooks for the integration tests. */
  readonly testing?: TestingApi;
}

export function createApi(deps: { registry: ProviderRegistry; connections: ConnectionService }): SwitchboardApi {
  return {
    apiVersion: 1,
    registerProvider: (descriptor, adapter) => deps.registry.register(descriptor, adapter),
    listProviders: () => deps.registry.list().providers,
    listConnections: () =>
      deps.connections.list().map(({ id, name, providerId, status, keyHint }) => ({ id, name, providerId, status, ...(keyHint ? { keyHint } : {}) })),
  };
}
