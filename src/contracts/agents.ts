import * as z from 'zod';
import { ErrorInfoSchema } from './errors';
import { ReasoningSchema, UsageSchema } from './models';
import { AUDIT_KINDS, MAX_FALLBACKS, RUN_STATUSES } from './vocabulary';

export { MAX_FALLBACKS };

/** What a key is used for; every key read names one. */
export const KeyPurposeSchema = z.enum(['test', 'discover', 'chat', 'gateway', 'export']);
export type KeyPurpose = z.infer<typeof KeyPurposeSchema>;

/**
 * How a key read was decided, as the audit log records it: asked and allowed once, allowed with
 * "Always Allow" just now, covered by a standing permission, the person's own click on Test or
 * Discover, denied, refused by Switchboard (wrong origin, plain http), or failed (keyring error).
 */
export const KeyReadOutcomeSchema = z.enum(['granted_once', 'granted_always', 'granted_standing', 'granted_by_person', 'denied', 'refused', 'failed']);
export type KeyReadOutcome = z.infer<typeof KeyReadOutcomeSchema>;

const text = (max: number) => z.string().max(max);
const modelRefSchema = z.string().trim().min(1).max(256);

/** `<providerType>/<model>`: the provider type before the first slash, the model (which may hold slashes) after it. */
export const LegacyModelSchema = z.string().trim().max(300).regex(/^[^/\s]+\/\S.*$/, 'must be "<providerType>/<model>"');

/** A place a model call can go: a connection and one of its models. */
export const CallTargetSchema = z.object({ connectionId: z.string().uuid(), modelRef: modelRefSchema }).strict();
export type CallTarget = z.infer<typeof CallTargetSchema>;

/** The targets a call moves to, in order, when its primary fails with an outcome another target may not have (429, 5xx, no answer). */
export const FallbacksSchema = z.array(CallTargetSchema).max(MAX_FALLBACKS, `at most ${MAX_FALLBACKS} fallback targets`);

