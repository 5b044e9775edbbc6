import * as vscode from 'vscode';
import { builtinModel } from '../core/builtinModelLookup';
import { ConnectionActions } from '../core/connectionActions';
import { ConnectionService } from '../core/connectionService';
import { HttpClient } from '../core/http/httpClient';
import { ModelActions } from '../core/modelActions';
import { ModelRegistry } from '../core/modelRegistry';
import { systemClock } from '../core/ports';
import { ProviderRegistry } from '../core/providerRegistry';
import { registerCoreProviders } from '../core/providers/coreProviders';
import { Redactor, redactingVault } from '../core/secrets';
import { createApi, type SwitchboardApi } from './api';
import { registerCommands } from './commands';
import { ConnectionsViewProvider } from './connectionsView';
import { OutputLogger } from './logger';
import { Prompter } from './prompter';
import { globalStateStore, secretStorageVault } from './storage';
import { VsCodeSettings } from './settings';
import { createTestingApi } from './testing';

/** Wires the parts by hand and returns the API. Nothing here does work until it is used. */
export function activate(context: vscode.ExtensionContext): SwitchboardApi {
  const started = performance.now();
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const redactor = new Redactor();
  const logger = new OutputLogger(redactor, testMode);
  const settings = new VsCodeSettings(logger);
  const registry = new ProviderRegistry();
  const prompter = new Prompter();
  const store = globalStateStore(context.globalState);
  const vault = redactingVault(secretStorageVault(context.secrets), redactor);
  const http = new HttpClient({ proxy: () => settings.proxy() });
  const connections = new ConnectionService({ store, vault, registry, settings, clock: systemClock, http, logger });
  const actions = new ConnectionActions(connections, settings, prompter);
  const models = new ModelRegistry({ store, connections, providers: registry, settings, clock: systemClock, http, logger, builtinModel });
  const modelActions = new ModelActions(connections, models, prompter);
  const postedToWebviews: unknown[] = [];

  context.subscriptions.push(
    logger,
    settings,
    registry,
    { dispose: () => void http.dispose() },
    registerCoreProviders(registry),
    models,
    ...registerCommands({ connections, actions, models, modelActions, registry, prompter }),
    vscode.window.registerWebviewViewProvider(
      ConnectionsViewProvider.viewType,
      new ConnectionsViewProvider(context.extensionUri, {
        connections,
        actions,
        models,
        modelActions,
        registry,
        settings,
        logger,
        ...(testMode ? { onPost: (message) => postedToWebviews.push(message) } : {}),
      }),
    ),
  );

  const api = createApi({ registry, connections });
  if (!testMode) return api;
  return {
    ...api,
    testing: createTestingApi({ context, prompter, logger, postedToWebviews, activationMs: performance.now() - started }),
  };
}

export function deactivate(): void {}
