import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { assertRunEnded, openRunDetail, runRow, startRun, waitForRunEnd } from './helpers/agents';
import { assertLiveRegion, checkContrast, formatOffenders, walkTabOrder } from './helpers/a11y';
import { addConnection, connectionRowById, dismissKeyNotice, openDiscovery, registerDiscoveredModels } from './helpers/connections';
import { chooseOption, waitUntil } from './helpers/ui';
import { agentsWebview, connectionsWebview, editorWebview, type Webview } from './helpers/webviews';
import { env, openWorkbench, runCommand, setOllamaBehaviour, widenSideBar, type Session } from './helpers/workbench';

/** VS Code's own themes as the Color Theme picker names them, and the class each puts on a webview's body. */
const THEMES = [
  { label: 'Light Modern', bodyClass: 'vscode-light', slug: 'light' },
  { label: 'Dark Modern', bodyClass: 'vscode-dark', slug: 'dark' },
  { label: 'Dark High Contrast', bodyClass: 'vscode-high-contrast', slug: 'high-contrast' },
  { label: 'Light High Contrast', bodyClass: 'vscode-high-contrast-light', slug: 'high-contrast-light' },
] as const;

const SIDEBAR_BACKDROP = ['--vscode-sideBar-background', '--vscode-editor-background'];
const EDITOR_BACKDROP = ['--vscode-editor-background'];

/**
 * Switchboard in VS Code's light, dark and high-contrast themes, with a connection, registered
 * models, an agent and runs present: every view and editor tab is screenshot (kept with the
 * run's artifacts), every visible text has enough contrast against what is behind it, every
 * control is reached with Tab and Shift+Tab and shows the focus border, and no requester,
 * connection or provider is shown by its id. Before that, the changes a screen reader must
 * hear (a test result, discovery, a run's status and streaming, paging and filter counts, the
 * audit verification) happen in live regions.
 */
