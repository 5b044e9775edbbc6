/**
 * A fake extension host for looking at the Connections view in a plain browser (preview.html)
 * and for browser tests: it defines `acquireVsCodeApi()`, answers every request from an
 * in-memory snapshot, and delivers its messages as `message` events, as VS Code does.
 *
 * Build: npx esbuild webview/dev/fakeHost.ts --bundle --format=iife --outfile=dist/webview-dev/fakeHost.js
 * Then load it before connections.js (preview.html does), or inject it with Playwright's
 * page.addInitScript({ path }). Pick the data with `?scenario=sample|empty|no-ollama|many`
 * (`many`: `&models=N` registered models, 2,000 by default), open a tab with `&tab=models`, and
 * drive it from a test through `window.switchboardFakeHost`.
 */
import './zodSetup';
import type { Connection, TestResult } from '../../src/contracts/connections';
import { FromConnectionsViewSchema, type FromConnectionsView, type ToConnectionsView } from '../../src/contracts/connectionsView';
import type { ConnectionsState } from '../connections/client';
import type { ErrorInfo } from '../../src/contracts/errors';
import { withContextOverride, withoutContextOverride, type LeftOutModels } from '../../src/contracts/modelFacts';
import type { DiscoveredModel, Modality, RegisteredModel } from '../../src/contracts/models';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { installFakeVsCodeApi, sendToView, uuid, type Answer, type FakeHostControlBase } from './fakeHostKit';

type Request = Extract<FromConnectionsView, { type: 'request' }>;

export interface FakeHostControl extends FakeHostControlBase<Omit<ConnectionsState, 'type'>, Request['method']> {
  /** Whether the password box "stores" a key. */
  storeKey: boolean;
  /** How long a test takes. */
  testDelayMs: number;
  /** What discoverModels answers, per connection id; a generated list when absent. */
  discoverable: Record<string, DiscoveredModel[]>;
  /** How long discovery takes. */
  discoverDelayMs: number;
  /** What discoverModels says it left out, per connection id; nothing when absent. */
  leftOut: Record<string, LeftOutModels[]>;
}

declare global {
  interface Window {
    switchboardFakeHost: FakeHostControl;
  }
}

export const sampleProviders: ProviderDescriptor[] = [
  {
    id: 'ollama',
    displayName: 'Ollama',
    source: 'core',
    fields: [
      { key: 'baseUrl', label: 'Base URL', kind: 'url', required: true, default: 'http://localhost:11434', description: 'Where Ollama listens.' },
      { key: 'apiKey', label: 'API key', kind: 'secret', required: false, description: 'Only for Ollama behind authentication.' },
    ],
    defaults: { baseUrl: 'http://localhost:11434', modelRef: 'llama3.2' },
    capabilities: { test: true, discovery: true, chat: true },
  },
  {
    id: 'openai',
    displayName: 'OpenAI',
    source: 'core',
    fields: [
      { key: 'apiKey', label: 'API key', kind: 'secret', required: true, placeholder: 'sk-…' },
      { key: 'baseUrl', label: 'Base URL', kind: 'url', required: false, default: 'https://api.openai.com/v1', description: 'Change it only for a gateway that serves the OpenAI API.' },
      { key: 'organizationId', label: 'Organization ID', kind: 'text', required: false, placeholder: 'org-…', description: 'Sent as the OpenAI-Organization header when set.' },
    ],
    defaults: { baseUrl: 'https://api.openai.com/v1' },
    capabilities: { test: true, discovery: true, chat: true },
  },
];

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const sampleConnections: Connection[] = [
  {
    id: '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d',
    name: 'Local Ollama',
    providerId: 'ollama',
    baseUrl: 'http://localhost:11434',
    options: {},
    status: 'valid',
    lastValidatedAt: minutesAgo(5),
    lastTestMessage: 'Ollama 0.5.7 answered with 3 models.',
    lastLatencyMs: 38,
    createdAt: minutesAgo(60),
    updatedAt: minutesAgo(5),
  },
  {
    id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    name: 'OpenAI (work)',
    providerId: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    options: { organizationId: 'org-4711' },
    status: 'invalid',
    lastValidatedAt: minutesAgo(180),
    lastTestMessage: 'OpenAI refused the key (401 Unauthorized). Set a new key and test again.',
    lastLatencyMs: 412,
    keyHint: '****abcd',
    createdAt: minutesAgo(600),
    updatedAt: minutesAgo(180),
  },
];

