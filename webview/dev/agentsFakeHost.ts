/**
 * A fake extension host for looking at the Agents view in a plain browser (agentsPreview.html)
 * and for browser tests: it defines `acquireVsCodeApi()`, answers every request from an
 * in-memory snapshot, plays runs through queued → running → succeeded (or failed), and
 * delivers its messages as `message` events, as VS Code does.
 *
 * Build: npx esbuild webview/dev/agentsFakeHost.ts --bundle --format=iife --outfile=dist/webview-dev/agentsFakeHost.js
 * Then load it before agents.js (agentsPreview.html does), or inject it with Playwright's
 * page.addInitScript({ path }). Pick the data with `?scenario=sample|empty|no-connections|no-default`,
 * open a run with `?run=<index in the sample runs>`, and drive it from a test through
 * `window.switchboardAgentsFakeHost`.
 */
import './zodSetup';
import type { Agent, RunRecord, StartAgentRunRequest, TraceStep } from '../../src/contracts/agents';
import { FromAgentsViewSchema, type AgentsConnection, type AgentsSnapshot, type FromAgentsView, type ToAgentsView } from '../../src/contracts/agentsView';
import type { ErrorInfo } from '../../src/contracts/errors';
import { installFakeVsCodeApi, sendToView, uuid, type Answer, type FakeHostControlBase } from './fakeHostKit';

type Request = Extract<FromAgentsView, { type: 'request' }>;

export interface AgentsFakeHostControl extends FakeHostControlBase<Omit<AgentsSnapshot, 'type'>, Request['method']> {
  /** Makes the next run that starts fail with this error once it is running. */
  failNextRun(error: ErrorInfo): void;
  /** The connection the default-connection "picker" chooses; '' = the person dismissed it. */
  pickDefault: string | undefined;
  /** How long a run stays queued, then running. */
  queuedMs: number;
  runMs: number;
}

declare global {
  interface Window {
    switchboardAgentsFakeHost: AgentsFakeHostControl;
  }
}

export const OLLAMA_ID = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';
export const OPENAI_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const ANTHROPIC_ID = '3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e9f';
const GONE_CONNECTION_ID = '0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d';

export const sampleConnections: AgentsConnection[] = [
  {
    id: OLLAMA_ID,
    name: 'Local Ollama',
    providerId: 'ollama',
    providerName: 'Ollama',
    status: 'valid',
    models: [
      { providerModelId: 'llama3.2:latest', displayName: 'Llama 3.2' },
      { providerModelId: 'qwen2.5-coder:7b', displayName: 'Qwen 2.5 Coder 7B' },
    ],
  },
  {
    id: OPENAI_ID,
    name: 'OpenAI (work)',
    providerId: 'openai',
    providerName: 'OpenAI',
    status: 'invalid',
    models: [
      { providerModelId: 'gpt-4o-mini', displayName: 'GPT-4o mini' },
      { providerModelId: 'gpt-4o', displayName: 'GPT-4o' },
    ],
  },
  { id: ANTHROPIC_ID, name: 'Anthropic', providerId: 'anthropic', providerName: 'Anthropic', status: 'unknown', models: [] },
];

const AGENT_IDS = ['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', 'c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f'] as const;

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const sampleAgents: Agent[] = [
  {
    id: AGENT_IDS[0],
    name: 'Code reviewer',
    role: 'Reviews diffs for bugs, unclear names and missing tests',
    soul: 'You are a careful senior reviewer. Answer with a short list of findings, most important first.',
    guardrails: 'Never invent file paths or line numbers.\nSay "no findings" when there are none.',
    connectionId: OLLAMA_ID,
    modelRef: 'qwen2.5-coder:7b',
    createdAt: ago(86_400_000),
    updatedAt: ago(3_600_000),
  },
  {
    id: AGENT_IDS[1],
    name: 'Release notes writer',
    role: 'Turns merged pull requests into release notes',
    soul: 'You write release notes for end users: plain words, no internal names.',
    guardrails: '',
    createdAt: ago(7_200_000),
    updatedAt: ago(7_200_000),
  },
  {
    id: AGENT_IDS[2],
    name: 'Translator',
    role: '',
    soul: 'Translate the input into English.',
    guardrails: '',
    connectionId: GONE_CONNECTION_ID,
    createdAt: ago(600_000),
    updatedAt: ago(600_000),
  },
];

function trace(createdAt: number, steps: Array<[string, number, number, string?]>): TraceStep[] {
  return steps.map(([name, offset, durationMs, detail]) => ({ name, startedAt: new Date(createdAt + offset).toISOString(), durationMs, ...(detail ? { detail } : {}) }));
}

