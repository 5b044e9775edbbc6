// What esbuild builds: the extension host bundle, the agent host worker, the audit verify
// worker, the usage ledger's writer, and one browser bundle per webview. esbuild.mjs builds
// these; test/unit/bundles.unit.test.ts builds the same options in memory to hold each bundle
// to its size.

/** The most a webview's production bundle may weigh: it is parsed every time a view opens. */
export const MAX_WEBVIEW_BUNDLE_BYTES = 150 * 1024;

/**
 * The Switchboard editor's own budget: the Usage tab's charts bring uPlot (52 KB minified, 23 KB
 * gzipped), the smallest maintained canvas chart library. uPlot is one class, nothing of it
 * tree-shakes, and the webview's CSP (scripts only by nonce) loads no chunk on demand. The
 * editor is a panel opened on purpose, not a side bar view parsed with the window.
 */
export const MAX_EDITOR_BUNDLE_BYTES = 220 * 1024;

/** A webview bundle's budget by its file name. */
export function webviewBundleBudget(name) {
  return name === 'editor.js' ? MAX_EDITOR_BUNDLE_BYTES : MAX_WEBVIEW_BUNDLE_BYTES;
}

/** @param {{ production: boolean }} options */
export function bundleTargets({ production }) {
  const shared = {
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel: 'info',
    legalComments: 'none',
  };
  return {
    host: {
      ...shared,
      // The tokenizer is a bundle of its own, loaded on the first token count of an OpenAI model:
      // its tables (megabytes) stay out of what activation parses.
      entryPoints: {
        extension: 'src/vscode/extension.ts',
        agentHost: 'src/agent-host/worker.ts',
        auditVerify: 'src/core/audit/auditVerifyWorker.ts',
        ledgerWriter: 'src/core/calls/ledgerWriterWorker.ts',
        tokenizer: 'src/core/chat/openAiTokenizer.ts',
      },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      // VS Code's extension host traps every read of the global navigator and logs a
      // PendingMigrationError for it; zod reads it once to detect Cloudflare. Nothing on the
      // host or in the worker is a browser, so the bundles read it as undefined.
      define: { navigator: 'undefined' },
    },
    webviews: {
      ...shared,
      entryPoints: { connections: 'webview/connections/main.tsx', agents: 'webview/agents/main.tsx', editor: 'webview/editor/main.tsx' },
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      loader: { '.css': 'css' },
    },
  };
}
