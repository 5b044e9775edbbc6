/**
 * The Switchboard editor with issue 12's volume behind it, for the scale journey and the editor
 * bench (bench/editor.mjs): a connection added through the Connections view, then 2,000 models,
 * 10,000 runs and 10,000 audit entries written into the extension's own switchboard.sqlite by
 * test/fixtures/seedVolume.ts (on a Node with node:sqlite).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { EDITOR_VOLUME, type AuditSummary, type VolumeSummary } from '../../fixtures/editorVolume';
import { addConnection, dismissKeyNotice } from './connections';
import { connectionsWebview } from './webviews';
import { env, runCommand, widenSideBar } from './workbench';

const REPO = path.resolve(__dirname, '..', '..', '..');
const EXTENSION_ID = 'switchboard-dev.switchboard';

/** The database the extension in code-server uses: its globalStorage. */
export function extensionDatabase(): string {
  return path.join(env('SWITCHBOARD_E2E_USER_DATA_DIR'), 'User', 'globalStorage', EXTENSION_ID, 'switchboard.sqlite');
}

/**
 * Seeds the audit entries, then adds an Ollama connection named `name` in the Connections view
 * and seeds the models and runs for it. Resolves with what the seeding wrote, which the views
 * should then show.
 *
 * The audit entries come first, as an earlier Switchboard wrote them: the seeding process cannot
 * have the extension's audit chain key (in its SecretStorage), so its entries must come before
 * the extension's first one, which is keyed and goes on from them. That first one is the new
 * connection's: with it, the log holds EDITOR_VOLUME.audit entries.
 */
export async function seedEditorVolume(page: Page, name: string): Promise<VolumeSummary & { connectionId: string }> {
  const audit = await seed('audit', extensionDatabase(), String(EDITOR_VOLUME.audit - 1));
  await runCommand(page, 'Switchboard: Focus Connections');
  const connections = (await connectionsWebview(page)).view;
  await connections.getByTestId('add-connection-button').first().waitFor({ timeout: 60_000 });
  await widenSideBar(page);
  const connectionId = await addConnection(connections, { provider: 'Ollama', name, baseUrl: env('SWITCHBOARD_FIXTURE_OLLAMA_URL') });
  await dismissKeyNotice(connections);
  const volume = await seed('models', extensionDatabase(), connectionId);
  return { ...(audit as AuditSummary), ...(volume as Omit<VolumeSummary, keyof AuditSummary>), connectionId };
}

/** Runs test/fixtures/seedVolume.ts on the harness's Node (which has node:sqlite); its one JSON line. */
async function seed(...args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(env('SWITCHBOARD_E2E_NODE24'), ['--no-warnings', '--import', 'tsx', path.join('test', 'fixtures', 'seedVolume.ts'), ...args], {
    cwd: REPO,
    timeout: 300_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as unknown;
}
