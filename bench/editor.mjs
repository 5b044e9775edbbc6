// `npm run bench:editor`: the Switchboard editor with 2,000 registered models, 10,000 runs and
// 10,000 audit entries, in the REAL packaged extension (dist/switchboard.vsix in code-server,
// headless Chromium), as test/e2e/editorScale.e2e.test.ts sets it up: a connection added in the
// Connections view, then the volume written into the extension's own switchboard.sqlite through
// the product's stores (test/fixtures/seedVolume.ts). Prints figures, asserts nothing.
//
// Measured in the editor's document (performance.now, MutationObserver), for each tab:
//   - first rows after opening: from the webview document's start (its navigation) to the
//     tab's first row in the DOM; the editor is closed and opened again each time (all three
//     tabs load at once, so each opening gives a figure for each tab). Includes the bundle's
//     start, the snapshot (every model), the host's first page and the render.
//   - a filter: from typing a value into the tab's filter field (an input event) to the tab's
//     count showing the result: the Models tab filters in the view, Runs and Audit on the host
//     (a request, a SQL page and its reply). The value and then an empty filter, in turn.
//
//   SWITCHBOARD_BENCH_OPENINGS=N  openings of the editor (default 8, after one not counted)
//   SWITCHBOARD_BENCH_FILTERS=N   filter changes per tab (default 20)
// Functions passed to evaluate / addInitScript run in the page, with its globals.
/* global window, document, performance, MutationObserver, Event */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserEnv } from '../scripts/harness/browser.mjs';
import { installVsix, startCodeServer, workbenchUrl } from '../scripts/harness/codeServer.mjs';
import { CHROMIUM, CHROMIUM_ARGS, HarnessError, NODE24, REPO, installCleanupHandlers, log, newRunDir, runOrThrow } from '../scripts/harness/common.mjs';
import { startFixtures } from '../scripts/harness/fixtures.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

const OPENINGS = bounded('SWITCHBOARD_BENCH_OPENINGS', 8, 1, 100);
const FILTERS = bounded('SWITCHBOARD_BENCH_FILTERS', 20, 2, 500);

/** Each tab: its first row, its filter field, the value typed, and the line whose text shows the result. */
const TABS = [
  { id: 'models', label: 'Models', row: 'models-row', field: 'models-filter-text', value: 'gemma', result: 'models-summary' },
  { id: 'runs', label: 'Runs', row: 'runs-row', field: 'runs-filter-text', value: 'took too long', result: 'runs-page-label' },
  { id: 'audit', label: 'Audit', row: 'audit-row', field: 'audit-filter-requester', value: 'code chat', result: 'audit-page-label' },
];

function bounded(name, fallback, min, max) {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return value;
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
  return { p50: at(0.5), p95: at(0.95), n: sorted.length };
}

/** Runs in every frame from its start: notes when each tab's first row lands (only the editor has them). */
function watchFirstRows(rows) {
  const marks = {};
  window.__editorBench = marks;
  const observer = new MutationObserver(() => {
    for (const [tab, testId] of Object.entries(rows)) {
      if (marks[tab] === undefined && document.querySelector(`[data-testid="${testId}"]`)) marks[tab] = performance.now();
    }
    if (Object.keys(marks).length === Object.keys(rows).length) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** In the editor's document: types `value` into the field and resolves with the ms until the result line changes. */
async function timeFilter({ field, value, result }) {
  const input = document.querySelector(`[data-testid="${field}"]`);
  const line = document.querySelector(`[data-testid="${result}"]`);
  const before = line.textContent;
  let started = 0;
  const changed = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const text = line.textContent;
      if (text !== before && !text.startsWith('Loading')) {
        observer.disconnect();
        resolve(performance.now() - started);
      }
    });
    observer.observe(line, { childList: true, characterData: true, subtree: true });
  });
  started = performance.now();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  return changed;
}

