import * as z from 'zod';
import { AgentInputSchema, AgentSchema, RunRecordSchema, StartAgentRunRequestSchema } from './agents';
import { ConnectionStatusSchema } from './connections';
import { AgentSyncStateSchema, GatewayViewSchema } from './gateway';
import { ReplySchema, requestSchema, type ViewProtocol } from './rpc';
import { AGENTS_RUNS_PAGE } from './vocabulary';

const idParams = z.object({ id: z.string().uuid() }).strict();

/** Params of each request the Agents view may send. */
export const agentsMethods = {
  createAgent: z.object({ input: AgentInputSchema }).strict(),
  /** Replaces the agent's editable fields with the whole form. */
  updateAgent: z.object({ id: z.string().uuid(), input: AgentInputSchema }).strict(),
  /** The host asks the person to confirm; the reply says whether it was deleted. */
  deleteAgent: idParams,
  /** Starts a run and replies at once with its id; progress and the outcome arrive in snapshots. */
  startRun: z.object({ request: StartAgentRunRequestSchema }).strict(),
  cancelRun: z.object({ runId: z.string().uuid() }).strict(),
  /** Opens the host's picker for the default connection (the action of a missing_connection error). */
  chooseDefaultConnection: z.object({}).strict(),
  /** "Sync now" (and Retry) on one agent: the pending gateway deletes too. The outcome also arrives in snapshots. */
  syncAgent: idParams,
  /** "Sync All Agents" from the view, which also retries the pending gateway deletes. */
  syncAllAgents: z.object({}).strict(),
} as const;

export const agentsResults = {
  createAgent: AgentSchema,
  updateAgent: AgentSchema,
  deleteAgent: z.object({ deleted: z.boolean() }),
  startRun: z.object({ runId: z.string().uuid() }),
  cancelRun: z.object({ cancelled: z.boolean() }),
  chooseDefaultConnection: z.object({ defaultConnectionId: z.string() }),
  syncAgent: AgentSyncStateSchema,
  syncAllAgents: z.object({ synced: z.number().int(), failed: z.number().int(), pendingDeletes: z.number().int() }),
} as const;

export type AgentsMethod = keyof typeof agentsMethods;
export type AgentsParams<M extends AgentsMethod> = z.infer<(typeof agentsMethods)[M]>;
export type AgentsResult<M extends AgentsMethod> = z.infer<(typeof agentsResults)[M]>;

export const AgentsRequestSchema = requestSchema(agentsMethods);
export type AgentsRequest = z.infer<typeof AgentsRequestSchema>;

export const FromAgentsViewSchema = z.union([z.object({ type: z.literal('ready') }).strict(), AgentsRequestSchema]);
export type FromAgentsView = z.infer<typeof FromAgentsViewSchema>;

/** What the Agents view knows of a connection: enough to choose one, never a key. */
export const AgentsConnectionSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  status: ConnectionStatusSchema,
  /** Models the person enabled in the registry for this connection. */
  models: z.array(z.object({ providerModelId: z.string(), displayName: z.string() })),
  /** What the view needs to preview a run's model with the host's routing (pickModel). */
  defaultModel: z.string().optional(),
  providerDefaultModel: z.string().optional(),
  /** Registered models the person disabled: never picked when a run names no model. */
  disabledModels: z.array(z.string()).optional(),
});
export type AgentsConnection = z.infer<typeof AgentsConnectionSchema>;

/** A whole snapshot: agents, connections with their enabled models, the default, and the newest page of runs (newest first). */
export const AgentsSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  agents: z.array(AgentSchema),
  connections: z.array(AgentsConnectionSchema),
  defaultConnectionId: z.string(),
  runs: z.array(RunRecordSchema),
  /** Who asked for each of `runs`, as a person reads it (the host names extensions), by requester id. */
  requesterNames: z.record(z.string(), z.string()).optional(),
  /** How many runs are stored in all; `runs` is the newest page of them. */
  runsTotal: z.number().int().nonnegative().optional(),
  /** Each agent's sync state on the AI gateway, and the deletes it still owes. */
  gateway: GatewayViewSchema,
});
export type AgentsSnapshot = z.infer<typeof AgentsSnapshotSchema>;

/**
 * Runs added, changed or removed since the last message (a run's progress, and the old runs its
 * start removed past the retention), instead of a whole snapshot: the view replaces each run it
 * shows, puts those `added` on top, newest first, and drops those `removed`. A changed run it
 * does not show that was not added (an older one, past the page) is left out.
 */
export const AgentsRunsChangedSchema = z.object({
  type: z.literal('runsChanged'),
  runs: z.array(RunRecordSchema).max(AGENTS_RUNS_PAGE),
  /** The ids of `runs` that are new, oldest first. */
  added: z.array(z.string()).max(AGENTS_RUNS_PAGE),
  /** The ids of runs no longer stored (each counted in the total until now). */
  removed: z.array(z.string()).max(AGENTS_RUNS_PAGE),
  /** Who asked for each of `runs`, as in the snapshot. */
  requesterNames: z.record(z.string(), z.string()).optional(),
});
export type AgentsRunsChanged = z.infer<typeof AgentsRunsChangedSchema>;

export const ToAgentsViewSchema = z.union([AgentsSnapshotSchema, AgentsRunsChangedSchema, ReplySchema]);
export type ToAgentsView = z.infer<typeof ToAgentsViewSchema>;

/** The Agents view's protocol as types, for its webview client. */
export type AgentsProtocol = ViewProtocol<typeof agentsMethods, typeof agentsResults, FromAgentsView, ToAgentsView>;
