import * as l10n from '@vscode/l10n';
import type { AuditEntry, RunRecord } from '../../contracts/agents';
import {
  FromEditorViewSchema,
  type AuditFilter,
  type AuditRow,
  type EditorChanged,
  type EditorRequest,
  type EditorSnapshot,
  type EditorTab,
  type ModelFilter,
  type ToEditorView,
} from '../../contracts/editorView';
import type { ChatRecordStore } from '../chat/chatRecordStore';
import { personAt, requesterIds } from '../keys/requesters';
import type { RunService } from '../runs/runService';
import type { RunStore } from '../runs/runStore';
import { agentsConnections, requesterNames, usageCsv, usageLabels, type RegisteredModelSummary } from './viewShared';
import type { ModelPages } from './modelPages';
import type { AgentService } from '../runs/agentService';
import type { AuditLog, AuditQuery } from '../audit/auditLog';
import { SwitchboardError } from '../base/errors';
import type { ProviderRegistry } from '../providers/providerRegistry';
import type { ModelRegistry } from '../models/modelRegistry';
import type { Event, Logger } from '../base/ports';
import type { ConnectionService } from '../connections/connectionService';
import { ViewHost } from './viewHost';
import type { UsageLedger } from '../calls/usageLedger';
import type { Budgets } from '../calls/budgets';

export interface EditorControllerDeps {
  audit: Pick<AuditLog, 'page' | 'requesterIds' | 'exportLines' | 'verify' | 'onDidAppend' | 'recordedConnectionNames'>;
  chatRecords: Pick<ChatRecordStore, 'page' | 'onDidChange'>;
  connections: Pick<ConnectionService, 'list' | 'onDidChange'>;
  agents: Pick<AgentService, 'list' | 'onDidChange'>;
  registry: Pick<ProviderRegistry, 'get' | 'onDidChange'>;
  runs: Pick<RunStore, 'page' | 'get'>;
  runService: Pick<RunService, 'launch'>;
  /** The registered models of every connection (see AgentsControllerDeps), for names in a run's routing. */
  registeredModels(): ReadonlyMap<string, readonly RegisteredModelSummary[]>;
  modelsChanged: Event<void>;
  copyToClipboard(text: string): Promise<void>;
  models: Pick<ModelRegistry, 'setEnabledMany' | 'deleteMany' | 'setPrice' | 'setCallSettings'>;
  /** The Models tab's rows, kept by the extension across the editor's openings (modelPagesOf). */
  modelPages: ModelPages;
  /** The usage ledger (the Usage tab's reports and export). */
  ledger: Pick<UsageLedger, 'report' | 'calls' | 'onDidRecord'>;
  budgets: Pick<Budgets, 'statuses' | 'set' | 'delete' | 'onDidChange'>;
  /** The palette's Discover Models flow for one connection, as the editor; undefined when cancelled. */
  discoverModels(connectionId: string): Promise<{ registered: number; added: number } | undefined>;
  /** A requester's name as people read it (the host's describeRequester). */
  describeRequester(requesterId: string): string;
  /** Asks where to save and writes the text there; false if the person cancelled. */
  saveExport(text: string): Promise<boolean>;
  /** The same for the usage export (CSV). */
  saveUsageExport(text: string): Promise<boolean>;
  /** The tab a command last asked for, numbered (see EditorSnapshot.show). */
  requestedTab?(): { tab: EditorTab; request: number } | undefined;
  logger: Logger;
  post(message: ToEditorView): void;
}

