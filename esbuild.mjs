// One build for every target: the extension host bundle, the agent host worker (later),
// and one browser bundle per webview. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const shared = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const targets = [
  {
    ...shared,
    entryPoints: { extension: 'src/vscode/extension.ts', agentHost: 'src/agent-host/worker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
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
];

// The codicon font is referenced by the webview's CSS; ship it inside the webview root so
// localResourceRoots can stay limited to dist/webview.
async function copyAssets() {
  await mkdir('dist/webview', { recursive: true });
  await cp('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  await cp('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
  await cp('media/webview.css', 'dist/webview/webview.css');
  await cp('media/agents.css', 'dist/webview/agents.css');
  await cp('media/editor.css', 'dist/webview/editor.css');
}

await copyAssets();
if (watch) {
  for (const options of targets) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
}