const FAMILIES = ['llama3.2', 'qwen2.5-coder', 'mistral', 'gemma3', 'phi4', 'deepseek-r1', 'llava', 'nomic-embed-text'];
const TAGS = ['latest', '1b', '3b', '7b', '8b', '14b', '32b', '70b', 'q4_K_M', 'q8_0'];
const CONTEXTS = [2048, 4096, 8192, 32768, 128_000, 131072, 200_000, 1_048_576];
const MODALITIES: Modality[][] = [['text'], ['text', 'tools'], ['text', 'vision'], ['text', 'tools', 'reasoning'], ['embedding']];

/** A plausible model `i`: Ollama-style names, varied context windows, prices on every third. */
export function generatedModel(i: number): DiscoveredModel {
  const family = FAMILIES[i % FAMILIES.length]!;
  const id = `${family}-${Math.floor(i / FAMILIES.length)}:${TAGS[i % TAGS.length]}`;
  const priced = i % 3 === 0;
  return {
    providerModelId: id,
    displayName: i % 5 === 0 ? `${family} ${i}` : id,
    modalities: MODALITIES[i % MODALITIES.length]!,
    contextWindow: CONTEXTS[i % CONTEXTS.length],
    ...(priced ? { inputCostPer1k: 0.00015 * (1 + (i % 4)), outputCostPer1k: 0.0006 * (1 + (i % 4)) } : {}),
    sources: { modalities: 'api', contextWindow: 'api', ...(priced ? { costs: 'builtin' as const } : {}) },
    metadata: { family, parameter_size: TAGS[i % TAGS.length]! },
  };
}

export function registeredModel(model: DiscoveredModel, connectionId: string, i: number): RegisteredModel {
  const hex = i.toString(16).padStart(12, '0');
  return { ...model, id: `00000000-0000-4000-8000-${hex}`, connectionId, enabled: i % 17 !== 0, lastSyncedAt: minutesAgo(30) };
}

function sampleModels(): RegisteredModel[] {
  const [local, cloud] = sampleConnections;
  return [
    registeredModel(
      // As Ollama gives it: no num_ctx in the Modelfile, so its default (assumed); the model takes 131,072.
      { ...generatedModel(0), providerModelId: 'llama3.2:latest', displayName: 'llama3.2:latest', contextWindow: 4096, maxContextWindow: 131072, sources: { modalities: 'api', contextWindow: 'default', maxContextWindow: 'api' } },
      local!.id,
      1,
    ),
    registeredModel({ ...generatedModel(2), providerModelId: 'llava:latest', displayName: 'llava:latest', contextWindow: 4096 }, local!.id, 2),
    registeredModel(
      { providerModelId: 'gpt-4o-mini', displayName: 'gpt-4o-mini', modalities: ['text', 'vision', 'tools'], contextWindow: 128_000, inputCostPer1k: 0.00015, outputCostPer1k: 0.0006, sources: { contextWindow: 'builtin', costs: 'builtin' } },
      cloud!.id,
      3,
    ),
    { ...registeredModel({ providerModelId: 'o3-mini', displayName: 'o3-mini', modalities: ['text', 'tools', 'reasoning'], contextWindow: 200_000, sources: {} }, cloud!.id, 4), enabled: false },
  ];
}

function scenario(params: URLSearchParams): Omit<ConnectionsState, 'type'> {
  switch (params.get('scenario')) {
    case 'empty':
      return { providers: sampleProviders, connections: [], models: [], defaultConnectionId: '', unavailableConnectionIds: [], permissions: [] };
    case 'no-ollama':
      return { providers: sampleProviders.filter((provider) => provider.id !== 'ollama'), connections: [], models: [], defaultConnectionId: '', unavailableConnectionIds: [], permissions: [] };
    case 'many': {
      const count = Math.max(0, Math.min(5000, Number(params.get('models') ?? 2000) || 0));
      const connections = structuredClone(sampleConnections);
      const models = Array.from({ length: count }, (_, i) => registeredModel(generatedModel(i), connections[i % 4 === 3 ? 1 : 0]!.id, i + 1));
      return { providers: sampleProviders, connections, models, defaultConnectionId: connections[0]!.id, unavailableConnectionIds: [], permissions: [] };
    }
    default:
      return { providers: sampleProviders, connections: structuredClone(sampleConnections), models: sampleModels(), defaultConnectionId: sampleConnections[0]!.id, unavailableConnectionIds: [], permissions: [] };
  }
}

