/**
 * What a person does in the Connections view, step by step: add a connection through the
 * form, find its row, make it the default, list and register its models.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { chooseOption, exactly, waitUntil } from './ui';

/** The row of the connection named exactly `name`. */
export function connectionRow(view: FrameLocator, name: string): Locator {
  return view.getByTestId('connection-row').filter({ has: view.getByTestId('connection-name').filter({ hasText: exactly(name) }) });
}

/** The row of the connection with this id. */
export function connectionRowById(view: FrameLocator, connectionId: string): Locator {
  return view.locator(`[data-testid="connection-row"][data-connection-id="${connectionId}"]`);
}

export interface NewConnection {
  /** The provider's display name in the form's select, e.g. Ollama or OpenAI. */
  provider: string;
  name: string;
  baseUrl: string;
}

/**
 * Opens the add form, picks the provider, types the name and base URL and saves. Resolves
 * with the new connection's id once its row is listed. A provider that needs a key opens
 * VS Code's password box right after: the caller answers it.
 */
export async function addConnection(view: FrameLocator, connection: NewConnection): Promise<string> {
  // The toolbar's button, or the empty state's when there is no connection yet.
  await view.getByTestId('add-connection-button').first().click();
  const form = view.getByTestId('connection-form');
  await form.waitFor();
  await chooseOption(form.getByTestId('provider-select'), connection.provider);
  await form.locator('[data-testid="field-name"] input').fill(connection.name);
  await form.locator('[data-testid="field-baseUrl"] input').fill(connection.baseUrl);
  await form.getByTestId('save-connection-button').click();

  // The form closes in the same render as what follows a create (the key's password box, or
  // the model panel opening by itself): until it has closed, the row's buttons may still change
  // under a click, which on a busy machine toggled the panel shut again.
  const formError = view.getByTestId('form-error');
  await waitUntil('the connection form to close', async () => (await form.count()) === 0 || (await formError.count()) > 0);
  assert.equal(await formError.count(), 0, 'the connection form reported an error');
  const row = connectionRow(view, connection.name);
  await row.waitFor({ timeout: 15_000 });
  const id = await row.getAttribute('data-connection-id');
  assert.ok(id, `the row of ${connection.name} has no connection id`);
  return id;
}

/** Closes the "add an optional key?" notice a new Ollama connection shows, if it is there. */
export async function dismissKeyNotice(view: FrameLocator): Promise<void> {
  const dismiss = view.getByTestId('notice-dismiss-button');
  if (await dismiss.count()) await dismiss.click();
}

/** Types the key into VS Code's password box (it must be open) and accepts it. */
export async function enterKeyInPasswordBox(page: Page, key: string): Promise<void> {
  const box = page.locator('.quick-input-widget input');
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await box.getAttribute('type'), 'password', 'the key box is not a password box');
  await box.fill(key);
  await box.press('Enter');
  await box.waitFor({ state: 'hidden', timeout: 15_000 });
}

/**
 * The model panel of a connection, open, once discovery listed something. A connection that
 * needs no key opens it by itself when it is created; otherwise discover-button opens it.
 */
export async function openDiscovery(row: Locator): Promise<Locator> {
  const button = row.getByTestId('discover-button');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  const panel = row.getByTestId('discovery-panel');
  await panel.getByTestId('discovered-model').first().waitFor({ timeout: 30_000 });
  return panel;
}

/** Closes the model panel of a connection if it is open, so the next opening discovers afresh. */
export async function closeDiscovery(row: Locator): Promise<void> {
  if ((await row.getByTestId('discover-button').getAttribute('aria-expanded')) === 'true') await row.getByTestId('discovery-close-button').click();
  await row.getByTestId('discovery-panel').waitFor({ state: 'detached', timeout: 10_000 });
}

/**
 * Opens the model panel of a connection, checks exactly `modelIds` (the panel checks what is
 * not registered yet) and adds them to the registry. The panel then closes; resolves with what
 * the row says.
 */
export async function registerDiscoveredModels(row: Locator, modelIds: readonly string[], expectFound?: number): Promise<string> {
  const panel = await openDiscovery(row);
  const boxes = panel.getByTestId('discovered-model');
  if (expectFound !== undefined) assert.equal(await boxes.count(), expectFound, 'models discovery listed');
  for (const id of await boxes.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-model-id') ?? ''))) {
    const box = panel.locator(`[data-testid="discovered-model"][data-model-id="${id}"]`);
    // vscode-checkbox reflects its state in the `checked` attribute.
    const wanted = modelIds.includes(id);
    if ((await box.getAttribute('checked')) !== null !== wanted) await box.click();
    await panel.locator(`[data-testid="discovered-model"][data-model-id="${id}"]${wanted ? '[checked]' : ':not([checked])'}`).waitFor({ timeout: 5_000 });
  }
  await panel.getByTestId('register-selected-button').click();
  await panel.waitFor({ state: 'detached', timeout: 15_000 });
  const message = row.getByTestId('row-message');
  await message.filter({ hasText: /Added|refreshed/ }).waitFor({ timeout: 15_000 });
  return (await message.innerText()).trim();
}

/** The registry's size as the Models tab's header says it: "Models (3)", or "Models" when empty. */
export async function registeredModelCount(view: FrameLocator): Promise<number> {
  const label = (await view.getByTestId('tab-models').innerText()).trim();
  return Number(/\((\d[\d,]*)\)/.exec(label)?.[1]?.replace(/,/g, '') ?? 0);
}
