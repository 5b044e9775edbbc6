import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { assertRunEnded, startRun } from './helpers/agents';
import { runAgentOnLocalOllama } from './helpers/journeys';
import { chooseOption, waitUntil } from './helpers/ui';
import { agentsWebview, editorWebview } from './helpers/webviews';
import { openWorkbench, runCommand, setSideBarWidth, type Session } from './helpers/workbench';

/**
 * Page-side: what keeps a column of the table in the scroll box `testId` from being reached: a
 * heading outside the box while the box does not scroll sideways, a box wider than the editor,
 * or a sideways scroll bar below the editor's edge, where nobody sees it.
 */
function columnsOutOfReach(testId: string): string {
  return `(() => {
    const box = document.querySelector('[data-testid="${testId}"]');
    if (!box) return ['no ${testId}'];
    const outer = box.getBoundingClientRect();
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    const problems = [];
    if (outer.right > window.innerWidth + 1) problems.push('the table is wider than the editor (' + Math.round(outer.right) + ' > ' + window.innerWidth + ')');
    if (scrolls && outer.bottom > window.innerHeight + 1) problems.push('the sideways scroll bar is below the edge of the editor');
    for (const heading of box.querySelectorAll('th, .models-grid-header > span')) {
      const cell = heading.getBoundingClientRect();
      const name = heading.textContent.trim() || 'the selection column';
      if ((cell.left < outer.left - 1 || cell.right > outer.right + 1) && !scrolls) problems.push('the column ' + name + ' is cut off and the table does not scroll');
      if (cell.width < 24) problems.push('the column ' + name + ' is ' + Math.round(cell.width) + ' px wide');
    }
    return problems;
  })()`;
}

/**
 * The Switchboard editor as a person meets it after a first run: Open Switchboard shows the
 * run in the Runs tab, a filter narrows the table, a row opens the run's detail, and the Audit
 * tab lists what happened with the verification of the hash chain at the top.
 */
