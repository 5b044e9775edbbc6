import * as vscode from 'vscode';
import type { ViewHost } from '../core/views/viewHost';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';

/** What the bridge uses of a core ViewHost. */
export type BridgedHost = Pick<ViewHost<never, unknown>, 'handle' | 'reset' | 'dispose'>;

/** The page a webview shows: its bundle in dist/webview, its title and its own stylesheets. */
export interface WebviewPage {
  script: string;
  title: string;
  styles?: string[];
  /** What the page opens on (see renderWebviewHtml). */
  opensOn?: Readonly<Record<string, string>>;
}

/**
 * Bridges one webview document, in a sidebar view or an editor panel, to a fresh core ViewHost
 * that owns its protocol: sets the webview's options and its HTML (with its CSP) in VS Code's
 * display language, passes messages both ways (each one posted also to `onPost`, which Test
 * mode keeps for the canary check), resets the host when the document is hidden and disposes of
 * it when the view or panel is closed.
 */
export function bridgeWebview<M, H extends BridgedHost>(
  surface: vscode.WebviewView | vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  page: WebviewPage,
  createHost: (post: (message: M) => void) => H,
  onPost?: (message: unknown) => void,
): H {
  const { webview } = surface;
  webview.options = webviewOptions(extensionUri);
  const host = createHost((message) => {
    onPost?.(message);
    void webview.postMessage(message);
  });
  const onDidChangeVisible = 'onDidChangeViewState' in surface ? surface.onDidChangeViewState : surface.onDidChangeVisibility;
  const subscriptions = [
    webview.onDidReceiveMessage((message: unknown) => host.handle(message)),
    // A hidden webview loses its document; the new one says `ready` again before it gets a snapshot.
    onDidChangeVisible(() => {
      if (!surface.visible) host.reset();
    }),
  ];
  surface.onDidDispose(() => {
    host.dispose();
    for (const subscription of subscriptions) subscription.dispose();
  });
  webview.html = renderWebviewHtml(webview, extensionUri, { ...page, ...pageLanguage() });
  return host;
}

/** VS Code's display language and its translations, for a webview page to render in. */
function pageLanguage(): { language: string; l10n?: Record<string, string> } {
  return { language: vscode.env.language, ...(vscode.l10n.bundle ? { l10n: vscode.l10n.bundle } : {}) };
}
