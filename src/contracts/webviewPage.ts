/**
 * What the host puts in a webview's HTML besides the view's script (src/vscode/webviewHtml.ts),
 * read by webview/shared/l10nSetup.ts and the editor's App. Zod-free, so the webview bundles may import it at run time.
 */

/** The id of the JSON data block that carries `vscode.l10n.bundle`: the translations of VS Code's display language, absent in English. */
export const L10N_BUNDLE_ELEMENT_ID = 'switchboard-l10n';

/** The Switchboard editor's tabs, in their order. */
export const EDITOR_TABS = ['models', 'runs', 'chat', 'usage', 'audit'] as const;
export type EditorTab = (typeof EDITOR_TABS)[number];

/**
 * The tab a command asked the editor to open on, from the `data-tab` and `data-request` of the
 * page's body (the editor panel writes them when it opens a new page for that command); none
 * when the page names no tab, or one that is not a tab.
 */
export function requestedOnPage(data: { tab?: string; request?: string }): { tab: EditorTab; request: number } | undefined {
  const tab = EDITOR_TABS.find((name) => name === data.tab);
  const request = /^\d{1,15}$/.test(data.request ?? '') ? Number(data.request) : undefined;
  return tab && request !== undefined ? { tab, request } : undefined;
}
