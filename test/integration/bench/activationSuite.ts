/**
 * The extension-host half of bench/activation.mjs, run as its own extensionTestsPath: it
 * activates Switchboard once and writes two figures to SWITCHBOARD_TEST_RESULTS. It lives
 * with the integration code because, like it, it needs the vscode API at run time.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TestModeExports as SwitchboardExports } from '../../../src/vscode/testing';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<SwitchboardExports>('switchboard-dev.switchboard');
  if (!extension) throw new Error('switchboard-dev.switchboard is not loaded');
  const wasActive = extension.isActive;
  const started = performance.now();
  const api = await extension.activate();
  const figures = {
    wasActive,
    /** What activate() measured itself: wiring the parts, nothing more. */
    activationMs: api.testing?.activationMs,
    /** extension.activate() seen from outside: also loading and evaluating dist/extension.js. */
    activateCallMs: performance.now() - started,
  };
  const file = process.env.SWITCHBOARD_TEST_RESULTS;
  if (file) fs.writeFileSync(file, JSON.stringify(figures) + '\n');
}
