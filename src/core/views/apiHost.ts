import type { ConnectionService } from '../connections/connectionService';
import type { ErrorCode } from '../../contracts/errors';
import { SwitchboardError, errorText } from '../base/errors';
import type { ModelRegistry } from '../models/modelRegistry';
import type { ProviderRegistry } from '../providers/providerRegistry';
import type { ProviderAdapter } from '../providers/adapter';
import type { Logger } from '../base/ports';
import type { RunService } from '../runs/runService';
import { callingExtension, type InstalledExtension } from '../keys/callingExtension';
import type { UsageReportRequest } from '../../contracts/usage';
import type { UsageLedger } from '../calls/usageLedger';

/**
 * Core's side of the public API (src/api's `ApiHost`, matched by shape: core does not depend on
 * the API layer). src/vscode adds only the installed extensions and their folders.
 */
export function coreApiHost(deps: {
  registry: ProviderRegistry;
  connections: ConnectionService;
  models: Pick<ModelRegistry, 'list' | 'onDidChange'>;
  runService: RunService;
  logger: Logger;
  ledger: Pick<UsageLedger, 'report'>;
  installedExtensions(): readonly InstalledExtension[];
}) {
  const { registry, connections, models, runService } = deps;
  return {
    callingExtension: (callSiteFiles: readonly (string | undefined)[], claimed: unknown) => callingExtension(callSiteFiles, claimed, deps.installedExtensions()),
    // The registry checks the adapter (an object whose methods are functions) before it is kept.
    registerProvider: (descriptor: unknown, adapter: unknown, caller: string) => registry.register(descriptor, adapter as ProviderAdapter, caller),
    providers: () => registry.list().providers,
    connections: () => connections.list(),
    models: () => models.list(),
    launchRun: (request: unknown, requesterId: string, options?: { signal?: AbortSignal; onOutput?(text: string): void }) =>
      runService.launch(request, requesterId, options?.signal, options?.onOutput),
    // An extension sees its own calls only (createApi narrows the filter to it): groups are named by id, connections by name.
    usage: (request: UsageReportRequest) => deps.ledger.report(request, (dimension, key) => (dimension === 'connection' ? (connections.get(key)?.name ?? key) : key)),
    error: (code: ErrorCode, message: string) => new SwitchboardError(code, message),
    listenerFailed: (caller: string, error: unknown) =>
      deps.logger.warn(`A listener of the extension ${caller} on Switchboard's API threw: ${errorText(error)}`),
    onDidChangeProviders: registry.onDidChange,
    onDidChangeConnections: connections.onDidChange,
    onDidChangeModels: models.onDidChange,
    onDidFinishRun: runService.onDidFinishRun,
  };
}
