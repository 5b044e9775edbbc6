/**
 * What a person does in the Agents view: start a run from the open run panel, wait for it to
 * end, and open its detail.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { waitUntil } from './ui';

export function runRow(view: FrameLocator, runId: string): Locator {
  return view.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
}

async function runIds(view: FrameLocator): Promise<string[]> {
  return view.getByTestId('run-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-run-id') ?? ''));
}

/**
 * Clicks Run in the open run panel and resolves with the new run's id, once its row is
 * listed. The caller answers what the run may ask first (the consent dialog).
 */
export async function startRun(view: FrameLocator): Promise<string> {
  const before = new Set(await runIds(view));
  await view.getByTestId('run-panel').getByTestId('start-run-button').click();
  let runId = '';
  await waitUntil('the new run to be listed', async () => {
    runId = (await runIds(view)).find((id) => id && !before.has(id)) ?? '';
    return runId !== '';
  });
  return runId;
}

/** Waits until the run is no longer queued or running; resolves with its final status. */
export async function waitForRunEnd(view: FrameLocator, runId: string, timeoutMs = 30_000): Promise<string> {
  const row = runRow(view, runId);
  let status = '';
  await waitUntil(
    `run ${runId} to end`,
    async () => {
      status = (await row.getAttribute('data-status', { timeout: 1_000 })) ?? '';
      return status !== '' && status !== 'queued' && status !== 'running';
    },
    timeoutMs,
  );
  return status;
}

/**
 * The run's detail. A run started from the panel opens by itself; otherwise its row is
 * clicked (a second click would close it, so only a closed one is clicked).
 */
export async function openRunDetail(view: FrameLocator, runId: string): Promise<Locator> {
  const row = runRow(view, runId);
  const select = row.getByTestId('run-row-select');
  if ((await select.getAttribute('aria-expanded')) !== 'true') await select.click();
  const detail = row.getByTestId('run-detail');
  await detail.waitFor({ timeout: 10_000 });
  return detail;
}

/** Where the run went, as its detail shows it. */
export interface RoutingShown {
  connection: string;
  connectionSource: string | null;
  provider: string;
  providerId: string | null;
  model: string;
  modelSource: string | null;
}

export async function routingShown(detail: Locator): Promise<RoutingShown> {
  const connection = detail.getByTestId('run-detail-connection');
  const provider = detail.getByTestId('run-detail-provider');
  const model = detail.getByTestId('run-detail-model');
  return {
    connection: (await connection.innerText()).trim(),
    connectionSource: await connection.getAttribute('data-source'),
    provider: (await provider.innerText()).trim(),
    providerId: await provider.getAttribute('data-provider-id'),
    model: (await model.innerText()).trim(),
    modelSource: await model.getAttribute('data-source'),
  };
}

/** The error the detail shows: its code and the host's message. */
export async function runError(detail: Locator): Promise<{ code: string | null; message: string }> {
  const error = detail.getByTestId('run-detail-error');
  await error.waitFor({ timeout: 10_000 });
  return { code: await error.getAttribute('data-code'), message: (await error.getByTestId('run-detail-error-message').innerText()).trim() };
}

/** Fails with what the detail says when the run did not end as expected. */
export async function assertRunEnded(view: FrameLocator, runId: string, expected: string): Promise<Locator> {
  const status = await waitForRunEnd(view, runId);
  const detail = await openRunDetail(view, runId);
  if (status !== expected) {
    const error = (await detail.getByTestId('run-detail-error').count()) ? await runError(detail) : undefined;
    assert.fail(`run ${runId} ${status}, expected ${expected}${error ? `: ${error.code}: ${error.message}` : ''}`);
  }
  return detail;
}
