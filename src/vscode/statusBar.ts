import * as vscode from 'vscode';
import type { ConnectionService } from '../core/connections/connectionService';
import type { Settings } from '../core/base/ports';
import type { UsageLedger } from '../core/calls/usageLedger';
import { formatDollars } from '../core/calls/budgets';

/** Whether the person asked to see today's spend in the status bar (off by default). */
function showSpend(): boolean {
  return vscode.workspace.getConfiguration('switchboard').get<boolean>('statusBar.showSpend', false) === true;
}

/**
 * Shows the default connection, and with `switchboard.statusBar.showSpend` today's spend (one
 * read of a running total, moved as calls are recorded here or in another window, and at
 * midnight); clicking it picks another connection.
 * `item` is there for the integration tests.
 */
export function defaultConnectionStatusBar(connections: ConnectionService, settings: Settings, ledger: Pick<UsageLedger, 'today' | 'onDidRecord' | 'watchElsewhere'>): vscode.Disposable & { readonly item: vscode.StatusBarItem } {
  const item = vscode.window.createStatusBarItem('switchboard.defaultConnection', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Switchboard: Default Connection');
  item.command = 'switchboard.setDefaultConnection';
  const update = () => {
    const connection = connections.get(settings.defaultConnectionId());
    const spend = showSpend() ? todaysSpend(ledger) : undefined;
    item.text = `$(plug) ${connection ? connection.name : vscode.l10n.t('No default connection')}${spend === undefined ? '' : ` · ${spend}`}`;
    // Without it, a screen reader reads the icon's name too ("plug Local Ollama").
    item.accessibilityInformation = {
      label: connection ? vscode.l10n.t('Switchboard default connection: {0}', connection.name) : vscode.l10n.t('Switchboard has no default connection'),
      role: 'button',
    };
    const tooltip = connection
      ? vscode.l10n.t('Switchboard runs use "{0}" when nothing else names a connection. Click to choose another.', connection.name)
      : vscode.l10n.t('Switchboard has no default connection. Click to choose one.');
    item.tooltip = spend === undefined ? tooltip : `${tooltip}\n${vscode.l10n.t("Today's spend on model calls: {0} (Switchboard: Show Usage).", spend)}`;
    item.backgroundColor = connection ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
  };
  // While the spend is shown, other windows' calls and a new day move it too.
  let watch: vscode.Disposable | undefined;
  const follow = () => {
    if (showSpend()) watch ??= ledger.watchElsewhere(update);
    else {
      watch?.dispose();
      watch = undefined;
    }
  };
  update();
  follow();
  item.show();
  const subscriptions = [
    connections.onDidChange(update),
    settings.onDidChange(() => {
      follow();
      update();
    }),
    ledger.onDidRecord(() => showSpend() && update()),
  ];
  return { item, dispose: () => [item, ...subscriptions, { dispose: () => watch?.dispose() }].forEach((d) => d.dispose()) };
}

/** Today's spend, or undefined when the database cannot be read (the item still shows the connection). */
function todaysSpend(ledger: Pick<UsageLedger, 'today'>): string | undefined {
  try {
    return formatDollars(ledger.today().costNano);
  } catch {
    return undefined;
  }
}
