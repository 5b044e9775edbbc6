import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { CANARY_KEY } from '../fixtures/canary';
import { assertRunEnded, openRunDetail, routingShown, runError, runRow, startRun, waitForRunEnd } from './helpers/agents';
import { assertCanaryNowhere, KEY_HINT } from './helpers/canary';
import { addConnection, connectionRowById, dismissKeyNotice, enterKeyInPasswordBox, registerDiscoveredModels } from './helpers/connections';
import { answerDialog, chooseOption, modalDialog, waitUntil } from './helpers/ui';
import { agentsWebview, connectionsWebview, editorWebview } from './helpers/webviews';
import { env, openWorkbench, runCommand, setOllamaBehaviour, widenSideBar, type Session } from './helpers/workbench';

/**
 * A new user's first agent: a local Ollama connection as the default, an agent that uses it,
 * runs on the default, on another connection, on OpenAI with its key (the click on Run is the
 * person's consent: no dialog), and on a server that is not there. Each run's detail must say where it
 * went and why, or what went wrong. Connections are found by the ids their rows carry.
 */
describe('Agents view in VS Code (packaged extension)', function () {
  this.timeout(60_000);
  const OLLAMA = 'Agents journey Ollama';
  const SECOND = 'Agents journey Ollama two';
  const OPENAI = 'Agents journey OpenAI';
  const OFFLINE = 'Agents journey offline';
  const AGENT = 'Reviewer';
  let session: Session;
  const ids: Record<string, string> = {};

  const connections = async (): Promise<FrameLocator> => (await connectionsWebview(session.page)).view;
  const agents = async (): Promise<FrameLocator> => (await agentsWebview(session.page)).view;
  const runPanel = async () => (await agents()).getByTestId('run-panel');

  before(async () => {
    session = await openWorkbench('agents');
  });

  after(async () => {
    await session?.close();
  });

  it('a. adds a local Ollama connection at the fixture, which becomes the default since there is none', async () => {
    await runCommand(session.page, 'Switchboard: Focus Connections');
    const view = await connections();
    await view.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
    await widenSideBar(session.page);
    ids[OLLAMA] = await addConnection(view, { provider: 'Ollama', name: OLLAMA, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
    await dismissKeyNotice(view);
    const row = connectionRowById(view, ids[OLLAMA]);
    await row.getByTestId('default-marker').waitFor({ timeout: 10_000 });
    // VS Code's notification says so and offers Undo.
    const notice = session.page.locator('.notification-toast').filter({ hasText: `"${OLLAMA}" is now the default connection` });
    await notice.waitFor({ timeout: 10_000 });
    await notice.getByRole('button', { name: 'Undo' }).waitFor();
    await session.screenshot('default-connection');
  });

  it(`b. creates the agent "${AGENT}", leaving its connection to the default`, async () => {
    await runCommand(session.page, 'Switchboard: Show Runs');
    const view = await agents();
    await view.getByTestId('new-agent-button').first().click();
    const form = view.getByTestId('agent-form');
    await form.waitFor();
    await form.locator('[data-testid="field-agent-name"] input').fill(AGENT);
    await form.locator('[data-testid="field-agent-role"] input').fill('Reviews diffs for bugs and unclear names');
    await form.locator('[data-testid="field-agent-soul"] textarea').fill('You are a careful, friendly code reviewer. Answer in one short paragraph.');
    // The connection stays on "Use the default connection", which names the default.
    const connection = form.getByTestId('field-agent-connection');
    assert.match(await connection.evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.label ?? ''), /^Use the default connection\b/);
    assert.match(await form.innerText(), new RegExp(`Runs use the default connection, now “${OLLAMA}”`));
    await session.screenshot('agent-form');
    await form.getByTestId('save-agent-button').click();

    const row = view.getByTestId('agent-row').filter({ has: view.getByTestId('agent-name').filter({ hasText: AGENT }) });
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await view.getByTestId('agent-form').count(), 0, 'the form stayed open');
    assert.equal((await row.getByTestId('agent-route').innerText()).trim(), `default connection (${OLLAMA})`);
    await session.screenshot('agent-created');
  });

  it('c. runs it on the default connection with the provider’s default model', async () => {
    const view = await agents();
    await view.getByTestId('agent-row').getByTestId('run-agent-button').click();
    const panel = await runPanel();
    await panel.waitFor();
    await panel.locator('[data-testid="run-input"] textarea').fill('Review: const x = 1');
    await session.screenshot('run-panel');
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'succeeded');

    const routing = await routingShown(detail);
    assert.equal(routing.connectionSource, 'default');
    assert.match(routing.connection, new RegExp(`${OLLAMA} \\(from: default\\)`));
    assert.equal(routing.providerId, 'ollama');
    assert.match(routing.provider, /Ollama/);
    assert.equal(await runRow(view, runId).getByTestId('run-row-provider').getAttribute('data-provider-id'), 'ollama');
    assert.equal(routing.modelSource, 'provider');
    assert.match(routing.model, /llama3\.2 \(from: provider default\)/);
    assert.equal((await detail.getByTestId('run-detail-output').innerText()).trim(), 'You said: Review: const x = 1');
    assert.equal((await detail.getByTestId('run-detail-requester').innerText()).trim(), 'the Agents view', 'a name, never the requester id');
    await session.screenshot('run-on-default');
  });

  it('c2. a run on the default connection uses the registered model, as the run panel says beforehand', async () => {
    const connectionsView = await connections();
    assert.match(await registerDiscoveredModels(connectionRowById(connectionsView, ids[OLLAMA]!), ['llama3.2:latest']), /Added 1 model/);

    const view = await agents();
    const panel = await runPanel();
    // The preview follows the registry as the host's routing does.
    await panel.getByText(/with llama3\.2:latest \(connection's first enabled model\)/).first().waitFor({ timeout: 10_000 });
    await session.screenshot('run-panel-registered-model');
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'succeeded');
    const routing = await routingShown(detail);
    assert.equal(routing.connectionSource, 'default');
    assert.equal(routing.modelSource, 'registry');
    assert.match(routing.model, /llama3\.2:latest/);
  });

  it('d. runs it on a second Ollama connection chosen for the run', async () => {
    const connectionsView = await connections();
    ids[SECOND] = await addConnection(connectionsView, { provider: 'Ollama', name: SECOND, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
    await dismissKeyNotice(connectionsView);

    const view = await agents();
    await chooseOption((await runPanel()).getByTestId('run-connection'), SECOND);
    await session.screenshot('run-on-second');
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'succeeded');
    const routing = await routingShown(detail);
    assert.equal(routing.connectionSource, 'request');
    assert.match(routing.connection, new RegExp(`${SECOND} \\(from: request\\)`));
    assert.equal(routing.providerId, 'ollama');
    assert.match(routing.model, /llama3\.2/);
    await session.screenshot('run-on-second-done');
  });

  it("e. runs it on OpenAI on the person's click, which is their consent: no dialog, the run succeeds", async () => {
    const { page } = session;
    const connectionsView = await connections();
    ids[OPENAI] = await addConnection(connectionsView, { provider: 'OpenAI', name: OPENAI, baseUrl: `${env('SWITCHBOARD_FIXTURE_OPENAI_URL')}/v1` });
    // OpenAI needs a key: VS Code's password box opens as soon as the connection is saved.
    await enterKeyInPasswordBox(page, CANARY_KEY);
    const row = connectionRowById(connectionsView, ids[OPENAI]);
    await row.getByTestId('connection-key-hint').filter({ hasText: KEY_HINT }).waitFor({ timeout: 10_000 });
    // OpenAI has no default model: register one so that the run panel offers it.
    assert.match(await registerDiscoveredModels(row, ['gpt-4o-mini']), /Added 1 model/);
    await session.screenshot('openai-connection');

    const view = await agents();
    const panel = await runPanel();
    await chooseOption(panel.getByTestId('run-connection'), OPENAI);
    await chooseOption(panel.getByTestId('run-model'), 'gpt-4o-mini');

    // The person's own click on Run is their consent for this run: no dialog asks again.
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'succeeded');
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'a consent dialog opened for the person\'s own Run');
    const routing = await routingShown(detail);
    assert.equal(routing.connectionSource, 'request');
    assert.match(routing.connection, new RegExp(OPENAI));
    assert.equal(routing.providerId, 'openai');
    assert.match(routing.provider, /OpenAI/);
    assert.equal(routing.modelSource, 'request');
    assert.match(routing.model, /gpt-4o-mini/);
    assert.equal((await detail.getByTestId('run-detail-output').innerText()).trim(), 'You said: Review: const x = 1');
    await session.screenshot('run-on-openai');
  });

  it('f. runs it on a connection whose server is not there: endpoint_unreachable, in plain words', async () => {
    const connectionsView = await connections();
    // Nothing listens on the discard port.
    ids[OFFLINE] = await addConnection(connectionsView, { provider: 'Ollama', name: OFFLINE, baseUrl: 'http://127.0.0.1:9' });
    await dismissKeyNotice(connectionsView);

    const view = await agents();
    await chooseOption((await runPanel()).getByTestId('run-connection'), OFFLINE);
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'failed');
    const error = await runError(detail);
    assert.equal(error.code, 'endpoint_unreachable');
    assert.match(error.message, /not reachable at http:\/\/127\.0\.0\.1:9/);
    assert.match((await detail.getByTestId('run-detail-connection').innerText()).trim(), new RegExp(OFFLINE));
    await session.screenshot('endpoint-unreachable');
  });

  it('g. shows the output while the model is still streaming it, and keeps it, marked partial, when the run is cancelled', async () => {
    // The fixture sends the first half of its answer, then nothing more until the run is cancelled.
    await setOllamaBehaviour('stream-endless');
    try {
      const view = await agents();
      await chooseOption((await runPanel()).getByTestId('run-connection'), OLLAMA);
      await (await runPanel()).locator('[data-testid="run-input"] textarea').fill('stream this answer slowly please');
      const runId = await startRun(view);
      const detail = await openRunDetail(view, runId);
      const streaming = detail.locator('[data-testid="run-detail-output"][data-streaming="true"]');
      await streaming.waitFor({ timeout: 30_000 });
      assert.match(await streaming.innerText(), /^You said/);
      assert.equal(await runRow(view, runId).getAttribute('data-status'), 'running', 'the output showed before the run ended');
      await session.screenshot('run-streaming');
      await runRow(view, runId).getByTestId('cancel-run-button').click();
      assert.equal(await waitForRunEnd(view, runId), 'cancelled');
      await detail.getByTestId('run-detail-output-partial').waitFor({ timeout: 10_000 });
      await session.screenshot('run-partial');
    } finally {
      await setOllamaBehaviour('normal');
    }
  });

  it("h. the Audit tab says the person's own click in words, names the run by its agent, and keeps a deleted connection's name", async () => {
    const { page } = session;
    const connectionsView = await connections();
    await connectionRowById(connectionsView, ids[OFFLINE]!).getByTestId('delete-button').click();
    await answerDialog(await modalDialog(page), 'Delete');
    await connectionRowById(connectionsView, ids[OFFLINE]!).waitFor({ state: 'detached', timeout: 10_000 });

    await runCommand(page, 'Switchboard: Show Audit Log');
    const editor = (await editorWebview(page)).view;
    // The run on OpenAI (step e): its key read and its model call. A denied call cannot come from
    // the person's own click any more; its wording is checked in webviewEditorAudit.unit.test.ts.
    await chooseOption(editor.getByTestId('audit-filter-connection'), OPENAI);
    const rows = editor.getByTestId('audit-row');
    let texts: string[] = [];
    await waitUntil('the key read and the model call of the run on OpenAI', async () => {
      texts = await rows.allInnerTexts();
      return texts.some((text) => /Key read/.test(text)) && texts.some((text) => /Model call/.test(text));
    });
    const read = texts.find((text) => /Key read/.test(text));
    const call = texts.find((text) => /Model call/.test(text));
    assert.match(read ?? '', /Allowed: your own click/);
    assert.match(read ?? '', /for a model call/);
    assert.match(call ?? '', new RegExp(`${AGENT}, started`), 'the run by its agent and start');
    await session.screenshot('audit-own-click');

    await chooseOption(editor.getByTestId('audit-filter-connection'), 'Any connection');
    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Connection deleted');
    const deleted = editor.getByTestId('audit-row');
    await waitUntil('the delete to be listed', async () => (await deleted.count()) === 1 && (await deleted.first().innerText()).includes(OFFLINE));
    const text = await deleted.first().innerText();
    assert.match(text, new RegExp(`${OFFLINE} \\(deleted\\)`), "the deleted connection's name");
    assert.match(text, /the Connections view/, 'who deleted it');
    await chooseOption(editor.getByTestId('audit-filter-kind'), 'Any kind');
  });

  it('i. falls over to the fallback the agent names when its connection cannot be reached, and the run detail lists each try', async () => {
    const DOWN = 'Agents journey down';
    const connectionsView = await connections();
    // Nothing listens on the discard port: every try is refused, which another try may fix.
    ids[DOWN] = await addConnection(connectionsView, { provider: 'Ollama', name: DOWN, baseUrl: 'http://127.0.0.1:9' });
    await dismissKeyNotice(connectionsView);

    const view = await agents();
    const row = view.getByTestId('agent-row').filter({ has: view.getByTestId('agent-name').filter({ hasText: AGENT }) });
    await row.getByTestId('edit-agent-button').click();
    const form = view.getByTestId('agent-form');
    await form.waitFor();
    await chooseOption(form.getByTestId('field-agent-connection'), DOWN);
    await form.getByTestId('add-fallback-button').click();
    const fallback = form.getByTestId('field-agent-fallback-0');
    // The new row's select takes the focus, so a keyboard user goes on choosing.
    await waitUntil('the new fallback to have the focus', () => fallback.evaluate((select) => select.ownerDocument.activeElement === select));
    const target = await fallback.evaluate((select, prefix) => Array.from((select as HTMLSelectElement).options).find((option) => option.label.startsWith(prefix))?.value, `${OLLAMA} · `);
    assert.ok(target, `a fallback option of ${OLLAMA}`);
    await fallback.selectOption(target);
    await session.screenshot('agent-fallback-form');
    await form.getByTestId('save-agent-button').click();
    await view.getByTestId('agent-form').waitFor({ state: 'detached', timeout: 10_000 });

    await (await runPanel()).getByTestId('run-connection').selectOption('');
    await (await runPanel()).locator('[data-testid="run-input"] textarea').fill('fall over please');
    const runId = await startRun(view);
    const detail = await assertRunEnded(view, runId, 'succeeded');
    const attempts = detail.getByTestId('run-attempt');
    await attempts.first().waitFor({ timeout: 10_000 });
    const kinds = await attempts.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    assert.deepEqual(kinds, ['failed', 'failed', 'failed', 'ok'], 'three tries on the connection that is down, then the fallback');
    assert.match(await attempts.first().innerText(), new RegExp(`${DOWN}[\\s\\S]*could not be reached`));
    assert.match(await detail.getByTestId('run-detail-answered-by').innerText(), new RegExp(`answered by fallback: ${OLLAMA}`));
    await session.screenshot('run-fallback-attempts');
  });

  it('never shows the key: not in the webviews, the workbench, the console or the logs', async () => {
    await assertCanaryNowhere(session, { webviews: [await connectionsWebview(session.page), await agentsWebview(session.page)], expectSomewhere: KEY_HINT });
  });
});
