import type * as vscode from 'vscode';
import { bridgeWebview, type BridgedHost, type WebviewPage } from './webviewBridge';

/**
 * A webview view whose protocol lives in a core ViewHost: this only bridges it (webviewBridge.ts).
 * A fresh host is made for each webview document.
 */
export class HostedWebviewView<M> implements vscode.WebviewViewProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly page: WebviewPage,
    private readonly createHost: (post: (message: M) => void) => BridgedHost,
    /** Sees every message posted to the webview (Test mode keeps them for the canary check). */
    private readonly onPost?: (message: unknown) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    bridgeWebview(view, this.extensionUri, this.page, this.createHost, this.onPost);
  }
}
