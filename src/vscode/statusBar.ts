import * as vscode from 'vscode';
import type { ConnectionService } from '../core/connections/connectionService';
import type { Settings } from '../core/base/ports';

/** Shows the default connection; clicking it picks another. `item` is there for the integration tests. */
export function defaultConnectionStatusBar(connections: ConnectionService, settings: Settings): vscode.Disposable & { readonly item: vscode.StatusBarItem } {
  const item = vscode.window.createStatusBarItem('switchboard.defaultConnection', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Switchboard: Default Connection');
  item.command = 'switchboard.setDefaultConnection';
  const update = () => {
    const connection = connections.get(settings.defaultConnectionId());
    item.text = `$(plug) ${connection ? connection.name : vscode.l10n.t('No default connection')}`;
    // Without it, a screen reader reads the icon's name too ("plug Local Ollama").
    item.accessibilityInformation = {
      label: connection ? vscode.l10n.t('Switchboard default connection: {0}', connection.name) : vscode.l10n.t('Switchboard has no default connection'),
      role: 'button',
    };
    item.tooltip = connection
      ? vscode.l10n.t('Switchboard runs use "{0}" when nothing else names a connection. Click to choose another.', connection.name)
      : vscode.l10n.t('Switchboard has no default connection. Click to choose one.');
    item.backgroundColor = connection ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
  };
  update();
  item.show();
  const subscriptions = [connections.onDidChange(update), settings.onDidChange(update)];
  return { item, dispose: () => [item, ...subscriptions].forEach((d) => d.dispose()) };
}
