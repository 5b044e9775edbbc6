// Builds every target of scripts/bundles.mjs and copies the webviews' assets beside them.
// `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { bundleTargets } from './scripts/bundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const targets = Object.values(bundleTargets({ production }));

// The codicon font is referenced by the webview's CSS; ship it inside the webview root so
// localResourceRoots can stay limited to dist/webview.
async function copyAssets() {
  await mkdir('dist/webview', { recursive: true });
  await cp('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
  await cp('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
  await cp('media/webview.css', 'dist/webview/webview.css');
  await cp('media/agents.css', 'dist/webview/agents.css');
  // uPlot's own rules first, so the editor's (fonts, sizes in the Usage tab) win: one stylesheet,
  // as the CSP allows only files from dist/webview.
  const uplot = await readFile('node_modules/uplot/dist/uPlot.min.css', 'utf8');
  await writeFile('dist/webview/editor.css', `/* uPlot (MIT licence), then media/editor.css */\n${uplot}\n${await readFile('media/editor.css', 'utf8')}`);
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
