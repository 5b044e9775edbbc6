/**
 * The first journey several suites start from: a local Ollama connection added in the
 * Connections view with some of its models registered, an agent made in the Agents view, and
 * one run of it that succeeds.
 */
import type { Page } from 'playwright-core';
import { assertRunEnded, startRun } from './agents';
import { addConnection, connectionRowById, dismissKeyNotice, registerDiscoveredModels } from './connections';
import { agentsWebview, connectionsWebview } from './webviews';
import { env, runCommand, widenSideBar } from './workbench';

/** Resolves with the run's id once it has succeeded. */
export async function runAgentOnLocalOllama(page: Page, journey: { connection: string; models: string[]; agent: string; input: string }): Promise<string> {
  await runCommand(page, 'Switchboard: Focus Connections');
  const connections = (await connectionsWebview(page)).view;
  await connections.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
  await widenSideBar(page);
  const connectionId = await addConnection(connections, { provider: 'Ollama', name: journey.connection, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
  await dismissKeyNotice(connections);
  await registerDiscoveredModels(connectionRowById(connections, connectionId), journey.models, 3);

  await runCommand(page, 'Switchboard: Show Runs');
  const agents = (await agentsWebview(page)).view;
  await agents.getByTestId('new-agent-button').first().click();
  const form = agents.getByTestId('agent-form');
  await form.locator('[data-testid="field-agent-name"] input').fill(journey.agent);
  await form.getByTestId('save-agent-button').click();
  const row = agents.getByTestId('agent-row').filter({ has: agents.getByTestId('agent-name').filter({ hasText: journey.agent }) });
  await row.getByTestId('run-agent-button').click();
  await agents.locator('[data-testid="run-input"] textarea').fill(journey.input);
  const runId = await startRun(agents);
  await assertRunEnded(agents, runId, 'succeeded');
  return runId;
}
