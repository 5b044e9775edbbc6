// What the screenshot scripts share: a webview page and its fake host served from the
// repository through Playwright's request routing (no server), in headless Chromium, with every
// console error, page error, CSP violation or missing file collected as a problem.
import * as esbuild from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/harness/common.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const ORIGIN = 'http://preview.test';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

/**
 * Builds `webview/dev/<fakeHost>.ts` and starts Chromium. `open(query)` loads
 * `webview/dev/<page>?query`; `shoot(page, name)` saves a full-page screenshot to `outDir`
 * (argv[2], else .test-artifacts/<outDirName>); `finish()` closes the browser and fails the
 * process when anything went wrong.
 */
export async function startPreview({ fakeHost, page: pageFile, outDirName, viewport }) {
  const outDir = resolve(process.argv[2] ?? join(root, '.test-artifacts', outDirName));
  await esbuild.build({ entryPoints: [join(root, `webview/dev/${fakeHost}.ts`)], bundle: true, format: 'iife', outfile: join(root, `dist/webview-dev/${fakeHost}.js`), logLevel: 'warning' });
  await mkdir(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? CHROMIUM, args: CHROMIUM_ARGS });
  const problems = [];

  async function open(query, { width = viewport.width, height = viewport.height } = {}) {
    const page = await browser.newPage({ viewport: { width, height } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${query}: console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${query}: page error: ${error.message}`));
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = normalize(decodeURIComponent(new URL(route.request().url()).pathname));
      const file = join(root, path);
      if (!file.startsWith(root)) return route.fulfill({ status: 403 });
      try {
        await route.fulfill({ status: 200, body: await readFile(file), headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } });
      } catch {
        problems.push(`${query}: not found: ${path}`);
        await route.fulfill({ status: 404 });
      }
    });
    await page.goto(`${ORIGIN}/webview/dev/${pageFile}?${query}`);
    return page;
  }

  async function shoot(page, name) {
    const path = join(outDir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`  ${path}`);
  }

  async function finish() {
    await browser.close();
    if (problems.length > 0) {
      console.error(`Problems:\n${problems.join('\n')}`);
      process.exitCode = 1;
    } else {
      console.log('No console errors, page errors or CSP violations.');
    }
  }

  return { open, shoot, finish, problems };
}
