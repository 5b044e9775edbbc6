import * as vscode from 'vscode';
import type { AgentService } from '../core/runs/agentService';
import type { ConnectionService } from '../core/connections/connectionService';
import { SwitchboardError } from '../core/base/errors';
import type { GatewaySync } from '../core/gateway/gatewaySync';
import type { KeyPath } from '../core/keys/keyPath';
import { migrateLegacyAgents } from '../core/runs/legacyAgents';
import type { Logger, Settings } from '../core/base/ports';
import type { ModelRegistry } from '../core/models/modelRegistry';
import type { ProviderRegistry } from '../core/providers/providerRegistry';
import { registerCommandWithErrors, showError } from './errorMessages';
import type { Prompter } from './prompter';

export interface GatewayCommandDeps {
  agents: AgentService;
  connections: ConnectionService;
  models: ModelRegistry;
  registry: ProviderRegistry;
  settings: Settings;
  keys: KeyPath;
  gateway: GatewaySync;
  prompter: Prompter;
  /** The output channel, shown for the lines of a migration. */
  logger: Logger & { show(): void };
}

/** The AI gateway commands (token, sync) and the migration of legacy model strings. */
export function registerGatewayCommands(deps: GatewayCommandDeps): vscode.Disposable[] {
  const { agents, gateway, prompter } = deps;
  const command = registerCommandWithErrors;

  async function pickAgentId(arg: unknown): Promise<string | undefined> {
    if (typeof arg === 'string') return agents.require(arg).id;
    if (arg !== undefined) throw new SwitchboardError('invalid_input', vscode.l10n.t('The command expects an agent id as its argument.'));
    return prompter.pick(agents.list().map((agent) => ({ label: agent.name, description: agent.role, value: agent.id })), vscode.l10n.t('Choose the agent to sync to the AI gateway'));
  }

  return [
    command('switchboard.setGatewayToken', async () => {
      const token = await prompter.inputSecret({
        title: vscode.l10n.t('AI gateway token'),
        prompt: vscode.l10n.t("Sent as \"Authorization: Bearer …\" to switchboard.gateway.url. Stored in VS Code's SecretStorage (your system keyring) and never shown again."),
      });
      if (token === undefined) return { stored: false };
      if (!token.trim()) throw new SwitchboardError('invalid_input', vscode.l10n.t('The token is empty. Nothing was saved; paste the token your gateway gave you.'));
      // Bound to the gateway set now; with none set yet, the first sync asks where it may go.
      await deps.keys.storeGatewayToken(token.trim(), deps.settings.gatewayUrl());
      deps.logger.info('Stored the AI gateway token.');
      const syncAll = vscode.l10n.t('Sync All Agents');
      const next = deps.settings.gatewayUrl() ? syncAll : vscode.l10n.t('Set Gateway URL');
      void vscode.window.showInformationMessage(vscode.l10n.t('The AI gateway token is stored.'), next).then((choice) => {
        if (choice === syncAll) void vscode.commands.executeCommand('switchboard.syncAllAgents');
        else if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'switchboard.gateway.url');
      });
      return { stored: true };
    }),
    command('switchboard.syncAllAgents', async () => {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Syncing agents to the AI gateway') }, (progress) =>
        gateway.syncAll((done, total) => progress.report({ increment: 100 / Math.max(total, 1), message: vscode.l10n.t('{0} of {1}', done, total) })),
      );
      if (result.failed || result.pendingDeletes) {
        const message = result.pendingDeletes
          ? vscode.l10n.t('{0} agent(s) synced, {1} failed. {2} delete(s) still pending. The Agents view shows each reason.', result.synced, result.failed, result.pendingDeletes)
          : vscode.l10n.t('{0} agent(s) synced, {1} failed. The Agents view shows each reason.', result.synced, result.failed);
        void vscode.window.showWarningMessage(message, vscode.l10n.t('Show Agents')).then((choice) => {
          if (choice) void vscode.commands.executeCommand('switchboard.agents.focus');
        });
      } else {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} agent(s) synced to the AI gateway.', result.synced));
      }
      return result;
    }),
    command('switchboard.syncAgent', async (arg) => {
      const id = await pickAgentId(arg);
      if (!id) return undefined;
      const state = await gateway.syncNow(id);
      if (state.state === 'failed') void showError(new SwitchboardError(state.error.code, state.error.message));
      return state;
    }),
    command('switchboard.migrateLegacyAgents', async () => {
      const report = await migrateLegacyAgents(deps);
      if (!report.changed.length && !report.failed.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No agent carries a legacy "<provider>/<model>" string: there is nothing to migrate.'));
        return report;
      }
      const lines = [
        ...report.changed.map((c) =>
          c.registered
            ? vscode.l10n.t('✓ {0}: "{1}" → {2} · {3} (model registered)', c.name, c.from, c.connectionName, c.modelRef)
            : vscode.l10n.t('✓ {0}: "{1}" → {2} · {3}', c.name, c.from, c.connectionName, c.modelRef),
        ),
        ...report.failed.map((f) => vscode.l10n.t('✗ {0}: "{1}" stays: {2}', f.name, f.from, f.reason)),
      ];
      for (const line of lines) deps.logger.info(`Migrate agents: ${line}`);
      const summary = vscode.l10n.t('{0} agent(s) migrated to registered models, {1} could not be.', report.changed.length, report.failed.length);
      // Told without a modal (nothing waits on the person); each agent's line is in the output channel.
      const showLines = vscode.l10n.t('Show Details');
      void prompter.notify({ message: summary, actions: [showLines] }).then((choice) => choice === showLines && deps.logger.show());
      return report;
    }),
  ];
}
