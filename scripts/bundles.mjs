// What esbuild builds: the extension host bundle, the agent host worker and the audit verify
// worker, and one browser bundle per webview. esbuild.mjs builds these; test/unit/bundles.unit.test.ts builds the same
// options in memory to hold each bundle to its size.

/** The most a webview's production bundle may weigh: it is parsed every time a view opens. */
export const MAX_WEBVIEW_BUNDLE_BYTES = 150 * 1024;

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
