import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { CANARY_KEY } from '../fixtures/canary';
import { assertCanaryNowhere, KEY_HINT } from './helpers/canary';
import { chooseOption, waitUntil } from './helpers/ui';
import { connectionsWebview, editorWebview } from './helpers/webviews';
import { env, openWorkbench, readTree, runCommand, type Session } from './helpers/workbench';

describe('Connections view in VS Code (packaged extension)', () => {
  let session: Session;

  before(async () => {
    session = await openWorkbench('connections');
  });

  after(async () => {
    await session?.close();
  });

  it('is installed from a .vsix under 500 KB that ships no source map', () => {
    const bytes = statSync(env('SWITCHBOARD_E2E_VSIX')).size;
    assert.ok(bytes < 500 * 1024, `the .vsix is ${bytes} bytes`);
    const { files } = readTree(env('SWITCHBOARD_E2E_EXTENSIONS_DIR'));
    assert.ok(files.some((file) => file.endsWith(path.join('dist', 'extension.js'))), `installed: ${files.join(', ')}`);
    assert.deepEqual(files.filter((file) => file.endsWith('.map')), []);
  });

  it('opens from "Switchboard: Focus Connections"', async () => {
    await runCommand(session.page, 'Switchboard: Focus Connections');
    // The view renders once the extension host has started and sent its first snapshot.
    const { view } = await connectionsWebview(session.page);
    await view.locator('[data-testid="add-connection-button"]').first().waitFor({ timeout: 60_000 });
    await session.screenshot('connections-view');
  });

  it('offers the providers the host sent: Ollama and OpenAI', async () => {
    const { view } = await connectionsWebview(session.page);
    await view.locator('[data-testid="add-connection-button"]').first().click();
    const select = view.locator('[data-testid="provider-select"]');
    await select.waitFor();
    const options = await select.locator('option').evaluateAll((elements) => elements.map((element) => `${(element as HTMLOptionElement).value}:${element.textContent?.trim()}`));
    assert.ok(options.includes('ollama:Ollama'), `provider options: ${options.join(', ')}`);
    assert.ok(options.includes('openai:OpenAI'), `provider options: ${options.join(', ')}`);
    await session.screenshot('add-form');
  });

  it('adds an Ollama connection pointed at the fixture server', async () => {
    const { view } = await connectionsWebview(session.page);
    await chooseOption(view.locator('[data-testid="provider-select"]'), 'Ollama');
    await view.locator('[data-testid="field-name"] input').fill('Fixture Ollama');
    await view.locator('[data-testid="field-baseUrl"] input').fill(env('SWITCHBOARD_FIXTURE_OLLAMA_URL'));
    await session.screenshot('form-filled');
    await view.locator('[data-testid="save-connection-button"]').click();

    const row = view.locator('[data-testid="connection-row"]', { hasText: 'Fixture Ollama' });
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await view.locator('[data-testid="form-error"]').count(), 0, 'the form reported an error');
    await session.screenshot('connection-added');
  });

  it("sets the key through VS Code's password box, and the row shows only its hint", async () => {
    const { page } = session;
    const row = (await connectionsWebview(page)).view.locator('[data-testid="connection-row"]', { hasText: 'Fixture Ollama' });
    await row.locator('[data-testid="set-key-button"]').click();

    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await box.getAttribute('type'), 'password', 'the key box is not a password box');
    await box.fill(CANARY_KEY);
    await session.screenshot('password-box');
    await box.press('Enter');

    await row.locator('[data-testid="connection-key-hint"]', { hasText: KEY_HINT }).waitFor({ timeout: 15_000 });
    await session.screenshot('key-set');
  });

  it('tests the connection: valid, with its latency', async () => {
    const row = (await connectionsWebview(session.page)).view.locator('[data-testid="connection-row"]', { hasText: 'Fixture Ollama' });
    await row.locator('[data-testid="test-button"]').click();
    await row.locator('[data-testid="connection-status"][data-status="valid"]').waitFor({ timeout: 30_000 });
    assert.match((await row.locator('[data-testid="connection-status"]').innerText()).toLowerCase(), /valid/);
    assert.match(await row.locator('[data-testid="connection-latency"]').innerText(), /\d+\s*ms/);
    await session.screenshot('tested-valid');
  });

  it('discovers the models of the keyed connection', async () => {
    const row = (await connectionsWebview(session.page)).view.locator('[data-testid="connection-row"]', { hasText: 'Fixture Ollama' });
    await row.locator('[data-testid="discover-button"]').click();
    await row.getByTestId('discovered-model').first().waitFor({ timeout: 30_000 });
    await session.screenshot('discovered');
  });

  it('lists the key reads of the test and the discovery in Show Audit Log, each the person\'s own action', async () => {
    const { page } = session;
    await runCommand(page, 'Switchboard: Show Audit Log');
    const { view } = await editorWebview(page);
    await chooseOption(view.getByTestId('audit-filter-kind'), 'Key read');
    await waitUntil('the audit table with the key reads of the test and the discovery', async () => {
      const text = await view.getByTestId('audit-table').innerText();
      return /granted_by_person · for test/.test(text) && /granted_by_person · for discover/.test(text);
    }, 30_000);
    await session.screenshot('audit-log');
  });

  it('never shows the key: not in the webview, the workbench, the console or the output', async () => {
    await assertCanaryNowhere(session, { webviews: [await connectionsWebview(session.page), await editorWebview(session.page)], expectSomewhere: KEY_HINT });
  });
});
