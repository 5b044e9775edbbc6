import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { AgentHost } from '../core/runs/agentHost';
import { AgentService } from '../core/runs/agentService';
import { createAgentsController } from '../core/views/agentsController';
import { AuditLog } from '../core/audit/auditLog';
import { ChatRecordStore } from '../core/chat/chatRecordStore';
import { ChatService } from '../core/chat/chatService';
import { TokenCounter } from '../core/chat/tokenCount';
import { builtinModel } from '../core/providers/builtinModelLookup';
import { ConnectionActions } from '../core/connections/connectionActions';
import { ConnectionService } from '../core/connections/connectionService';
import { ConnectionTransfer } from '../core/connections/connectionTransfer';
import { createConnectionsController } from '../core/views/connectionsController';
import { createEditorController } from '../core/views/editorController';
import { modelPagesOf } from '../core/views/modelPages';
import { GatewaySync } from '../core/gateway/gatewaySync';
import { ConsentService } from '../core/keys/consent';
import { Database } from '../core/store/database';
import { moveLegacyState } from '../core/store/legacyImport';
import { HttpClient } from '../core/http/httpClient';
import { auditChainKeys, KeyPath } from '../core/keys/keyPath';
import { ModelActions } from '../core/models/modelActions';
import { ModelCaller } from '../core/calls/modelCaller';
import { UsageLedger } from '../core/calls/usageLedger';
import { Budgets } from '../core/calls/budgets';
import { priceOf } from '../core/models/pricing';
import { ModelRegistry } from '../core/models/modelRegistry';
import { systemClock } from '../core/base/ports';
import { ProviderRegistry } from '../core/providers/providerRegistry';
import { personAt, requesterIds } from '../core/keys/requesters';
import { registerCoreProviders } from '../core/providers/coreProviders';
import { RunService } from '../core/runs/runService';
import { RunStore } from '../core/runs/runStore';
import { Redactor } from '../core/base/secrets';
import { redactingVault } from '../core/keys/vault';
import { DATABASE_FILE, LEGACY } from '../core/store/storageKeys';
import { registerAgentCommands } from './agentCommands';
import { registerChatProvider, registerChatRecordsCommand } from './chatProvider';
import { EDITOR_VIEW_TYPE, SwitchboardEditorPanel } from './editorPanel';
import { registerCommandWithErrors } from './errorMessages';
import type { SwitchboardExports } from '../api/types';
import { createExtensionApi } from './api';
import { registerGatewayCommands } from './gatewayCommands';
import { registerTransferCommands } from './transferCommands';
import { registerCommands } from './commands';
import { consentPrompt, describeRequester } from './consentPrompt';
import { OutputLogger } from './logger';
import { Prompter } from './prompter';
import { globalStateStore, secretStorageVault } from './storage';
import { VsCodeSettings } from './settings';
import { defaultConnectionStatusBar } from './statusBar';
import { createTestingApi, type TestModeExports } from './testing';
import { HostedWebviewView } from './webviewView';