/** The host side of the Switchboard editor: filtering and paging happen here, so one page crosses. */
export function createEditorController(deps: EditorControllerDeps): ViewHost<EditorRequest, EditorSnapshot, EditorChanged> {
  const { modelPages } = deps;
  /** The ids an enable, disable or remove names, or those of "All shown" but the unticked ones. */
  const selected = (selection: { ids: string[] } | { matching: ModelFilter; except: string[] }) => ('ids' in selection ? selection.ids : modelPages.matching(selection.matching, selection.except));
  const snapshot = (): EditorSnapshot => ({
    type: 'snapshot',
    connections: agentsConnections(deps, deps.registeredModels()),
    agents: deps.agents.list().map(({ id, name }) => ({ id, name })),
    show: deps.requestedTab?.(),
  });

  const dispatch = async (request: EditorRequest): Promise<unknown> => {
    switch (request.method) {
      case 'modelsPage': {
        const { offset, limit, filter, sort } = request.params;
        return modelPages.page(offset, limit, filter, sort);
      }
      case 'setModelsEnabled':
        // One write and one change for the whole selection, however many models it holds.
        return { changed: await deps.models.setEnabledMany(selected(request.params), request.params.enabled) };
      case 'deleteModels':
        return { deleted: await deps.models.deleteMany(selected(request.params)) };
      case 'setModelCallSettings':
        return deps.models.setCallSettings(request.params.id, { reasoning: request.params.reasoning, outputLimit: request.params.outputLimit });
      case 'discoverModels': {
        const result = await deps.discoverModels(request.params.connectionId);
        return result ? { ...result, cancelled: false } : { registered: 0, added: 0, cancelled: true };
      }
      case 'auditPage': {
        const { offset, limit, filter } = request.params;
        // A log has thousands of entries and a few requesters: each is named once per page.
        const describe = memoized(deps.describeRequester);
        const page = deps.audit.page({ offset, limit, query: auditQuery(filter, () => deps.audit.requesterIds(), describe) });
        const names = connectionNames(page.entries);
        const run = memoized((runId: string) => deps.runs.get(runId));
        return { entries: page.entries.map((entry) => auditRow(entry, names, describe, run)), total: page.total };
      }
      case 'verifyAudit': {
        const result = await deps.audit.verify({ full: request.params.full === true });
        return result.broken ? { ...result, broken: { line: result.broken.line, reason: result.broken.reason.slice(0, 500) } } : result;
      }
      case 'exportAudit': {
        // Oldest first, as the chain runs, so an exported file can be verified line by line.
        const { text, entries } = deps.audit.exportLines();
        const exported = await deps.saveExport(text);
        return { exported, entries: exported ? entries : 0 };
      }
      case 'runsPage': {
        const { offset, limit, filter } = request.params;
        const page = deps.runs.page({ offset, limit, filter });
        return { ...page, requesterNames: requesterNames(page.runs, deps.describeRequester) };
      }
      case 'rerun': {
        const run = requireRun(request.params.runId);
        const { runId, finished } = await deps.runService.launch(
          {
            agentId: run.agentId,
            input: run.input,
            // The routing the run got, so a re-run goes where the first one went, not where defaults point now.
            ...(run.routing ? { connectionId: run.routing.connectionId, modelRef: run.routing.modelRef } : {}),
          },
          // The person's click on Re-run: their consent for this run's key use.
          personAt(requesterIds.editor),
        );
        // The outcome is stored on the run; the Runs tab reads it with its next page.
        void finished.catch((error: unknown) => deps.logger.error(`Run ${runId} ended unexpectedly: ${String(error)}`));
        return { runId };
      }
      case 'chatPage': {
        const { offset, limit, filter } = request.params;
        const page = deps.chatRecords.page({ offset, limit, filter });
        return { ...page, requesterNames: requesterNames(page.records, deps.describeRequester) };
      }
      case 'usageReport':
        return deps.ledger.report(request.params, usageLabels(deps));
      case 'exportUsage': {
        const calls = deps.ledger.calls(request.params);
        const exported = await deps.saveUsageExport(usageCsv(calls, usageLabels(deps)));
        return { exported, calls: exported ? calls.length : 0 };
      }
      case 'budgets':
        return { budgets: deps.budgets.statuses().slice(0, 500) };
      case 'setBudget':
        // The person's own change in the editor, audited under its name.
        return { id: (await deps.budgets.set(request.params, requesterIds.editor)).id };
      case 'deleteBudget':
        return { deleted: await deps.budgets.delete(request.params.id, requesterIds.editor) };
      case 'setModelPrice':
        await deps.models.setPrice(request.params.id, request.params.price);
        return { changed: true };
      case 'copyRunId':
        await deps.copyToClipboard(request.params.runId);
        return { copied: true };
      case 'copyRun': {
        const run = requireRun(request.params.runId);
        const text = run.output ?? run.error?.message;
        if (text === undefined) return { copied: false };
        await deps.copyToClipboard(text);
        return { copied: true };
      }
    }
  };

  const requireRun = (runId: string) => {
    const run = deps.runs.get(runId);
    if (!run) throw new SwitchboardError('not_found', l10n.t('That run is no longer in the history (older runs are removed by switchboard.runRetention).'));
    return run;
  };

  /**
   * The name of each connection the entries name: its current one, else (deleted) the newest
   * its own entries recorded. Only the deleted ones are looked up in the log.
   */
  const connectionNames = (entries: readonly AuditEntry[]): ConnectionNames => {
    const live = new Map(deps.connections.list().map((connection) => [connection.id, connection.name]));
    const gone = [...new Set(entries.flatMap((entry) => (entry.connectionId && !live.has(entry.connectionId) ? [entry.connectionId] : [])))];
    return { live, recorded: deps.audit.recordedConnectionNames(gone) };
  };

  const host: ViewHost<EditorRequest, EditorSnapshot, EditorChanged> = new ViewHost<EditorRequest, EditorSnapshot, EditorChanged>({
    name: 'Switchboard editor',
    schema: FromEditorViewSchema,
    dispatch,
    snapshot,
    post: deps.post,
    logger: deps.logger,
    // A change of the registered models changes the connections' models the snapshot summarises.
    changes: [deps.connections.onDidChange, deps.agents.onDidChange, deps.registry.onDidChange, deps.modelsChanged],
    notices: [
      { event: deps.modelsChanged, notice: { type: 'changed', what: 'models' } },
      { event: deps.audit.onDidAppend, notice: { type: 'changed', what: 'audit' } },
      { event: deps.chatRecords.onDidChange, notice: { type: 'changed', what: 'chat' } },
      { event: deps.ledger.onDidRecord, notice: { type: 'changed', what: 'usage' } },
      { event: deps.budgets.onDidChange, notice: { type: 'changed', what: 'budgets' } },
    ],
  });
  return host;
}

