import * as z from 'zod';
import { AuditEntrySchema, RunRecordSchema, RunStatusSchema } from './agents';
import { ChatRecordSchema } from './chatRecords';
import { AgentsConnectionSchema } from './agentsView';
import { MAX_OUTPUT_LIMIT } from './modelFacts';
import { MODEL_COLUMN_IDS } from './modelTable';
import { EDITOR_TABS } from './webviewPage';
import { ReasoningSchema, RegisteredModelSchema } from './models';
import { ReplySchema, requestSchema, type ViewProtocol } from './rpc';
import { BudgetInputSchema, BudgetStatusSchema, MAX_PRICE_PER_1K, UsageReportRequestSchema, UsageReportSchema } from './usage';

/** The most audit entries one page carries: the view never holds the whole log. */
export const MAX_AUDIT_PAGE = 200;

/** The most runs one page carries: each may hold a long output. */
export const MAX_RUNS_PAGE = 100;

/** What the Runs tab filters by, matched on the host in SQL. */
export const RunFilterSchema = z
  .object({
    agentId: z.string().uuid().optional(),
    connectionId: z.string().uuid().optional(),
    modelRef: z.string().min(1).max(200).optional(),
    status: RunStatusSchema.optional(),
    /** Found in the agent's name, the input, the output or the error message. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type RunFilterInput = z.infer<typeof RunFilterSchema>;

export const AuditKindSchema = AuditEntrySchema.shape.kind;

/** What the Audit tab filters by; each is matched on the host, so only one page crosses. */
export const AuditFilterSchema = z
  .object({
    kind: AuditKindSchema.optional(),
    /** Matched against the requester's name as the host describes it, case-insensitive. */
    requester: z.string().max(200).optional(),
    connectionId: z.string().uuid().optional(),
    /** A run id, or the start of one. */
    run: z.string().max(64).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** An audit entry as a person reads it: names, not ids, for the requester, the connection and the run. */
export const AuditRowSchema = AuditEntrySchema.pick({
  seq: true,
  time: true,
  kind: true,
  purpose: true,
  runId: true,
  providerId: true,
  modelRef: true,
  outcome: true,
  latencyMs: true,
}).extend({
  requester: z.string().optional(),
  /** The connection's name: its current one, else the one its entries recorded; absent when no name is known. */
  connection: z.string().optional(),
  /** The entry names a connection that no longer exists. */
  connectionDeleted: z.boolean().optional(),
  /** The run by its agent and start, while the run history still holds it. */
  run: z.object({ agentName: z.string(), startedAt: z.string() }).optional(),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;

export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  broken: z.object({ line: z.number().int().positive(), reason: z.string().max(500) }).optional(),
  /** Set when only the entries written since the last verify were checked (Verify All checks all). */
  newSince: z.number().int().nonnegative().optional(),
});
export type AuditVerificationInfo = z.infer<typeof AuditVerificationSchema>;

/** The most chat records one page carries. */
export const MAX_CHAT_PAGE = 100;

/** What the Chat tab filters by, matched on the host. */
export const ChatFilterSchema = z
  .object({
    connectionId: z.string().uuid().optional(),
    modelRef: z.string().min(1).max(256).optional(),
    status: ChatRecordSchema.shape.status.optional(),
  })
  .strict();
export type ChatFilter = z.infer<typeof ChatFilterSchema>;

/** The most model ids one enable, disable or remove request names: ticked one by one, or left out of "All shown" (which names its filter instead). */
export const MAX_MODELS_PER_REQUEST = 5000;

const modelIds = z.array(z.string().uuid()).min(1).max(MAX_MODELS_PER_REQUEST);

/** The most models one page of the Models tab carries. */
export const MAX_MODELS_PAGE = 200;

/** What the Models tab filters by, matched on the host against the cells a person reads (modelTable.ts). */
export const ModelFilterSchema = z
  .object({
    connectionId: z.string().uuid().optional(),
    /** Found in any cell of the row, case-insensitive. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type ModelFilter = z.infer<typeof ModelFilterSchema>;

export const ModelSortSchema = z.object({ column: z.enum(MODEL_COLUMN_IDS), descending: z.boolean() }).strict();

/**
 * The models an enable, disable or remove applies to: these ids, or every model a filter
 * matches but those named ("All shown", then a few unticked), resolved by the host when it acts.
 */
const modelSelection = <T extends z.ZodRawShape>(rest: T) =>
  z.union([
    z.object({ ids: modelIds, ...rest }).strict(),
    z.object({ matching: ModelFilterSchema, except: z.array(z.string().uuid()).max(MAX_MODELS_PER_REQUEST), ...rest }).strict(),
  ]);

/** Params of each request the Switchboard editor may send. */
export const editorMethods = {
  /** One page of the registered models, filtered and sorted as the table shows them. */
  modelsPage: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_MODELS_PAGE), filter: ModelFilterSchema, sort: ModelSortSchema }).strict(),
  setModelsEnabled: modelSelection({ enabled: z.boolean() }),
  /** Removes registered models at once, without a confirmation: discovering again brings them back. */
  deleteModels: modelSelection({}),
  /** The palette's Discover Models flow for this connection (a progress notification, then a pick of what to add). */
  discoverModels: z.object({ connectionId: z.string().uuid() }).strict(),
  /**
   * The person's reasoning setting (an effort or a thinking budget, which the provider must take)
   * and output limit (tokens) for a model, checked together and saved at once; `null` goes back
   * to the provider's own.
   */
  setModelCallSettings: z.object({ id: z.string().uuid(), reasoning: ReasoningSchema.nullable(), outputLimit: z.number().int().positive().max(MAX_OUTPUT_LIMIT).nullable() }).strict(),
  auditPage: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_AUDIT_PAGE), filter: AuditFilterSchema }).strict(),
  /** The entries written since the last verify; with `full`, the whole log (Verify All). */
  verifyAudit: z.object({ full: z.boolean().optional() }).strict(),
  /** The host asks where to save, in VS Code's save dialog, and writes every entry as JSON lines. */
  exportAudit: z.object({}).strict(),
  runsPage: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_RUNS_PAGE), filter: RunFilterSchema }).strict(),
  /** Starts a new run with the same agent, input, connection and model as this one. */
  rerun: z.object({ runId: z.string().uuid() }).strict(),
  /** The host copies the run's output (or, without one, its error) to the clipboard. */
  copyRun: z.object({ runId: z.string().uuid() }).strict(),
  /** The host copies a run's id (as an audit entry names it) to the clipboard. */
  copyRunId: z.object({ runId: z.string().min(1).max(64) }).strict(),
  chatPage: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_CHAT_PAGE), filter: ChatFilterSchema }).strict(),
  /** Tokens and cost per period and group, for the Usage tab's charts and the tables under them. */
  usageReport: UsageReportRequestSchema,
  /** The host asks where to save, in VS Code's save dialog, and writes the report's calls as CSV (one row per call). */
  exportUsage: UsageReportRequestSchema,
  /** Every budget with what its current period has used. */
  budgets: z.object({}).strict(),
  /** Adds a budget (no `id`) or changes one; audited. */
  setBudget: BudgetInputSchema,
  /** Removes a budget; audited. */
  deleteBudget: z.object({ id: z.string().uuid() }).strict(),
  /**
   * The person's own price for a model, in dollars per 1,000 tokens; it wins over the provider's
   * and the built-in table's. `null` clears it, back to the price from elsewhere.
   */
  setModelPrice: z
    .object({
      id: z.string().uuid(),
      price: z
        .object({
          inputPer1k: z.number().nonnegative().max(MAX_PRICE_PER_1K),
          outputPer1k: z.number().nonnegative().max(MAX_PRICE_PER_1K),
          cachedInputPer1k: z.number().nonnegative().max(MAX_PRICE_PER_1K).optional(),
        })
        .strict()
        .nullable(),
    })
    .strict(),
} as const;

