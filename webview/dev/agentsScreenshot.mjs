// Renders the Agents view against its fake host in headless Chromium and saves screenshots of
// each state, failing on any console error or CSP violation. No server: the page is served
// from the repository through Playwright's request routing.
//
//   npm run build && node webview/dev/agentsScreenshot.mjs [outDir]
//
// CHROMIUM overrides the browser (default /usr/bin/chromium). Screenshots go to
// .test-artifacts/agents-preview unless outDir is given.
/* global document, window -- used inside page.evaluate, which runs in the page */
import { startPreview } from './previewKit.mjs';

const preview = await startPreview({ fakeHost: 'agentsFakeHost', page: 'agentsPreview.html', outDirName: 'agents-preview', viewport: { width: 380, height: 900 } });
const { shoot } = preview;

async function open(query, size) {
  const page = await preview.open(query, size);
  await page.locator('[data-testid="loading"]').waitFor({ state: 'detached' });
  // Let vscode-elements finish their first render and the codicon font load.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(150);
  return page;
}

const runIndex = async (page, status, code) =>
  page.evaluate(
    ([wantedStatus, wantedCode]) =>
      window.switchboardAgentsFakeHost.snapshot.runs.findIndex((run) => run.status === wantedStatus && (!wantedCode || run.error?.code === wantedCode)),
    [status, code],
  );

console.log('Agents view screenshots:');
{
  const page = await open('scenario=sample');
  await shoot(page, 'sample');
  const runs = [
    ['succeeded', undefined],
    ['running', undefined],
    ['failed', 'missing_connection'],
    ['failed', 'consent_denied'],
    ['failed', 'endpoint_unreachable'],
    ['cancelled', undefined],
  ];
  for (const [status, code] of runs) {
    const index = await runIndex(page, status, code);
    const detail = await open(`scenario=sample&run=${index}`);
    await detail.locator('[data-testid="run-detail"]').waitFor();
    await shoot(detail, `run-${code ?? status}`);
    await detail.close();
  }
  await page.close();
}
for (const scenario of ['empty', 'no-connections']) {
  const page = await open(`scenario=${scenario}`);
  await shoot(page, scenario);
  await page.close();
}
{
  const page = await open('scenario=sample');
  await page.locator('[data-testid="new-agent-button"]').click();
  await page.locator('[data-testid="agent-form"]').waitFor();
  await shoot(page, 'form-new');
  await page.locator('[data-testid="save-agent-button"]').click();
  await page.locator('[data-testid="agent-form-error"]').waitFor();
  await shoot(page, 'form-new-invalid');
  await page.keyboard.press('Escape');

  const reviewer = page.locator('[data-testid="agent-row"]', { hasText: 'Code reviewer' });
  await reviewer.locator('[data-testid="edit-agent-button"]').click();
  await page.locator('[data-testid="agent-form"]').waitFor();
  await shoot(page, 'form-edit');
  await page.locator('[data-testid="cancel-agent-button"]').click();

  await reviewer.locator('[data-testid="run-agent-button"]').click();
  await page.locator('[data-testid="run-panel"]').waitFor();
  await page.locator('[data-testid="run-input"] textarea').fill('Is `const x = load()` a good name?');
  await shoot(page, 'run-panel');
  await page.locator('[data-testid="start-run-button"]').click();
  const started = page.locator('[data-testid="run-row"] [data-testid="run-detail"]');
  await started.waitFor();
  await page.locator('[data-testid="run-row"][data-status="running"] [data-testid="run-detail"]').waitFor();
  await shoot(page, 'run-started-running');
  await page.locator('[data-testid="run-detail-output"]').first().waitFor({ timeout: 10_000 });
  await shoot(page, 'run-finished');

  // Keyboard: Tab from the top reaches the row actions with a visible focus ring.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  await shoot(page, 'keyboard-focus');
  await page.close();
}

{
  // A wide view (the panel, or a wide sidebar): the run overrides sit side by side.
  const page = await open('scenario=sample&run=2', { width: 760, height: 900 });
  await page.locator('[data-testid="agent-row"]', { hasText: 'Release notes writer' }).locator('[data-testid="run-agent-button"]').click();
  await page.locator('[data-testid="run-panel"]').waitFor();
  await shoot(page, 'wide');
  await page.close();
}

await preview.finish();
