import * as vscode from 'vscode';
import type { ViewHost } from '../core/views/viewHost';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

/** VS Code's display language and its translations, for a webview page to render in. */
export function pageLanguage(): { language: string; l10n?: Record<string, string> } {
  return { language: vscode.env.language, ...(vscode.l10n.bundle ? { l10n: vscode.l10n.bundle } : {}) };
}

/**
 * A webview view whose protocol lives in a core ViewHost: this only makes the HTML (with its
 * CSP) and bridges messages. A fresh host is made for each webview document.
 */
export class HostedWebviewView<M> implements vscode.WebviewViewProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly page: { script: string; title: string; styles?: string[] },
    private readonly createHost: (post: (message: M) => void) => Pick<ViewHost<never, unknown>, 'handle' | 'reset' | 'dispose'>,
    /** Sees every message posted to the webview (Test mode keeps them for the canary check). */
    private readonly onPost?: (message: unknown) => void,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = webviewOptions(this.extensionUri);
    const host = this.createHost((message) => {
      this.onPost?.(message);
      void view.webview.postMessage(message);
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) => host.handle(message)),
      // A hidden view loses its document; the new one says `ready` again before it gets a snapshot.
      view.onDidChangeVisibility(() => {
        if (!view.visible) host.reset();
      }),
    ];
    view.onDidDispose(() => {
      host.dispose();
      for (const subscription of subscriptions) subscription.dispose();
    });
    view.webview.html = renderWebviewHtml(view.webview, this.extensionUri, { ...this.page, ...pageLanguage() });
  }
}