export const editorResults = {
  modelsPage: z.object({
    models: z.array(RegisteredModelSchema).max(MAX_MODELS_PAGE),
    /** How many models the filter matches. */
    total: z.number().int().nonnegative(),
    /** How many models are registered in all. */
    registered: z.number().int().nonnegative(),
  }),
  setModelsEnabled: z.object({ changed: z.number().int().nonnegative() }),
  deleteModels: z.object({ deleted: z.number().int().nonnegative() }),
  /** What was added; `cancelled` when the person closed the pick. */
  discoverModels: z.object({ registered: z.number().int().nonnegative(), added: z.number().int().nonnegative(), cancelled: z.boolean() }),
  setModelCallSettings: RegisteredModelSchema,
  auditPage: z.object({ entries: z.array(AuditRowSchema).max(MAX_AUDIT_PAGE), total: z.number().int().nonnegative() }),
  verifyAudit: AuditVerificationSchema,
  exportAudit: z.object({ exported: z.boolean(), entries: z.number().int().nonnegative() }),
  runsPage: z.object({
    runs: z.array(RunRecordSchema).max(MAX_RUNS_PAGE),
    total: z.number().int().nonnegative(),
    /** Who asked for each run, as a person reads it, by requester id. */
    requesterNames: z.record(z.string(), z.string()),
  }),
  rerun: z.object({ runId: z.string().uuid() }),
  copyRun: z.object({ copied: z.boolean() }),
  copyRunId: z.object({ copied: z.boolean() }),
  chatPage: z.object({
    records: z.array(ChatRecordSchema).max(MAX_CHAT_PAGE),
    total: z.number().int().nonnegative(),
    /** Who asked for each record, as a person reads it, by requester id. */
    requesterNames: z.record(z.string(), z.string()),
  }),
  usageReport: UsageReportSchema,
  exportUsage: z.object({ exported: z.boolean(), calls: z.number().int().nonnegative() }),
  budgets: z.object({ budgets: z.array(BudgetStatusSchema).max(500) }),
  setBudget: z.object({ id: z.string().uuid() }),
  deleteBudget: z.object({ deleted: z.boolean() }),
  setModelPrice: z.object({ changed: z.boolean() }),
} as const;

