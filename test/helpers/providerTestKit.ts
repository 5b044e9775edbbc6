// Hooks and checks the provider and HTTP suites share. Call the hooks inside a `describe`.
import * as assert from 'node:assert/strict';
import type { SwitchboardError } from '../../src/core/base/errors';
import { HttpClient } from '../../src/core/http/httpClient';
import type { ProxySettings } from '../../src/core/base/ports';
import type { CallContext } from '../../src/core/providers/adapter';
import { expectFailure } from '../fixtures/expectFailure';
import type { FixtureServer } from '../fixtures/fixtureServer';
import { PATIENT_TIMEOUT_MS } from './fakes';

/** What a suite needs of a fixture server (FixtureServer, ProxyFixture). */
export interface SuiteFixture {
  start(): Promise<unknown>;
  stop(): Promise<void>;
  reset(): void;
}

/**
 * Serves `fixture` for the whole suite and resets it before each test, so every test starts
 * with normal behaviour, the default models and no recorded requests.
 */
export function serveDuringSuite(fixture: SuiteFixture): void {
  before(async () => {
    await fixture.start();
  });
  after(async () => {
    await fixture.stop();
  });
  beforeEach(() => {
    fixture.reset();
  });
}

/**
 * The CallContext a suite calls its adapter with: PATIENT_TIMEOUT_MS and a new HttpClient for each
 * test, disposed after it, so no pooled connection outlives its test. The object stays the same
 * across tests, so a test can vary it with a spread: `{ ...context, timeoutMs: 200 }`.
 */
export function callContextPerTest(): CallContext {
  const settings: ProxySettings = { noProxy: [], strictSSL: true };
  let http: HttpClient | undefined;
  beforeEach(() => {
    // An empty env keeps the machine's HTTP(S)_PROXY out of these tests.
    http = new HttpClient({ proxy: () => settings, env: {} });
  });
  afterEach(async () => {
    await http?.dispose();
    http = undefined;
  });
  return {
    get http(): HttpClient {
      if (!http) throw new Error('The call context is only there inside a test.');
      return http;
    },
    timeoutMs: PATIENT_TIMEOUT_MS,
  };
}

/**
 * Lets `fixture` answer 401 quoting the key it was sent (`echo-key`, as some servers do), runs
 * `call` and checks that the auth_failed it ends in shows `****` where the key was
 * (expectFailure has already checked the key is nowhere in the error). Returns the error.
 */
export async function expectEchoedKeyRedacted(fixture: FixtureServer, call: () => Promise<unknown>): Promise<SwitchboardError> {
  fixture.setBehaviour('echo-key');
  const error = await expectFailure(call(), 'auth_failed');
  assert.match(error.message, /\*\*\*\*/);
  return error;
}
