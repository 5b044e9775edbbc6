// Builders that several unit test files share. They live here, not in a test file, because
// importing a test file would also register (and run) its tests.
import { resolve } from 'node:path';
import type { DiscoveredModel } from '../../src/contracts/models';
import { builtinModel } from '../../src/core/builtinModelLookup';
import type { ConsentAnswer } from '../../src/core/consent';
import { ConnectionService } from '../../src/core/connectionService';
import { HttpClient } from '../../src/core/http/httpClient';
import { ModelActions } from '../../src/core/modelActions';
import { ModelRegistry } from '../../src/core/modelRegistry';
import { ProviderRegistry } from '../../src/core/providerRegistry';
import { registerCoreProviders } from '../../src/core/providers/coreProviders';
import { bundleWorker } from '../fixtures/bundleWorker';
import { buildRunStack } from '../fixtures/runStack';
import { FixedClock, MemoryLogger, MemorySettings, MemoryStore, MemoryVault, ScriptedInteractions } from './fakes';

/** A ConnectionService over in-memory ports with the core providers registered. */
export function makeService() {
  const store = new MemoryStore();
  const vault = new MemoryVault();
  const settings = new MemorySettings();
  const logger = new MemoryLogger();
  const registry = new ProviderRegistry();
  registerCoreProviders(registry);
  const http = new HttpClient({ proxy: () => settings.proxy(), env: {} });
  const service = new ConnectionService({ store, vault, registry, settings, clock: new FixedClock(), http, logger });
  return { store, vault, settings, logger, registry, service };
}

/** A ConnectionService with a ModelRegistry on the same store and queue, as extension.ts wires them. */
export function makeModels() {
  const parts = makeService();
  const clock = new FixedClock();
  const http = new HttpClient({ proxy: () => parts.settings.proxy(), env: {} });
  const models = new ModelRegistry({
    store: parts.store,
    connections: parts.service,
    providers: parts.registry,
    settings: parts.settings,
    clock,
    http,
    logger: parts.logger,
    builtinModel,
  });
  const interactions = new ScriptedInteractions();
  const modelActions = new ModelActions(parts.service, models, interactions);
  return { ...parts, clock, http, models, modelActions, interactions };
}

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

/** The whole run path (buildRunStack) with scripted consent answers; `prompts` records each question. */
export async function makeStack(options: { answers?: ConsentAnswer[]; silenceLimitMs?: number; workerEntry?: string; disabledModels?: string[] } = {}) {
  const answers = options.answers ?? [];
  const prompts: string[] = [];
  const disabled = new Set(options.disabledModels ?? []);
  const stack = await buildRunStack({
    workerPath: await worker(options.workerEntry ?? AGENT_HOST_ENTRY),
    consentPrompt: { ask: async (request) => (prompts.push(`${request.requesterId}@${request.connectionName}`), answers.shift() ?? 'deny') },
    isModelDisabled: (_connectionId, modelRef) => disabled.has(modelRef),
    ...(options.silenceLimitMs ? { silenceLimitMs: options.silenceLimitMs } : {}),
  });
  return { ...stack, prompts };
}
