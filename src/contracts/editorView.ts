import { z } from 'zod';
import { AuditEntrySchema } from './agents';
import { ReplySchema, requestSchema } from './rpc';

/** The most audit entries one page carries: the view never holds the whole log. */
export const MAX_AUDIT_PAGE = 200;

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

/** An audit entry as a person reads it: names, not ids, for the requester and the connection. */
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
  connection: z.string().optional(),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;

export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  broken: z.object({ line: z.number().int().positive(), reason: z.string().max(500) }).optional(),
});
export type AuditVerificationInfo = z.infer<typeof AuditVerificationSchema>;

/** Params of each request the Switchboard editor may send. */
export const editorMethods = {
  auditPage: z.object({ offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(MAX_AUDIT_PAGE), filter: AuditFilterSchema }).strict(),
  verifyAudit: z.object({}).strict(),
  /** The host asks where to save, in VS Code's save dialog, and writes every entry as JSON lines. */
  exportAudit: z.object({}).strict(),
} as const;

export const editorResults = {
  auditPage: z.object({ entries: z.array(AuditRowSchema).max(MAX_AUDIT_PAGE), total: z.number().int().nonnegative() }),
  verifyAudit: AuditVerificationSchema,
  exportAudit: z.object({ exported: z.boolean(), entries: z.number().int().nonnegative() }),
} as const;

export type EditorMethod = keyof typeof editorMethods;

export const EditorRequestSchema = requestSchema(editorMethods);
export type EditorRequest = z.infer<typeof EditorRequestSchema>;

/** Everything the Switchboard editor may send to the host. */
export const FromEditorViewSchema = z.union([z.object({ type: z.literal('ready') }).strict(), EditorRequestSchema]);
export type FromEditorView = z.infer<typeof FromEditorViewSchema>;

export const EditorTabSchema = z.enum(['models', 'runs', 'audit']);
export type EditorTab = z.infer<typeof EditorTabSchema>;

/** A whole snapshot: the connections to filter by (names for the person, ids for the request). */
export const EditorSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  connections: z.array(z.object({ id: z.string().uuid(), name: z.string() })),
  /**
   * The tab a command asked for ("Show Audit Log"), numbered: the view switches when the number
   * changes, so a later snapshot (a connection renamed) does not pull the person back.
   */
  show: z.object({ tab: EditorTabSchema, request: z.number().int().nonnegative() }).optional(),
});
export type EditorSnapshot = z.infer<typeof EditorSnapshotSchema>;

/** Everything the host may send to the Switchboard editor. */
export const ToEditorViewSchema = z.union([EditorSnapshotSchema, ReplySchema]);
export type ToEditorView = z.infer<typeof ToEditorViewSchema>;
