/**
 * Shared by the integration tests, which run inside a real extension host: they reach the
 * extension only through what a person or another extension could use (commands, the
 * exported API) plus the Test-mode hooks in `api.testing`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Connection, TestResult } from '../../src/contracts/connections';
import type { SwitchboardApiV1 } from '../../src/api/types';
import type { TestingApi, TestModeExports } from '../../src/vscode/testing';
import { CANARY_KEY } from '../fixtures/canary';

/** The fake key every suite types in and then looks for where it must never be. */
export { CANARY_KEY };

export const EXTENSION_ID = 'switchboard-dev.switchboard';

/** Where the extension keeps a connection's key (docs/architecture.md, "Storage"). */
export function secretName(connectionId: string): string {
  return `switchboard.connection.${connectionId}.apiKey`;
}

export function extension(): vscode.Extension<TestModeExports> {
  const found = vscode.extensions.getExtension<TestModeExports>(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is not loaded in this extension host`);
  return found;
}

export async function activate(): Promise<{ api: SwitchboardApiV1; testing: TestingApi }> {
  const exports = await extension().activate();
  assert.ok((exports as Partial<TestModeExports> | undefined)?.testing, 'api.testing is missing: the extension must run in ExtensionMode.Test (extensionTestsPath)');
  // The tests call as Switchboard itself: an installed extension, as getApi requires.
  return { api: exports.getApi(1, EXTENSION_ID), testing: exports.testing };
}

/** The URL of a fixture server the harness started (scripts/harness/fixtures.mjs). */
export function fixtureUrl(kind: 'ollama' | 'openai' | 'anthropic'): string {
  const name = `SWITCHBOARD_FIXTURE_${kind.toUpperCase()}_URL`;
  const url = process.env[name];
  assert.ok(url, `${name} is not set: run the suite through scripts/harness/integration.mjs`);
  return url.replace(/\/$/, '');
}

/** A request a fixture server received, as GET /__fixture/requests reports it. */
export interface RecordedRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The requests a fixture server received since its last reset (GET /__fixture/requests). */
export async function recorded(kind: 'ollama' | 'openai' | 'anthropic'): Promise<RecordedRequest[]> {
  const response = await fetch(`${fixtureUrl(kind)}/__fixture/requests`);
  return ((await response.json()) as { requests: RecordedRequest[] }).requests;
}

export async function addConnection(input: { name: string; providerId: string; baseUrl?: string; options?: Record<string, string> }): Promise<Connection> {
  const created = await vscode.commands.executeCommand<Connection | undefined>('switchboard.addConnection', input);
  assert.ok(created?.id, `switchboard.addConnection(${JSON.stringify(input)}) returned no connection`);
  return created;
}

export async function testConnection(connectionId: string): Promise<TestResult> {
  const result = await vscode.commands.executeCommand<TestResult | undefined>('switchboard.testConnection', connectionId);
  assert.ok(result, 'switchboard.testConnection returned nothing');
  return result;
}

/** Deletes a connection, answering the confirmation with yes. */
export async function deleteConnection(testing: TestingApi, connectionId: string): Promise<void> {
  testing.queueAnswers(true);
  await vscode.commands.executeCommand('switchboard.deleteConnection', connectionId);
}

/** Fails when the canary key appears anywhere in `value` (serialised as JSON). */
export function assertNoCanary(where: string, value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  assert.ok(!text.includes(CANARY_KEY), `the canary key leaked into ${where}`);
  // Also a partial leak: the key minus its prefix, e.g. a log line that cut it.
  assert.ok(!text.includes(CANARY_KEY.slice('sk-'.length)), `part of the canary key leaked into ${where}`);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
