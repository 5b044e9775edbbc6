import * as assert from 'node:assert/strict';
import { AgentInputSchema, StartAgentRunRequestSchema, type Agent, type RunRecord } from '../../src/contracts/agents';
import type { AgentsConnection, AgentsSnapshot } from '../../src/contracts/agentsView';
import { AGENTS_RUNS_PAGE } from '../../src/contracts/vocabulary';
import { applyRunsChanged } from '../../webview/agents/runsChanged';
import type { Connection } from '../../src/contracts/connections';
import { registeredChoices } from '../../src/contracts/routing';
import { resolveRouting } from '../../src/core/calls/routing';
import { agentRoute } from '../../webview/agents/AgentRow';
import {
  agentFormValues,
  buildAgentInput,
  buildRunRequest,
  connectionOptions,
  defaultModelLabel,
  emptyRunValues,
  fallbackOptions,
  fallbackRows,
  modelConnection,
  modelOptions,
  needsDefaultConnection,
  plannedConnection,
  plannedModel,
  summarizeAgentErrors,
  textAreaRows,
  validateAgentForm,
  validateFallbacks,
  validateRunForm,
  withConnection,
  type AgentFormValues,
} from '../../webview/agents/agentModel';

const OLLAMA_ID = '6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d';
const OPENAI_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const GONE_ID = '0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d';
const AGENT_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const connections: AgentsConnection[] = [
  {
    id: OLLAMA_ID,
    name: 'Local Ollama',
    providerId: 'ollama',
    providerName: 'Ollama',
    status: 'valid',
    models: [
      { providerModelId: 'llama3.2:latest', displayName: 'Llama 3.2' },
      { providerModelId: 'qwen2.5-coder:7b', displayName: 'qwen2.5-coder:7b' },
    ],
  },
  {
    id: OPENAI_ID,
    name: 'OpenAI (work)',
    providerId: 'openai',
    providerName: 'OpenAI',
    status: 'unknown',
    models: [{ providerModelId: 'gpt-4o-mini', displayName: 'GPT-4o mini' }],
  },
];

