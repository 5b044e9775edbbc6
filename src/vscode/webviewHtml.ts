import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
// Types only: the URIs are built with Uri#with, so this module runs (and is unit-tested) without VS Code.
import type * as vscode from 'vscode';
import { L10N_BUNDLE_ELEMENT_ID } from '../contracts/webviewPage';

/** The built webview folder: the only place a webview may load from. */
const WEBVIEW_ROOT = ['dist', 'webview'] as const;

/** A `data-` attribute's name after the prefix, as the dataset reads it back unchanged. */
const DATA_NAME = /^[a-z][a-z0-9]{0,31}$/;

/** A bundle name as esbuild.mjs writes it (`connections` → dist/webview/connections.js). */
const SCRIPT_NAME = /^[a-z][a-zA-Z0-9-]{0,63}$/;

function webviewFile(extensionUri: vscode.Uri, ...segments: string[]): vscode.Uri {
  return extensionUri.with({ path: posix.join(extensionUri.path, ...WEBVIEW_ROOT, ...segments) });
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Webview options for a Switchboard view: scripts on, resources only from dist/webview. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [webviewFile(extensionUri)],
  };
}

/**
 * The translations as a JSON data block. It is not a script (the browser never runs
 * `application/json`), so the CSP needs no exception; `<`, `>` and `&` are escaped inside the
 * JSON strings so no message can close the element.
 */
function l10nDataBlock(bundle: Readonly<Record<string, string>>): string {
  const json = JSON.stringify(bundle).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return `  <script type="application/json" id="${L10N_BUNDLE_ELEMENT_ID}">${json}</script>\n`;
}

/**
 * The HTML of a Switchboard webview: a strict CSP (no inline script or style, scripts only with
 * this page's nonce), the theme CSS and codicons from dist/webview, and the view's bundle as a
 * module. It carries no state but what it opens on: the view says `ready` and the host answers with a snapshot.
 * `l10n` is `vscode.l10n.bundle`, the translations of the display language (undefined in
 * English); the view hands it to `@vscode/l10n` before it renders.
 */
export function renderWebviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  options: {
    script: string;
    title: string;
    /** The view's own stylesheets in dist/webview, after the shared one. */
    styles?: string[];
    l10n?: Readonly<Record<string, string>>;
    /** `vscode.env.language`, so screen readers read the page in its language. */
    language?: string;
    /**
     * What the page opens on, as `data-` attributes of its body (the editor's tab a command
     * asked for), so the view need not wait for the host's snapshot to know it.
     */
    opensOn?: Readonly<Record<string, string>>;
  },
): string {
  if (!SCRIPT_NAME.test(options.script)) {
    throw new Error(`Not a webview bundle name: "${options.script}".`);
  }
  const opensOn = Object.entries(options.opensOn ?? {});
  for (const [name] of opensOn) {
    if (!DATA_NAME.test(name)) throw new Error(`Not a data attribute name: "${name}".`);
  }
  const styles = options.styles ?? [];
  for (const style of styles) {
    if (!SCRIPT_NAME.test(style)) throw new Error(`Not a webview stylesheet name: "${style}".`);
  }
  // crypto, not Math.random: the nonce is what keeps injected scripts from running.
  const nonce = randomBytes(16).toString('base64');
  const source = webview.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${source}`,
    `font-src ${source}`,
    `style-src ${source}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const uri = (file: string) => escapeHtml(webview.asWebviewUri(webviewFile(extensionUri, file)).toString());

  // vscode-elements' <vscode-icon> finds the codicon stylesheet by this id and links it into
  // its shadow root.
  return `<!DOCTYPE html>
<html lang="${escapeHtml(options.language ?? 'en')}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${uri('codicon.css')}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${uri('webview.css')}">
${styles.map((style) => `  <link rel="stylesheet" href="${uri(`${style}.css`)}">\n`).join('')}  <title>${escapeHtml(options.title)}</title>
</head>
<body${opensOn.map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`).join('')}>
  <div id="root"></div>
${options.l10n ? l10nDataBlock(options.l10n) : ''}  <script type="module" nonce="${escapeHtml(nonce)}" src="${uri(`${options.script}.js`)}"></script>
</body>
</html>
`;
}
