// `npm run bench:discovery`: what a large model registry costs. Prints figures, asserts nothing.
//
//   1. bench/discoveryRegistry.ts (run with tsx on the harness's Node 24, for node:sqlite):
//      discover and register 2,000 and 20,000 Ollama models through the real adapter and
//      ModelRegistry against the Ollama fixture, with the real SQLite database.
//   2. The Models tab with 2,000 registered models in headless Chromium (/usr/bin/chromium via
//      playwright-core), the production webview bundle and the dev fake host
//      (webview/dev/fakeHost.ts, `?scenario=many&models=2000&tab=models`), built into a temporary
//      folder so dist/ is left alone:
//        - first render: from the moment the fake host posts the snapshot (it marks
//          `switchboard-snapshot-sent`) to the first model row in the DOM and to the next frame,
//          so it includes the view's validation of the snapshot; and from navigation start;
//        - an update: a new whole snapshot with one model toggled, until its row shows it;
//        - scrolling: steps of one viewport, each until the row at the new bottom is rendered
//          (with the frames that took and any task over 50 ms); jumps to the middle and the end
//          until the row there is rendered; and how many rows the DOM holds.
//
//   SWITCHBOARD_BENCH_MODELS=N    models (default 2000)
//   SWITCHBOARD_BENCH_RUNS=N      page loads for the first render (default 5)
// Functions passed to page.evaluate / addInitScript run in the page, with its globals.
/* global window, document, performance, requestAnimationFrame, MutationObserver, PerformanceObserver, CSS */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, NODE24 } from '../scripts/harness/common.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = bounded('SWITCHBOARD_BENCH_MODELS', 2000, 1, 5000);
const RUNS = bounded('SWITCHBOARD_BENCH_RUNS', 5, 1, 50);
const VIEWPORT = { width: 400, height: 900 };
const SCROLL_STEPS = 40;

function bounded(name, fallback, min, max) {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return value;
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
  return `median ${median.toFixed(1).padStart(8)} ms   p95 ${p95.toFixed(1).padStart(8)}   max ${sorted.at(-1).toFixed(1).padStart(8)}   (n=${sorted.length})`;
}

function line(label, values) {
  process.stdout.write(`  ${label.padEnd(50)} ${stats(values)}\n`);
}

