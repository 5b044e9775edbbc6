// The packaged extension in code-server, for the benches that drive the Switchboard editor in
// headless Chromium (bench:editor, bench:usage-editor): packages the extension, installs the
// .vsix, starts the Ollama fixture and code-server, and sets what the e2e helpers read, as
// scripts/harness/e2e.mjs does for a journey.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserEnv } from '../scripts/harness/browser.mjs';
import { installVsix, startCodeServer, workbenchUrl } from '../scripts/harness/codeServer.mjs';
import { CHROMIUM, CHROMIUM_ARGS, NODE24, REPO, installCleanupHandlers, log, newRunDir, runOrThrow } from '../scripts/harness/common.mjs';
import { startFixtures } from '../scripts/harness/fixtures.mjs';
import { ensureHarness } from '../scripts/harness/install.mjs';

/** Runs `use` with the packaged extension in code-server (its run folder named `name`); stops code-server and the fixture after, whatever happens. */
export async function withPackagedEditor(name, use) {
  installCleanupHandlers();
  await ensureHarness();
  log('bench: packaging the extension (npm run package)');
  await runOrThrow('npm run package', 'npm', ['run', 'package'], { quiet: true });
  const runDir = newRunDir(name);
  const extensionsDir = path.join(runDir, 'extensions');
  installVsix({ dataDir: runDir, extensionsDir, vsix: path.join(REPO, 'dist', 'switchboard.vsix') });
  const fixtures = await startFixtures(['ollama']);
  const dataDir = path.join(runDir, 'editor');
  const server = await startCodeServer({ dataDir, workspace: path.join(dataDir, 'workspace'), extensionsDir, smokeTestDriver: false });
  try {
    const artifacts = path.join(dataDir, 'screenshots');
    mkdirSync(artifacts, { recursive: true });
    Object.assign(process.env, browserEnv(dataDir), fixtures.env, {
      SWITCHBOARD_E2E_URL: workbenchUrl(server),
      SWITCHBOARD_E2E_ARTIFACTS: artifacts,
      SWITCHBOARD_E2E_LOGS_DIR: server.logsDir,
      SWITCHBOARD_E2E_USER_DATA_DIR: server.userDataDir,
      SWITCHBOARD_E2E_NODE24: NODE24,
      SWITCHBOARD_E2E_CHROMIUM: CHROMIUM,
      SWITCHBOARD_E2E_CHROMIUM_ARGS: JSON.stringify(CHROMIUM_ARGS),
    });
    return await use({ server, dataDir });
  } finally {
    await server.stop();
    await fixtures.stop();
  }
}
