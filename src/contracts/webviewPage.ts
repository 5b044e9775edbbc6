/**
 * What the host puts in a webview's HTML besides the view's script (src/vscode/webviewHtml.ts),
 * read by webview/shared/l10nSetup.ts. Zod-free, so the webview bundles may import it at run time.
 */

/** The id of the JSON data block that carries `vscode.l10n.bundle`: the translations of VS Code's display language, absent in English. */
export const L10N_BUNDLE_ELEMENT_ID = 'switchboard-l10n';