function installFakeHost(): FakeHostControl {
  const failures = new Map<string, ErrorInfo>();
  const params = new URLSearchParams(location.search);
  const control: FakeHostControl = {
    posted: [],
    snapshot: scenario(params),
    sendSnapshot: () => {
      // For bench/discovery.mjs: when the newest snapshot left the host.
      performance.mark('switchboard-snapshot-sent');
      sendToView({ type: 'snapshot', ...control.snapshot } satisfies ToConnectionsView);
    },
    send: sendToView,
    failNext: (method, error) => failures.set(method, error),
    confirmDelete: true,
    storeKey: true,
    testDelayMs: 600,
    discoverable: {},
    discoverDelayMs: 400,
    leftOut: {},
  };

  const find = (id: string) => control.snapshot.connections.find((connection) => connection.id === id);
  const findModel = (id: string) => control.snapshot.models.find((model) => model.id === id);
  const replaceModel = (updated: RegisteredModel) => {
    control.snapshot.models = control.snapshot.models.map((model) => (model.id === updated.id ? updated : model));
  };
  const modelNotFound: ErrorInfo = { code: 'not_found', message: 'That model is no longer in the registry.' };
  const register = (connectionId: string, model: DiscoveredModel): boolean => {
    const at = control.snapshot.models.findIndex((m) => m.connectionId === connectionId && m.providerModelId === model.providerModelId);
    const existing = control.snapshot.models[at];
    if (existing) {
      control.snapshot.models[at] = { ...model, id: existing.id, connectionId, enabled: existing.enabled, lastSyncedAt: new Date().toISOString() };
      return false;
    }
    control.snapshot.models.push({ ...model, id: uuid(), connectionId, enabled: true, lastSyncedAt: new Date().toISOString() });
    return true;
  };
  const notFound: ErrorInfo = { code: 'not_found', message: 'That connection does not exist any more.' };

  async function answer(request: Request): Promise<Answer> {
    const now = new Date().toISOString();
    switch (request.method) {
      case 'createConnection': {
        const { input } = request.params;
        const provider = control.snapshot.providers.find((candidate) => candidate.id === input.providerId);
        if (!provider) return { ok: false, error: { code: 'invalid_input', message: `input.providerId: no provider "${input.providerId}"` } };
        if (control.snapshot.connections.some((connection) => connection.name === input.name)) {
          return { ok: false, error: { code: 'invalid_input', message: `A connection named "${input.name}" already exists. Choose another name.` } };
        }
        const connection: Connection = {
          id: uuid(),
          name: input.name,
          providerId: input.providerId,
          baseUrl: input.baseUrl ?? provider.defaults.baseUrl ?? 'http://localhost',
          options: input.options,
          defaultModel: input.defaultModel,
          status: 'unknown',
          createdAt: now,
          updatedAt: now,
        };
        control.snapshot.connections.push(connection);
        return { ok: true, value: connection };
      }
      case 'updateConnection': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        Object.assign(connection, request.params.patch, { updatedAt: now });
        return { ok: true, value: connection };
      }
      case 'deleteConnection': {
        if (!find(request.params.id)) return { ok: false, error: notFound };
        if (!control.confirmDelete) return { ok: true, value: { deleted: false } };
        control.snapshot.connections = control.snapshot.connections.filter((connection) => connection.id !== request.params.id);
        control.snapshot.models = control.snapshot.models.filter((model) => model.connectionId !== request.params.id);
        if (control.snapshot.defaultConnectionId === request.params.id) control.snapshot.defaultConnectionId = '';
        return { ok: true, value: { deleted: true } };
      }
      case 'testConnection': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        await new Promise((resolve) => setTimeout(resolve, control.testDelayMs));
        const needsKey = control.snapshot.providers.find((provider) => provider.id === connection.providerId)?.fields.some((field) => field.kind === 'secret' && field.required);
        const result: TestResult =
          needsKey && !connection.keyHint
            ? { status: 'invalid', message: 'No API key is stored for this connection. Use Set key, then test again.', latencyMs: 0 }
            : connection.providerId === 'ollama'
              ? { status: 'valid', message: 'Ollama 0.5.7 answered with 3 models.', latencyMs: 41 }
              : { status: 'invalid', message: 'OpenAI refused the key (401 Unauthorized). Set a new key and test again.', latencyMs: 388 };
        Object.assign(connection, { status: result.status, lastTestMessage: result.message, lastLatencyMs: result.latencyMs, lastValidatedAt: now });
        return { ok: true, value: result };
      }
      case 'setKey': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        if (!control.storeKey) return { ok: true, value: { stored: false } };
        connection.keyHint = '****demo';
        connection.status = 'unknown';
        return { ok: true, value: { stored: true, keyHint: connection.keyHint } };
      }
      case 'replaceKey': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        if (!control.storeKey) return { ok: true, value: { replaced: false } };
        connection.keyHint = '****new1';
        connection.status = 'valid';
        return { ok: true, value: { replaced: true, keyHint: connection.keyHint } };
      }
      case 'setCredentialHeader': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        connection.credentialHeaders = [...(connection.credentialHeaders ?? []), { name: 'x-api-token', hint: '****demo' }];
        return { ok: true, value: { stored: true, name: 'x-api-token' } };
      }
      case 'removeCredentialHeader': {
        const connection = find(request.params.id);
        if (!connection) return { ok: false, error: notFound };
        connection.credentialHeaders = connection.credentialHeaders?.filter((header) => header.name !== request.params.name);
        return { ok: true, value: connection };
      }
      case 'setDefault': {
        if (!find(request.params.id)) return { ok: false, error: notFound };
        control.snapshot.defaultConnectionId = request.params.id;
        return { ok: true, value: { defaultConnectionId: request.params.id } };
      }
      case 'discoverModels': {
        const connection = find(request.params.connectionId);
        if (!connection) return { ok: false, error: notFound };
        await new Promise((resolve) => setTimeout(resolve, control.discoverDelayMs));
        const models = control.discoverable[connection.id] ?? [
          ...control.snapshot.models.filter((model) => model.connectionId === connection.id).slice(0, 3),
          ...Array.from({ length: 12 }, (_, i) => generatedModel(5000 + i)),
        ];
        return {
          ok: true,
          value: {
            models: models.map(({ providerModelId, displayName, modalities, contextWindow, maxContextWindow, inputCostPer1k, outputCostPer1k, sources, metadata }) => ({ providerModelId, displayName, modalities, contextWindow, maxContextWindow, inputCostPer1k, outputCostPer1k, sources, metadata })),
            leftOut: control.leftOut[connection.id] ?? [],
          },
        };
      }
      case 'registerModels': {
        if (!find(request.params.connectionId)) return { ok: false, error: notFound };
        const added = request.params.models.filter((model) => register(request.params.connectionId, model)).length;
        return { ok: true, value: { registered: request.params.models.length, added } };
      }
      case 'addModelById': {
        if (!find(request.params.connectionId)) return { ok: false, error: notFound };
        const id = request.params.providerModelId;
        if (!control.snapshot.models.some((m) => m.connectionId === request.params.connectionId && m.providerModelId === id)) {
          register(request.params.connectionId, { providerModelId: id, displayName: id, modalities: ['text'], sources: {} });
        }
        return { ok: true, value: control.snapshot.models.find((m) => m.connectionId === request.params.connectionId && m.providerModelId === id) };
      }
      case 'setModelEnabled': {
        const model = findModel(request.params.id);
        if (!model) return { ok: false, error: modelNotFound };
        model.enabled = request.params.enabled;
        return { ok: true, value: model };
      }
      case 'setContextWindow': {
        const model = findModel(request.params.id);
        if (!model) return { ok: false, error: modelNotFound };
        const updated = withContextOverride(model, request.params.contextWindow);
        replaceModel(updated);
        return { ok: true, value: updated };
      }
      case 'clearContextWindow': {
        const model = findModel(request.params.id);
        if (!model) return { ok: false, error: modelNotFound };
        const updated = withoutContextOverride(model);
        replaceModel(updated);
        return { ok: true, value: updated };
      }
      case 'deleteModel': {
        if (!findModel(request.params.id)) return { ok: false, error: modelNotFound };
        control.snapshot.models = control.snapshot.models.filter((model) => model.id !== request.params.id);
        return { ok: true, value: { deleted: true } };
      }
      case 'setDefaultModel': {
        const connection = find(request.params.connectionId);
        if (!connection) return { ok: false, error: notFound };
        const ref = request.params.modelRef;
        if (ref !== null && !control.snapshot.models.some((m) => m.connectionId === connection.id && m.providerModelId === ref)) {
          return { ok: false, error: { code: 'invalid_input', message: `"${ref}" is not a registered model of "${connection.name}".` } };
        }
        connection.defaultModel = ref ?? undefined;
        return { ok: true, value: connection };
      }
      case 'revokePermission': {
        const { connectionId, requesterId } = request.params;
        const before = control.snapshot.permissions.length;
        control.snapshot.permissions = control.snapshot.permissions.filter((p) => !(p.connectionId === connectionId && p.requesterId === requesterId));
        return { ok: true, value: { revoked: control.snapshot.permissions.length < before } };
      }
    }
  }

  installFakeVsCodeApi({
    schema: FromConnectionsViewSchema,
    control,
    failures,
    answer,
    // `?tab=models` opens that tab, as if the view had saved it in its state.
    state: params.get('tab') ? { selectedTab: params.get('tab') } : undefined,
  });
  window.switchboardFakeHost = control;
  return control;
}

installFakeHost();