interface ConnectionNames {
  live: ReadonlyMap<string, string>;
  recorded: ReadonlyMap<string, string>;
}

/** `look` once per key, for one page. */
function memoized<T>(look: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (!known.has(key)) known.set(key, look(key));
    return known.get(key)!;
  };
}

/**
 * The Audit tab's filter as the log's query. The requester is matched by the name a person
 * reads, which only the host knows: the few requesters in the log are named here, and those
 * whose name holds the text are queried by id.
 */
function auditQuery(filter: AuditFilter, requesterIds: () => readonly string[], describeRequester: (id: string) => string): AuditQuery {
  const requester = filter.requester?.trim().toLowerCase();
  const runPrefix = filter.run?.trim();
  return {
    kind: filter.kind,
    connectionId: filter.connectionId,
    runPrefix: runPrefix || undefined,
    requesterIds: requester ? requesterIds().filter((id) => describeRequester(id).toLowerCase().includes(requester)) : undefined,
  };
}

function auditRow(entry: AuditEntry, names: ConnectionNames, describeRequester: (id: string) => string, runOf: (runId: string) => RunRecord | undefined): AuditRow {
  const { seq, time, kind, purpose, runId, providerId, modelRef, outcome, latencyMs, connectionId } = entry;
  const run = runId === undefined ? undefined : runOf(runId);
  const deleted = connectionId !== undefined && !names.live.has(connectionId);
  const connection = connectionId === undefined ? undefined : (names.live.get(connectionId) ?? names.recorded.get(connectionId) ?? entry.connectionName);
  return {
    seq,
    time,
    kind,
    purpose,
    runId,
    providerId,
    modelRef,
    outcome,
    latencyMs,
    requester: entry.requesterId === undefined ? undefined : describeRequester(entry.requesterId),
    ...(connection !== undefined ? { connection } : {}),
    ...(deleted ? { connectionDeleted: true } : {}),
    ...(run ? { run: { agentName: run.agentName, startedAt: run.createdAt } } : {}),
  };
}
