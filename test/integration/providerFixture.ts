/**
 * Another extension installed beside Switchboard that contributes a provider through its API
 * (test/fixtures/extensions/fixture-provider): what it exports, and activating it.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchboardApiV1 } from '../../src/api/types';
import type { RunRecord, StartAgentRunRequest } from '../../src/contracts/agents';

export const FIXTURE_ID = 'switchboard-test.fixture-provider';

export interface FixtureExtension {
  baseUrl: string;
  providerId: string;
  register(): void;
  unregister(): void;
  requests(): { url: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  seen(): { label: string; value: unknown }[];
  listProviders(): SwitchboardApiV1['listProviders'] extends () => infer R ? R : never;
  listConnections(): ReturnType<SwitchboardApiV1['listConnections']>;
  listModels(connectionId?: string): ReturnType<SwitchboardApiV1['listModels']>;
  startAgentRun(request: StartAgentRunRequest): Promise<RunRecord>;
  raw(method: string, ...args: unknown[]): unknown;
  getApi(...args: unknown[]): unknown;
}

export async function activateProviderFixture(): Promise<FixtureExtension> {
  const extension = vscode.extensions.getExtension<FixtureExtension>(FIXTURE_ID);
  assert.ok(extension, `${FIXTURE_ID} is not installed: run the suite through scripts/harness/integration.mjs`);
  return extension.activate();
}
