import * as vscode from 'vscode';
import type { PageBootstrap } from '../contracts/webviewPage';
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
 * display language, passes messages both ways (each one posted, and the page's bootstrap, also
 * to `onPost`, which Test mode keeps for the canary check), resets the host when the document is hidden and disposes of
 * it when the view or panel is closed. `startFrom` reads what the new page starts from, put into
 * its HTML (PageBootstrap); the HTML is set once it is read, or without it if that fails.
 */
export function bridgeWebview<M, H extends BridgedHost>(
  surface: vscode.WebviewView | vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  page: WebviewPage,
  createHost: (post: (message: M) => void) => H,
  onPost?: (message: unknown) => void,
  startFrom?: (host: H) => Promise<PageBootstrap>,
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
  let disposed = false;
  surface.onDidDispose(() => {
    disposed = true;
    host.dispose();
    for (const subscription of subscriptions) subscription.dispose();
  });
  const setHtml = (bootstrap?: PageBootstrap) => {
    if (disposed) return;
    // What the page is written with reaches it as surely as a message: Test mode keeps it too.
    if (bootstrap) onPost?.(bootstrap);
    webview.html = renderWebviewHtml(webview, extensionUri, { ...page, ...pageLanguage(), ...(bootstrap ? { bootstrap } : {}) });
  };
  if (startFrom) void startFrom(host).then(setHtml, () => setHtml());
  else setHtml();
  return host;
}

/** VS Code's display language and its translations, for a webview page to render in. */
function pageLanguage(): { language: string; l10n?: Record<string, string> } {
  return { language: vscode.env.language, ...(vscode.l10n.bundle ? { l10n: vscode.l10n.bundle } : {}) };
}