/** An agent: who it is (role), how it speaks (soul, its system prompt), its limits, and where it runs. */
export const AgentSchema = z.object({
  id: z.string().uuid(),
  name: z.string().trim().min(1, 'a name is required').max(100),
  role: text(500),
  soul: text(20_000),
  guardrails: text(20_000),
  connectionId: z.string().uuid().optional(),
  modelRef: modelRefSchema.optional(),
  /**
   * A legacy `<providerType>/<model>` string from an older record or an import, in place of a
   * connection and a registered model. It still runs (routing picks a connection of that type);
   * "Migrate Agents to Registered Models" turns it into `connectionId` and `modelRef`.
   */
  model: LegacyModelSchema.optional(),
  /** Where its calls go, in order, when its connection and model fail with a retryable outcome before the first token. */
  fallbacks: FallbacksSchema.optional(),
  /** How much its model thinks, over the registered model's setting (its primary target only: fallbacks keep their own). */
  reasoning: ReasoningSchema.optional(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const AgentInputSchema = AgentSchema.pick({ name: true, role: true, soul: true, guardrails: true, connectionId: true, modelRef: true, fallbacks: true, reasoning: true })
  .extend({ role: text(500).default(''), soul: text(20_000).default(''), guardrails: text(20_000).default('') })
  .strict();
export type AgentInput = z.input<typeof AgentInputSchema>;

/**
 * The one contract for starting a run: the Agents view, the palette command and other
 * extensions all send this. Empty connectionId/modelRef mean "use the agent's, else the default".
 */
export const StartAgentRunRequestSchema = z
  .object({
    agentId: z.string().uuid(),
    input: z.string().min(1, 'the input is empty').max(100_000),
    connectionId: z.string().uuid().optional(),
    modelRef: modelRefSchema.optional(),
  })
  .strict();
export type StartAgentRunRequest = z.infer<typeof StartAgentRunRequestSchema>;

/**
 * One try of a model call on one target: what came of it (`ok`, an error code, or `cooling_down`
 * for a target skipped because it failed too often lately), the HTTP status when there was one,
 * how long it took, and how long the call waited before it (a back-off or a `Retry-After`).
 */
export const CallAttemptSchema = z.object({
  connectionId: z.string().uuid(),
  modelRef: z.string().max(256),
  outcome: z.string().max(100),
  status: z.number().int().optional(),
  latencyMs: z.number().nonnegative(),
  waitMs: z.number().nonnegative(),
});
export type CallAttempt = z.infer<typeof CallAttemptSchema>;

/** The most attempts a run keeps (an agent's steps each make a call, each call up to a few tries per target). */
export const MAX_RECORDED_ATTEMPTS = 200;

/** The routing a run used, with where each value came from. */
export const RoutingSchema = z.object({
  connectionId: z.string().uuid(),
  providerId: z.string(),
  modelRef: z.string(),
  sources: z.object({
    /** `legacy`: picked by the provider type of the agent's legacy model string. */
    connectionId: z.enum(['request', 'agent', 'default', 'legacy']),
    /** `legacy`: the model of the agent's legacy model string. */
    modelRef: z.enum(['request', 'agent', 'connection', 'registry', 'provider', 'legacy']),
  }),
  /** The agent's legacy `<providerType>/<model>` string, when routing started from it. */
  legacyModel: z.string().max(300).optional(),
  /** The fallback targets the run's calls could move to (the agent's, else `switchboard.fallbacks`). Absent in runs from before fallbacks. */
  fallbacks: z.array(CallTargetSchema).max(MAX_FALLBACKS).optional(),
  /** Every try of every model call of the run, in order. */
  attempts: z.array(CallAttemptSchema).max(MAX_RECORDED_ATTEMPTS).optional(),
  /** The target that gave the last answer, when it was not the primary alone. */
  answeredBy: CallTargetSchema.optional(),
});
export type Routing = z.infer<typeof RoutingSchema>;

export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const TraceStepSchema = z.object({
  name: z.string().max(200),
  startedAt: z.string().datetime(),
  durationMs: z.number().nonnegative(),
  detail: z.string().max(2000).optional(),
});
export type TraceStep = z.infer<typeof TraceStepSchema>;

export const RunRecordSchema = z.object({
  id: z.string().uuid(),
  agentId: z.string().uuid(),
  agentName: z.string(),
  requesterId: z.string().max(200),
  status: RunStatusSchema,
  input: z.string(),
  output: z.string().optional(),
  /** The output was longer than `switchboard.runOutputMaxKiB`: only its start is stored. */
  outputCut: z.boolean().optional(),
  /** The run failed or was cancelled while its answer streamed in: `output` is what arrived before. */
  outputPartial: z.boolean().optional(),
  /** What the model streamed as its reasoning, apart from the output (keys blanked, capped like the output). */
  reasoning: z.string().optional(),
  /** The reasoning was longer than `switchboard.runOutputMaxKiB`: only its start is stored. */
  reasoningCut: z.boolean().optional(),
  /** Milliseconds from the run's start to the first piece of its output. */
  firstTokenMs: z.number().nonnegative().optional(),
  error: ErrorInfoSchema.optional(),
  routing: RoutingSchema.optional(),
  usage: UsageSchema.optional(),
  latencyMs: z.number().nonnegative().optional(),
  trace: z.array(TraceStepSchema),
  createdAt: z.string().datetime(),
  finishedAt: z.string().datetime().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/**
 * A standing permission for one requester to have one connection's key used. It holds for the
 * key (`keyId`) and the origin it was given for: replace the key or move the connection to
 * another origin, and the next use asks again. Grants from before that binding have neither and
 * hold for nothing.
 */
export const ConsentGrantSchema = z.object({
  connectionId: z.string().uuid(),
  requesterId: z.string().min(1).max(200),
  keyId: z.string().max(64).optional(),
  origin: z.string().max(2048).optional(),
  grantedAt: z.string().datetime(),
});
export type ConsentGrant = z.infer<typeof ConsentGrantSchema>;

/** One line of the audit log. Never a key. `hash` covers every other field (keyed by `chainKey`), `prevHash` chains it. */
export const AuditEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  time: z.string().datetime(),
  kind: z.enum(AUDIT_KINDS),
  requesterId: z.string().optional(),
  /** Why a key was read: `test`, `discover`, `chat`, ... (key_read entries). */
  purpose: KeyPurposeSchema.optional(),
  runId: z.string().optional(),
  connectionId: z.string().optional(),
  /** The connection's name when the entry was written, so the entry still names it once the connection is deleted. */
  connectionName: z.string().max(200).optional(),
  providerId: z.string().optional(),
  modelRef: z.string().optional(),
  /** Where the key went, or would have gone: the connection's origin, or the AI gateway's (key_read entries). */
  origin: z.string().max(2048).optional(),
  outcome: z.string().max(100).optional(),
  latencyMs: z.number().nonnegative().optional(),
  prevHash: z.string(),
  /**
   * The id of the HMAC key (kept in SecretStorage) that made `hash`. Entries written before the
   * chain was keyed have none and a plain sha256 `hash`: the keyed chain starts at the first
   * entry that has one, and every entry after it has one.
   */
  chainKey: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
