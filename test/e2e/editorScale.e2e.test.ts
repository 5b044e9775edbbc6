import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { VolumeSummary } from '../fixtures/editorVolume';
import { seedEditorVolume } from './helpers/editorVolume';
import { chooseOption, waitUntil } from './helpers/ui';
import { editorWebview } from './helpers/webviews';
import { openWorkbench, runCommand, type Session } from './helpers/workbench';

/**
 * The Switchboard editor with 2,000 registered models, 10,000 runs and 10,000 audit entries in
 * the extension's database: each tab shows the whole count but holds only a page or a window of
 * rows, and its filters give the right totals. How fast is bench/editor.mjs's question; this
 * journey asserts behaviour only.
 */
describe('Switchboard editor with 2,000 models, 10,000 runs, 10,000 audit entries and 1,000 chat requests (packaged extension)', function () {
  this.timeout(180_000);
  let session: Session;
  let volume: VolumeSummary;
  let editor: FrameLocator;

  const n = (value: number) => value.toLocaleString('en');
  const text = async (testId: string) => (await editor.getByTestId(testId).innerText()).trim();
  const waitForText = (testId: string, expected: RegExp) => waitUntil(`${testId} to say ${expected}`, async () => expected.test(await text(testId)), 30_000);

  before(async () => {
    session = await openWorkbench('editorScale');
    volume = await seedEditorVolume(session.page, 'Scale Ollama');
    assert.equal(volume.auditTotal, 10_000);
  });

  after(async () => {
    await session?.close();
  });

  it('counts 2,000 models in the Models tab but renders only a window of rows', async () => {
    await runCommand(session.page, 'Switchboard: Open Switchboard');
    ({ view: editor } = await editorWebview(session.page));
    await editor.getByTestId('tab-models').click();
    await waitForText('models-summary', new RegExp(`^${n(volume.models)} models$`));
    const rendered = await editor.getByTestId('models-row').count();
    assert.ok(rendered > 0 && rendered < 100, `${rendered} row elements for ${volume.models} models`);
    // The header and the windowed rows share one column template: each heading sits over its cells.
    for (const column of ['model', 'context', 'enabled']) {
      const heading = await editor.getByTestId(`models-sort-${column}`).boundingBox();
      const cell = await editor.getByTestId('models-row').first().getByTestId(`models-cell-${column}`).boundingBox();
      assert.ok(heading && cell && heading.x >= cell.x - 1 && heading.x + heading.width <= cell.x + cell.width + 1, `the ${column} heading over its column: ${JSON.stringify({ heading, cell })}`);
    }
    await session.screenshot('models');
  });

  it('narrows the models by a filter to the right count, and the row keys reach the last of them', async () => {
    await editor.locator('[data-testid="models-filter-text"] input').fill('gemma');
    await waitForText('models-summary', new RegExp(`^${n(volume.modelsByFamily.gemma!)} of ${n(volume.models)} models shown$`));
    assert.ok((await editor.getByTestId('models-row').count()) < 100);
    const rows = editor.getByTestId('models-row');
    assert.match((await rows.first().getAttribute('data-model-id')) ?? '', /^gemma-/);

    // End moves focus to the last row, rendering it; Space selects it; Home goes back to the first.
    await rows.first().focus();
    await rows.first().press('End');
    const last = editor.locator(`.virtual-row[data-index="${volume.modelsByFamily.gemma! - 1}"] [data-testid="models-row"]`);
    await waitUntil('the last row focused', () => last.evaluate((row) => row === row.ownerDocument.activeElement));
    await last.press(' ');
    await waitForText('models-summary', /^1 selected · /);
    assert.equal(await last.getAttribute('data-selected'), 'true');
    await last.press('Home');
    await waitUntil('the first row focused', () => editor.locator('.virtual-row[data-index="0"] [data-testid="models-row"]').evaluate((row) => row === row.ownerDocument.activeElement));

    // Every model shown, disabled and enabled again at once: one write each, not one per model.
    const gemma = n(volume.modelsByFamily.gemma!);
    await editor.getByTestId('models-select-all').click();
    await waitForText('models-summary', new RegExp(`^${gemma} selected · ${gemma} of ${n(volume.models)} models shown$`));
    await editor.getByTestId('models-disable').click();
    await waitForText('models-message', new RegExp(`^Disabled ${gemma} models\\.$`));
    await editor.getByTestId('models-enable').click();
    await waitForText('models-message', new RegExp(`^Enabled ${gemma} models\\.$`));
    await editor.getByTestId('models-select-all').click();
    await editor.locator('[data-testid="models-filter-text"] input').fill('');
    await waitForText('models-summary', new RegExp(`^${n(volume.models)} models$`));
  });

  it('shows 10,000 runs a page at a time, and filters them on the host', async () => {
    await editor.getByTestId('tab-runs').click();
    await waitForText('runs-page-label', new RegExp(`^Runs 1–50 of ${n(volume.runs)}$`));
    assert.equal(await editor.getByTestId('runs-row').count(), 50);
    await editor.getByTestId('runs-next').click();
    await waitForText('runs-page-label', new RegExp(`^Runs 51–100 of ${n(volume.runs)}$`));
    assert.equal(await editor.getByTestId('runs-row').count(), 50);
    await chooseOption(editor.getByTestId('runs-filter-status'), 'Failed');
    await waitForText('runs-page-label', new RegExp(`^Runs 1–50 of ${n(volume.failedRuns)}$`));
    await session.screenshot('runs');
  });

  it('shows 10,000 audit entries a page at a time, and a kind and requester filter gives the right total', async () => {
    await editor.getByTestId('tab-audit').click();
    await waitForText('audit-page-label', new RegExp(`^Entries 1–50 of ${n(volume.auditTotal)}$`));
    assert.equal(await editor.getByTestId('audit-row').count(), 50);
    await waitForText('audit-verification', new RegExp(`Verified: ${n(volume.auditTotal)} entries`));
    await editor.getByTestId('audit-next').click();
    await waitForText('audit-page-label', new RegExp(`^Entries 51–100 of ${n(volume.auditTotal)}$`));

    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Model call');
    await waitForText('audit-page-label', new RegExp(`^Entries 1–50 of ${n(volume.modelCalls)}$`));
    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Key read');
    await editor.locator('[data-testid="audit-filter-requester"] input').fill('code chat');
    await waitForText('audit-page-label', new RegExp(`^Entries 1–50 of ${n(volume.chatKeyReads)}$`));
    // Each row shown is a key read by VS Code chat: the kind and the requester column, row by row, not only the total.
    const rows = await editor.getByTestId('audit-row').evaluateAll((elements) => elements.map((row) => ({ kind: row.getAttribute('data-kind'), requester: row.children[3]?.textContent ?? '' })));
    assert.equal(rows.length, Math.min(50, volume.chatKeyReads));
    assert.deepEqual(rows.filter((row) => row.kind !== 'key_read' || !/code chat/i.test(row.requester)), [], 'a row the filter should have left out');
    await session.screenshot('audit');
  });

  it('shows 1,000 chat requests a page at a time, filters them on the host, and opens one', async () => {
    await editor.getByTestId('tab-chat').click();
    await waitForText('chat-page-label', new RegExp(`^Chat requests 1–50 of ${n(volume.chats)}$`));
    assert.equal(await editor.getByTestId('chat-row').count(), 50);
    await chooseOption(editor.getByTestId('chat-filter-status'), 'Failed');
    await waitForText('chat-page-label', new RegExp(`^Chat requests 1–50 of ${n(volume.failedChats)}$`));
    await editor.getByTestId('chat-next').click();
    await waitForText('chat-page-label', new RegExp(`^Chat requests 51–100 of ${n(volume.failedChats)}$`));
    const row = editor.getByTestId('chat-row').first();
    await row.focus();
    await row.press('Enter');
    const detail = editor.getByTestId('chat-detail');
    await detail.waitFor({ timeout: 10_000 });
    assert.equal(await detail.getAttribute('data-chat-id'), await row.getAttribute('data-chat-id'));
    assert.match(await detail.getByTestId('chat-detail-error').innerText(), /found no server/);
    await session.screenshot('chat');
  });

  it('Show Audit Log opens the Audit tab and leaves no dirty or untitled editor', async () => {
    await editor.getByTestId('tab-runs').click();
    await runCommand(session.page, 'Switchboard: Show Audit Log');
    await waitUntil('the Audit tab shown', () => editor.getByTestId('audit-page-label').isVisible());
    const tabs = await session.page.locator('.tabs-container .tab').evaluateAll((elements) => elements.map((tab) => ({ label: tab.getAttribute('aria-label') ?? '', dirty: tab.classList.contains('dirty') })));
    assert.deepEqual(tabs.filter((tab) => tab.dirty || /untitled/i.test(tab.label)), [], JSON.stringify(tabs));
    assert.ok(tabs.some((tab) => /Switchboard/.test(tab.label)), JSON.stringify(tabs));
  });

  it('a new editor that Show Audit Log opens starts on its Audit tab, drawing no other; opened again, it starts on Models', async () => {
    const reopen = async (command: string) => {
      const { name } = await editorWebview(session.page);
      await runCommand(session.page, 'View: Close All Editors');
      await session.page.locator(`iframe.webview[name="${name}"]`).waitFor({ state: 'detached', timeout: 30_000 });
      await runCommand(session.page, command);
      ({ view: editor } = await editorWebview(session.page));
    };
    await reopen('Switchboard: Show Audit Log');
    await editor.getByTestId('audit-row').first().waitFor({ timeout: 30_000 });
    // Until the tab was known only from the host's snapshot, the Models tab was drawn first and read its page.
    assert.equal(await editor.getByTestId('models-row').count(), 0, 'the Models tab is not drawn');
    assert.equal(await editor.getByTestId('tab-audit').getAttribute('aria-selected'), 'true');

    await reopen('Switchboard: Open Switchboard');
    await editor.getByTestId('models-row').first().waitFor({ timeout: 30_000 });
    assert.equal(await editor.getByTestId('tab-models').getAttribute('aria-selected'), 'true', 'not the tab an earlier command asked of the editor it closed');
    assert.equal(await editor.getByTestId('audit-row').count(), 0);
  });
});