describe('Switchboard in light, dark and high-contrast themes (packaged extension)', function () {
  this.timeout(120_000);
  const OLLAMA = 'Themes journey Ollama';
  const AGENT = 'Proofreader';
  let session: Session;
  const ids: string[] = [];

  const connections = async (): Promise<FrameLocator> => (await connectionsWebview(session.page)).view;
  const agents = async (): Promise<FrameLocator> => (await agentsWebview(session.page)).view;
  const editor = async (): Promise<FrameLocator> => (await editorWebview(session.page)).view;
  const text = async (locator: Locator) => (await locator.innerText()).trim();

  before(async () => {
    session = await openWorkbench('themes');
    console.log(`      screenshots: ${env('SWITCHBOARD_E2E_ARTIFACTS')}`);
  });

  after(async () => {
    await setOllamaBehaviour('normal').catch(() => undefined);
    await session?.close();
  });

  it('announces a connection test and a discovery in live regions', async () => {
    await runCommand(session.page, 'Switchboard: Focus Connections');
    const view = await connections();
    await view.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
    await widenSideBar(session.page);
    const connectionId = await addConnection(view, { provider: 'Ollama', name: OLLAMA, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
    ids.push(connectionId);
    await dismissKeyNotice(view);
    const row = connectionRowById(view, connectionId);

    const status = row.getByTestId('connection-status');
    await assertLiveRegion(status, "the connection's status");
    const untested = await text(status);
    await row.getByTestId('test-button').click();
    await row.locator('[data-testid="connection-status"][data-status="valid"]').waitFor({ timeout: 15_000 });
    await waitUntil('the status to say the test result', async () => (await text(status)) === 'Valid');
    assert.notEqual(untested, 'Valid');

    // A keyless Ollama lists its models as it is created.
    const panel = await openDiscovery(row);
    const announcement = panel.getByTestId('discovery-announcement');
    await assertLiveRegion(announcement, 'the discovery result');
    await waitUntil('discovery to announce what it found', async () => /3 models found/.test(await announcement.innerText()));
    // The panel closes once they are added; the row's message, a live region too, says so.
    assert.match(await registerDiscoveredModels(row, ['llama3.2:latest', 'llava:latest']), /Added 2 models/);
    await assertLiveRegion(row.getByTestId('row-message'), 'the registration');
  });

  it("announces a run's status and its streaming output in live regions", async () => {
    await runCommand(session.page, 'Switchboard: Show Runs');
    const view = await agents();
    await view.getByTestId('new-agent-button').first().click();
    const form = view.getByTestId('agent-form');
    await form.locator('[data-testid="field-agent-name"] input').fill(AGENT);
    await form.getByTestId('save-agent-button').click();
    const agentRow = view.getByTestId('agent-row').filter({ has: view.getByTestId('agent-name').filter({ hasText: AGENT }) });
    ids.push((await agentRow.getAttribute('data-agent-id', { timeout: 10_000 })) ?? '');
    await agentRow.getByTestId('run-agent-button').click();
    await view.locator('[data-testid="run-input"] textarea').fill('Proofread: teh cat');

    // The fixture sends half its answer, then waits until the run is cancelled.
    await setOllamaBehaviour('stream-endless');
    try {
      const runId = await startRun(view);
      const status = runRow(view, runId).getByTestId('run-row-status');
      await assertLiveRegion(status, "the run's status");
      const detail = await openRunDetail(view, runId);
      const outputState = detail.getByTestId('run-detail-output-state');
      await assertLiveRegion(outputState, "the run's output state");
      await detail.locator('[data-testid="run-detail-output"][data-streaming="true"]').waitFor({ timeout: 30_000 });
      await waitUntil('the streaming to be announced', async () => /coming in/.test(await outputState.innerText()));
      assert.equal(await text(status), 'Running');
      await runRow(view, runId).getByTestId('cancel-run-button').click();
      assert.equal(await waitForRunEnd(view, runId), 'cancelled');
      await waitUntil('the status to say cancelled', async () => (await text(status)) === 'Cancelled');
      await waitUntil('the partial output to be announced', async () => /partial/i.test(await outputState.innerText()));
    } finally {
      await setOllamaBehaviour('normal');
    }
    await assertRunEnded(view, await startRun(view), 'succeeded');
  });

  it('announces the editor’s counts and the audit verification in live regions', async () => {
    await runCommand(session.page, 'Switchboard: Show Audit Log');
    let view = await editor();
    const verification = view.getByTestId('audit-verification');
    await verification.waitFor({ timeout: 15_000 });
    await assertLiveRegion(verification, 'the audit verification');
    const verifiedBefore = await text(verification);
    assert.match(verifiedBefore, /^Verified: \d+ entries/);

    await view.getByTestId('tab-models').click();
    const summary = view.getByTestId('models-summary');
    await assertLiveRegion(summary, "the Models tab's count");
    await waitUntil('both models listed', async () => /\b2 models\b/.test(await text(summary)));
    const allModels = await text(summary);
    await view.locator('[data-testid="models-filter-text"] input').fill('llava');
    await waitUntil('the filtered count', async () => (await text(summary)) !== allModels && /1 of 2/.test(await text(summary)));
    await view.locator('[data-testid="models-filter-text"] input').fill('');

    await view.getByTestId('tab-runs').click();
    const label = view.getByTestId('runs-page-label');
    await assertLiveRegion(label, "the Runs tab's page label");
    await waitUntil('both runs listed', async () => /of 2/.test(await text(label)));
    await chooseOption(view.getByTestId('runs-filter-status'), 'Failed');
    await waitUntil('the filter result', async () => (await text(label)) === 'No runs match.');
    await chooseOption(view.getByTestId('runs-filter-status'), 'Any status');
    await waitUntil('both runs again', async () => /of 2/.test(await text(label)));

    // A re-run adds to the audit log, so the verification read when the tab shows again differs.
    await view.getByTestId('runs-row').first().click();
    await view.getByTestId('run-rerun').click();
    await waitUntil('the re-run to be listed', async () => /of 3/.test(await text(label)));
    await runCommand(session.page, 'Switchboard: Show Audit Log');
    view = await editor();
    await waitUntil('the verification to count the new entries', async () => (await text(view.getByTestId('audit-verification'))) !== verifiedBefore, 30_000);
  });

  for (const theme of THEMES) {
    it(`reads well and works from the keyboard in ${theme.label}`, async () => {
      const { page } = session;
      await runCommand(page, 'Preferences: Color Theme');
      const input = page.locator('.quick-input-widget input');
      await input.fill(theme.label);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: theme.label }).first().waitFor();
      await input.press('Enter');
      await input.waitFor({ state: 'hidden' });

      const problems: string[] = [];
      const inspect = async (webview: Webview, state: string, backdrop: readonly string[]) => {
        const frame = await webview.frame();
        await waitUntil(`${state} to take the ${theme.label} theme`, async () => (await frame.evaluate(`document.body.classList.contains(${JSON.stringify(theme.bodyClass)})`)) === true);
        await session.screenshot(`${theme.slug}-${state}`);
        const contrast = await checkContrast(frame, backdrop);
        assert.ok(contrast.checked > 5, `${state}: only ${contrast.checked} texts checked`);
        if (contrast.offenders.length) problems.push(`${state}: text below the contrast it needs:\n${formatOffenders(contrast.offenders)}`);
        // A requester id (switchboard.agentsView), the connection's or agent's uuid, the provider's id (not its name, Ollama).
        const shownIds = contrast.texts.filter((shown) => /\bswitchboard\.[A-Za-z]/.test(shown) || ids.some((id) => id && shown.includes(id)) || /\bollama\b/.test(shown));
        if (shownIds.length) problems.push(`${state}: shows ids where names belong: ${shownIds.map((shown) => JSON.stringify(shown)).join(', ')}`);
        const walk = await walkTabOrder(page, webview);
        if (walk.unreachable.length) problems.push(`${state}: not reached with Tab/Shift+Tab (of ${walk.controls}):\n  ${walk.unreachable.join('\n  ')}`);
        if (walk.invisible.length) problems.push(`${state}: focused without a visible focus border:\n  ${walk.invisible.join('\n  ')}`);
        if (walk.orderMismatch) problems.push(`${state}: Shift+Tab does not retrace Tab: ${walk.orderMismatch}`);
        const skipped = Object.entries(contrast.skipped).map(([reason, count]) => `${count} ${reason}`);
        console.log(`      ${theme.slug} ${state}: ${contrast.checked} texts checked${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}, ${walk.controls} controls walked`);
      };

      await runCommand(page, 'Switchboard: Focus Connections');
      const connectionsView = await connectionsWebview(page);
      await connectionsView.view.getByTestId('tab-connections').click();
      await inspect(connectionsView, 'connections', SIDEBAR_BACKDROP);
      const row = connectionsView.view.getByTestId('connection-row').first();
      await row.getByTestId('discover-button').click();
      await row.getByTestId('discovered-model').first().waitFor({ timeout: 30_000 });
      await inspect(connectionsView, 'connections-discovery', SIDEBAR_BACKDROP);
      await row.getByTestId('discovery-close-button').click();
      await connectionsView.view.getByTestId('add-connection-button').first().click();
      const connectionForm = connectionsView.view.getByTestId('connection-form');
      await connectionForm.waitFor();
      await inspect(connectionsView, 'connections-form', SIDEBAR_BACKDROP);
      await connectionForm.getByTestId('cancel-button').click();
      await connectionsView.view.getByTestId('tab-models').click();
      await inspect(connectionsView, 'connections-models', SIDEBAR_BACKDROP);

      await runCommand(page, 'Switchboard: Show Runs');
      const agentsView = await agentsWebview(page);
      await inspect(agentsView, 'agents', SIDEBAR_BACKDROP);
      await agentsView.view.getByTestId('new-agent-button').first().click();
      const agentForm = agentsView.view.getByTestId('agent-form');
      await agentForm.waitFor();
      await inspect(agentsView, 'agents-form', SIDEBAR_BACKDROP);
      await agentForm.getByTestId('cancel-agent-button').click();

      await runCommand(page, 'Switchboard: Open Switchboard');
      const editorView = await editorWebview(page);
      for (const tab of ['models', 'runs', 'chat', 'usage', 'audit']) {
        await editorView.view.getByTestId(`tab-${tab}`).click();
        // The Usage tab's chart is drawn from the theme's colours: wait for it, then look.
        if (tab === 'usage') await editorView.view.locator('[data-testid="usage-chart"][data-drawn="true"], [data-testid="usage-empty"], [data-testid="usage-error"]').first().waitFor({ timeout: 15_000 });
        await inspect(editorView, `editor-${tab}`, EDITOR_BACKDROP);
      }
      assert.deepEqual(problems, [], `${theme.label}:\n${problems.join('\n')}`);
    });
  }
});
