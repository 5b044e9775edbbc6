/**
 * Small things every journey does: pick an option of a view's select, answer VS Code's
 * modal dialog, wait for a condition that no single locator expresses.
 */
import type { Locator, Page } from 'playwright-core';

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches an element whose whole text is `text` (surrounding white space aside). */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
}

/**
 * Chooses the option labelled `label` (its description, in brackets after it, aside) in one of
 * the views' native selects, as the keyboard or a click would: the select fires its change.
 */
export async function chooseOption(select: Locator, label: string): Promise<void> {
  const value = await select.evaluate((element, wanted) => {
    const options = Array.from((element as HTMLSelectElement).options);
    // The whole label first: "Use the default (gpt-4o-mini)" must not stand in for "gpt-4o-mini".
    return (options.find((option) => option.label === wanted) ?? options.find((option) => option.label.startsWith(`${wanted} (`)))?.value;
  }, label);
  if (value === undefined) throw new Error(`the select has no option "${label}"`);
  await select.selectOption(value);
  await waitUntil(`the select to show "${label}"`, async () => (await select.inputValue()) === value);
}

/** Polls `check` until it holds; the error names what was awaited. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** VS Code's modal dialog (showWarningMessage with `modal: true`), once it is shown. */
export async function modalDialog(page: Page, timeoutMs = 15_000): Promise<Locator> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  return dialog;
}

/** Clicks the dialog's button named `label` and waits for the dialog to close. */
export async function answerDialog(dialog: Locator, label: string): Promise<void> {
  await dialog.getByRole('button', { name: label, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
}
