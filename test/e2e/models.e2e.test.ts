import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { addConnection, connectionRowById, dismissKeyNotice, openDiscovery, registerDiscoveredModels, registeredModelCount } from './helpers/connections';
import { answerDialog, modalDialog, waitUntil } from './helpers/ui';
import { connectionsWebview } from './helpers/webviews';
import { env, openWorkbench, runCommand, widenSideBar, type Session } from './helpers/workbench';

/**
 * The Models tab, as a person meets it: discover what an Ollama server serves, register two of
 * its models, see them in the registry with their context window, disable one, and watch them
 * go with their connection. Each journey opens a fresh browser profile, and code-server keeps
 * the extension's stored state (connections, the registry) on the browser's side, so the
 * registry starts empty; the rows are still told apart by this connection's id. No key is typed
 * here (Ollama has none): the journeys that type one (connections, agents) look for it everywhere.
 */
describe('Models tab in VS Code (packaged extension)', function () {
  this.timeout(60_000);
  const NAME = 'Models journey Ollama';
  let session: Session;
  let view: FrameLocator;
  let connectionId = '';

  const modelsTab = () => view.getByTestId('tab-panel-models');
  const modelRow = (modelId: string): Locator =>
    view.locator(`[data-testid="model-row"][data-connection-id="${connectionId}"][data-model-id="${modelId}"]`);

  const registeredCount = () => registeredModelCount(view);

  before(async () => {
    session = await openWorkbench('models');
  });

  after(async () => {
    await session?.close();
  });

  it('adds an Ollama connection pointed at the fixture', async () => {
    await runCommand(session.page, 'Switchboard: Focus Connections');
    ({ view } = await connectionsWebview(session.page));
    await view.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
    await widenSideBar(session.page);
    await view.getByTestId('tab-models').click();
    await modelsTab().getByTestId('models-empty-state').waitFor({ timeout: 10_000 });
    assert.equal(await registeredCount(), 0);
    await session.screenshot('models-tab-empty');
    await view.getByTestId('tab-connections').click();

    connectionId = await addConnection(view, { provider: 'Ollama', name: NAME, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
    await dismissKeyNotice(view);
    await session.screenshot('connection-added');
  });

  it('discovers the three models the fixture serves and registers two of them', async () => {
    const row = connectionRowById(view, connectionId);
    // Listed before they are added: the panel closes once they are.
    const listed = await (await openDiscovery(row)).getByTestId('discovered-model').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-model-id')));
    assert.deepEqual([...listed].sort(), ['llama3.2:latest', 'llava:latest', 'qwen2.5-coder:7b']);
    const message = await registerDiscoveredModels(row, ['llava:latest', 'llama3.2:latest'], 3);
    assert.match(message, /Added 2 models/);
    await row.getByTestId('connection-model-count').filter({ hasText: '2 models' }).waitFor({ timeout: 10_000 });
    await session.screenshot('models-registered');
  });

  it('shows them in the Models tab with the window a run gets, the model\'s maximum, and where each figure came from', async () => {
    await view.getByTestId('tab-models').click();
    await modelsTab().getByTestId('model-list').waitFor({ timeout: 10_000 });
    await waitUntil('the two registered models of the connection', async () => (await view.locator(`[data-testid="model-row"][data-connection-id="${connectionId}"]`).count()) === 2);
    assert.equal(await registeredCount(), 2, 'the tab header counts the two new models');
    // llama3.2's Modelfile sets no num_ctx, so a run gets Ollama's default, which its API does not
    // report (assumed 4,096); the model itself takes 131,072 tokens (2^17), written as model cards do.
    const context = modelRow('llama3.2:latest').getByTestId('model-context');
    assert.match(await context.innerText(), /4k of 128k · default, assumed/);
    assert.equal(await context.getAttribute('data-source'), 'default');
    assert.match(
      (await context.getAttribute('title')) ?? '',
      /^A run gets 4,096 tokens \(the provider's documented default, assumed: its API does not report it\)\. The model takes at most 131,072 tokens \(reported by the provider\)\./,
    );
    assert.equal(await modelRow('llama3.2:latest').getByTestId('model-context-clear').count(), 0, 'nothing to clear without a value of the person\'s');
    assert.equal(await modelRow('llama3.2:latest').getAttribute('data-enabled'), 'true');
    assert.match(await modelRow('llava:latest').getByTestId('model-connection').innerText(), new RegExp(`${NAME} · Ollama`));
    await session.screenshot('models-tab');
  });

  it("sets llama3.2's window with the keyboard, then clears it back to the provider's", async () => {
    const row = modelRow('llama3.2:latest');
    const context = row.getByTestId('model-context');
    await context.focus();
    await session.page.keyboard.press('Enter');
    const field = row.getByTestId('model-context-field');
    await field.waitFor({ timeout: 10_000 });
    await field.fill('32k');
    await field.press('Enter');
    await waitUntil('the person\'s window in the row', async () => /32k of 128k · your value/.test(await context.innerText().catch(() => '')));
    assert.match((await context.getAttribute('title')) ?? '', /^A run gets 32,000 tokens \(your value\)\. Without your value: 4,096 tokens/);
    await session.screenshot('models-context-overridden');

    const clear = row.getByTestId('model-context-clear');
    await context.focus();
    await session.page.keyboard.press('Tab');
    await waitUntil('the Clear button has the keyboard focus', async () => clear.evaluate((element) => element.matches(':focus, :focus-within')));
    await session.page.keyboard.press('Enter');
    await waitUntil("the provider's window again", async () => /4k of 128k · default, assumed/.test(await context.innerText().catch(() => '')));
    assert.equal(await clear.count(), 0);
  });

  it('disables llava with its toggle', async () => {
    await modelRow('llava:latest').getByTestId('model-enabled-toggle').click();
    await view.locator(`[data-testid="model-row"][data-connection-id="${connectionId}"][data-model-id="llava:latest"][data-enabled="false"]`).waitFor({ timeout: 10_000 });
    assert.equal(await modelRow('llama3.2:latest').getAttribute('data-enabled'), 'true', 'only llava was disabled');
    await session.screenshot('llava-disabled');
  });

  it("deletes the connection after VS Code's confirmation, and its models go with it", async () => {
    await view.getByTestId('tab-connections').click();
    const row = connectionRowById(view, connectionId);
    await row.getByTestId('delete-button').click();
    const dialog = await modalDialog(session.page);
    assert.match(await dialog.innerText(), new RegExp(NAME));
    await session.screenshot('delete-confirmation');
    await answerDialog(dialog, 'Delete');
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await session.screenshot('connection-deleted');

    await view.getByTestId('tab-models').click();
    await modelsTab().getByTestId('models-empty-state').waitFor({ timeout: 10_000 });
    assert.equal(await view.locator(`[data-testid="model-row"][data-connection-id="${connectionId}"]`).count(), 0, 'a model of the deleted connection is still listed');
    assert.equal(await registeredCount(), 0, 'the tab header still counts models');
    await session.screenshot('models-after-delete');
  });
});
