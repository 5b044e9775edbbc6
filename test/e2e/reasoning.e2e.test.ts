import * as assert from 'node:assert/strict';
import { assertRunEnded, startRun } from './helpers/agents';
import { addConnection, connectionRowById, dismissKeyNotice, registerDiscoveredModels } from './helpers/connections';
import { chooseOption } from './helpers/ui';
import { agentsWebview, connectionsWebview } from './helpers/webviews';
import { env, openWorkbench, runCommand, widenSideBar, type Session } from './helpers/workbench';

const THOUGHTS = 'Weighing the request before answering it.';

/**
 * A thinking model in the Agents view: an agent with its own reasoning setting runs on it, the
 * answer is the output alone, and the model's reasoning is folded under it, opened by keyboard.
 */
describe("a thinking model's reasoning in the Agents view (packaged extension)", function () {
  this.timeout(60_000);
  const OLLAMA = 'Reasoning journey Ollama';
  let session: Session;
  const ollama = env('SWITCHBOARD_FIXTURE_OLLAMA_URL');

  before(async () => {
    await fetch(`${ollama}/__fixture/reset`, { method: 'POST' });
    const models = await fetch(`${ollama}/__fixture/models`, { method: 'POST', body: JSON.stringify({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'], thinking: THOUGHTS }] }) });
    assert.ok(models.ok, 'the Ollama fixture took the thinking model');
    session = await openWorkbench('reasoning');
  });

  after(async () => {
    await session?.close();
    // The fixtures serve every journey in turn.
    await fetch(`${ollama}/__fixture/reset`, { method: 'POST' });
  });

  it('runs an agent with its own reasoning setting and shows the reasoning folded under the output', async () => {
    await runCommand(session.page, 'Switchboard: Focus Connections');
    const connections = (await connectionsWebview(session.page)).view;
    await connections.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
    await widenSideBar(session.page);
    const connectionId = await addConnection(connections, { provider: 'Ollama', name: OLLAMA, baseUrl: ollama });
    await dismissKeyNotice(connections);
    await registerDiscoveredModels(connectionRowById(connections, connectionId), ['qwen3:8b'], 1);

    await runCommand(session.page, 'Switchboard: Show Runs');
    const agents = (await agentsWebview(session.page)).view;
    await agents.getByTestId('new-agent-button').first().click();
    const form = agents.getByTestId('agent-form');
    await form.locator('[data-testid="field-agent-name"] input').fill('Thinker');
    await chooseOption(form.getByTestId('field-agent-connection'), OLLAMA);
    await chooseOption(form.getByTestId('field-agent-model'), 'qwen3:8b');
    await form.locator('[data-testid="field-agent-reasoning"] input').fill('high');
    await form.getByTestId('save-agent-button').click();
    const row = agents.getByTestId('agent-row').filter({ has: agents.getByTestId('agent-name').filter({ hasText: 'Thinker' }) });
    await row.getByTestId('run-agent-button').click();
    await agents.locator('[data-testid="run-input"] textarea').fill('hello');
    const runId = await startRun(agents);
    const detail = await assertRunEnded(agents, runId, 'succeeded');

    assert.equal((await detail.getByTestId('run-detail-output').innerText()).trim(), 'You said: hello');
    const reasoning = detail.getByTestId('run-detail-reasoning');
    assert.equal(await reasoning.evaluate((element) => (element as HTMLDetailsElement).open), false, 'folded at first');
    assert.equal(await detail.getByTestId('run-detail-reasoning-text').isVisible(), false);
    await reasoning.locator('summary').focus();
    await reasoning.locator('summary').press('Enter');
    assert.equal((await detail.getByTestId('run-detail-reasoning-text').innerText()).trim(), THOUGHTS);
    await session.screenshot('run-reasoning');
    const sent = (await (await fetch(`${ollama}/__fixture/requests`)).json()) as { requests: { url: string; body: string }[] };
    const chat = sent.requests.find((request) => request.url === '/api/chat');
    assert.equal((JSON.parse(chat?.body ?? '{}') as { think?: unknown }).think, true, "the agent's setting reached Ollama");
  });
});
