import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { runAgentOnLocalOllama } from './helpers/journeys';
import { chooseOption, waitUntil } from './helpers/ui';
import { editorWebview } from './helpers/webviews';
import { openWorkbench, runCommand, type Session } from './helpers/workbench';

/**
 * The Usage tab of the Switchboard editor as a person meets it: empty before any call, with a
 * sentence that says how usage appears; after a run on a local Ollama, the run's call in the
 * table under a drawn chart; and a budget added and deleted with the keyboard only.
 */
describe('Usage tab of the Switchboard editor (packaged extension)', function () {
  this.timeout(60_000);
  const OLLAMA = 'Usage journey Ollama';
  const AGENT = 'Counter';
  let session: Session;
  let editor: FrameLocator;

  before(async () => {
    session = await openWorkbench('usage');
  });

  after(async () => {
    await session?.close();
  });

  it('says how usage appears before any call was made', async () => {
    await runCommand(session.page, 'Switchboard: Open Switchboard');
    ({ view: editor } = await editorWebview(session.page));
    await editor.getByTestId('tab-usage').click();
    const empty = editor.getByTestId('usage-empty');
    await empty.waitFor({ timeout: 15_000 });
    assert.match(await empty.innerText(), /Every model call through Switchboard is counted here/);
    assert.equal((await editor.getByTestId('usage-summary').innerText()).trim(), 'No calls in this range.');
    assert.equal(await editor.getByTestId('usage-error').count(), 0);
    await editor.getByTestId('budgets-empty').waitFor();
    await session.screenshot('usage-empty');
  });

  it('runs an agent once on a local Ollama connection', async () => {
    await runAgentOnLocalOllama(session.page, { connection: OLLAMA, models: ['llama3.2:latest'], agent: AGENT, input: 'Count: the usage tab' });
  });

  it("lists the run's call by connection under a drawn chart, with the same figures in its tables", async () => {
    // The palette's Show Usage opens the editor on its Usage tab.
    await runCommand(session.page, 'Switchboard: Show Usage');
    ({ view: editor } = await editorWebview(session.page));
    await waitUntil('the Usage tab shown', async () => (await editor.getByTestId('usage-summary').isVisible()) === true);
    const row = editor.getByTestId('usage-group-row').filter({ hasText: OLLAMA });
    // The host says the ledger changed while the tab is shown; Refresh only if that notice came before the tab was.
    await waitUntil('the run\'s call in the table', async () => {
      if ((await row.count()) > 0) return true;
      await editor.getByTestId('usage-refresh').click();
      return false;
    });
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], '1', 'one call');
    assert.ok(Number(cells[1]!.replace(/,/g, '')) > 0, `input tokens counted: ${cells.join(' | ')}`);
    // A local model is free unless the person sets a price.
    assert.equal(cells[3], '$0.00');
    assert.match(await editor.getByTestId('usage-summary').innerText(), /^1 call, [\d,]+ tokens, \$0\.00$/);

    const chart = editor.locator('[data-testid="usage-chart"][data-drawn="true"]');
    await chart.waitFor({ timeout: 10_000 });
    assert.equal(await chart.getAttribute('aria-hidden'), 'true', 'the picture is hidden from screen readers; the tables carry the figures');
    const canvas = await chart.locator('canvas').evaluate((element) => {
      const c = element as HTMLCanvasElement;
      const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return { width: c.width, painted };
    });
    assert.ok(canvas.width > 200 && canvas.painted > 0, `a chart was drawn: ${JSON.stringify(canvas)}`);
    // The table of periods holds the chart's figures: every day of the range, and in tokens the call's on its day.
    assert.ok((await editor.getByTestId('usage-period-row').count()) >= 28, 'every day of the last 30 days');
    await chooseOption(editor.getByTestId('usage-metric'), 'Tokens');
    const tokens = Number(cells[1]!.replace(/,/g, '')) + Number(cells[2]!.replace(/,/g, ''));
    await waitUntil("the call's tokens on its day", async () => {
      const totals = await editor.locator('[data-testid="usage-period-row"] td:last-child').allInnerTexts();
      return totals.filter((total) => total !== '0').join() === tokens.toLocaleString('en-US');
    });
    await editor.locator('[data-testid="usage-chart"][data-drawn="true"]').waitFor({ timeout: 10_000 });
    await session.screenshot('usage-one-run');
  });

  it('adds a budget and deletes it again with the keyboard only', async () => {
    const { page } = session;
    await editor.getByTestId('budget-add').focus();
    await page.keyboard.press('Enter');
    const form = editor.getByTestId('budget-form');
    await form.waitFor();
    // The form opens on its first field: "For" (a connection); Tab to the connection, the arrow picks it.
    await waitUntil('focus on the first field', async () => (await editor.getByTestId('budget-scope-kind').evaluate((element) => element === document.activeElement)) === true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await waitUntil('the connection chosen', async () => (await editor.getByTestId('budget-scope').inputValue()) !== '');
    // Period (per month) and unit (dollars) as they are; then the amount.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('-2');
    await page.keyboard.press('Enter');
    const error = editor.getByTestId('budget-error-amount');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), 'A budget cannot be negative.');
    await editor.locator('[data-testid="budget-amount"] input').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');

    const budget = editor.getByTestId('budget-row').filter({ hasText: OLLAMA });
    await budget.waitFor({ timeout: 10_000 });
    assert.match(await budget.getByTestId('budget-line').innerText(), /^\$0\.00 of \$5\.00 this month, resets /);
    assert.equal(await form.count(), 0, 'the form closes once saved');
    await session.screenshot('usage-budget');

    await budget.getByTestId('budget-delete').focus();
    await page.keyboard.press('Enter');
    await editor.getByTestId('budgets-empty').waitFor({ timeout: 10_000 });
    assert.match(await editor.getByTestId('budget-message').innerText(), new RegExp(`Deleted the budget of ${OLLAMA}`));
  });
});
