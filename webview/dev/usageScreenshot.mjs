// Renders the Switchboard editor's Usage tab against its fake host (editorFakeHost.ts) in
// headless Chromium and saves screenshots of each state, failing on any console error, CSP
// violation, or a chart that is not drawn. No server: the page is served from the repository
// through Playwright's request routing.
//
//   npm run build && node webview/dev/usageScreenshot.mjs [outDir]
//
// Screenshots go to .test-artifacts/usage-preview unless outDir is given.
/* global document, performance -- used inside page.evaluate, which runs in the page */
import * as esbuild from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/harness/common.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const outDir = resolve(process.argv[2] ?? join(root, '.test-artifacts', 'usage-preview'));
const ORIGIN = 'http://preview.test';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

await esbuild.build({ entryPoints: [join(root, 'webview/dev/editorFakeHost.ts')], bundle: true, format: 'iife', outfile: join(root, 'dist/webview-dev/editorFakeHost.js'), logLevel: 'warning' });
await mkdir(outDir, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? CHROMIUM, args: CHROMIUM_ARGS });
const problems = [];

async function open(query, { width = 1100, height = 900 } = {}) {
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
  await page.goto(`${ORIGIN}/webview/dev/editorPreview.html?${query}`);
  await page.evaluate(() => document.fonts.ready);
  return page;
}

async function shoot(page, name) {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  ${path}`);
}

console.log('Usage tab screenshots:');
{
  const page = await open('scenario=sample&tab=usage');
  await page.locator('[data-testid="usage-chart"][data-drawn="true"]').waitFor();
  const measure = await page.evaluate(() => performance.getEntriesByName('switchboard-usage-first-chart').map((entry) => entry.duration));
  console.log(`  first chart drawn ${measure.map((ms) => ms.toFixed(1)).join(', ')} ms after the report arrived (the dev host answers after 200 ms)`);
  await shoot(page, 'sample-cost-by-connection');
  await page.locator('[data-testid="usage-metric"]').selectOption('tokens');
  await page.locator('[data-testid="usage-group"]').selectOption('requester');
  await page.locator('[data-testid="usage-period"]').selectOption('week');
  await page.locator('[data-testid="usage-range"]').selectOption('last90');
  await page.locator('[data-testid="usage-periods-table"] th', { hasText: 'Week of' }).first().waitFor();
  await shoot(page, 'tokens-by-requester-weekly');
  await page.setViewportSize({ width: 640, height: 900 });
  await page.waitForTimeout(200);
  await shoot(page, 'narrow');

  await page.locator('[data-testid="budget-add"]').click();
  await page.locator('[data-testid="budget-form"]').waitFor();
  await page.locator('[data-testid="budget-amount"] input').fill('-3');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="budget-error-amount"]').waitFor();
  await shoot(page, 'budget-form-invalid');
  await page.close();
}
{
  // The largest chart a report makes: a year of days, twelve groups (the host sums 100,000 calls; here the dev host does).
  const page = await open('scenario=volume&tab=usage');
  await page.locator('[data-testid="usage-chart"][data-drawn="true"]').waitFor();
  await page.locator('[data-testid="usage-group"]').selectOption('model');
  await page.locator('[data-testid="usage-range"]').selectOption('last12Months');
  await page.locator('[data-testid="usage-periods-table"] [data-testid="usage-period-row"]').nth(330).waitFor();
  await page.locator('[data-testid="usage-chart"][data-drawn="true"]').waitFor();
  const measures = await page.evaluate(() => performance.getEntriesByName('switchboard-usage-first-chart').map((entry) => entry.duration));
  console.log(`  a year of days by 12 models: first chart drawn ${measures.at(-1)?.toFixed(1)} ms after the report arrived (the table of periods follows it)`);
  await shoot(page, 'volume-year-by-model');
  await page.close();
}
{
  const page = await open('scenario=empty&tab=usage');
  await page.locator('[data-testid="usage-empty"]').waitFor();
  await shoot(page, 'empty');
  await page.close();
}

await browser.close();
if (problems.length > 0) {
  console.error(`Problems:\n${problems.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('No console errors, page errors or CSP violations.');
}
