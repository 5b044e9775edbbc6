import * as vscode from 'vscode';
import type { EditorTab } from '../contracts/editorView';
import type { ViewHost } from '../core/views/viewHost';
import { bridgeWebview } from './webviewBridge';
import { webviewOptions } from './webviewHtml';

export const EDITOR_VIEW_TYPE = 'switchboard.editor';

type Host = Pick<ViewHost<never, unknown>, 'handle' | 'reset' | 'pushSnapshot' | 'dispose'>;

const PAGE = { script: 'editor', title: 'Switchboard', styles: ['agents', 'editor'] };

/**
 * The Switchboard editor: one webview panel in the editor area, revealed if it is open, and
 * brought back after a reload by its serializer. Its protocol lives in a core ViewHost; this
 * only keeps one panel and bridges it (webviewBridge.ts).
 */
export class SwitchboardEditorPanel implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private host: Host | undefined;
  private requested: { tab: EditorTab; request: number } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly createHost: (post: (message: unknown) => void) => Host,
    /** Sees every message posted to the webview (Test mode keeps them for the canary check). */
    private readonly onPost?: (message: unknown) => void,
  ) {}

  /** The tab a command last asked for; the controller puts it in each snapshot. */
  requestedTab(): { tab: EditorTab; request: number } | undefined {
    return this.requested;
  }

  /** Opens the editor, or reveals the one that is open, on `tab` if one is given. */
  open(tab?: EditorTab): vscode.WebviewPanel {
    if (tab) this.requested = { tab, request: (this.requested?.request ?? 0) + 1 };
    if (this.panel) {
      this.panel.reveal();
      this.host?.pushSnapshot();
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(EDITOR_VIEW_TYPE, 'Switchboard', vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      // The audit page and filters are re-read from the host on `ready`; nothing is lost by dropping the document while hidden.
      retainContextWhenHidden: false,
    });
    // The new page opens on the tab asked for at once, not after the host's snapshot says so.
    this.attach(panel, tab && this.requested);
    return panel;
  }

  /** Whether an editor is open (tests and the integration suite). */
  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    // A second restored panel (two windows' state) is closed: there is one editor.
    if (this.panel) {
      panel.dispose();
      return;
    }
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel, opensOn?: { tab: EditorTab; request: number }): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'switchboard.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.host = undefined;
        // What a command asked of this editor: the next one opens where its own command says.
        this.requested = undefined;
      }
    });
    const page = opensOn ? { ...PAGE, opensOn: { tab: opensOn.tab, request: String(opensOn.request) } } : PAGE;
    this.host = bridgeWebview(panel, this.extensionUri, page, this.createHost, this.onPost);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
