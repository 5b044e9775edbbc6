import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { renderWebviewHtml, webviewOptions } from '../../src/vscode/webviewHtml';

/** The part of vscode.Uri that webviewHtml uses; a real Uri behaves the same way. */
class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  with(change: { path?: string }): FakeUri {
    return new FakeUri(this.scheme, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

const extensionUri = new FakeUri('file', '/ext') as unknown as vscode.Uri;
const webview = {
  cspSource: 'https://*.vscode-cdn.net',
  asWebviewUri: (uri: FakeUri) => new FakeUri('https', `/webview${uri.path}`),
} as unknown as vscode.Webview;

function csp(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the page has a CSP meta tag');
  return match[1]!.replace(/&#39;/g, "'");
}

describe('webview HTML', () => {
  const html = renderWebviewHtml(webview, extensionUri, { script: 'connections', title: 'Connections' });

  it('has a strict CSP: nothing by default, styles, fonts and images from the extension, scripts only with the nonce', () => {
    const nonce = /<script type="module" nonce="([^"]+)"/.exec(html)?.[1];
    assert.ok(nonce);
    assert.equal(
      csp(html),
      `default-src 'none'; img-src https://*.vscode-cdn.net; font-src https://*.vscode-cdn.net; style-src https://*.vscode-cdn.net; script-src 'nonce-${nonce}'`,
    );
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
  });

  it('uses a fresh 128-bit nonce for every page', () => {
    const nonces = new Set(
      Array.from({ length: 20 }, () => /nonce="([^"]+)"/.exec(renderWebviewHtml(webview, extensionUri, { script: 'connections', title: 'x' }))![1]),
    );
    assert.equal(nonces.size, 20);
    for (const nonce of nonces) assert.equal(Buffer.from(nonce!, 'base64').length, 16);
  });

  it('loads the bundle as a module, the theme CSS and the codicons from dist/webview', () => {
    assert.match(html, /<script type="module" nonce="[^"]+" src="https:\/\/\/webview\/ext\/dist\/webview\/connections\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/\/webview\/ext\/dist\/webview\/webview\.css">/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/\/webview\/ext\/dist\/webview\/codicon\.css" id="vscode-codicon-stylesheet">/);
  });

  it('has no inline script or style and carries no state', () => {
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.doesNotMatch(html, /<style|style=/);
    assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/);
  });

  it('says what the page opens on in data attributes of its body, escaped, and refuses a name the dataset would not read back', () => {
    assert.match(html, /<body>/, 'nothing when it opens on nothing in particular');
    const page = renderWebviewHtml(webview, extensionUri, { script: 'editor', title: 'x', opensOn: { tab: 'audit', request: '"><script>' } });
    assert.match(page, /<body data-tab="audit" data-request="&quot;&gt;&lt;script&gt;">/);
    assert.equal(page.match(/<script/g)?.length, 1);
    assert.throws(() => renderWebviewHtml(webview, extensionUri, { script: 'editor', title: 'x', opensOn: { 'tab-name': 'audit' } }), /data attribute name/);
    assert.throws(() => renderWebviewHtml(webview, extensionUri, { script: 'editor', title: 'x', opensOn: { 'x onload': '1' } }), /data attribute name/);
  });

  it('escapes the title', () => {
    const page = renderWebviewHtml(webview, extensionUri, { script: 'connections', title: '<img src=x onerror=alert(1)>' });
    assert.match(page, /<title>&lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  });

  it('refuses a script name that is not a bundle name', () => {
    assert.throws(() => renderWebviewHtml(webview, extensionUri, { script: '../extension', title: 'x' }), /bundle name/);
    assert.throws(() => renderWebviewHtml(webview, extensionUri, { script: 'a"b', title: 'x' }), /bundle name/);
  });

  it("links a view's own stylesheets after the shared one, and refuses a name that is not a file name", () => {
    const page = renderWebviewHtml(webview, extensionUri, { script: 'agents', title: 'Agents', styles: ['agents'] });
    assert.match(page, /webview\.css">\n {2}<link rel="stylesheet" href="https:\/\/\/webview\/ext\/dist\/webview\/agents\.css">/);
    assert.throws(() => renderWebviewHtml(webview, extensionUri, { script: 'agents', title: 'x', styles: ['../secrets'] }), /stylesheet name/);
  });

  it('in English carries no translations and says lang="en"', () => {
    assert.match(html, /<html lang="en">/);
    assert.doesNotMatch(html, /application\/json/);
  });

  it("hands the display language's translations to the view in a JSON data block the CSP need not allow, which no message can close", () => {
    const bundle = { 'Create Agent': 'Agent erstellen', '</script><script>alert(1)</script>': '</script><img src=x onerror=alert(1)> & more' };
    const page = renderWebviewHtml(webview, extensionUri, { script: 'agents', title: 'Agents', l10n: bundle, language: 'de' });
    assert.match(page, /<html lang="de">/);
    const block = /<script type="application\/json" id="switchboard-l10n">([^<]*)<\/script>/.exec(page);
    assert.ok(block, 'one data block, with no < inside it');
    assert.deepEqual(JSON.parse(block[1]!), bundle);
    // The block is data, not code: the only script that runs is still the nonce'd module.
    assert.equal(page.match(/<script type="module"/g)?.length, 1);
    assert.equal(page.match(/<script/g)?.length, 2);
  });

  it('enables scripts and limits local resources to dist/webview', () => {
    const options = webviewOptions(extensionUri);
    assert.equal(options.enableScripts, true);
    assert.deepEqual(
      options.localResourceRoots?.map((uri) => uri.toString()),
      ['file:///ext/dist/webview'],
    );
  });
});
