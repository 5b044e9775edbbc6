// `npm run bench:editor`: the Switchboard editor with 2,000 registered models, 10,000 runs and
// 10,000 audit entries, in the REAL packaged extension (dist/switchboard.vsix in code-server,
// headless Chromium), as test/e2e/editorScale.e2e.test.ts sets it up: a connection added in the
// Connections view, then the volume written into the extension's own switchboard.sqlite through
// the product's stores (test/fixtures/seedVolume.ts). Prints figures, asserts nothing.
//
// Measured in the editor's document (performance.now, MutationObserver), for each tab:
//   - first rows: the Models tab from the webview's creation (its host frame's start) by Open
//     Switchboard, which opens on it; the Audit tab from its creation by Show Audit Log; the Runs
//     tab from the click that first shows it (a tab is drawn when it is first shown). The editor
//     is closed and opened again each time. Includes the webview's start, the bundle's, the
//     host's first page and the render.
//   - a filter: from typing a value into the tab's filter field (an input event) to the tab's
//     count showing the result: each is filtered on the host (a request, a page and its reply).
//     The value and then an empty filter, in turn.
//
//   SWITCHBOARD_BENCH_OPENINGS=N  openings of the editor (default 8, after one not counted)
//   SWITCHBOARD_BENCH_FILTERS=N   filter changes per tab (default 20)
// Functions passed to evaluate / addInitScript run in the page, with its globals.
/* global window, document, performance, MutationObserver, Event, requestAnimationFrame */
import { log, runAsScript } from '../scripts/harness/common.mjs';
import { withPackagedEditor } from './packagedEditor.mjs';
import { bounded, p50p95, table } from './figures.ts';

const OPENINGS = bounded('SWITCHBOARD_BENCH_OPENINGS', 8, 1, 100);
const FILTERS = bounded('SWITCHBOARD_BENCH_FILTERS', 20, 2, 500);

/** Each tab: its first row, its filter field, the value typed, and the line whose text shows the result. */
const TABS = [
  { id: 'models', label: 'Models', row: 'models-row', field: 'models-filter-text', value: 'gemma', result: 'models-summary' },
  { id: 'runs', label: 'Runs', row: 'runs-row', field: 'runs-filter-text', value: 'took too long', result: 'runs-page-label' },
  { id: 'audit', label: 'Audit', row: 'audit-row', field: 'audit-filter-requester', value: 'code chat', result: 'audit-page-label' },
];

/**
 * Runs in every frame from its start. In a webview's outer frame (VS Code's webview host) it
 * watches each document the host writes into its inner frame, and notes when each tab's first
 * row lands there, on the outer frame's clock: from the webview's creation. (The inner document
 * is written by the host, not navigated to, so a script cannot be put into it from the start.)
 */
