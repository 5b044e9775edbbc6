import { readFile } from 'node:fs/promises';
import type * as vscode from 'vscode';
import type { SwitchboardExports } from '../api/types';
import type { AuditEntry, RunRecord } from '../contracts/agents';
import type { RegisteredModel } from '../contracts/models';
import type { AuditLog } from '../core/audit/auditLog';
import type { ChatRecordStore } from '../core/chat/chatRecordStore';
import type { ChatService } from '../core/chat/chatService';
import { requesterIds } from '../core/keys/requesters';
import type { ChatRecord } from '../contracts/chatRecords';
import type { KeyValueStore } from '../core/base/ports';
import type { Database } from '../core/store/database';
import type { ModelRegistry } from '../core/models/modelRegistry';
import type { RunService } from '../core/runs/runService';
import type { RunStore } from '../core/runs/runStore';
import { AGENTS_KEY } from '../core/store/storageKeys';
import { onDidShowError } from './errorMessages';
import type { OutputLogger } from './logger';
import type { Prompter, ScriptedAnswer } from './prompter';
import type { UsageRecord } from '../contracts/usage';
import type { UsageLedger } from '../core/calls/usageLedger';
import type { Budgets } from '../core/calls/budgets';
import type { ConnectionService } from '../core/connections/connectionService';
import type { AgentService } from '../core/runs/agentService';
import { usageCsv, usageLabels } from '../core/views/viewShared';
import { describeRequester } from './consentPrompt';

/**
 * What activate() returns in Test mode (`ExtensionMode.Test`): the public exports plus hooks for
 * the integration tests. Kept out of the published type (src/api/types.ts).
 */
export interface TestModeExports extends SwitchboardExports {
  readonly testing: TestingApi;
}

/** Hooks for the integration tests, present only when the extension runs in Test mode. */
export interface TestingApi {
  /** The next prompts take these answers instead of opening UI. */
  queueAnswers(...answers: ScriptedAnswer[]): void;
  /** Removes and returns the queued answers no question took (a test proves a question was not asked). */
  drainAnswers(): ScriptedAnswer[];
  /** The questions (consent, confirmations, choices) that queued answers answered, in order. */
  answeredQuestions(): string[];
  /** The notifications Switchboard showed (Prompter.notify), in order. */
  notices(): string[];
  /** The quick picks that queued answers answered, with the items each offered, in order. */
  answeredPicks(): { placeHolder: string; items: { label: string; description?: string }[] }[];
  /** The error messages Switchboard showed, each with its buttons, in order. */
  shownErrors(): { message: string; actions: string[] }[];
  /** The default connection's status bar item as VS Code draws it and a screen reader reads it. */
  statusBar(): { text: string; accessibilityLabel: string | undefined; tooltip: string | undefined };
  /** Stores an agent record as an older version or an import left it (a legacy model string), past the form's checks. */
  storeAgentRecord(record: Record<string, unknown>): Promise<void>;
  readSecret(name: string): Promise<string | undefined>;
  /** Every key and value in this extension's globalState. */
  globalState(): Record<string, unknown>;
  /**
   * Writes `rounds` values to each of `keys` at once, through the globalState store the
   * extension uses, each writer pausing at random between its writes; resolves with how many
   * times a writer read back something other than its own last value (at once, once the write
   * resolved, and after the pause). The keys are removed after.
   */
  writeStateConcurrently(keys: readonly string[], rounds: number): Promise<number>;
  /** Lines written to the Switchboard output channel. */
  logLines(): string[];
  /** Every message the host posted to a webview. */
  webviewMessages(): unknown[];
  /** A run as the database holds it. */
  storedRun(id: string): RunRecord | undefined;
  /** The registered models as the database holds them. */
  storedModels(): RegisteredModel[];
  /** Enables or disables a registered model, as the Models tab's switch does. */
  setModelEnabled(id: string, enabled: boolean): Promise<RegisteredModel>;
  /**
   * A chat request straight into ChatService, as the chat provider makes it but without VS Code's
   * RPC (for the lm bench); resolves with the milliseconds to the first text and to the end.
   */
  chatDirect(modelId: string, prompt: string): Promise<{ first: number; total: number }>;
  /** The chat records (VS Code chat requests), newest first. */
  chatRecords(): ChatRecord[];
  /** The audit log's entries, oldest first. */
  auditEntries(): Promise<AuditEntry[]>;
  /** The database's files (with its write-ahead log) as text, for the canary check. */
  databaseBytes(): Promise<string>;
  /** Every call in the usage ledger, oldest first. */
  usageCalls(): UsageRecord[];
  /** Where the ledger writes this window's calls: its writer thread (dist/ledgerWriter.js) unless that failed. */
  usageWrittenBy(): string;
  /** The usage export (CSV) as the Usage tab's Export writes it, for every call. */
  usageCsv(): string;
  /** Sets a budget as the Usage tab does; its id. */
  setBudget(input: unknown): Promise<string>;
  deleteBudget(id: string): Promise<boolean>;
  /** Starts a run as the Run Agent command does, without its progress notification (for the routing bench). */
  startRun(request: unknown): Promise<RunRecord>;
  /** How long activate() took, in milliseconds. */
  readonly activationMs: number;
  /** This extension's log folder (context.logUri); the extension host's own log is in the folder above. */
  readonly logFolder: string;
}