function sampleRuns(): RunRecord[] {
  const t = (msAgo: number) => Date.now() - msAgo;
  const base = (index: number, agent: Agent, msAgo: number): Pick<RunRecord, 'id' | 'agentId' | 'agentName' | 'requesterId' | 'createdAt' | 'input'> => ({
    id: `e${index}e${index}e${index}e${index}-1111-4222-8333-44445555666${index}`,
    agentId: agent.id,
    agentName: agent.name,
    requesterId: 'switchboard.agentsView',
    createdAt: new Date(t(msAgo)).toISOString(),
    input: 'Review this diff:\n- const x = load();\n+ const config = loadConfig();',
  });
  const [reviewer, writer, translator] = sampleAgents as [Agent, Agent, Agent];
  const runs: RunRecord[] = [
    {
      ...base(1, reviewer, 4_000),
      status: 'running',
      routing: { connectionId: OLLAMA_ID, providerId: 'ollama', modelRef: 'qwen2.5-coder:7b', sources: { connectionId: 'agent', modelRef: 'agent' } },
      trace: trace(t(4_000), [
        ['resolve routing', 2, 1],
        ['consent', 3, 0, 'granted earlier to switchboard.agentsView'],
      ]),
    },
    {
      ...base(2, writer, 95_000),
      input: 'Write release notes for: #412 faster model discovery; #415 fix key hint after rename.',
      status: 'succeeded',
      output:
        'Release 0.2.0\n\n• Model discovery is faster: the model list of a connection now loads in one request.\n• Renaming a connection keeps its key hint (****abcd) up to date.',
      routing: { connectionId: OLLAMA_ID, providerId: 'ollama', modelRef: 'llama3.2', sources: { connectionId: 'default', modelRef: 'provider' } },
      usage: { inputTokens: 1234, outputTokens: 56 },
      latencyMs: 2_340,
      finishedAt: new Date(t(95_000) + 2_340).toISOString(),
      trace: trace(t(95_000), [
        ['resolve routing', 1, 1],
        ['consent', 2, 0, 'granted earlier to switchboard.agentsView'],
        ['model call', 4, 2_310, 'ollama llama3.2 · 200 OK'],
        ['store run', 2_320, 12],
      ]),
    },
    {
      ...base(3, translator, 300_000),
      input: 'Bonjour tout le monde',
      status: 'failed',
      error: {
        code: 'missing_connection',
        message: 'This agent\'s connection was deleted and no default connection is set. Choose a default connection, or edit the agent and pick one.',
      },
      latencyMs: 3,
      finishedAt: ago(299_997),
      trace: trace(t(300_000), [['resolve routing', 1, 2, 'no connection: request none, agent deleted, default unset']]),
    },
    {
      ...base(4, reviewer, 900_000),
      status: 'failed',
      routing: { connectionId: OPENAI_ID, providerId: 'openai', modelRef: 'gpt-4o-mini', sources: { connectionId: 'request', modelRef: 'request' } },
      error: {
        code: 'consent_denied',
        message: 'You declined to let the Agents view use the key of “OpenAI (work)”. Run again and choose Allow when VS Code asks, or run on another connection.',
      },
      latencyMs: 8_200,
      finishedAt: ago(891_800),
      trace: trace(t(900_000), [
        ['resolve routing', 1, 1],
        ['consent', 2, 8_190, 'denied'],
      ]),
    },
    {
      ...base(5, writer, 1_800_000),
      status: 'failed',
      routing: { connectionId: OLLAMA_ID, providerId: 'ollama', modelRef: 'llama3.2', sources: { connectionId: 'default', modelRef: 'provider' } },
      error: {
        code: 'endpoint_unreachable',
        message: 'Nothing answered at http://localhost:11434 (connection refused). Start Ollama (ollama serve), then run again.',
      },
      latencyMs: 12,
      finishedAt: ago(1_799_988),
      trace: trace(t(1_800_000), [
        ['resolve routing', 1, 1],
        ['model call', 3, 9, 'ECONNREFUSED'],
      ]),
    },
    {
      ...base(6, reviewer, 3_600_000),
      status: 'cancelled',
      routing: { connectionId: GONE_CONNECTION_ID, providerId: 'openai', modelRef: 'gpt-4o', sources: { connectionId: 'request', modelRef: 'connection' } },
      error: { code: 'cancelled', message: 'Cancelled from the Agents view.' },
      latencyMs: 61_000,
      finishedAt: ago(3_539_000),
      trace: trace(t(3_600_000), [
        ['resolve routing', 1, 1],
        ['model call', 3, 60_990, 'cancelled'],
      ]),
    },
    {
      ...base(7, writer, 1_000),
      status: 'queued',
      trace: [],
    },
  ];
  // Newest first, as the host sends them.
  return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function scenario(name: string | null): Omit<AgentsSnapshot, 'type'> {
  // The gateway is off in every scenario but `gateway`, which shows each sync state.
  const off: AgentsSnapshot['gateway'] = { configured: false, agents: {}, pendingDeletes: [] };
  switch (name) {
    case 'empty':
      return { agents: [], connections: structuredClone(sampleConnections), defaultConnectionId: OLLAMA_ID, runs: [], gateway: off };
    case 'no-connections':
      return { agents: [], connections: [], defaultConnectionId: '', runs: [], gateway: off };
    case 'no-default':
      return { agents: structuredClone(sampleAgents), connections: structuredClone(sampleConnections), defaultConnectionId: '', runs: [], gateway: off };
    case 'gateway': {
      const agents = structuredClone(sampleAgents);
      const at = '2026-11-22T10:00:00.000Z';
      const states: AgentsSnapshot['gateway']['agents'][string][] = [
        { state: 'synced', at },
        { state: 'failed', at, error: { code: 'endpoint_unreachable', message: 'https://gateway.example answered 500: the server failed. Try again later.' } },
        { state: 'not_synced' },
      ];
      return {
        agents,
        connections: structuredClone(sampleConnections),
        defaultConnectionId: OLLAMA_ID,
        runs: [],
        gateway: {
          configured: true,
          agents: Object.fromEntries(agents.map((agent, i) => [agent.id, states[i % states.length]!])),
          pendingDeletes: [{ agentId: '99999999-9999-4999-8999-999999999999', agentName: 'Retired agent', error: { code: 'timeout', message: 'No answer from https://gateway.example within 60 s.' } }],
        },
      };
    }
    default:
      return { agents: structuredClone(sampleAgents), connections: structuredClone(sampleConnections), defaultConnectionId: OLLAMA_ID, runs: sampleRuns(), gateway: off };
  }
}

function installFakeHost(): AgentsFakeHostControl {
  const failures = new Map<string, ErrorInfo>();
  let nextRunFailure: ErrorInfo | undefined;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const params = new URLSearchParams(location.search);

  const control: AgentsFakeHostControl = {
    posted: [],
    snapshot: scenario(params.get('scenario')),
    sendSnapshot: () => sendToView({ type: 'snapshot', ...control.snapshot } satisfies ToAgentsView),
    send: sendToView,
    failNext: (method, error) => failures.set(method, error),
    failNextRun: (error) => {
      nextRunFailure = error;
    },
    confirmDelete: true,
    pickDefault: undefined,
    queuedMs: 400,
    runMs: 2_500,
  };

  // The view keeps its open run in its state; `?run=N` opens the Nth run of the scenario.
  const runIndex = params.get('run');
  const state = runIndex !== null && control.snapshot.runs[Number(runIndex)] ? { selectedRunId: control.snapshot.runs[Number(runIndex)]!.id } : undefined;

  const findAgent = (id: string) => control.snapshot.agents.find((agent) => agent.id === id);
  const findRun = (id: string) => control.snapshot.runs.find((run) => run.id === id);
  const notFound: ErrorInfo = { code: 'not_found', message: 'That agent does not exist any more.' };

  const finish = (run: RunRecord, patch: Partial<RunRecord>) => {
    const now = Date.now();
    Object.assign(run, { latencyMs: now - Date.parse(run.createdAt), finishedAt: new Date(now).toISOString() }, patch);
    control.sendSnapshot();
  };

  function playRun(run: RunRecord, request: StartAgentRunRequest, agent: Agent) {
    const created = Date.parse(run.createdAt);
    const step = (name: string, durationMs: number, detail?: string): TraceStep => ({
      name,
      startedAt: new Date(Date.now() - durationMs).toISOString(),
      durationMs,
      ...(detail ? { detail } : {}),
    });
    timers.set(
      run.id,
      setTimeout(() => {
        // Routing: the request's connection, else the agent's, else the default.
        const [connectionId, connectionSource] = request.connectionId
          ? [request.connectionId, 'request' as const]
          : agent.connectionId
            ? [agent.connectionId, 'agent' as const]
            : [control.snapshot.defaultConnectionId, 'default' as const];
        const connection = control.snapshot.connections.find((candidate) => candidate.id === connectionId);
        if (!connection) {
          finish(run, {
            status: 'failed',
            trace: [step('resolve routing', 2, 'no connection')],
            error: {
              code: 'missing_connection',
              message: connectionId
                ? 'The connection this run would use was deleted, and no other is named. Choose a default connection, or edit the agent.'
                : 'Neither the run nor the agent names a connection, and no default connection is set. Choose a default connection, then run again.',
            },
          });
          return;
        }
        const [modelRef, modelSource] = request.modelRef
          ? [request.modelRef, 'request' as const]
          : connectionSource === 'agent' && agent.modelRef
            ? [agent.modelRef, 'agent' as const]
            : connection.models[0]
              ? [connection.models[0].providerModelId, 'connection' as const]
              : ['llama3.2', 'provider' as const];
        Object.assign(run, {
          status: 'running',
          routing: { connectionId, providerId: connection.providerId, modelRef, sources: { connectionId: connectionSource, modelRef: modelSource } },
          trace: [step('resolve routing', 1), step('consent', 0, 'granted earlier to switchboard.agentsView')],
        });
        control.sendSnapshot();
        timers.set(
          run.id,
          setTimeout(() => {
            timers.delete(run.id);
            const failure = nextRunFailure;
            nextRunFailure = undefined;
            const call = step('model call', Date.now() - created - 5, failure ? failure.code : `${connection.providerId} ${modelRef} · 200 OK`);
            if (failure) {
              finish(run, { status: 'failed', error: failure, trace: [...run.trace, call] });
            } else {
              finish(run, {
                status: 'succeeded',
                output: `(${agent.name} on ${modelRef})\n\n${request.input.split('').reverse().join('')}`,
                usage: { inputTokens: 40 + request.input.length, outputTokens: 12 + request.input.length },
                trace: [...run.trace, call, step('store run', 3)],
              });
            }
          }, control.runMs),
        );
      }, control.queuedMs),
    );
  }

  function answer(request: Request): Answer {
    const now = new Date().toISOString();
    switch (request.method) {
      case 'createAgent': {
        const { input } = request.params;
        if (control.snapshot.agents.some((agent) => agent.name === input.name)) {
          return { ok: false, error: { code: 'invalid_input', message: `An agent named "${input.name}" already exists. Choose another name.` } };
        }
        const agent: Agent = { id: uuid(), ...input, createdAt: now, updatedAt: now };
        control.snapshot.agents.push(agent);
        return { ok: true, value: agent };
      }
      case 'updateAgent': {
        const index = control.snapshot.agents.findIndex((agent) => agent.id === request.params.id);
        const previous = control.snapshot.agents[index];
        if (!previous) return { ok: false, error: notFound };
        const { input } = request.params;
        if (control.snapshot.agents.some((agent) => agent.id !== previous.id && agent.name === input.name)) {
          return { ok: false, error: { code: 'invalid_input', message: `An agent named "${input.name}" already exists. Choose another name.` } };
        }
        const agent: Agent = { id: previous.id, ...input, createdAt: previous.createdAt, updatedAt: now };
        control.snapshot.agents[index] = agent;
        return { ok: true, value: agent };
      }
      case 'deleteAgent': {
        if (!findAgent(request.params.id)) return { ok: false, error: notFound };
        if (!control.confirmDelete) return { ok: true, value: { deleted: false } };
        control.snapshot.agents = control.snapshot.agents.filter((agent) => agent.id !== request.params.id);
        return { ok: true, value: { deleted: true } };
      }
      case 'startRun': {
        const runRequest = request.params.request;
        const agent = findAgent(runRequest.agentId);
        if (!agent) return { ok: false, error: notFound };
        const run: RunRecord = {
          id: uuid(),
          agentId: agent.id,
          agentName: agent.name,
          requesterId: 'switchboard.agentsView',
          status: 'queued',
          input: runRequest.input,
          trace: [],
          createdAt: now,
        };
        control.snapshot.runs.unshift(run);
        playRun(run, runRequest, agent);
        return { ok: true, value: { runId: run.id } };
      }
      case 'cancelRun': {
        const run = findRun(request.params.runId);
        if (!run) return { ok: false, error: { code: 'not_found', message: 'That run does not exist any more.' } };
        if (run.status !== 'queued' && run.status !== 'running') return { ok: true, value: { cancelled: false } };
        clearTimeout(timers.get(run.id));
        timers.delete(run.id);
        finish(run, { status: 'cancelled', error: { code: 'cancelled', message: 'Cancelled from the Agents view.' } });
        return { ok: true, value: { cancelled: true } };
      }
      case 'chooseDefaultConnection': {
        const chosen = control.pickDefault ?? control.snapshot.connections[0]?.id ?? '';
        if (chosen) control.snapshot.defaultConnectionId = chosen;
        return { ok: true, value: { defaultConnectionId: chosen } };
      }
      case 'syncAgent': {
        const state = control.snapshot.gateway.configured ? { state: 'synced' as const, at: now } : { state: 'not_configured' as const };
        control.snapshot.gateway.agents[request.params.id] = state;
        return { ok: true, value: state };
      }
      case 'syncAllAgents': {
        const at = now;
        for (const agent of control.snapshot.agents) control.snapshot.gateway.agents[agent.id] = { state: 'synced', at };
        control.snapshot.gateway.pendingDeletes = [];
        return { ok: true, value: { synced: control.snapshot.agents.length, failed: 0, pendingDeletes: 0 } };
      }
    }
  }

  installFakeVsCodeApi({ schema: FromAgentsViewSchema, control, failures, answer, state });
  window.switchboardAgentsFakeHost = control;
  return control;
}

installFakeHost();