function watchFirstRows(rows) {
  if (window.top === window) return;
  const marks = {};
  window.__editorBench = marks;
  const watched = new WeakSet();
  const check = (doc) => {
    // The editor's document written into the frame: what VS Code's webview start costs before ours.
    if (marks.written === undefined && doc.querySelector('script[src*="editor.js"]')) marks.written = performance.now();
    // The tabs are drawn as the view starts, while the host's first snapshot is on its way (before
    // 2026-12-07, once it was in: the view's start and that round trip).
    if (marks.tabs === undefined && doc.querySelector('[data-testid="tab-runs"]')) marks.tabs = performance.now();
    for (const [tab, testId] of Object.entries(rows)) {
      if (marks[tab] === undefined && doc.querySelector(`[data-testid="${testId}"]`)) marks[tab] = performance.now();
    }
  };
  const watchInnerDocuments = () => {
    for (const frame of document.querySelectorAll('iframe')) {
      let doc;
      try {
        doc = frame.contentDocument;
      } catch {
        continue;
      }
      const root = doc?.documentElement;
      if (!root || watched.has(root)) continue;
      watched.add(root);
      new MutationObserver(() => check(doc)).observe(doc, { childList: true, subtree: true });
      check(doc);
    }
    if (Object.keys(rows).some((tab) => marks[tab] === undefined)) requestAnimationFrame(watchInnerDocuments);
  };
  watchInnerDocuments();
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
  await withPackagedEditor('bench-editor', async () => {
    let session;
    try {
      const { openWorkbench, runCommand } = await import('../test/e2e/helpers/workbench.ts');
      const { editorWebview } = await import('../test/e2e/helpers/webviews.ts');
      const { seedEditorVolume } = await import('../test/e2e/helpers/editorVolume.ts');

      session = await openWorkbench('bench-editor');
      const { page } = session;
      log('bench: adding a connection and seeding 2,000 models, 10,000 runs and 10,000 audit entries');
      const volume = await seedEditorVolume(page, 'Bench Ollama');
      await page.addInitScript(watchFirstRows, Object.fromEntries(TABS.map((tab) => [tab.id, tab.row])));

      const opened = Object.fromEntries(TABS.map((tab) => [tab.id, []]));
      const written = [];
      const tabsDrawn = [];
      let frame;
      let webview;
      /** Opens the editor with `command` and waits for the first rows of `tab`; the marks of that opening. */
      const open = async (command, tab) => {
        if (webview) {
          await runCommand(page, 'View: Close All Editors');
          await page.locator(`iframe.webview[name="${webview.name}"]`).waitFor({ state: 'detached', timeout: 30_000 });
        }
        await runCommand(page, command);
        webview = await editorWebview(page);
        frame = await webview.frame();
        const host = frame.parentFrame();
        await host.waitForFunction((id) => window.__editorBench?.[id] !== undefined, tab, { timeout: 60_000 });
        return { host, marks: await host.evaluate(() => ({ ...window.__editorBench, origin: performance.timeOrigin })) };
      };
      for (let opening = 0; opening <= OPENINGS; opening++) {
        // The editor opens on its Models tab: from the webview's creation to its first rows.
        const { host, marks } = await open('Switchboard: Open Switchboard', 'models');
        // The Runs tab is drawn when first shown: from the click on it to its first rows.
        const clicked = await frame.evaluate(() => {
          const at = performance.timeOrigin + performance.now();
          document.querySelector('[data-testid="tab-runs"]').click();
          return at;
        });
        await host.waitForFunction(() => window.__editorBench?.runs !== undefined, undefined, { timeout: 60_000 });
        const runsAt = await host.evaluate(() => window.__editorBench.runs);
        // Show Audit Log opens the editor on its Audit tab: from the webview's creation to its first rows.
        const audit = await open('Switchboard: Show Audit Log', 'audit');
        // The first opening warms code-server's and the browser's caches; it is not counted.
        if (opening > 0) {
          opened.models.push(marks.models);
          opened.runs.push(runsAt - (clicked - marks.origin));
          opened.audit.push(audit.marks.audit);
          if (marks.written !== undefined) written.push(marks.written);
          if (marks.tabs !== undefined) tabsDrawn.push(marks.tabs);
        }
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

      const sizes = { models: `${volume.models.toLocaleString('en')} models`, runs: `${volume.runs.toLocaleString('en')} runs`, audit: `${volume.auditTotal.toLocaleString('en')} entries` };
      const out = [
        `\nThe Switchboard editor in code-server (packaged extension, headless Chromium ${session.browser.version()}); ms, p50 / p95\n`,
        table(
          ['tab', `first rows (n=${OPENINGS})`, `a filter shows its result (n=${FILTERS})`],
          TABS.map((tab) => [`${tab.label} (${sizes[tab.id]})`, p50p95(opened[tab.id]), p50p95(filtered[tab.id])]),
        ),
        '\n  first rows: Models from the webview\'s creation by Open Switchboard, Audit from its creation by Show Audit Log,\n  Runs from the click that first shows its tab (a tab is drawn when first shown)\n',
        '  targets: first rows within VS Code\'s webview start + 60 ms, a filter < 50 ms\n',
        written.length ? `  of an opening, VS Code's webview start until the editor's document is written: ${p50p95(written)}\n` : '',
        tabsDrawn.length ? `  and until the tabs are drawn (the view's script ran): ${p50p95(tabsDrawn)}\n` : '',
        `  (openings from the webview's creation; filters: ${TABS.map((tab) => `${tab.label} "${tab.value}"`).join(', ')}, and empty, in turn)\n`,
      ];
      process.stdout.write(out.join(''));
    } finally {
      await session?.close().catch(() => undefined);
    }
  });
}

runAsScript(import.meta.url, 'bench:editor', main);
