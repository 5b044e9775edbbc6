// Renders the Switchboard editor's Usage tab against its fake host (editorFakeHost.ts) in
// headless Chromium and saves screenshots of each state, failing on any console error, CSP
// violation, or a chart that is not drawn. No server: the page is served from the repository
// through Playwright's request routing.
//
//   npm run build && node webview/dev/usageScreenshot.mjs [outDir]
//
// Screenshots go to .test-artifacts/usage-preview unless outDir is given.
/* global document, performance -- used inside page.evaluate, which runs in the page */
import { startPreview } from './previewKit.mjs';

const preview = await startPreview({ fakeHost: 'editorFakeHost', page: 'editorPreview.html', outDirName: 'usage-preview', viewport: { width: 1100, height: 900 } });
const { shoot } = preview;

async function open(query, size) {
  const page = await preview.open(query, size);
  await page.evaluate(() => document.fonts.ready);
  return page;
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

await preview.finish();
