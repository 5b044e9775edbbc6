// Builders that several unit test files share. They live here, not in a test file, because
// importing a test file would also register (and run) its tests.
import { resolve } from 'node:path';
import type { DiscoveredModel } from '../../src/contracts/models';
import type { Timers } from '../../src/core/base/ports';
import type { ConsentAnswer } from '../../src/core/keys/consent';
import { bundleWorker } from '../fixtures/bundleWorker';
import { buildConnectionsStack, ScriptedConsent } from '../fixtures/keyPathKit';
import { buildRunStack } from '../fixtures/runStack';

/**
 * A ConnectionService and a ModelRegistry on the same store, queue, key path and real database
 * file, as extension.ts wires them (buildConnectionsStack), with `service` for the connections.
 */
export function makeService() {
  const stack = buildConnectionsStack();
  return { ...stack, service: stack.connections };
}

export const makeModels = makeService;

export function discovered(id: string, fields: Partial<DiscoveredModel> = {}): DiscoveredModel {
  return { providerModelId: id, displayName: id, modalities: ['text'], sources: {}, ...fields };
}

const workers = new Map<string, Promise<string>>();
/** The worker bundled from its source, once per test run. */
export function worker(entry: string): Promise<string> {
  if (!workers.has(entry)) workers.set(entry, bundleWorker(entry));
  return workers.get(entry)!;
}
export const AGENT_HOST_ENTRY = resolve(__dirname, '../../src/agent-host/worker.ts');
export const AUDIT_VERIFY_ENTRY = resolve(__dirname, '../../src/core/audit/auditVerifyWorker.ts');
export const LEDGER_WRITER_ENTRY = resolve(__dirname, '../../src/core/calls/ledgerWriterWorker.ts');

/**
 * The whole run path (buildRunStack) with scripted consent answers (an unscripted question fails
 * the test); `prompts` records each question. Usage is written by the ledger's writer thread, as
 * in the extension.
 */
export async function makeStack(
  options: { answers?: ConsentAnswer[]; silenceLimitMs?: number; workerEntry?: string; disabledModels?: string[]; maxConcurrentRequests?: number; requestTimeoutMs?: number; retention?: number | (() => number); timers?: Timers; callTimers?: Timers; random?: () => number; lockWaitMs?: number } = {},
) {
  const consent = new ScriptedConsent(options.answers ?? []);
  const prompts: string[] = [];
  const disabled = new Set(options.disabledModels ?? []);
  const stack = await buildRunStack({
    workerPath: await worker(options.workerEntry ?? AGENT_HOST_ENTRY),
    ledgerWriter: await worker(LEDGER_WRITER_ENTRY),
    consentPrompt: {
      ask: (request) => (prompts.push(`${request.requesterId}@${request.connectionName}`), consent.ask(request)),
      allowGatewayToken: async ({ to }) => (prompts.push(`gateway token@${to}`), false),
    },
    isModelDisabled: (_connectionId, modelRef) => disabled.has(modelRef),
    ...(options.silenceLimitMs ? { silenceLimitMs: options.silenceLimitMs } : {}),
    ...(options.maxConcurrentRequests ? { maxConcurrentRequests: options.maxConcurrentRequests } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.callTimers ? { callTimers: options.callTimers } : {}),
    ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  return { ...stack, prompts };
}