export function createTestingApi(deps: {
  context: vscode.ExtensionContext;
  prompter: Prompter;
  logger: OutputLogger;
  postedToWebviews: unknown[];
  db: Database;
  runs: RunStore;
  models: ModelRegistry;
  audit: AuditLog;
  runService: RunService;
  chatRecords: ChatRecordStore;
  chat: ChatService;
  statusBarItem: vscode.StatusBarItem;
  ledger: UsageLedger;
  budgets: Budgets;
  connections: ConnectionService;
  agents: AgentService;
  /** The globalState store every part of the extension writes through. */
  store: KeyValueStore;
  activationMs: number;
}): TestingApi {
  const everyCall = { from: '2000-01-01', to: '2100-01-01', utcOffsetMinutes: 0, filter: {} };
  const { context } = deps;
  const shownErrors: { message: string; actions: string[] }[] = [];
  context.subscriptions.push(onDidShowError((shown) => shownErrors.push(shown)));
  return {
    queueAnswers: (...answers) => deps.prompter.queue(...answers),
    drainAnswers: () => deps.prompter.drain(),
    answeredQuestions: () => [...deps.prompter.answeredQuestions],
    notices: () => [...deps.prompter.notices],
    answeredPicks: () => [...deps.prompter.answeredPicks],
    shownErrors: () => [...shownErrors],
    statusBar: () => {
      const { text, accessibilityInformation, tooltip } = deps.statusBarItem;
      return { text, accessibilityLabel: accessibilityInformation?.label, tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value };
    },
    storeAgentRecord: async (record) => {
      const stored = context.globalState.get<unknown[]>(AGENTS_KEY) ?? [];
      await context.globalState.update(AGENTS_KEY, [...stored, record]);
    },
    readSecret: async (name) => context.secrets.get(name),
    writeStateConcurrently: async (keys, rounds) => {
      let stale = 0;
      const pause = () => new Promise((resolve) => (Math.random() < 0.5 ? setImmediate(resolve) : setTimeout(resolve, Math.floor(Math.random() * 3))));
      const writer = async (key: string) => {
        for (let round = 1; round <= rounds; round++) {
          const writing = deps.store.update(key, round);
          // Read at once, as code that does not await its write does.
          if (deps.store.get(key) !== round) stale++;
          await writing;
          if (deps.store.get(key) !== round) stale++;
          await pause();
          if (deps.store.get(key) !== round) stale++;
        }
        await deps.store.update(key, undefined);
      };
      await Promise.all(keys.map(writer));
      return stale;
    },
    globalState: () => Object.fromEntries(context.globalState.keys().map((key) => [key, context.globalState.get(key)])),
    logLines: () => [...(deps.logger.captured ?? [])],
    webviewMessages: () => [...deps.postedToWebviews],
    storedRun: (id) => deps.runs.get(id),
    storedModels: () => deps.models.list(),
    setModelEnabled: (id, enabled) => deps.models.setEnabled(id, enabled),
    chatDirect: async (modelId, prompt) => {
      const started = performance.now();
      let first = NaN;
      await deps.chat.respond({ modelId, requesterId: requesterIds.vscodeChat, messages: [{ role: 'user', content: prompt }] }, new AbortController().signal, (part) => {
        if (part.type === 'text' && part.text && Number.isNaN(first)) first = performance.now() - started;
      });
      return { first, total: performance.now() - started };
    },
    chatRecords: () => deps.chatRecords.page({ limit: 1000 }).records,
    auditEntries: async () => (await deps.audit.read()).reverse(),
    logFolder: context.logUri.fsPath,
    databaseBytes: async () => {
      const parts = await Promise.all(deps.db.files.map((file) => readFile(file, 'latin1').catch(() => '')));
      return parts.join('\n');
    },
    usageCalls: () => deps.ledger.calls(everyCall),
    usageWrittenBy: () => deps.ledger.writtenBy,
    usageCsv: () => usageCsv(deps.ledger.calls(everyCall), usageLabels({ ...deps, describeRequester })),
    setBudget: async (input) => (await deps.budgets.set(input, requesterIds.editor)).id,
    deleteBudget: (id) => deps.budgets.delete(id, requesterIds.editor),
    startRun: (request) => deps.runService.start(request, 'switchboard.bench'),
    activationMs: deps.activationMs,
  };
}