export type EditorMethod = keyof typeof editorMethods;

export const EditorRequestSchema = requestSchema(editorMethods);
export type EditorRequest = z.infer<typeof EditorRequestSchema>;

/** Everything the Switchboard editor may send to the host. */
export const FromEditorViewSchema = z.union([z.object({ type: z.literal('ready') }).strict(), EditorRequestSchema]);
export type FromEditorView = z.infer<typeof FromEditorViewSchema>;

export const EditorTabSchema = z.enum(EDITOR_TABS);
export type { EditorTab } from './webviewPage';

/** A whole snapshot: the agents and connections to filter by and to name (names for the person, ids for the request). */
export const EditorSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  connections: z.array(AgentsConnectionSchema),
  agents: z.array(z.object({ id: z.string().uuid(), name: z.string() })),
  /**
   * The tab a command asked for ("Show Audit Log"), numbered: the view switches when the number
   * changes, so a later snapshot (a connection renamed) does not pull the person back.
   */
  show: z.object({ tab: EditorTabSchema, request: z.number().int().nonnegative() }).optional(),
});
export type EditorSnapshot = z.infer<typeof EditorSnapshotSchema>;

/**
 * Something a tab pages was written (a registered model, an audit entry, a chat record): the
 * tab, if shown, reads its page again. A notice, not the entries: the view asks for the page it shows.
 */
export const EditorChangedSchema = z.object({ type: z.literal('changed'), what: z.enum(['models', 'audit', 'chat', 'usage', 'budgets']) });
export type EditorChanged = z.infer<typeof EditorChangedSchema>;

/** Everything the host may send to the Switchboard editor. */
export const ToEditorViewSchema = z.union([EditorSnapshotSchema, EditorChangedSchema, ReplySchema]);
export type ToEditorView = z.infer<typeof ToEditorViewSchema>;

/** The Editor view's protocol as types, for its webview client. */
export type EditorProtocol = ViewProtocol<typeof editorMethods, typeof editorResults, FromEditorView, ToEditorView>;
