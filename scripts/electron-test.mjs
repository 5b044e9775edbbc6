// `npm run test:electron`: the same integration suite (test/integration) in desktop VS Code
// through @vscode/test-electron, for machines that have VS Code or can download it (the
// offline CI uses code-server instead: scripts/harness/integration.mjs).
//
//   VSCODE_EXECUTABLE_PATH=/path/to/code   use an installed VS Code instead of downloading
//   VSCODE_TEST_VERSION=1.104.0            the version to download (default: stable)
//
// On Linux without a display, run it under xvfb-run.
import { runTests } from '@vscode/test-electron';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildIntegrationSuite, INTEGRATION_ENTRY } from './harness/buildTests.mjs';
import { REPO, installCleanupHandlers, log, newRunDir, runOrThrow } from './harness/common.mjs';
import { startFixtures } from './harness/fixtures.mjs';

async function main() {
  installCleanupHandlers();
  await runOrThrow('build', process.execPath, ['esbuild.mjs']);
  await buildIntegrationSuite();

  const runDir = newRunDir('electron');
  const workspace = path.join(runDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'README.md'), '# Switchboard integration workspace\n');
  const resultsFile = path.join(runDir, 'results.json');

  const fixtures = await startFixtures();
  let code;
  try {
    code = await runTests({
      extensionDevelopmentPath: REPO,
      extensionTestsPath: INTEGRATION_ENTRY,
      extensionTestsEnv: { ...fixtures.env, SWITCHBOARD_TEST_RESULTS: resultsFile },
      ...(process.env.VSCODE_EXECUTABLE_PATH ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH } : { version: process.env.VSCODE_TEST_VERSION || 'stable' }),
      launchArgs: [
        workspace,
        '--disable-extensions', // other extensions; the one under development still loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(runDir, 'user-data'),
        '--extensions-dir', path.join(runDir, 'extensions'),
      ],
    });
  } catch (error) {
    const message = String(error?.message ?? error);
    const offline = /ENOTFOUND|ECONNREFUSED|EAI_AGAIN|getaddrinfo|download/i.test(message);
    log(
      offline
        ? `test:electron could not download VS Code (${message}). Offline, use 'npm run test:integration' (code-server), or set VSCODE_EXECUTABLE_PATH.`
        : `test:electron failed: ${message}`,
    );
    return 1;
  } finally {
    await fixtures.stop();
  }

  try {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    log(`electron integration results: ${results.passes} passing, ${results.failures} failing (artifacts: ${path.relative(REPO, runDir)})`);
    if (results.failures > 0) return 1;
  } catch {
    log('no results file: the suite did not finish');
    return 1;
  }
  return code === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