async function main() {
  installCleanupHandlers();
  await ensureHarness();
  log('bench: packaging the extension (npm run package)');
  await runOrThrow('npm run package', 'npm', ['run', 'package'], { quiet: true });
  const runDir = newRunDir('bench-editor');
  const extensionsDir = path.join(runDir, 'extensions');
  installVsix({ dataDir: runDir, extensionsDir, vsix: path.join(REPO, 'dist', 'switchboard.vsix') });
  const fixtures = await startFixtures(['ollama']);
  const dataDir = path.join(runDir, 'editor');
  const server = await startCodeServer({ dataDir, workspace: path.join(dataDir, 'workspace'), extensionsDir, smokeTestDriver: false });
  let session;
  try {
    const artifacts = path.join(dataDir, 'screenshots');
    mkdirSync(artifacts, { recursive: true });
    // What the e2e helpers read (scripts/harness/e2e.mjs sets the same for a journey).
    Object.assign(process.env, browserEnv(dataDir), fixtures.env, {
      SWITCHBOARD_E2E_URL: workbenchUrl(server),
      SWITCHBOARD_E2E_ARTIFACTS: artifacts,
      SWITCHBOARD_E2E_LOGS_DIR: server.logsDir,
      SWITCHBOARD_E2E_USER_DATA_DIR: server.userDataDir,
      SWITCHBOARD_E2E_NODE24: NODE24,
      SWITCHBOARD_E2E_CHROMIUM: CHROMIUM,
      SWITCHBOARD_E2E_CHROMIUM_ARGS: JSON.stringify(CHROMIUM_ARGS),
    });
    const { openWorkbench, runCommand } = await import('../test/e2e/helpers/workbench.ts');
    const { editorWebview } = await import('../test/e2e/helpers/webviews.ts');
    const { seedEditorVolume } = await import('../test/e2e/helpers/editorVolume.ts');

    session = await openWorkbench('bench-editor');
    const { page } = session;
    log('bench: adding a connection and seeding 2,000 models, 10,000 runs and 10,000 audit entries');
    const volume = await seedEditorVolume(page, 'Bench Ollama');
    await page.addInitScript(watchFirstRows, Object.fromEntries(TABS.map((tab) => [tab.id, tab.row])));

    const opened = Object.fromEntries(TABS.map((tab) => [tab.id, []]));
    let frame;
    for (let opening = 0; opening <= OPENINGS; opening++) {
      if (opening > 0) {
        await runCommand(page, 'View: Close All Editors');
        await page.locator('iframe.webview.ready').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
      }
      await runCommand(page, 'Switchboard: Open Switchboard');
      frame = await (await editorWebview(page)).frame();
      await frame.waitForFunction((count) => Object.keys(window.__editorBench ?? {}).length === count, TABS.length, { timeout: 60_000 });
      const marks = await frame.evaluate(() => window.__editorBench);
      // The first opening warms code-server's and the browser's caches; it is not counted.
      if (opening > 0) for (const tab of TABS) opened[tab.id].push(marks[tab.id]);
    }

    const filtered = Object.fromEntries(TABS.map((tab) => [tab.id, []]));
    for (const tab of TABS) {
      await frame.locator(`[data-testid="tab-${tab.id}"]`).click();
      await frame.locator(`[data-testid="${tab.row}"]`).first().waitFor({ timeout: 30_000 });
      for (let i = 0; i < FILTERS; i++) {
        filtered[tab.id].push(await frame.evaluate(timeFilter, { field: tab.field, value: i % 2 ? '' : tab.value, result: tab.result }));
      }
    }
    await session.screenshot('after');

    const cell = (values) => {
      const { p50, p95, n } = percentiles(values);
      return `${p50.toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)}  (n=${n})`.padEnd(30);
    };
    const sizes = { models: `${volume.models.toLocaleString('en')} models`, runs: `${volume.runs.toLocaleString('en')} runs`, audit: `${volume.auditTotal.toLocaleString('en')} entries` };
    const out = [
      `\nThe Switchboard editor in code-server (packaged extension, headless Chromium ${session.browser.version()}), ms\n`,
      `  ${'tab'.padEnd(24)} ${'first rows after opening'.padEnd(30)} ${'a filter shows its result'.padEnd(30)}\n`,
      `  ${''.padEnd(24)} ${'    p50     p95'.padEnd(30)} ${'    p50     p95'.padEnd(30)}\n`,
    ];
    for (const tab of TABS) out.push(`  ${`${tab.label} (${sizes[tab.id]})`.padEnd(24)} ${cell(opened[tab.id])} ${cell(filtered[tab.id])}\n`);
    out.push('  targets: first rows < 150 ms, a filter < 50 ms\n');
    out.push(`  (openings from the webview document's start; filters: "${TABS.map((tab) => `${tab.label}: ${tab.value}`).join('", "')}" and empty, in turn)\n`);
    process.stdout.write(out.join(''));
  } finally {
    await session?.close().catch(() => undefined);
    await server.stop();
    await fixtures.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`[harness] bench:editor: ${error instanceof HarnessError ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
