import * as assert from 'node:assert/strict';
import { RegisteredModelSchema } from '../../src/contracts/models';
import { editorResults, ToEditorViewSchema, type ToEditorView } from '../../src/contracts/editorView';
import { createEditorController } from '../../src/core/views/editorController';
import { modelPagesOf } from '../../src/core/views/modelPages';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';
import { randomUUID } from 'node:crypto';
import type { RunRecord } from '../../src/contracts/agents';
import { OpenAiFixture } from '../fixtures/openaiFixture';
import { discovered as discovered_, makeStack } from '../helpers/stacks';
import { ChatRecordStore } from '../../src/core/chat/chatRecordStore';
import { TABLES } from '../../src/core/store/storageKeys';
import type { ChatRecord } from '../../src/contracts/chatRecords';

const names: Record<string, string> = { 'switchboard.agentsView': 'the Agents view', 'switchboard.palette': 'a command', 'switchboard.editor': 'the Switchboard editor' };

type Stack = Awaited<ReturnType<typeof makeStack>>;
const stacks: Stack[] = [];

/** The editor's controller on the whole run path: real SQLite, run store, worker and audit log. */
async function setup(saveAnswer: 'save' | 'cancel' = 'save') {
  const stack = await makeStack({ answers: ['always'] });
  stacks.push(stack);
  const saved: string[] = [];
  const copied: string[] = [];
  const discovered: string[] = [];
  const posted: ToEditorView[] = [];
  let requested: { tab: 'audit'; request: number } | undefined;
  const chatRecords = new ChatRecordStore({ db: stack.db, logger: stack.logger, retention: () => 1000 });
  const controller = createEditorController({
    ...stack,
    chatRecords,
    runService: stack.service,
    registeredModels: () => new Map(stack.connections.list().map((c) => [c.id, [{ providerModelId: 'gpt-4o-mini', displayName: 'GPT-4o mini', enabled: true }]])),
    modelsChanged: stack.models.onDidChange,
    modelPages: modelPagesOf(stack),
    copyToClipboard: async (text) => void copied.push(text),
    discoverModels: async (connectionId) => (discovered.push(connectionId), { registered: 1, added: 1 }),
    describeRequester: (id) => names[id] ?? id,
    saveExport: async (text) => (saveAnswer === 'save' ? (saved.push(text), true) : false),
    saveUsageExport: async (text) => (saveAnswer === 'save' ? (saved.push(text), true) : false),
    requestedTab: () => requested,
    post: (message) => posted.push(message),
  });
  let next = 0;
  /** Sends a request as the webview would and returns the value of its one successful reply. */
  const request = async <M extends keyof typeof editorResults>(method: M, params: unknown) => {
    const id = `r${++next}`;
    await controller.handle({ type: 'request', id, method, params });
    const replies = posted.filter((m) => m.type === 'reply' && m.id === id);
    assert.equal(replies.length, 1, `one reply to ${method}`);
    const reply = ToEditorViewSchema.parse(replies[0]);
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    return editorResults[method].parse(reply.value) as ReturnType<(typeof editorResults)[M]['parse']>;
  };
  return { ...stack, chatRecords, controller, posted, saved, copied, discovered, request, ask: (tab: 'audit', n: number) => (requested = { tab, request: n }) };
}

/** A chat record as the chat service writes it; `index` orders them and is their latency. */
function chatRecord(connectionId: string, index: number, fields: Partial<ChatRecord> = {}): ChatRecord {
  return {
    id: randomUUID(),
    requesterId: 'switchboard.vscodeChat',
    connectionId,
    providerId: 'ollama',
    modelRef: 'llama3.2',
    status: 'succeeded',
    toolCalls: 0,
    latencyMs: index,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    ...fields,
  };
}

/** A finished run as the run store keeps it. */
function runRecord(fields: Partial<RunRecord> & Pick<RunRecord, 'agentId' | 'agentName'>, index: number): RunRecord {
  return {
    id: randomUUID(),
    requesterId: 'switchboard.agentsView',
    status: 'succeeded',
    input: `question ${index}`,
    output: `answer ${index}`,
    trace: [],
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    ...fields,
  };
}