function runRegistryPart() {
  return new Promise((resolve, reject) => {
    const child = spawn(existsSync(NODE24) ? NODE24 : process.execPath, ['--import', 'tsx', path.join('bench', 'discoveryRegistry.ts')], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench/discoveryRegistry.ts exited with ${code}`))));
  });
}

/** The production webview bundle, the fake host and the CSS, in a temporary folder. */
async function buildPreview(dir) {
  await mkdir(path.join(dir, 'webview'), { recursive: true });
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'silent', platform: 'browser', target: 'es2022' };
  await esbuild.build({
    ...common,
    entryPoints: { connections: path.join(REPO, 'webview/connections/main.tsx') },
    outdir: path.join(dir, 'webview'),
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
  });
  await esbuild.build({ ...common, entryPoints: [path.join(REPO, 'webview/dev/fakeHost.ts')], outfile: path.join(dir, 'fakeHost.js'), format: 'iife' });
  await copyFile(path.join(REPO, 'node_modules/@vscode/codicons/dist/codicon.css'), path.join(dir, 'webview/codicon.css'));
  await copyFile(path.join(REPO, 'node_modules/@vscode/codicons/dist/codicon.ttf'), path.join(dir, 'webview/codicon.ttf'));
  await copyFile(path.join(REPO, 'media/webview.css'), path.join(dir, 'webview/webview.css'));
}

/** Serves webview/dev/preview.html with its absolute paths mapped onto the temporary build. */
async function serve(dir) {
  const routes = new Map([
    ['/webview/dev/preview.html', path.join(REPO, 'webview/dev/preview.html')],
    ['/webview/dev/theme-dark.css', path.join(REPO, 'webview/dev/theme-dark.css')],
    ['/dist/webview-dev/fakeHost.js', path.join(dir, 'fakeHost.js')],
  ]);
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };
  const server = http.createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = routes.get(pathname) ?? (pathname.startsWith('/dist/webview/') ? path.join(dir, 'webview', path.basename(pathname)) : undefined);
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/webview/dev/preview.html` };
}

/** Runs in the page before anything else: notes when the first model row lands and the frame after. */
function watchFirstRow() {
  window.__bench = {};
  new MutationObserver((_records, observer) => {
    if (document.querySelector('[data-testid="model-row"]')) {
      observer.disconnect();
      window.__bench.firstRow = performance.now();
      requestAnimationFrame(() => setTimeout(() => (window.__bench.painted = performance.now()), 0));
    }
  }).observe(document, { childList: true, subtree: true });
}

async function firstRender(browser, url) {
  const fromSnapshot = [];
  const painted = [];
  const fromNavigation = [];
  let rendered = 0;
  for (let run = 0; run <= RUNS; run++) {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.addInitScript(watchFirstRow);
    await page.goto(url);
    await page.waitForFunction(() => window.__bench.painted !== undefined, undefined, { timeout: 60_000 });
    const figures = await page.evaluate(() => {
      const sent = performance.getEntriesByName('switchboard-snapshot-sent').at(-1).startTime;
      return { sent, ...window.__bench, rows: document.querySelectorAll('[data-testid="model-row"]').length };
    });
    rendered = figures.rows;
    if (run > 0) {
      // The first load warms the browser's caches; it is not counted.
      fromSnapshot.push(figures.firstRow - figures.sent);
      painted.push(figures.painted - figures.sent);
      fromNavigation.push(figures.painted);
    }
    await page.close();
  }
  return { fromSnapshot, painted, fromNavigation, rendered };
}

async function updatesAndScrolling(browser, url) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(url);
  await page.locator('[data-testid="model-row"]').first().waitFor({ timeout: 60_000 });

  const updates = [];
  for (let i = 0; i < 10; i++) {
    updates.push(
      await page.evaluate(async (index) => {
        const host = window.switchboardFakeHost;
        const model = host.snapshot.models[index];
        model.enabled = !model.enabled;
        const want = String(model.enabled);
        const started = performance.now();
        host.sendSnapshot();
        const row = () => document.querySelector(`[data-testid="model-row"][data-model-id="${CSS.escape(model.providerModelId)}"]`);
        while (row()?.getAttribute('data-enabled') !== want) await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now() - started;
      }, i),
    );
  }

  const steps = await page.evaluate(async (count) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const list = document.querySelector('[data-testid="model-list"]');
    const rowHeight = list.querySelector('.virtual-row').getBoundingClientRect().height;
    let longTasks = 0;
    const observer = new PerformanceObserver((entries) => (longTasks += entries.getEntries().length));
    observer.observe({ type: 'longtask' });
    const times = [];
    let maxRows = 0;
    let frames = 0;
    for (let i = 0; i < count; i++) {
      await frame();
      const started = performance.now();
      window.scrollBy(0, window.innerHeight);
      // The row now at the bottom of the viewport: rendered only once the window has moved.
      const bottom = Math.floor((window.innerHeight - list.getBoundingClientRect().top) / rowHeight) - 1;
      do {
        await frame();
        frames++;
      } while (!list.querySelector(`[data-index="${bottom}"]`));
      times.push(performance.now() - started);
      maxRows = Math.max(maxRows, document.querySelectorAll('[data-testid="model-row"]').length);
    }
    observer.disconnect();
    return { times, maxRows, frames, longTasks };
  }, SCROLL_STEPS);

  const jumps = await page.evaluate(async () => {
    const list = document.querySelector('[data-testid="model-list"]');
    const rowHeight = list.querySelector('.virtual-row').getBoundingClientRect().height;
    const count = Number(list.querySelector('.virtual-row').getAttribute('aria-setsize'));
    const jump = async (index) => {
      const listTop = list.getBoundingClientRect().top + window.scrollY;
      const started = performance.now();
      window.scrollTo(0, listTop + index * rowHeight);
      while (!list.querySelector(`[data-index="${index}"]`)) await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      return performance.now() - started;
    };
    const times = [];
    for (const index of [Math.floor(count / 2), count - 1, 0, Math.floor(count / 3), count - 1]) times.push(await jump(index));
    return times;
  });
  await page.close();
  return { updates, steps, jumps };
}

async function main() {
  await runRegistryPart();

  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-discovery-'));
  let server;
  let browser;
  try {
    await buildPreview(dir);
    const served = await serve(dir);
    server = served.server;
    const url = `${served.url}?scenario=many&models=${MODELS}&tab=models`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const first = await firstRender(browser, url);
    const later = await updatesAndScrolling(browser, url);

    process.stdout.write(`\nModels tab with ${MODELS.toLocaleString('en')} models (headless Chromium ${browser.version()}, ${VIEWPORT.width}×${VIEWPORT.height}, production bundle, fake host)\n`);
    line('first render: snapshot posted → first row in DOM', first.fromSnapshot);
    line('first render: snapshot posted → next frame', first.painted);
    line('first render: navigation start → next frame', first.fromNavigation);
    line('update: a new whole snapshot → row shows it', later.updates);
    line('scroll one viewport → its bottom row rendered', later.steps.times);
    process.stdout.write(`  (${(later.steps.frames / later.steps.times.length).toFixed(2)} frames per scroll step; ${later.steps.longTasks} tasks over 50 ms while scrolling)\n`);
    line('jump (middle, end, top, third, end) → row there', later.jumps);
    process.stdout.write(`  rows in the DOM: ${first.rendered} after the first render, at most ${later.steps.maxRows} while scrolling (of ${MODELS.toLocaleString('en')})\n`);
  } finally {
    await browser?.close();
    server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:discovery: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
