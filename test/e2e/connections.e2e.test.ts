import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { CANARY_KEY } from '../fixtures/canary';
import { assertCanaryNowhere, KEY_HINT } from './helpers/canary';
import { assertRunEnded, routingShown, startRun } from './helpers/agents';
import { closeDiscovery, openDiscovery } from './helpers/connections';
import { chooseOption, waitUntil } from './helpers/ui';
import { agentsWebview, connectionsWebview, editorWebview } from './helpers/webviews';
import { env, openWorkbench, readTree, runCommand, type Session } from './helpers/workbench';

describe('Connections view in VS Code (packaged extension)', () => {
  let session: Session;

  before(async () => {
    session = await openWorkbench('connections');
  });

  after(async () => {
    await session?.close();
  });

  it('is installed from a .vsix under 1.6 MB that ships no source map', () => {
    // 500 KB for the extension, and about 1.1 MB (compressed) for OpenAI's tokenizer tables in
    // dist/tokenizer.js, which only the first token count of an OpenAI model loads.
    const bytes = statSync(env('SWITCHBOARD_E2E_VSIX')).size;
    assert.ok(bytes < 1600 * 1024, `the .vsix is ${bytes} bytes`);
    const { files } = readTree(env('SWITCHBOARD_E2E_EXTENSIONS_DIR'));
    assert.ok(files.some((file) => file.endsWith(path.join('dist', 'extension.js'))), `installed: ${files.join(', ')}`);
    assert.deepEqual(files.filter((file) => file.endsWith('.map')), []);
  });

  it('takes a new user from nothing to a first agent run on a local Ollama in at most 8 actions', async function () {
    this.timeout(180_000);
    const { page } = session;
    // Every click and every field a person fills counts as one action; waiting for the views does not.
    const actions: string[] = [];
    const act = async (action: string, body: () => Promise<unknown>) => {
      actions.push(action);
      await body();
    };
    const started = performance.now();
    await act('open Switchboard in the activity bar', () => page.locator('.activitybar .action-item [aria-label^="Switchboard"]').first().click());
    const connections = (await connectionsWebview(page)).view;
    // "Add local Ollama" connects where OLLAMA_HOST says (the harness points it at the fixture).
    await act('Add local Ollama', () => connections.getByTestId('add-local-ollama-button').click());
    const row = connections.getByTestId('connection-row').first();
    const panel = row.getByTestId('discovery-panel');
    await panel.getByTestId('discovered-model').first().waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('[data-testid="discovered-model"][checked]').count(), 3, 'every new model checked');
    await session.screenshot('first-hour-discovered');
    await act('Add 3 to registry', () => panel.getByTestId('register-selected-button').click());
    await row.getByTestId('row-message').filter({ hasText: /Added 3 models/ }).waitFor({ timeout: 15_000 });
    assert.equal(await row.getByTestId('discovery-panel').count(), 0, 'the panel closed once the models were added');

    const agents = (await agentsWebview(page)).view;
    await act('New agent', () => agents.getByTestId('new-agent-button').first().click());
    await act('type its name', () => agents.locator('[data-testid="field-agent-name"] input').fill('First agent'));
    // The model it will use is named before it is saved: the connection's first registered model.
    assert.match(await agents.getByTestId('field-agent-model').evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.label ?? ''), /^llama3\.2:latest \(connection's first enabled model\)/);
    await act('Create agent', () => agents.getByTestId('save-agent-button').click());
    // Its run panel opens by itself, the input focused.
    const input = agents.locator('[data-testid="run-panel"] [data-testid="run-input"] textarea');
    await act('type the input', () => input.fill('Hello from the first hour'));
    let runId = '';
    await act('Run', async () => (runId = await startRun(agents)));
    const detail = await assertRunEnded(agents, runId, 'succeeded');
    const seconds = (performance.now() - started) / 1000;
    assert.equal((await routingShown(detail)).modelSource, 'registry', 'the run used the registered model');
    console.log(`      first hour: ${actions.length} actions, ${seconds.toFixed(1)} s: ${actions.join(' → ')}`);
    await session.screenshot('first-hour-run');
    assert.ok(actions.length <= 8, `${actions.length} actions: ${actions.join(', ')}`);
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
    // The panel opened when the connection was made, before it had a key: open it afresh.
    await closeDiscovery(row);
    await openDiscovery(row);
    await session.screenshot('discovered');
  });

  it('lists the key reads of the test and the discovery in Show Audit Log, each the person\'s own action', async () => {
    const { page } = session;
    await runCommand(page, 'Switchboard: Show Audit Log');
    const { view } = await editorWebview(page);
    await chooseOption(view.getByTestId('audit-filter-kind'), 'Key read');
    await waitUntil('the audit table with the key reads of the test and the discovery', async () => {
      const rows = await view.getByTestId('audit-row').allInnerTexts();
      const own = (purpose: RegExp) => rows.some((row) => /Allowed: your own click/.test(row) && purpose.test(row) && row.includes('Fixture Ollama') && row.includes('the Connections view'));
      return own(/to test the connection/) && own(/to list its models/);
    }, 30_000);
    assert.doesNotMatch(await view.getByTestId('audit-table').innerText(), /granted_by_person|for discover/, 'words, not codes');
    await session.screenshot('audit-log');
  });

  it('never shows the key: not in the webview, the workbench, the console or the output', async () => {
    await assertCanaryNowhere(session, { webviews: [await connectionsWebview(session.page), await editorWebview(session.page)], expectSomewhere: KEY_HINT });
  });
});
