/**
 * The last step of every journey: the canary key is nowhere a person or a log could see it.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CANARY_KEY } from '../../fixtures/canary';
import { DOCUMENT_DUMP, env, placesHolding, readTree, type Session } from './workbench';
import type { Webview } from './webviews';

/** What a connection's row shows of the canary key: its last four characters. */
export const KEY_HINT = `****${CANARY_KEY.slice(-4)}`;

export interface CanaryCheck {
  /** The webviews whose documents must not hold the key. */
  webviews: readonly Webview[];
  /** Text that must be in at least one of them, to show the dump read the right documents (e.g. KEY_HINT). */
  expectSomewhere?: string;
}

/**
 * Fails when the canary key is in a webview's DOM (text, attributes, form values, shadow
 * roots), the workbench's DOM, the browser console, or any log code-server wrote (the
 * Switchboard output channel among them).
 */
export async function assertCanaryNowhere(session: Session, check: CanaryCheck): Promise<void> {
  const { page } = session;
  let expected = check.expectSomewhere === undefined;
  for (const webview of check.webviews) {
    const dump = (await (await webview.frame()).evaluate(DOCUMENT_DUMP)) as Array<[string, string]>;
    assert.ok(dump.length > 2, `the dump of webview ${webview.name} is empty`);
    if (check.expectSomewhere !== undefined && placesHolding(dump, check.expectSomewhere).length > 0) expected = true;
    assert.deepEqual(placesHolding(dump, CANARY_KEY), [], `the canary key is in the DOM of webview ${webview.name}`);
  }
  assert.ok(expected, `no webview dump holds "${check.expectSomewhere}": are they the right documents?`);

  // VS Code's quick input widget is shared and keeps the last value in its hidden <input>
  // until the next quick input opens (the extension cannot clear it after accept): open
  // and close the palette first, then nothing in the workbench may hold the key.
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  const workbenchDump = (await page.evaluate(DOCUMENT_DUMP)) as Array<[string, string]>;
  assert.deepEqual(placesHolding(workbenchDump, CANARY_KEY), [], 'the canary key is in the workbench DOM');

  assert.ok(!session.console.join('\n').includes(CANARY_KEY), 'the canary key is in the browser console');

  const logs = readTree(env('SWITCHBOARD_E2E_LOGS_DIR'));
  assert.ok(
    logs.files.some((file) => path.basename(file) === 'Switchboard.log'),
    `no Switchboard output channel log among ${logs.files.length} log files`,
  );
  assert.ok(!logs.text.includes(CANARY_KEY), 'the canary key is in the output channels or the extension host logs');
}
