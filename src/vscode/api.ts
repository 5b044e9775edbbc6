import type { Connection } from '../contracts/connections';
import type { ProviderDescriptor } from '../contracts/providers';
import type { ConnectionService } from '../core/connectionService';
import { SwitchboardError } from '../core/errors';
import type { Disposable } from '../core/ports';
import type { ProviderRegistry } from '../core/providerRegistry';
import type { ProviderAdapter } from '../core/providers/adapter';
import type { TestingApi } from './testing';

/** A connection as other extensions see it: IDs and metadata, never a key. */
export type ConnectionSummary = Pick<Connection, 'id' | 'name' | 'providerId' | 'status' | 'keyHint'>;

/** A provider as another extension describes it; Switchboard sets `source` and namespaces `id`. */
export type ContributedProviderDescriptor = Omit<ProviderDescriptor, 'source'> & { source?: string };

/** Version 1 of the API, for one calling extension: register providers, list providers and connections by ID. */
export interface SwitchboardApiV1 {
  readonly apiVersion: 1;
  /**
   * Adds a provider contributed by the calling extension. The descriptor is validated; its id
   * is registered as `<caller>/<id>` and its `source` is the caller. Its adapter receives a key
   * only through Switchboard's key path, after the person consented for this extension. Dispose
   * the result to remove it.
   */
  registerProvider(descriptor: ContributedProviderDescriptor, adapter: ProviderAdapter): Disposable;
  listProviders(): ProviderDescriptor[];
  listConnections(): ConnectionSummary[];
}

/**
 * What `vscode.extensions.getExtension('switchboard-dev.switchboard').activate()` returns:
 * `getApi(1, context.extension.id)` gives the calling extension its API.
 */
export interface SwitchboardExports {
  getApi(version: 1, caller: string): SwitchboardApiV1;
  /** Only in Test mode (`ExtensionMode.Test`): hooks for the integration tests. */
  readonly testing?: TestingApi;
}

export function createApi(deps: { registry: ProviderRegistry; connections: ConnectionService; isInstalledExtension(id: string): boolean }): SwitchboardExports {
  return {
    getApi(version, caller) {
      if (version !== 1) {
        throw new SwitchboardError('invalid_input', `Switchboard has no API version ${JSON.stringify(version)?.slice(0, 20)}; this version of Switchboard offers version 1.`);
      }
      if (typeof caller !== 'string' || !deps.isInstalledExtension(caller)) {
        throw new SwitchboardError('invalid_input', 'getApi needs the id of the calling extension (context.extension.id) as its second argument.');
      }
      return {
        apiVersion: 1,
        registerProvider: (descriptor, adapter) => deps.registry.register(descriptor, adapter, caller),
        listProviders: () => deps.registry.list().providers,
        listConnections: () =>
          deps.connections.list().map(({ id, name, providerId, status, keyHint }) => ({ id, name, providerId, status, ...(keyHint ? { keyHint } : {}) })),
      };
    },
  };
}