/** Wires the parts by hand and returns the API. Nothing here does work until it is used. */
export function activate(context: vscode.ExtensionContext): SwitchboardExports | TestModeExports {
  const started = performance.now();
  // Core has no vscode, so its words go through @vscode/l10n: given the bundle VS Code loaded
  // for the display language (none in English, where l10n.t returns the source string).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const redactor = new Redactor();
  const logger = new OutputLogger(redactor, testMode);
  const settings = new VsCodeSettings(logger);
  const registry = new ProviderRegistry();
  const prompter = new Prompter();
  const store = globalStateStore(context.globalState);
  const vault = redactingVault(secretStorageVault(context.secrets), redactor);
  const http = new HttpClient({ proxy: () => settings.proxy() });
  const clock = systemClock;
  // Opened at first use, not here: activation stays cheap, and a missing node:sqlite is
  // reported when models, runs or the audit log are first needed.
  const databasePath = join(context.globalStorageUri.fsPath, DATABASE_FILE);
  const db = new Database({
    file: databasePath,
    logger,
    afterMigrations: moveLegacyState({ store, auditFile: join(context.globalStorageUri.fsPath, LEGACY.auditFile), logger }),
  });
  // Anchored outside the database: its HMAC keys in SecretStorage (read through the key path), its head mirrored in globalState.
  // A full verify runs in workers (dist/auditVerify.js), off this thread.
  const audit = new AuditLog(db, clock, { keys: auditChainKeys({ vault, logger }), state: store, logger }, { verifyWorker: context.asAbsolutePath(join('dist', 'auditVerify.js')) });
  const consent = new ConsentService({ store, prompt: consentPrompt(prompter), clock, logger, describeRequester });
  // The only holder of the vault: every key is read through it, consented and audited.
  const keys = new KeyPath({ vault, consent, audit, logger });
  const connections = new ConnectionService({ store, keys, registry, settings, clock, http, logger, audit });
  // `agents` is read when a connection is deleted, long after it is built below.
  const actions = new ConnectionActions(connections, settings, prompter, (connectionId) => agents.runningOn(connectionId, settings.defaultConnectionId()).map((agent) => agent.name));
  const models = new ModelRegistry({ db, store, connections, providers: registry, keys, settings, clock, http, logger, builtinModel });
  const modelActions = new ModelActions(connections, models, prompter);
  const agents = new AgentService({ store, clock, logger, connectionExists: (id) => connections.get(id) !== undefined, modelEnabled: (connectionId, modelRef) => models.list({ connectionId }).some((model) => model.providerModelId === modelRef && model.enabled), reasoningProblem: (connectionId, modelRef, reasoning) => models.reasoningProblem(connectionId, modelRef, reasoning) });
  // Follows agent, connection and settings changes; sends nothing while switchboard.gateway.url is empty.
  const gateway = new GatewaySync({ settings, store, agents, connections, registry, keys, http, clock, logger, models });
  const runs = new RunStore({ db, retention: () => settings.runRetention(), outputMaxKiB: () => settings.runOutputMaxKiB(), logger, clock });
  const agentHost = new AgentHost({
    workerPath: context.asAbsolutePath(join('dist', 'agentHost.js')),
    // The worker is silent while it waits for a model call; beyond that, a long silence means it hangs.
    silenceLimitMs: () => settings.requestTimeoutMs() + 30_000,
    logger,
  });
  // Every call's usage, priced, in the database every window shares, written by its own thread
  // (dist/ledgerWriter.js); budgets checked before a key is read.
  const ledger = new UsageLedger({ db, clock, logger, writerWorker: context.asAbsolutePath(join('dist', 'ledgerWriter.js')) });
  flushOnDeactivate = async () => void (await Promise.all([audit.flush(), ledger.close()]));
  const budgets = new Budgets({
    ...{ db, ledger, audit, logger },
    label: (scope) =>
      scope.kind === 'connection'
        ? (connections.get(scope.connectionId)?.name ?? scope.connectionId)
        : scope.kind === 'agent'
          ? (agents.get(scope.agentId)?.name ?? scope.agentId)
          : describeRequester(scope.requesterId),
    warn: (message) => {
      const show = vscode.l10n.t('Show Usage');
      void prompter.notify({ message, actions: [show] }).then((action) => action === show && vscode.commands.executeCommand('switchboard.showUsage'));
    },
  });
  const modelCaller = new ModelCaller({
    ...{ connections, registry, keys, audit, http, settings, logger, clock },
    contextWindow: (connectionId, modelRef) => models.contextWindow(connectionId, modelRef),
    callSettings: (connectionId, modelRef) => models.callSettings(connectionId, modelRef),
    usage: { ledger, budgets, price: (connection, modelRef) => priceOf(connection, modelRef, models.find(connection.id, modelRef)) },
  });
  const runService = new RunService({
    ...{ agents, connections, registry, modelCaller, runs, agentHost, settings, clock, logger },
    isModelDisabled: (connectionId, modelRef) => models.isDisabled(connectionId, modelRef),
    // A run that names no model may get the connection's first enabled registered model.
    registeredModels: (connectionId) => models.choices(connectionId),
  });
  const chatRecords = new ChatRecordStore({ db, logger, retention: () => settings.runRetention() });
  const chat = new ChatService({ connections, registry, models, modelCaller, records: chatRecords, clock, logger, fallbacks: () => settings.defaultFallbacks() });
  // OpenAI's tokenizer is its own bundle beside this one, read on the first count of an OpenAI model.
  const tokenizer = context.asAbsolutePath(join('dist', 'tokenizer.js'));
  const tokens = new TokenCounter({ load: async () => (createRequire(tokenizer)(tokenizer) as typeof import('../core/chat/openAiTokenizer')).countTokens, logger });
  /** One read of the registry, grouped by connection: the Agents view offers the enabled models and previews routing with all. */
  const registeredModels = () => {
    return new Map(
      [...models.byConnection()].map(([connectionId, registered]) => [
        connectionId,
        registered.map(({ providerModelId, displayName, enabled }) => ({ providerModelId, displayName, enabled })),
      ]),
    );
  };
  const statusBar = defaultConnectionStatusBar(connections, settings, ledger);
  const commands = registerCommands({ connections, settings, actions, models, modelActions, registry, prompter });
  const postedToWebviews: unknown[] = [];
  const onPost = testMode ? (message: unknown) => postedToWebviews.push(message) : undefined;
  const modelPages = modelPagesOf({ models, connections, registry });
  const editor: SwitchboardEditorPanel = new SwitchboardEditorPanel(
    context.extensionUri,
    (post) =>
      createEditorController({
        audit,
        chatRecords,
        connections,
        agents,
        registry,
        runs,
        runService,
        registeredModels,
        modelsChanged: models.onDidChange,
        copyToClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
        models,
        modelPages,
        discoverModels: (connectionId) => commands.discoverModels(connectionId, personAt(requesterIds.editor)),
        describeRequester,
        saveExport: async (text) => {
          const uri = await vscode.window.showSaveDialog({ filters: { [vscode.l10n.t('JSON lines')]: ['jsonl'] }, saveLabel: vscode.l10n.t('Export'), title: vscode.l10n.t('Export Audit Log') });
          if (!uri) return false;
          await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
          return true;
        },
        ledger,
        budgets,
        saveUsageExport: async (text) => {
          const uri = await vscode.window.showSaveDialog({ filters: { [vscode.l10n.t('CSV')]: ['csv'] }, saveLabel: vscode.l10n.t('Export'), title: vscode.l10n.t('Export Usage') });
          if (!uri) return false;
          await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
          return true;
        },
        requestedTab: () => editor.requestedTab(),
        logger,
        post,
      }),
    onPost,
  );

  context.subscriptions.push(
    logger,
    // The run store gives up its lease before the database closes.
    { dispose: () => (runs.dispose(), db.dispose()) },
    settings,
    registry,
    { dispose: () => void http.dispose() },
    registerCoreProviders(registry),
    models,
    ...commands.disposables,
    vscode.window.registerWebviewViewProvider(
      'switchboard.connections',
      new HostedWebviewView(
        context.extensionUri,
        { script: 'connections', title: vscode.l10n.t('Connections') },
        (post) => createConnectionsController({ connections, actions, models, modelActions, registry, settings, consent, logger, cooldowns: modelCaller.cooldowns, post }),
        onPost,
      ),
    ),
    agentHost,
    connections.onDeleting((connectionId) => consent.revokeConnection(connectionId)),
    ...registerAgentCommands({ agents, connections, runService, consent, audit, prompter, settings, registeredModels }),
    gateway,
    ...registerGatewayCommands({ agents, connections, models, registry, settings, keys, gateway, prompter, logger }),
    ...registerTransferCommands({ connections, transfer: new ConnectionTransfer({ connections, registry, keys }), prompter }),
    vscode.window.registerWebviewViewProvider(
      'switchboard.agents',
      new HostedWebviewView(
        context.extensionUri,
        { script: 'agents', title: vscode.l10n.t('Agents'), styles: ['agents'] },
        (post) =>
          createAgentsController({
            agents,
            connections,
            registry,
            runs,
            runService,
            settings,
            gateway,
            interactions: prompter,
            logger,
            registeredModels,
            describeRequester,
            modelsChanged: models.onDidChange,
            chooseDefaultConnection: async () => {
              await vscode.commands.executeCommand('switchboard.setDefaultConnection');
              return settings.defaultConnectionId();
            },
            post,
          }),
        onPost,
      ),
    ),
    editor,
    vscode.window.registerWebviewPanelSerializer(EDITOR_VIEW_TYPE, editor),
    // Both resolve once the panel exists, so scripts and tests can wait on them.
    registerCommandWithErrors('switchboard.openEditor', async () => void editor.open()),
    registerCommandWithErrors('switchboard.showAuditLog', async () => void editor.open('audit')),
    registerCommandWithErrors('switchboard.showUsage', async () => void editor.open('usage')),
    ledger,
    budgets,
    statusBar,
    chatRecords,
    registerChatProvider(chat, tokens),
    registerChatRecordsCommand(chatRecords, connections),
  );
  gateway.start();

  const api = createExtensionApi({ registry, connections, models, runService, logger, ledger });
  if (!testMode) return api;
  return {
    ...api,
    testing: createTestingApi({ context, prompter, logger, postedToWebviews, db, runs, models, audit, runService, chatRecords, chat, statusBarItem: statusBar.item, ledger, budgets, connections, agents, store, activationMs: performance.now() - started }),
  };
}

/** What must be written before the window closes: the audit log's last head, mirrored in globalState, and the usage of the last calls. */
let flushOnDeactivate: (() => Promise<void>) | undefined;

/** VS Code awaits this at a clean shutdown or reload. */
export function deactivate(): Promise<void> | undefined {
  return flushOnDeactivate?.();
}
