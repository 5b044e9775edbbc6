import * as z from 'zod';
import { ErrorInfoSchema } from './errors';
import { isLoopbackUrl } from './connections';

/**
 * What Switchboard remembers of one agent on the AI gateway (globalState, never a key): whether
 * the gateway has it (so a change is a PUT, not a POST), the last sync's outcome, and a delete
 * still owed to the gateway.
 */
export const GatewaySyncRecordSchema = z.object({
  agentId: z.string().uuid(),
  /** Kept for a pending delete, whose agent is gone: the view names it. */
  agentName: z.string().max(100),
  /** The gateway URL the record is about; after `switchboard.gateway.url` changes, the agent is not on the new one yet. */
  gatewayUrl: z.string().max(2048),
  /** A POST or PUT of this agent succeeded on `gatewayUrl`. */
  onGateway: z.boolean(),
  syncedAt: z.string().datetime().optional(),
  failure: z.object({ error: ErrorInfoSchema, at: z.string().datetime() }).optional(),
  /** The agent was deleted here and the gateway has not confirmed its DELETE yet. */
  pendingDelete: z.boolean().optional(),
});
export type GatewaySyncRecord = z.infer<typeof GatewaySyncRecordSchema>;

/** One agent's sync state as the Agents view shows it. */
export const AgentSyncStateSchema = z.discriminatedUnion('state', [
  /** `switchboard.gateway.url` is empty: sync is off. */
  z.object({ state: z.literal('not_configured') }),
  z.object({ state: z.literal('not_synced') }),
  z.object({ state: z.literal('syncing') }),
  z.object({ state: z.literal('synced'), at: z.string().datetime() }),
  z.object({ state: z.literal('failed'), at: z.string().datetime(), error: ErrorInfoSchema }),
]);
export type AgentSyncState = z.infer<typeof AgentSyncStateSchema>;

/** The gateway part of the Agents view's snapshot. */
export const GatewayViewSchema = z.object({
  configured: z.boolean(),
  /** By agent id. */
  agents: z.record(z.string(), AgentSyncStateSchema),
  /** Deletes the gateway has not confirmed, with the last attempt's reason. */
  pendingDeletes: z.array(z.object({ agentId: z.string().uuid(), agentName: z.string(), error: ErrorInfoSchema.optional() })),
});
export type GatewayView = z.infer<typeof GatewayViewSchema>;

/**
 * `switchboard.gateway.url` checked: '' (sync off), the URL without a trailing slash, or the
 * reason it cannot be used. Plain http only to this machine: the gateway receives agents' keys.
 */
export function checkGatewayUrl(raw: string): { url: string } | { problem: string } {
  const trimmed = raw.trim().replace(/\/+$/, '');
  if (!trimmed) return { url: '' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must start with https://' };
  if (url.username || url.password) return { problem: 'must not hold a user name or password (set the token with Switchboard: Set Gateway Token)' };
  if (/[?#]/.test(trimmed)) return { problem: 'must not have a query or a fragment' };
  if (url.protocol === 'http:' && !isLoopbackUrl(trimmed)) return { problem: 'must use https:// (plain http:// only to this machine), since agents\' keys are sent to it' };
  return { url: trimmed };
}