const agent: Agent = {
  id: AGENT_ID,
  name: 'Code reviewer',
  role: 'Reviews diffs',
  soul: '  You are careful.\n\nAnswer briefly.  ',
  guardrails: 'Never invent paths.',
  connectionId: OLLAMA_ID,
  modelRef: 'llama3.2:latest',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const values = (patch: Partial<AgentFormValues> = {}): AgentFormValues => ({ ...agentFormValues(), name: 'Reviewer', ...patch });

describe('webview Agents form → AgentInput', () => {
  it('opens empty for a new agent and with the agent’s values for an edit', () => {
    assert.deepEqual(agentFormValues(), { name: '', role: '', soul: '', guardrails: '', connectionId: '', modelRef: '', reasoning: '' });
    assert.deepEqual(agentFormValues(agent), {
      name: 'Code reviewer',
      role: 'Reviews diffs',
      soul: agent.soul,
      guardrails: 'Never invent paths.',
      connectionId: OLLAMA_ID,
      modelRef: 'llama3.2:latest',
      reasoning: '',
    });
    assert.equal(agentFormValues({ ...agent, reasoning: { budgetTokens: 2048 } }).reasoning, '2048');
  });

  it("sends the agent's own reasoning setting, and refuses one without a model of its own or one that is neither an effort nor a budget", () => {
    const withModel = values({ name: 'Thinker', connectionId: OLLAMA_ID, modelRef: 'llama3.2:latest' });
    assert.deepEqual(buildAgentInput({ ...withModel, reasoning: ' High ' }).reasoning, { effort: 'high' });
    assert.deepEqual(buildAgentInput({ ...withModel, reasoning: '8192' }).reasoning, { budgetTokens: 8192 });
    assert.equal('reasoning' in buildAgentInput({ ...withModel, reasoning: '' }), false);
    assert.match(validateAgentForm({ ...withModel, reasoning: 'extreme' }).reasoning ?? '', /low, medium or high/);
    assert.match(validateAgentForm({ ...withModel, connectionId: '', modelRef: '', reasoning: 'low' }).reasoning ?? '', /choose a connection and a model first/);
    assert.equal(validateAgentForm({ ...withModel, reasoning: 'low' }).reasoning, undefined);
  });

  it('keeps the model of an agent without a connection of its own: one of the default connection’s', () => {
    const { connectionId: _connection, ...withoutConnection } = agent;
    assert.equal(agentFormValues(withoutConnection).modelRef, 'llama3.2:latest');
  });

  it('trims the name and role, keeps soul and guardrails exactly as typed', () => {
    const input = buildAgentInput(values({ name: '  Reviewer  ', role: ' Reviews ', soul: agent.soul, guardrails: '\n- one\n- two\n' }));
    assert.deepEqual(input, { name: 'Reviewer', role: 'Reviews', soul: agent.soul, guardrails: '\n- one\n- two\n' });
    assert.ok(AgentInputSchema.safeParse(input).success);
  });

  it('leaves out an empty connection and model, so an update clears them', () => {
    const input = buildAgentInput(values({ connectionId: '', modelRef: '' }));
    assert.equal('connectionId' in input, false);
    assert.equal('modelRef' in input, false);
  });

  it('sends the connection and model each when chosen: a model without a connection is the default connection’s', () => {
    assert.deepEqual(buildAgentInput(values({ connectionId: OLLAMA_ID, modelRef: 'llama3.2:latest' })), {
      name: 'Reviewer',
      role: '',
      soul: '',
      guardrails: '',
      connectionId: OLLAMA_ID,
      modelRef: 'llama3.2:latest',
    });
    const onDefault = buildAgentInput(values({ connectionId: '', modelRef: 'llama3.2:latest' }));
    assert.equal('connectionId' in onDefault, false);
    assert.equal(onDefault.modelRef, 'llama3.2:latest');
    assert.equal(validateAgentForm(values({ connectionId: '', modelRef: 'llama3.2:latest' })).modelRef, undefined);
    assert.ok(AgentInputSchema.safeParse(buildAgentInput(values({ connectionId: OLLAMA_ID, modelRef: 'llama3.2:latest' }))).success);
  });

  it('asks for a name and keeps each field within the contract’s limits', () => {
    assert.deepEqual(Object.keys(validateAgentForm(values({ name: '   ' }))), ['name']);
    assert.deepEqual(Object.keys(validateAgentForm(values({ name: 'x'.repeat(101) }))), ['name']);
    assert.deepEqual(validateAgentForm(values({ name: 'x'.repeat(100) })), {});
    const errors = validateAgentForm(values({ role: 'r'.repeat(501), soul: 's'.repeat(20_001), guardrails: 'g'.repeat(20_000) }));
    assert.deepEqual(Object.keys(errors).sort(), ['role', 'soul']);
    assert.match(errors.soul ?? '', /20,000 characters \(now 20,001\)/);
    assert.match(summarizeAgentErrors(errors), /^Fix the marked fields: Role, Soul\.$/);
    assert.equal(summarizeAgentErrors({ name: 'Enter a name for this agent.' }), 'Enter a name for this agent.');
  });
});

describe('webview Agents selects', () => {
  it('offers the chosen connection’s enabled models, with the id as a description when the name differs', () => {
    assert.deepEqual(modelOptions(connections[0], ''), [
      { value: 'llama3.2:latest', label: 'Llama 3.2', description: 'llama3.2:latest' },
      { value: 'qwen2.5-coder:7b', label: 'qwen2.5-coder:7b', description: undefined },
    ]);
    assert.deepEqual(modelOptions(undefined, ''), []);
  });

  it('keeps a current model that is no longer enabled, marked, instead of dropping it silently', () => {
    const options = modelOptions(connections[1], 'gpt-3.5-turbo');
    assert.equal(options.length, 2);
    assert.deepEqual(options[1], { value: 'gpt-3.5-turbo', label: 'gpt-3.5-turbo', description: 'not enabled in the registry', missing: true });
  });

  it('lists connections with their provider, marks the default, and keeps a deleted current one', () => {
    const options = connectionOptions(connections, GONE_ID, OLLAMA_ID);
    assert.deepEqual(
      options.map((option) => [option.label, option.description, option.missing ?? false]),
      [
        ['Local Ollama', 'Ollama · default', false],
        ['OpenAI (work)', 'OpenAI', false],
        ['Deleted connection', 'choose another', true],
      ],
    );
  });

  it('changing the connection keeps the model only if the new connection offers it', () => {
    const start = values({ connectionId: OLLAMA_ID, modelRef: 'llama3.2:latest' });
    assert.equal(withConnection(start, OPENAI_ID, connections).modelRef, '');
    assert.equal(withConnection(start, OPENAI_ID, connections).connectionId, OPENAI_ID);
    assert.equal(withConnection(start, OLLAMA_ID, connections).modelRef, 'llama3.2:latest');
    assert.deepEqual(withConnection(start, '', connections), { ...start, connectionId: '', modelRef: '' });
    // In the agent form, '' is the default connection: its models are offered, so a model it has stays.
    assert.deepEqual(withConnection(start, '', connections, OLLAMA_ID), { ...start, connectionId: '' });
    assert.equal(withConnection(start, '', connections, OPENAI_ID).modelRef, '');
  });

  it('names the model of an agent without a connection of its own next to the default connection in its row', () => {
    assert.equal(agentRoute({ ...agent, connectionId: undefined }, connections, OLLAMA_ID).text, 'default connection (Local Ollama) · llama3.2:latest');
    assert.equal(agentRoute({ ...agent, connectionId: undefined, modelRef: undefined }, connections, OLLAMA_ID).text, 'default connection (Local Ollama)');
  });

  it('offers the default connection’s models to an agent without a connection of its own, labelled so', () => {
    assert.equal(modelConnection(connections, '', OPENAI_ID), connections[1]);
    assert.equal(modelConnection(connections, OLLAMA_ID, OPENAI_ID), connections[0]);
    assert.equal(modelConnection(connections, '', ''), undefined);
    assert.deepEqual(modelOptions(connections[1], '', true), [{ value: 'gpt-4o-mini', label: 'GPT-4o mini', description: 'gpt-4o-mini · default connection (OpenAI (work))' }]);
  });
});

describe('webview Agents run request', () => {
  it('sends the agent and input only when no override is chosen', () => {
    const request = buildRunRequest(AGENT_ID, emptyRunValues('Review this'));
    assert.deepEqual(request, { agentId: AGENT_ID, input: 'Review this' });
    assert.ok(StartAgentRunRequestSchema.safeParse(request).success);
  });

  it('adds each override that is set, and only those', () => {
    assert.deepEqual(buildRunRequest(AGENT_ID, { input: 'x', connectionId: OPENAI_ID, modelRef: '' }), { agentId: AGENT_ID, input: 'x', connectionId: OPENAI_ID });
    assert.deepEqual(buildRunRequest(AGENT_ID, { input: 'x', connectionId: '', modelRef: ' gpt-4o ' }), { agentId: AGENT_ID, input: 'x', modelRef: 'gpt-4o' });
    assert.deepEqual(buildRunRequest(AGENT_ID, { input: 'x', connectionId: OPENAI_ID, modelRef: 'gpt-4o-mini' }), {
      agentId: AGENT_ID,
      input: 'x',
      connectionId: OPENAI_ID,
      modelRef: 'gpt-4o-mini',
    });
  });

  it('sends the input as typed, and refuses an input that is only whitespace or too long', () => {
    assert.equal(buildRunRequest(AGENT_ID, emptyRunValues('  indented\n')).input, '  indented\n');
    assert.match(validateRunForm(emptyRunValues(' \n ')) ?? '', /Type the input/);
    assert.match(validateRunForm(emptyRunValues('x'.repeat(100_001))) ?? '', /100,000 characters/);
    assert.equal(validateRunForm(emptyRunValues('go')), undefined);
  });

  it('plans the connection by precedence: the run’s, else the agent’s, else the default', () => {
    assert.deepEqual(plannedConnection(agent, OPENAI_ID, connections, OLLAMA_ID), { connectionId: OPENAI_ID, source: 'request', connection: connections[1] });
    assert.deepEqual(plannedConnection(agent, '', connections, OPENAI_ID), { connectionId: OLLAMA_ID, source: 'agent', connection: connections[0] });
    assert.deepEqual(plannedConnection({}, '', connections, OPENAI_ID), { connectionId: OPENAI_ID, source: 'default', connection: connections[1] });
    assert.deepEqual(plannedConnection({}, '', connections, ''), { connectionId: '', source: 'none', connection: undefined });
    assert.deepEqual(plannedConnection({ connectionId: GONE_ID }, '', connections, OLLAMA_ID), { connectionId: GONE_ID, source: 'agent', connection: undefined });
  });

  it('plans a legacy "<providerType>/<model>" agent on a connection of that type, as the host routes it', () => {
    assert.deepEqual(plannedConnection({ model: 'openai/gpt-4o' }, '', connections, OLLAMA_ID), { connectionId: OPENAI_ID, source: 'legacy', connection: connections[1] });
    assert.deepEqual(plannedConnection({ model: 'mystery/x' }, '', connections, OLLAMA_ID), { connectionId: '', source: 'none', connection: undefined });
    assert.equal(plannedConnection({ model: 'openai/gpt-4o' }, OLLAMA_ID, connections, '').source, 'request');
  });
});

describe('webview Agents run preview: the model', () => {
  // The same connections as the host sees them: the view's preview must name the model the
  // host's resolveRouting picks, for every way a run can name one or not.
  const previewed: AgentsConnection[] = [
    { ...connections[0]!, disabledModels: ['llama3.2'], providerDefaultModel: 'llama3.2' },
    { ...connections[1]!, defaultModel: 'gpt-4o', models: [], disabledModels: ['gpt-4o'] },
  ];
  const asHostConnection = (c: AgentsConnection): Connection => ({
    id: c.id,
    name: c.name,
    providerId: c.providerId,
    baseUrl: 'http://127.0.0.1:1',
    options: {},
    status: c.status,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...(c.defaultModel ? { defaultModel: c.defaultModel } : {}),
  });
  const hostRoute = (a: Pick<Agent, 'connectionId' | 'modelRef'>, request: { connectionId?: string; modelRef?: string }, defaultId: string) =>
    resolveRouting({
      request,
      agent: a,
      defaultConnectionId: defaultId,
      findConnection: (id) => previewed.map(asHostConnection).find((c) => c.id === id),
      listConnections: () => previewed.map(asHostConnection),
      findProvider: (id) => ({ id, displayName: id, source: 'core', fields: [], defaults: previewed.find((c) => c.providerId === id)?.providerDefaultModel ? { modelRef: 'llama3.2' } : {}, capabilities: { test: true, discovery: true, chat: true } }),
      registeredModels: (id) => {
        const c = previewed.find((candidate) => candidate.id === id);
        return registeredChoices([...(c?.disabledModels ?? []).map((m) => ({ providerModelId: m, enabled: false })), ...(c?.models ?? []).map((m) => ({ providerModelId: m.providerModelId, enabled: true }))]);
      },
    });

  const cases: [string, Pick<Agent, 'connectionId' | 'modelRef'>, string, string, string][] = [
    ['default connection, no model anywhere', {}, '', '', OLLAMA_ID],
    ['agent connection and model', { connectionId: OLLAMA_ID, modelRef: 'qwen2.5-coder:7b' }, '', '', ''],
    ['run overrides the model', {}, '', 'qwen2.5-coder:7b', OLLAMA_ID],
    ['agent without a connection, its model of the default connection', { modelRef: 'qwen2.5-coder:7b' }, '', '', OLLAMA_ID],
    ['agent without a connection, the run on another', { modelRef: 'gpt-4o-mini' }, OLLAMA_ID, '', OPENAI_ID],
    ['run overrides the connection, the agent model stays behind', { connectionId: OLLAMA_ID, modelRef: 'qwen2.5-coder:7b' }, OPENAI_ID, 'gpt-4o-mini', ''],
  ];
  for (const [name, a, overrideConnection, overrideModel, defaultId] of cases) {
    it(`matches the host: ${name}`, () => {
      const planned = plannedConnection(a, overrideConnection, previewed, defaultId);
      const host = hostRoute(a, { ...(overrideConnection ? { connectionId: overrideConnection } : {}), ...(overrideModel ? { modelRef: overrideModel } : {}) }, defaultId);
      assert.deepEqual(plannedModel(a, overrideModel, planned), { modelRef: host.modelRef, source: host.sources.modelRef });
    });
  }

  it("names the registered model, not the provider's nominal default, on the default connection", () => {
    assert.deepEqual(plannedModel({}, '', plannedConnection({}, '', previewed, OLLAMA_ID)), { modelRef: 'llama3.2:latest', source: 'registry' });
  });

  it('says none when every candidate is disabled, as the host fails then', () => {
    assert.deepEqual(plannedModel({}, '', plannedConnection({}, '', previewed, OPENAI_ID)), { modelRef: '', source: 'none' });
    assert.throws(() => hostRoute({}, {}, OPENAI_ID), /No model to run/);
  });

  it("names in the model select's empty choice the model a run gets without one, so a new agent's form shows its model", () => {
    assert.equal(defaultModelLabel(plannedModel({}, '', plannedConnection({}, '', previewed, OLLAMA_ID))), "llama3.2:latest (connection's first enabled model)");
    assert.equal(defaultModelLabel({ modelRef: '', source: 'none' }), "Connection's default model");
  });

  it("keeps a legacy agent's model, as the host does", () => {
    const legacy = { model: 'ollama/llama3.2:1b' };
    assert.deepEqual(plannedModel(legacy, '', plannedConnection(legacy, '', previewed, '')), { modelRef: 'llama3.2:1b', source: 'legacy' });
  });
});

describe('webview Agents text areas', () => {
  it('grow with their text between a minimum and a maximum number of rows', () => {
    assert.equal(textAreaRows('', 4, 20), 4);
    assert.equal(textAreaRows('a\nb\nc\nd\ne', 4, 20), 6);
    assert.equal(textAreaRows('\n'.repeat(50), 4, 20), 20);
  });
});

describe('needsDefaultConnection', () => {
  const connections = [{ id: OLLAMA_ID }];
  it('offers to choose a default only when none is set or the one set is gone', () => {
    assert.equal(needsDefaultConnection(connections, ''), true, 'none set');
    assert.equal(needsDefaultConnection(connections, '99999999-9999-4999-8999-999999999999'), true, 'the default was deleted');
    assert.equal(needsDefaultConnection(connections, OLLAMA_ID), false, 'a usable default: the agent names a deleted connection, so editing it is the fix');
  });
});

describe('webview agent form: the fallback list', () => {
  const values = { connectionId: OLLAMA_ID, modelRef: 'llama3.2:latest' };
  const ownTarget = `${OLLAMA_ID}/llama3.2:latest`;
  const other = `${OPENAI_ID}/gpt-4o-mini`;

  it('offers every enabled model of every connection, and keeps a target that is gone', () => {
    const options = fallbackOptions(connections, '');
    assert.deepEqual(options.map((o) => [o.value, o.label]), [
      [ownTarget, 'Local Ollama · Llama 3.2'],
      [`${OLLAMA_ID}/qwen2.5-coder:7b`, 'Local Ollama · qwen2.5-coder:7b'],
      [other, 'OpenAI (work) · GPT-4o mini'],
    ]);
    const gone = fallbackOptions(connections, `${GONE_ID}/old-model`).at(-1);
    assert.deepEqual([gone?.label, gone?.missing], ['old-model', true]);
  });

  it("opens with the agent's list and sends the list whole, also empty, so removing the last one clears it", () => {
    const withList = { ...agent, fallbacks: [{ connectionId: OPENAI_ID, modelRef: 'gpt-4o-mini' }] };
    const rows = fallbackRows(withList);
    assert.deepEqual(rows, [{ key: 0, target: other }]);
    const input = buildAgentInput(agentFormValues(withList), rows);
    assert.deepEqual(input.fallbacks, [{ connectionId: OPENAI_ID, modelRef: 'gpt-4o-mini' }]);
    assert.ok(AgentInputSchema.safeParse(input).success);
    assert.deepEqual(buildAgentInput(agentFormValues(withList), []).fallbacks, []);
    assert.equal(buildAgentInput(agentFormValues(withList)).fallbacks, undefined, 'a caller without the list leaves it as it is');
  });

  it("says which rows cannot be saved: none chosen, the agent's own target, one twice", () => {
    const errors = validateFallbacks(
      [
        { key: 1, target: '' },
        { key: 2, target: ownTarget },
        { key: 3, target: other },
        { key: 4, target: other },
      ],
      values,
    );
    assert.deepEqual([...errors.keys()], [1, 2, 4]);
    assert.match(errors.get(2)!, /own connection and model/);
    assert.match(errors.get(4)!, /already in the list/);
    assert.equal(validateFallbacks([{ key: 1, target: other }], values).size, 0);
  });
});

describe('Agents view: applying a run\'s changes to the snapshot', () => {
  const run = (n: number, fields: Partial<RunRecord> = {}): RunRecord => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    agentId: '00000000-0000-4000-8000-0000000000aa',
    agentName: 'writer',
    requesterId: 'switchboard.agentsView',
    status: 'succeeded',
    input: `run ${n}`,
    trace: [],
    createdAt: '2026-12-01T00:00:00.000Z',
    ...fields,
  });
  const snapshot = (runs: RunRecord[], runsTotal = runs.length): AgentsSnapshot => ({ type: 'snapshot', agents: [], connections: [], defaultConnectionId: '', runs, runsTotal, requesterNames: { 'switchboard.agentsView': 'the Agents view' }, gateway: { configured: false, agents: {}, pendingDeletes: [] } });

  it('replaces a shown run in place, puts added runs on top newest first, and counts them once', () => {
    const view = snapshot([run(2), run(1)], 7);
    const next = applyRunsChanged(view, { type: 'runsChanged', runs: [run(1, { output: 'new' }), run(3), run(4)], added: [run(3).id, run(4).id], removed: [], requesterNames: { ext: 'An extension' } });
    assert.deepEqual(next.runs.map((r) => [r.input, r.output]), [['run 4', undefined], ['run 3', undefined], ['run 2', undefined], ['run 1', 'new']]);
    assert.equal(next.runsTotal, 9);
    assert.deepEqual(next.requesterNames, { 'switchboard.agentsView': 'the Agents view', ext: 'An extension' });
    // The same change again (a snapshot raced it) adds nothing twice.
    assert.equal(applyRunsChanged(next, { type: 'runsChanged', runs: [run(4)], added: [run(4).id], removed: [] }).runsTotal, 9);
    assert.deepEqual(view.runs.map((r) => r.input), ['run 2', 'run 1'], 'the snapshot given is left as it was');
  });

  it('leaves out a changed run it does not show, and keeps the page at its length', () => {
    const full = snapshot(Array.from({ length: AGENTS_RUNS_PAGE }, (_, i) => run(AGENTS_RUNS_PAGE - i)), 500);
    const older = applyRunsChanged(full, { type: 'runsChanged', runs: [run(9_999, { status: 'failed' })], added: [], removed: [] });
    assert.deepEqual(older.runs, full.runs);
    assert.equal(older.runsTotal, 500);
    const newer = applyRunsChanged(full, { type: 'runsChanged', runs: [run(AGENTS_RUNS_PAGE + 1)], added: [run(AGENTS_RUNS_PAGE + 1).id], removed: [] });
    assert.equal(newer.runs.length, AGENTS_RUNS_PAGE);
    assert.deepEqual([newer.runs[0]?.input, newer.runs.at(-1)?.input, newer.runsTotal], [`run ${AGENTS_RUNS_PAGE + 1}`, 'run 2', 501]);
  });

  it('drops the runs removed past the retention, shown or not, from the page and the total', () => {
    const view = snapshot([run(3), run(2), run(1)], 10);
    const next = applyRunsChanged(view, { type: 'runsChanged', runs: [run(4)], added: [run(4).id], removed: [run(1).id, '00000000-0000-4000-8000-00000000ffff'] });
    assert.deepEqual(next.runs.map((r) => r.input), ['run 4', 'run 3', 'run 2']);
    assert.equal(next.runsTotal, 9, 'one added, two removed');
  });
});
