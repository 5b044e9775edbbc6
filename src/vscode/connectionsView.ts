import * as vscode from 'vscode';
import type { ToConnectionsView } from '../contracts/connectionsView';
import type { ConnectionActions } from '../core/connectionActions';
import type { ConnectionService } from '../core/connectionService';
import { ConnectionsController } from '../core/connectionsController';
import type { ModelActions } from '../core/modelActions';
import type { ModelRegistry } from '../core/modelRegistry';
import type { Logger, Settings } from '../core/ports';
import type { ProviderRegistry } from '../core/providerRegistry';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

/** The Connections webview view: HTML, CSP and the message bridge; the protocol lives in the controller. */
export class ConnectionsViewProvider implements vscode.WebviewViewProvider {
  static readonly viewType = 'switchboard.connections';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: {
      connections: ConnectionService;
      actions: ConnectionActions;
      models: ModelRegistry;
      modelActions: ModelActions;
      registry: ProviderRegistry;
      settings: Settings;
      logger: Logger;
      /** Called with every message posted to the webview (Test mode keeps them for the canary check). */
      onPost?: (message: ToConnectionsView) => void;
    },
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = webviewOptions(this.extensionUri);
    const controller = new ConnectionsController({
      ...this.deps,
      post: (message) => {
        this.deps.onPost?.(message);
        void view.webview.postMessage(message);
      },
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) => controller.handle(message)),
      // A hidden view loses its document; the new one says `ready` again before it gets a snapshot.
      view.onDidChangeVisibility(() => {
        if (!view.visible) controller.reset();
      }),
    ];
    view.onDidDispose(() => {
      controller.dispose();
      for (const subscription of subscriptions) subscription.dispose();
    });
    view.webview.html = renderWebviewHtml(view.webview, this.extensionUri, { script: 'connections', title: 'Connections' });
  }
}
