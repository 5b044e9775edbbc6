// `npm run bench:usage-editor`: the Switchboard editor's Usage tab over 100,000 stored calls, in
// the REAL packaged extension (dist/switchboard.vsix in code-server, headless Chromium): a
// connection added in the Connections view, then the calls written into the extension's own
// switchboard.sqlite through the product's ledger (test/fixtures/seedUsage.ts). Prints figures,
// asserts nothing.
//
// Measured in the editor's document, by the tab's own performance marks (webview/editor/UsageChart.tsx):
//   - the report: from asking for it to its arrival (the host's SQL, the reply, the webview's message);
//   - the first chart: from the report's arrival to uPlot's first draw of it (goal < 100 ms).
// The range is the last 90 days, per day by model and per week by connection in turn: each change
// asks again and draws a new chart.
//
//   SWITCHBOARD_BENCH_CALLS=N     calls stored (default 100000)
//   SWITCHBOARD_BENCH_REPORTS=N   reports asked for (default 20, after one not counted)
// Functions passed to evaluate run in the page, with its globals.
/* global document, performance */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE24, REPO, log, runAsScript } from '../scripts/harness/common.mjs';
import { withPackagedEditor } from './packagedEditor.mjs';
import { loadavg } from 'node:os';
import { bounded, machineLine, p50p95, table } from './figures.ts';

const CALLS = bounded('SWITCHBOARD_BENCH_CALLS', 100_000, 1_000, 1_000_000);
const REPORTS = bounded('SWITCHBOARD_BENCH_REPORTS', 20, 2, 500);

/** In the editor's document: the newest figure of each of the tab's measures, or undefined until it is taken. */
function newestFigures() {
  const newest = (name) => performance.getEntriesByName(name).at(-1)?.duration;
  return { report: newest('switchboard-usage-report'), chart: newest('switchboard-usage-first-chart') };
}

/** In the editor's document: forgets the figures, so the next ones are the next report's. */
function forgetFigures() {
  performance.clearMeasures('switchboard-usage-report');
  performance.clearMeasures('switchboard-usage-first-chart');
}

async function main() {
  const load = loadavg();
  await withPackagedEditor('bench-usage-editor', async () => {
    let session;
    try {
      const { env, openWorkbench, runCommand, widenSideBar } = await import('../test/e2e/helpers/workbench.ts');
      const { connectionsWebview, editorWebview } = await import('../test/e2e/helpers/webviews.ts');
      const { addConnection, dismissKeyNotice } = await import('../test/e2e/helpers/connections.ts');
      const { extensionDatabase } = await import('../test/e2e/helpers/editorVolume.ts');

      session = await openWorkbench('bench-usage-editor');
      const { page } = session;
      await runCommand(page, 'Switchboard: Focus Connections');
      const connections = (await connectionsWebview(page)).view;
      await connections.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
      await widenSideBar(page);
      const connectionId = await addConnection(connections, { provider: 'Ollama', name: 'Bench Ollama', baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
      await dismissKeyNotice(connections);
      log(`bench: storing ${CALLS.toLocaleString('en')} calls in the extension's ledger`);
      const { stdout } = await promisify(execFile)(NODE24, ['--no-warnings', '--import', 'tsx', path.join('test', 'fixtures', 'seedUsage.ts'), extensionDatabase(), connectionId, String(CALLS)], { cwd: REPO, timeout: 600_000, maxBuffer: 1024 * 1024 });
      const seeded = JSON.parse(stdout.trim().split('\n').at(-1));

      await runCommand(page, 'Switchboard: Open Switchboard');
      const webview = await editorWebview(page);
      const frame = await webview.frame();
      await frame.locator('[data-testid="tab-usage"]').click();
      await frame.locator('[data-testid="usage-range"]').selectOption('last90');
      const shapes = [
        { period: 'day', group: 'model' },
        { period: 'week', group: 'connection' },
      ];
      const figures = shapes.map(() => ({ report: [], chart: [] }));
      for (let i = 0; i <= REPORTS; i++) {
        const shape = shapes[i % shapes.length];
        await frame.evaluate(forgetFigures);
        await frame.locator('[data-testid="usage-period"]').selectOption(shape.period);
        await frame.locator('[data-testid="usage-group"]').selectOption(shape.group);
        // The chart of the report of this shape drawn: the newest figures are its own (a reply to the
        // first select alone may be drawn first; the one to both replaces its figures).
        await frame.waitForFunction(
          (group) =>
            document.querySelector('[data-testid="usage-groups-table"] caption')?.textContent === `Totals by ${group}` &&
            document.querySelector('[data-testid="usage-chart"][data-drawn="true"]') !== null &&
            performance.getEntriesByName('switchboard-usage-first-chart').length > 0,
          shape.group,
          { timeout: 60_000 },
        );
        const { report, chart } = await frame.evaluate(newestFigures);
        // The first report warms the host's statements and the browser's caches; it is not counted.
        if (i > 0) {
          figures[i % shapes.length].report.push(report);
          figures[i % shapes.length].chart.push(chart);
        }
      }
      await session.screenshot('usage');

      const periods = await frame.locator('[data-testid="usage-period-row"]').count();
      const out = [
        `\nThe Usage tab in code-server over ${seeded.calls.toLocaleString('en')} stored calls (packaged extension, headless Chromium ${session.browser.version()}); ms, p50 / p95\n`,
        table(
          ['last 90 days', `report asked → arrived (n=${figures[0].report.length})`, 'arrived → first chart drawn'],
          shapes.map((shape, i) => [`per ${shape.period}, by ${shape.group}`, p50p95(figures[i].report), p50p95(figures[i].chart)]),
        ),
        `\n  goal: first chart drawn < 100 ms after the tab's data arrives (the last chart: ${periods} periods)\n`,
        `  ${machineLine(load)}\n`,
      ];
      process.stdout.write(out.join(''));
    } finally {
      await session?.close().catch(() => undefined);
    }
  });
}

runAsScript(import.meta.url, 'bench:usage-editor', main);