describe('Switchboard editor in VS Code (packaged extension)', function () {
  this.timeout(60_000);
  const OLLAMA = 'Editor journey Ollama';
  const AGENT = 'Summariser';
  let session: Session;
  let runId = '';
  let editor: FrameLocator;

  before(async () => {
    session = await openWorkbench('editor');
  });

  after(async () => {
    await session?.close();
  });

  it('runs an agent once on a local Ollama connection', async () => {
    runId = await runAgentOnLocalOllama(session.page, { connection: OLLAMA, models: ['llava:latest', 'llama3.2:latest', 'qwen2.5-coder:7b'], agent: AGENT, input: 'Summarise: the editor opens' });
  });

  it('opens the editor on its Runs tab, with the run listed by name', async () => {
    await runCommand(session.page, 'Switchboard: Open Switchboard');
    ({ view: editor } = await editorWebview(session.page));
    await editor.getByTestId('tab-runs').click();
    const row = editor.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    assert.match(text, new RegExp(AGENT));
    assert.match(text, new RegExp(OLLAMA), 'the connection by name');
    assert.match(await editor.getByTestId('runs-page-label').innerText(), /Runs 1–1 of 1/);
    await session.screenshot('editor-runs');
  });

  it('lists the registered models in the Models tab, filters them and sorts them by context window', async () => {
    await editor.getByTestId('tab-models').click();
    const rows = editor.getByTestId('models-row');
    await waitUntil('the three registered models', async () => (await rows.count()) === 3);
    assert.match(await rows.first().getByTestId('models-cell-connection').innerText(), new RegExp(OLLAMA), 'the connection by name');
    // The context cell's hover says each figure in full, with where it came from.
    assert.match((await rows.first().getByTestId('models-cell-context').getAttribute('title')) ?? '', /^A run gets [\d,]+ tokens \(.+\)\./);
    await editor.locator('[data-testid="models-filter-text"] input').fill('llava');
    await waitUntil('one model left', async () => (await rows.count()) === 1);
    assert.equal(await rows.first().getAttribute('data-model-id'), 'llava:latest');
    assert.match(await editor.getByTestId('models-summary').innerText(), /1 of 3 models shown/);
    await editor.locator('[data-testid="models-filter-text"] input').fill('');
    await waitUntil('all three again', async () => (await rows.count()) === 3);
    await editor.getByTestId('models-sort-context').click();
    await editor.getByTestId('models-sort-context').click();
    assert.equal(await editor.getByTestId('models-table').locator('[data-sort="descending"]').count(), 1);
    await session.screenshot('editor-models');
    // Space on a focused row selects it; Disable then acts on the selection.
    const llama = editor.locator('[data-testid="models-row"][data-model-id="llama3.2:latest"]');
    await llama.focus();
    await llama.press(' ');
    assert.match(await editor.getByTestId('models-summary').innerText(), /1 selected/);
    // One model selected: its reasoning and output limit. A setting that is neither an effort nor a budget is refused here.
    const settings = editor.getByTestId('model-settings');
    await settings.locator('[data-testid="model-settings-reasoning"] input').fill('extreme');
    await settings.locator('[data-testid="model-settings-output"] input').fill('2048');
    await settings.getByTestId('model-settings-save').click();
    await settings.getByText(/Type low, medium or high/).waitFor({ timeout: 10_000 });
    // Ollama says llama3.2 does not think: the host refuses an effort for it, in words.
    await settings.locator('[data-testid="model-settings-reasoning"] input').fill('high');
    await settings.getByTestId('model-settings-save').click();
    await settings.getByTestId('model-settings-error').getByText(/does not reason/).waitFor({ timeout: 10_000 });
    await settings.locator('[data-testid="model-settings-reasoning"] input').fill('');
    await settings.getByTestId('model-settings-save').click();
    await editor.getByTestId('models-message').getByText(/Saved the settings/).waitFor({ timeout: 10_000 });
    await waitUntil('the new limit in the row', async () => (await llama.getByTestId('models-cell-output').innerText()).includes('2k · your value') && (await llama.getByTestId('models-cell-reasoning').innerText()).trim() === 'default');
    // The person's price: a price for only one side is refused in the form; both are saved and shown in the row.
    await settings.locator('[data-testid="model-settings-price-input"] input').fill('0.5');
    await settings.getByTestId('model-settings-save').click();
    await settings.getByText(/leave both prices empty/).waitFor({ timeout: 10_000 });
    await settings.locator('[data-testid="model-settings-price-output"] input').fill('1.5');
    await settings.getByTestId('model-settings-save').click();
    await waitUntil('the price in the row', async () => (await llama.getByTestId('models-cell-priceIn').innerText()).includes('0.5'));
    await editor.getByTestId('models-disable').click();
    await editor.locator('[data-testid="models-row"][data-model-id="llama3.2:latest"][data-enabled="false"]').waitFor({ timeout: 10_000 });
    await editor.getByTestId('tab-runs').click();
  });

  it('filters the runs by status on the host, and back', async () => {
    await chooseOption(editor.getByTestId('runs-filter-status'), 'Failed');
    await waitUntil('no failed runs', async () => (await editor.getByTestId('runs-page-label').innerText()).includes('No runs match.'));
    assert.equal(await editor.getByTestId('runs-row').count(), 0);
    await chooseOption(editor.getByTestId('runs-filter-status'), 'Any status');
    await editor.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`).waitFor({ timeout: 10_000 });
  });

  it('opens the run\'s detail from the keyboard, with its routing, output and requester', async () => {
    const row = editor.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`);
    await row.focus();
    await row.press('Enter');
    const detail = editor.getByTestId('run-detail');
    await detail.waitFor({ timeout: 10_000 });
    assert.equal(await detail.getAttribute('data-run-id'), runId);
    assert.match(await detail.getByTestId('run-detail-connection').innerText(), new RegExp(OLLAMA));
    assert.equal((await detail.getByTestId('run-detail-output').innerText()).trim(), 'You said: Summarise: the editor opens');
    assert.equal((await detail.getByTestId('run-detail-requester').innerText()).trim(), 'the Agents view');
    await editor.getByTestId('run-rerun').waitFor();
    await editor.getByTestId('run-copy').waitFor();
    await session.screenshot('editor-run-detail');
  });

  it('shows the audit log, newest first, with the verification line at the top', async () => {
    await runCommand(session.page, 'Switchboard: Show Audit Log');
    await editor.getByTestId('audit-verification').waitFor({ timeout: 10_000 });
    // Showing the tab checks only what came since the editor's own check, unless that one is
    // still under way (then it is a whole check): the line says which.
    assert.match(await editor.getByTestId('audit-verification').innerText(), /^Verified: \d+ entries(; the \d+ written since the last check link on|, every link of the hash chain checks\.)/);
    // Verify All, from the keyboard, walks every link again.
    await editor.getByTestId('audit-verify-all').focus();
    await session.page.keyboard.press('Enter');
    await waitUntil('Verify All to check every link', async () => /^Verified: \d+ entries, every link of the hash chain checks\./.test(await editor.getByTestId('audit-verification').innerText()));
    await editor.getByTestId('audit-row').first().waitFor({ timeout: 10_000 });
    const kinds = await editor.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')));
    assert.equal(kinds[0], 'model_call', 'the run\'s model call is the newest entry');
    assert.equal(kinds.at(-1), 'connection_created', 'the connection was the first thing audited');
    assert.match(await editor.getByTestId('audit-row').first().innerText(), new RegExp(OLLAMA));
    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Connection created');
    await waitUntil('only the connection entry', async () => (await editor.getByTestId('audit-page-label').innerText()).startsWith('Entries 1–1 of 1'));
    await session.screenshot('editor-audit');
  });

  it('shows a new entry in the open Audit tab as it is written, without Refresh', async () => {
    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Any kind');
    const label = editor.getByTestId('audit-page-label');
    await waitUntil('every entry listed', async () => /^Entries 1–\d+ of \d+$/.test((await label.innerText()).trim()));
    const before = (await label.innerText()).trim();
    const verifiedBefore = (await editor.getByTestId('audit-verification').innerText()).trim();
    // A second run from the side bar, while the editor shows the Audit tab.
    const agents = (await agentsWebview(session.page)).view;
    await agents.locator('[data-testid="run-panel"] [data-testid="run-input"] textarea').fill('Summarise: the audit tab follows');
    await assertRunEnded(agents, await startRun(agents), 'succeeded');
    await waitUntil('the new model call at the top', async () => (await label.innerText()).trim() !== before && /Model call/.test(await editor.getByTestId('audit-row').first().innerText()), 15_000);
    assert.match(await editor.getByTestId('audit-row').first().innerText(), new RegExp(`${AGENT}, started`), 'the run by its agent and start');
    await waitUntil('the verification to count it', async () => (await editor.getByTestId('audit-verification').innerText()).trim() !== verifiedBefore, 15_000);
  });

  it('shows every tab at 1280×800 and at 1024×768, each column of its table in reach', async function () {
    this.timeout(120_000);
    const { page } = session;
    const webview = await editorWebview(page);
    const frame = await webview.frame();
    try {
      for (const [width, height] of [
        [1280, 800],
        [1024, 768],
      ] as const) {
        await page.setViewportSize({ width, height });
        // VS Code's own side bar width, as a person has it.
        await setSideBarWidth(page, 300);
        for (const tab of ['models', 'runs', 'chat', 'usage', 'audit']) {
          await editor.getByTestId(`tab-${tab}`).click();
          const box = tab === 'models' ? 'models-table' : `${tab}-table-scroll`;
          await editor.getByTestId(box).waitFor({ state: 'visible', timeout: 10_000 });
          // The Usage tab has no pager: its table of totals is there once its report is.
          await waitUntil(`the ${tab} tab's page`, async () => tab === 'models' || tab === 'usage' || !/Loading/.test(await editor.getByTestId(`${tab}-page-label`).innerText()));
          const problems = (await frame.evaluate(columnsOutOfReach(box))) as string[];
          await session.screenshot(`${width}x${height}-${tab}`);
          assert.deepEqual(problems, [], `${tab} at ${width}×${height}`);
        }
      }
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it('comes back after the window reloads, one editor, on the tab it showed', async function () {
    // A whole workbench and extension host start again.
    this.timeout(180_000);
    // VS Code's own reload, which saves the workbench's state (the webview's among it) first.
    await Promise.all([session.page.waitForEvent('load', { timeout: 60_000 }), runCommand(session.page, 'Developer: Reload Window')]);
    await session.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // VS Code restores the panel through Switchboard's serializer (activation onWebviewPanel).
    editor = (await editorWebview(session.page)).view;
    await editor.getByTestId('audit-verification').waitFor({ timeout: 30_000 });
    assert.match(await editor.getByTestId('audit-verification').innerText(), /Verified: \d+ entries/);
    assert.equal(await session.page.locator('.tabs-container .tab', { hasText: /^Switchboard$/ }).count(), 1, 'one Switchboard editor');
    await session.screenshot('editor-restored');
  });
});