describe('EditorController', function () {
  this.timeout(20_000);
  const openai = new OpenAiFixture({ apiKey: CANARY_KEY });
  before(() => openai.start());
  after(() => openai.stop());
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.cleanup();
  });

  it('sends the connections by name in a whole snapshot after ready, with the tab a command asked for', async () => {
    const { controller, connections, posted, ask } = await setup();
    const connection = await connections.create({ name: 'Home Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    controller.pushSnapshot();
    assert.equal(posted.length, 0, 'nothing before ready');
    ask('audit', 1);
    await controller.handle({ type: 'ready' });
    const snapshot = ToEditorViewSchema.parse(posted.at(-1));
    assert.ok(snapshot.type === 'snapshot');
    assert.deepEqual(snapshot.connections.map(({ id, name, providerName }) => ({ id, name, providerName })), [{ id: connection.id, name: 'Home Ollama', providerName: 'Ollama' }]);
    assert.deepEqual(snapshot.show, { tab: 'audit', request: 1 });
  });

  it('pages the audit log newest first and filters it on the host by kind, requester name, connection and run', async () => {
    const { request, connections, audit } = await setup();
    const home = await connections.create({ name: 'Home Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const work = await connections.create({ name: 'Work Ollama', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11435' });
    for (let i = 0; i < 7; i++) {
      await audit.append({ kind: 'model_call', connectionId: i % 2 ? home.id : work.id, requesterId: 'switchboard.agentsView', runId: `run-${i}`, modelRef: 'llama3.2', outcome: 'ok' });
    }
    await audit.append({ kind: 'key_read', connectionId: home.id, requesterId: 'switchboard.palette', purpose: 'test', outcome: 'granted (once)' });

    const all = await request('auditPage', { offset: 0, limit: 3, filter: {} });
    // Two connection_created entries, seven calls and a key read.
    assert.equal(all.total, 10);
    assert.deepEqual(all.entries.map((e) => e.kind), ['key_read', 'model_call', 'model_call']);
    assert.equal(all.entries[0]!.requester, 'a command', 'the requester by name');
    assert.equal(all.entries[0]!.connection, 'Home Ollama', 'the connection by name');
    assert.ok(!('connectionId' in all.entries[0]!) && !('requesterId' in all.entries[0]!), 'no ids of people or connections in a row');

    const second = await request('auditPage', { offset: 3, limit: 3, filter: {} });
    assert.deepEqual(second.entries.map((e) => e.seq), [all.entries[2]!.seq - 1, all.entries[2]!.seq - 2, all.entries[2]!.seq - 3]);

    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { kind: 'model_call' } })).total, 7);
    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { requester: 'AGENTS' } })).total, 7, 'by name, case-insensitive');
    const byConnection = await request('auditPage', { offset: 0, limit: 50, filter: { connectionId: home.id, kind: 'model_call' } });
    assert.equal(byConnection.total, 3);
    assert.ok(byConnection.entries.every((e) => e.connection === 'Home Ollama'));
    assert.deepEqual((await request('auditPage', { offset: 0, limit: 50, filter: { run: 'run-4' } })).entries.map((e) => e.runId), ['run-4']);
    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { run: 'nothing' } })).total, 0);
    // Together: the Agents view's model calls on Home whose run starts with run-
    const combined = await request('auditPage', { offset: 0, limit: 50, filter: { kind: 'model_call', requester: ' agents view ', connectionId: home.id, run: 'RUN-' } });
    assert.deepEqual(combined.entries.map((e) => e.runId), ['run-5', 'run-3', 'run-1']);
    assert.equal(combined.total, 3);
    assert.deepEqual(await request('auditPage', { offset: 0, limit: 50, filter: { requester: 'a command', kind: 'model_call' } }), { entries: [], total: 0 });
    assert.equal((await request('auditPage', { offset: 0, limit: 50, filter: { requester: 'nobody by this name' } })).total, 0);
    const pastTheEnd = await request('auditPage', { offset: 10, limit: 50, filter: {} });
    assert.deepEqual(pastTheEnd, { entries: [], total: 10 }, 'a page past the end is empty and still says how many');
  });

  it('answers a bad audit filter with invalid_input and changes nothing in the log', async () => {
    const { controller, posted, audit } = await setup();
    await audit.append({ kind: 'model_call', requesterId: 'switchboard.agentsView', runId: 'run-1', outcome: 'ok' });
    const before = audit.exportLines();
    const bad = [
      { offset: 0, limit: 10, filter: { kind: 'key_stolen' } },
      { offset: 0, limit: 10, filter: { run: 'x'.repeat(65) } },
      { offset: 0, limit: 10, filter: { requester: 7 } },
      { offset: -1, limit: 10, filter: {} },
      { offset: 0, limit: 0, filter: {} },
      { offset: 0, limit: 10, filter: { run: "'; DROP TABLE audit; --" } },
    ];
    for (const [index, params] of bad.entries()) await controller.handle({ type: 'request', id: `bad${index}`, method: 'auditPage', params });
    const replies = posted.flatMap((m) => (m.type !== 'reply' ? [] : m.ok ? [m.value] : [m.error.code]));
    assert.deepEqual(replies, ['invalid_input', 'invalid_input', 'invalid_input', 'invalid_input', 'invalid_input', { entries: [], total: 0 }], 'SQL in a filter is only text to match');
    assert.deepEqual(audit.exportLines(), before);
    assert.deepEqual(await audit.verify(), { ok: true, entries: 1 });
  });

  it("keeps a deleted connection's name in its entries, from the entries themselves, never its id", async () => {
    const { request, connections, audit } = await setup();
    const gone = await connections.create({ name: 'Gone', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    // An entry written before entries recorded a name: named by the connection's other entries.
    await audit.append({ kind: 'model_call', connectionId: gone.id, requesterId: 'switchboard.agentsView', outcome: 'ok' });
    await connections.update(gone.id, { name: 'Gone for good' });
    await connections.delete(gone.id);
    const page = await request('auditPage', { offset: 0, limit: 50, filter: {} });
    assert.deepEqual(
      page.entries.map((entry) => [entry.kind, entry.connection, entry.connectionDeleted]),
      [
        ['connection_deleted', 'Gone for good', true],
        ['connection_updated', 'Gone for good', true],
        ['model_call', 'Gone for good', true],
        ['connection_created', 'Gone for good', true],
      ],
    );
    assert.ok(!JSON.stringify(page).includes(gone.id));

    // With no name recorded anywhere, the row has none (the view says "a deleted connection").
    const unnamed = randomUUID();
    await audit.append({ kind: 'model_call', connectionId: unnamed, outcome: 'ok' });
    const newest = (await request('auditPage', { offset: 0, limit: 1, filter: {} })).entries[0]!;
    assert.equal(newest.connection, undefined);
    assert.equal(newest.connectionDeleted, true);
  });

  it("names each entry's run by its agent and start while the history holds it, and copies a run id", async () => {
    const { request, audit, runs, copied } = await setup();
    const run = runRecord({ agentId: randomUUID(), agentName: 'Writer' }, 3);
    await runs.add(run);
    await audit.append({ kind: 'model_call', runId: run.id, requesterId: 'switchboard.agentsView', outcome: 'ok' });
    await audit.append({ kind: 'model_call', runId: 'a-run-no-longer-kept', requesterId: 'switchboard.agentsView', outcome: 'ok' });
    const [forgotten, kept] = (await request('auditPage', { offset: 0, limit: 2, filter: {} })).entries;
    assert.deepEqual(kept!.run, { agentName: 'Writer', startedAt: run.createdAt });
    assert.equal(kept!.runId, run.id, 'the id stays, for the hover and Copy');
    assert.equal(forgotten!.run, undefined);
    assert.deepEqual(await request('copyRunId', { runId: run.id }), { copied: true });
    assert.deepEqual(copied, [run.id]);
  });

  it('notices the view, once ready, when an audit entry or a chat record is written, so its tab reads the page again', async () => {
    const { controller, posted, audit, chatRecords, connections } = await setup();
    await audit.append({ kind: 'model_call', outcome: 'ok' });
    assert.equal(posted.length, 0, 'nothing before ready');
    await controller.handle({ type: 'ready' });
    posted.length = 0;
    const connection = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    await chatRecords.add(chatRecord(connection.id, 0));
    const notices = posted.filter((message) => message.type === 'changed');
    // The connection's own entry, then the chat record.
    assert.deepEqual(notices, [{ type: 'changed', what: 'audit' }, { type: 'changed', what: 'chat' }]);
    assert.ok(notices.every((notice) => ToEditorViewSchema.safeParse(notice).success));
    controller.dispose();
    await audit.append({ kind: 'model_call', outcome: 'ok' });
    assert.equal(posted.filter((message) => message.type === 'changed').length, 2, 'no notice after dispose');
  });

  it('records who created, changed and deleted a connection', async () => {
    const { request, connections } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' }, 'switchboard.palette');
    await connections.update(home.id, { name: 'Home 2' }, undefined, 'switchboard.agentsView');
    await connections.delete(home.id, 'switchboard.palette');
    const page = await request('auditPage', { offset: 0, limit: 50, filter: {} });
    assert.deepEqual(page.entries.map((entry) => [entry.kind, entry.requester]), [
      ['connection_deleted', 'a command'],
      ['connection_updated', 'the Agents view'],
      ['connection_created', 'a command'],
    ]);
  });

  it('pages the chat records newest first, filtered on the host by connection, model and status, with requesters by name', async () => {
    const { request, chatRecords, connections, controller, posted } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const work = await connections.create({ name: 'Work', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11435' });
    for (let i = 0; i < 12; i++) {
      chatRecords.add(chatRecord(i % 3 ? home.id : work.id, i, { modelRef: i % 2 ? 'llama3.2' : 'qwen2.5', ...(i === 5 ? { status: 'failed', error: { code: 'timeout', message: 'slow' } } : {}) }));
    }
    const first = await request('chatPage', { offset: 2, limit: 3, filter: {} });
    assert.equal(first.total, 12);
    assert.deepEqual(first.records.map((r) => r.latencyMs), [9, 8, 7]);
    assert.deepEqual(first.requesterNames, { 'switchboard.vscodeChat': 'switchboard.vscodeChat' });
    assert.equal((await request('chatPage', { offset: 0, limit: 50, filter: { connectionId: work.id } })).total, 4);
    assert.equal((await request('chatPage', { offset: 0, limit: 50, filter: { connectionId: home.id, modelRef: 'llama3.2' } })).total, 4);
    assert.deepEqual((await request('chatPage', { offset: 0, limit: 50, filter: { status: 'failed' } })).records.map((r) => r.latencyMs), [5]);
    await controller.handle({ type: 'request', id: 'bad', method: 'chatPage', params: { offset: 0, limit: 500, filter: { status: 'lost' } } });
    const reply = posted.find((message) => message.type === 'reply' && message.id === 'bad');
    assert.ok(reply?.type === 'reply' && !reply.ok && reply.error.code === 'invalid_input');
  });

  it('verifies the chain, and exports every entry oldest first as JSON lines, or nothing when the person cancels', async () => {
    const { request, audit, saved, db } = await setup();
    await audit.append({ kind: 'model_call', requesterId: 'switchboard.agentsView', outcome: 'ok' });
    await audit.append({ kind: 'model_call', requesterId: 'switchboard.agentsView', outcome: 'failed' });
    assert.deepEqual(await request('verifyAudit', {}), { ok: true, entries: 2 });
    // An entry edited after it was verified: the next verify checks what came since; Verify All finds it.
    await audit.flush();
    const edited = (table: string) => `UPDATE ${table} SET body = replace(body, '"ok"', '"failed"') WHERE pos = 1`;
    await db.write((sql) => sql.run(edited(TABLES.audit)));
    assert.deepEqual(await request('verifyAudit', {}), { ok: true, entries: 2, newSince: 0 });
    assert.equal((await request('verifyAudit', { full: true })).broken?.line, 1);
    assert.equal((await request('verifyAudit', {})).broken?.line, 1, 'and the next one says so too');
    assert.deepEqual(await request('exportAudit', {}), { exported: true, entries: 2 });
    const lines = saved[0]!.trimEnd().split('\n').map((line) => JSON.parse(line) as { seq: number });
    assert.deepEqual(lines.map((line) => line.seq), [1, 2]);

    const cancelled = await setup('cancel');
    await cancelled.audit.append({ kind: 'model_call', outcome: 'ok' });
    assert.deepEqual(await cancelled.request('exportAudit', {}), { exported: false, entries: 0 });
  });

  it('answers a malformed request with invalid_input, once, and a page larger than the contract allows too', async () => {
    const { controller, posted } = await setup();
    await controller.handle({ type: 'request', id: 'bad', method: 'auditPage', params: { offset: 0, limit: 10_000, filter: {} } });
    await controller.handle({ type: 'request', id: 'worse', method: 'auditPage', params: { offset: 0, limit: 10, filter: { connectionId: 'not-a-uuid', apiKey: CANARY_KEY } } });
    const replies = posted.filter((m) => m.type === 'reply');
    assert.deepEqual(replies.map((r) => r.type === 'reply' && !r.ok && r.error.code), ['invalid_input', 'invalid_input']);
    assertNoCanary(posted);
  });

  it("reports usage by connection and agent with names, exports every call as quoted CSV without the key, and notices the Usage tab", async () => {
    const { controller, request, posted, saved, connections, models, agents, service } = await setup();
    const connection = await connections.create({ name: 'Work "main", EU', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await connections.setKey(connection.id, CANARY_KEY);
    await models.register(connection.id, [discovered_('gpt-4o-mini', { inputCostPer1k: 0.00015, outputCostPer1k: 0.0006, sources: { costs: 'builtin' } })]);
    const agent = await agents.create({ name: '=cmd|calc', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
    await controller.handle({ type: 'ready' });
    posted.length = 0;
    for (const input of ['one', 'two']) assert.equal((await service.start({ agentId: agent.id, input }, 'switchboard.agentsView')).status, 'succeeded');
    assert.ok(posted.some((message) => message.type === 'changed' && message.what === 'usage'), 'the Usage tab hears of recorded calls');
    const range = { period: 'day', from: '2026-11-22', to: '2026-11-22', utcOffsetMinutes: 0, filter: {} };
    const byConnection = await request('usageReport', { ...range, groupBy: 'connection' });
    assert.deepEqual(byConnection.groups.map((group) => [group.label, group.totals.calls]), [['Work "main", EU', 2]]);
    assert.ok(byConnection.totals.costNano > 0);
    const byAgent = await request('usageReport', { ...range, groupBy: 'requester' });
    assert.deepEqual(byAgent.groups.map((group) => group.label), ['the Agents view']);
    assert.deepEqual(await request('exportUsage', { ...range, groupBy: 'model' }), { exported: true, calls: 2 });
    const csv = saved.at(-1)!;
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^"time","run","chat","agent","requester","connection"/);
    // A quote doubled, a comma kept inside its quotes, and a value a spreadsheet would run kept as text.
    assert.match(lines[1]!, /,"'=cmd\|calc","the Agents view","Work ""main"", EU","openai","gpt-4o-mini",/);
    assert.ok(!csv.includes(CANARY_KEY));
    assertNoCanary(posted);
  });

  it('sets, lists and deletes budgets (audited, noticed), refuses a bad one, and sets a model price', async () => {
    const { controller, request, posted, connections, models, audit } = await setup();
    const connection = await connections.create({ name: 'Work', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await models.register(connection.id, [discovered_('gpt-4o-mini')]);
    await controller.handle({ type: 'ready' });
    posted.length = 0;
    const { id } = await request('setBudget', { scope: { kind: 'connection', connectionId: connection.id }, period: 'month', limit: { unit: 'usd', nano: 5e9 } });
    assert.ok(posted.some((message) => message.type === 'changed' && message.what === 'budgets'));
    const { budgets } = await request('budgets', {});
    assert.deepEqual(budgets.map((status) => [status.budget.id, status.label, status.used, status.budget.warnAtPercent]), [[id, 'Work', 0, 80]]);
    await controller.handle({ type: 'request', id: 'bad', method: 'setBudget', params: { scope: { kind: 'connection', connectionId: connection.id }, period: 'month', limit: { unit: 'usd', nano: -1 } } });
    const refusal = posted.find((message) => message.type === 'reply' && message.id === 'bad');
    assert.ok(refusal?.type === 'reply' && !refusal.ok && refusal.error.code === 'invalid_input');
    assert.deepEqual(await request('deleteBudget', { id }), { deleted: true });
    assert.deepEqual(await request('deleteBudget', { id }), { deleted: false });
    const changes = (await audit.read()).filter((entry) => entry.kind === 'budget_changed');
    assert.deepEqual(changes.map((entry) => entry.requesterId), ['switchboard.editor', 'switchboard.editor']);
    const model = models.list()[0]!;
    assert.deepEqual(await request('setModelPrice', { id: model.id, price: { inputPer1k: 0.5, outputPer1k: 1 } }), { changed: true });
    assert.deepEqual([models.get(model.id)?.inputCostPer1k, models.get(model.id)?.sources.costs], [0.5, 'user']);
  });

  it('pages the run history on the host, newest first, filtered by agent, connection, model, status and text', async () => {
    const { request, runs, connections } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const writer = { agentId: randomUUID(), agentName: 'Writer' };
    const reviewer = { agentId: randomUUID(), agentName: 'Reviewer' };
    for (let i = 0; i < 30; i++) {
      const agent = i % 3 === 0 ? reviewer : writer;
      const routing = { connectionId: home.id, providerId: 'ollama', modelRef: i % 2 ? 'llama3.2' : 'qwen2.5', sources: { connectionId: 'agent', modelRef: 'agent' } } as const;
      await runs.add(runRecord({ ...agent, routing, ...(i === 7 ? { status: 'failed', output: undefined, error: { code: 'timeout', message: 'took 100% too long' } } : {}) }, i));
    }
    // Text JSON escapes in the stored body: found through the fields alone.
    for (const [i, output] of [[30, 'she said "ship it"'], [31, 'a\\b path'], [32, 'line one\nline two']] as const) {
      await runs.add(runRecord({ ...writer, routing: { connectionId: home.id, providerId: 'ollama', modelRef: 'qwen2.5', sources: { connectionId: 'agent', modelRef: 'agent' } }, output }, i));
    }
    const first = await request('runsPage', { offset: 3, limit: 10, filter: {} });
    assert.equal(first.total, 33);
    assert.deepEqual(first.runs.map((r) => r.input).slice(0, 2), ['question 29', 'question 28']);
    assert.deepEqual(first.requesterNames, { 'switchboard.agentsView': 'the Agents view' });
    assert.deepEqual((await request('runsPage', { offset: 28, limit: 10, filter: {} })).runs.map((r) => r.input), ['question 4', 'question 3', 'question 2', 'question 1', 'question 0']);

    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { agentId: reviewer.agentId } })).total, 10);
    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { connectionId: home.id, modelRef: 'llama3.2' } })).total, 15);
    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { connectionId: randomUUID() } })).total, 0);
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { status: 'failed' } })).runs.map((r) => r.input), ['question 7']);
    // Text is found in the input, the output and the error, case-insensitive; % is matched as itself.
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'ANSWER 12' } })).runs.map((r) => r.input), ['question 12']);
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { text: '100%' } })).runs.map((r) => r.input), ['question 7']);
    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { text: '%' } })).total, 1);
    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'reviewer' } })).total, 10, 'by agent name too');
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'said "SHIP' } })).runs.map((r) => r.input), ['question 30']);
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'a\\b' } })).runs.map((r) => r.input), ['question 31']);
    assert.deepEqual((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'one\nline' } })).runs.map((r) => r.input), ['question 32']);
    // In the stored run, but in none of the fields searched.
    assert.equal((await request('runsPage', { offset: 0, limit: 50, filter: { text: 'qwen2.5' } })).total, 0);
  });

  it('re-runs a run with its agent, input and routing, as the Switchboard editor, on the person\'s click without a consent question, and copies a run\'s output', async () => {
    const { request, connections, agents, runs, logger, copied, prompts, audit } = await setup();
    const connection = await connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: `${openai.url}/v1` });
    await connections.setKey(connection.id, CANARY_KEY);
    const agent = await agents.create({ name: 'writer', connectionId: connection.id, modelRef: 'gpt-4o-mini' });
    const original = runRecord({ agentId: agent.id, agentName: agent.name, input: 'write a haiku', routing: { connectionId: connection.id, providerId: 'openai', modelRef: 'gpt-4o-mini', sources: { connectionId: 'agent', modelRef: 'agent' } } }, 0);
    await runs.add(original);

    const { runId } = await request('rerun', { runId: original.id });
    assert.notEqual(runId, original.id);
    let again = runs.get(runId);
    // The reply comes when the run has started; poll the store until it has finished.
    for (let i = 0; i < 1000 && !['succeeded', 'failed', 'cancelled'].includes(again?.status ?? ''); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      again = runs.get(runId);
    }
    assert.equal(again?.status, 'succeeded', JSON.stringify(again?.error));
    assert.equal(again.input, 'write a haiku');
    assert.equal(again.agentId, agent.id);
    assert.equal(again.requesterId, 'switchboard.editor');
    assert.deepEqual(again.routing?.sources, { connectionId: 'request', modelRef: 'request' });
    // The run's key read and model call name the connection as it was called then.
    const written = (await audit.read()).filter((entry) => entry.runId === runId);
    assert.deepEqual(written.map((entry) => [entry.kind, entry.connectionName]), [
      ['model_call', 'Cloud'],
      ['key_read', 'Cloud'],
    ]);
    assert.deepEqual(prompts, [], "the click on Re-run is the person's consent");
    assert.deepEqual((await audit.read()).filter((e) => e.kind === 'key_read').map((e) => [e.requesterId, e.runId, e.outcome]), [['switchboard.editor', runId, 'granted_by_person']]);

    assert.deepEqual(await request('copyRun', { runId }), { copied: true });
    assert.deepEqual(copied, [again.output]);
    assertNoCanary(logger.lines);
  });

  it('says a run that is gone is gone, in one error reply', async () => {
    const { controller, posted } = await setup();
    await controller.handle({ type: 'request', id: 'gone', method: 'rerun', params: { runId: randomUUID() } });
    const reply = ToEditorViewSchema.parse(posted.find((m) => m.type === 'reply'));
    assert.ok(reply.type === 'reply' && !reply.ok && reply.error.code === 'not_found');
  });

  it('pages the registered models filtered and sorted on the host by the cells a person reads, and sends none in a snapshot', async () => {
    const { request, controller, connections, models, posted } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const cloud = await connections.create({ name: 'Cloud', providerId: 'openai', baseUrl: 'https://api.openai.com/v1' });
    await models.register(home.id, [{ ...discovered_('llama3.2:latest'), contextWindow: 131_072 }, { ...discovered_('qwen2.5'), displayName: 'Qwen 2.5' }, { ...discovered_('llava'), contextWindow: 4096, modalities: ['text', 'vision'] }]);
    await models.register(cloud.id, [{ ...discovered_('gpt-4o-mini'), contextWindow: 128_000 }]);
    await controller.handle({ type: 'ready' });
    const byModel = { column: 'model', descending: false };
    const page = async (params: object) => {
      const { models: shown, ...counts } = await request('modelsPage', { offset: 0, limit: 200, filter: {}, sort: byModel, ...params });
      return { names: shown.map((m) => m.providerModelId), ...counts };
    };

    assert.deepEqual(await page({}), { names: ['gpt-4o-mini', 'llama3.2:latest', 'llava', 'qwen2.5'], total: 4, registered: 4 });
    assert.deepEqual(await page({ offset: 1, limit: 2 }), { names: ['llama3.2:latest', 'llava'], total: 4, registered: 4 }, 'a page of the sorted rows');
    assert.deepEqual(await page({ sort: { column: 'context', descending: true } }), { names: ['llama3.2:latest', 'gpt-4o-mini', 'llava', 'qwen2.5'], total: 4, registered: 4 }, 'by the number, its unknown last');
    assert.deepEqual((await page({ filter: { text: 'qwen 2' } })).names, ['qwen2.5'], 'the display name, as the cell writes it');
    assert.deepEqual((await page({ filter: { text: ' OpenAI ' } })).names, ['gpt-4o-mini'], "the provider's name, trimmed, in any case");
    assert.deepEqual((await page({ filter: { text: 'vision' } })).names, ['llava'], 'a modality in words');
    assert.deepEqual(await page({ filter: { connectionId: home.id, text: 'l' } }), { names: ['llama3.2:latest', 'llava', 'qwen2.5'], total: 3, registered: 4 });
    assert.deepEqual((await page({ filter: { connectionId: home.id, text: 'qwen' } })).names, ['qwen2.5']);
    assert.deepEqual(await page({ filter: { connectionId: cloud.id, text: 'qwen' } }), { names: [], total: 0, registered: 4 }, 'the same text on another connection is another query');
    assert.deepEqual((await page({ filter: { text: 'home\nnone' } })).names, [], 'a match never spans two cells');
    assert.equal(posted.filter((m) => m.type === 'snapshot' && 'models' in m).length, 0, 'the registry never crosses whole');

    // What the host keeps of the table follows the registry and the connections' names.
    await connections.update(cloud.id, { name: 'Lab' });
    assert.deepEqual((await page({ filter: { text: 'lab' } })).names, ['gpt-4o-mini'], 'a renamed connection is read by its new name');
    await models.register(cloud.id, [discovered_('gpt-4.1')]);
    assert.deepEqual(await page({ filter: { connectionId: cloud.id } }), { names: ['gpt-4.1', 'gpt-4o-mini'], total: 2, registered: 5 }, 'a model registered since');

    const bad = posted.length;
    for (const params of [{ offset: 0, limit: 201, filter: {}, sort: byModel }, { offset: 0, limit: 10, filter: {}, sort: { column: 'id', descending: false } }, { offset: 0, limit: 10, filter: { text: 'x', id: 'y' }, sort: byModel }]) {
      await controller.handle({ type: 'request', id: 'bad', method: 'modelsPage', params });
    }
    assert.deepEqual(posted.slice(bad).map((m) => m.type === 'reply' && !m.ok && m.error.code), ['invalid_input', 'invalid_input', 'invalid_input']);
  });

  it('enables, disables and removes several models at once, or every one a filter matches but those left out; says the models changed; runs Discover as the editor', async () => {
    const { request, controller, connections, models, agents, posted, discovered } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const { models: registered } = await models.register(home.id, [discovered_('llama3.2:latest'), discovered_('qwen2.5'), discovered_('llava')]);
    await controller.handle({ type: 'ready' });
    const [llama, qwen, llava] = registered;
    const enabled = async () => (await request('modelsPage', { offset: 0, limit: 10, filter: {}, sort: { column: 'model', descending: false } })).models.filter((m) => m.enabled).map((m) => m.providerModelId);
    const notices = () => posted.filter((m) => m.type === 'changed' && m.what === 'models').length;

    assert.deepEqual(await request('setModelsEnabled', { ids: [llama!.id, qwen!.id], enabled: false }), { changed: 2 });
    assert.equal(notices(), 1, 'the Models tab is told to read its page again');
    assert.deepEqual(await request('setModelsEnabled', { ids: [llama!.id, llava!.id], enabled: false }), { changed: 1 }, 'one was disabled already');
    assert.deepEqual(await enabled(), []);
    assert.deepEqual(await request('setModelsEnabled', { matching: { connectionId: home.id }, except: [llava!.id], enabled: true }), { changed: 2 }, '"All shown" but one');
    assert.deepEqual(await enabled(), ['llama3.2:latest', 'qwen2.5']);
    assert.deepEqual(await request('deleteModels', { matching: { text: 'QWEN' }, except: [] }), { deleted: 1 });
    assert.deepEqual(await request('deleteModels', { ids: [llava!.id] }), { deleted: 1 });
    assert.deepEqual((await request('modelsPage', { offset: 0, limit: 10, filter: {}, sort: { column: 'model', descending: false } })).models.map((m) => m.providerModelId), ['llama3.2:latest']);
    assert.equal(notices(), 5);

    const before = posted.length;
    await agents.create({ name: 'tester', connectionId: home.id });
    assert.deepEqual(posted.slice(before).map((m) => m.type), ['snapshot'], "an agent's change is no change of the models");

    assert.deepEqual(await request('discoverModels', { connectionId: home.id }), { registered: 1, added: 1, cancelled: false });
    assert.deepEqual(discovered, [home.id]);
  });

  it("sets a model's reasoning and output limit through the registry, and answers one its provider does not take with the reason and no change", async () => {
    const { request, controller, connections, models, posted } = await setup();
    const home = await connections.create({ name: 'Home', providerId: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
    const [qwen] = (await models.register(home.id, [{ ...discovered_('qwen3:8b'), maxOutputTokens: 8192, sources: { maxOutputTokens: 'api' } }])).models;
    await controller.handle({ type: 'ready' });

    const saved = RegisteredModelSchema.parse(await request('setModelCallSettings', { id: qwen!.id, reasoning: { effort: 'low' }, outputLimit: 4096 }));
    assert.deepEqual([saved.outputLimitOverride, saved.reasoning], [4096, { effort: 'low' }]);

    posted.length = 0;
    // A good limit with a bad setting, and the other way round: neither is saved.
    await controller.handle({ type: 'request', id: 'bad-1', method: 'setModelCallSettings', params: { id: qwen!.id, reasoning: { budgetTokens: 2048 }, outputLimit: 2000 } });
    await controller.handle({ type: 'request', id: 'bad-2', method: 'setModelCallSettings', params: { id: qwen!.id, reasoning: { effort: 'high' }, outputLimit: 9000 } });
    await controller.handle({ type: 'request', id: 'bad-3', method: 'setModelCallSettings', params: { id: qwen!.id, reasoning: { effort: 'max' }, outputLimit: null } });
    const replies = posted.filter((message) => message.type === 'reply') as { id: string; ok: boolean; error?: { code: string; message: string } }[];
    assert.deepEqual(replies.map((reply) => [reply.id, reply.ok, reply.error?.code]), [['bad-1', false, 'invalid_input'], ['bad-2', false, 'invalid_input'], ['bad-3', false, 'invalid_input']]);
    assert.match(replies[0]!.error!.message, /Ollama takes a reasoning effort/);
    assert.match(replies[1]!.error!.message, /at most 8,192 tokens/);
    const stored = models.get(qwen!.id)!;
    assert.deepEqual([stored.outputLimitOverride, stored.reasoning], [4096, { effort: 'low' }]);
  });
});
