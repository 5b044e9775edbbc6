import { z } from 'zod';
import { ConnectionInputSchema, ConnectionPatchSchema, ConnectionSchema, TestResultSchema } from './connections';
import { ProviderDescriptorSchema } from './providers';
import { ReplySchema, requestSchema } from './rpc';

const idParams = z.object({ id: z.string().uuid() }).strict();

/** Params of each request the Connections view may send. */
export const connectionsMethods = {
  createConnection: z.object({ input: ConnectionInputSchema }).strict(),
  updateConnection: z.object({ id: z.string().uuid(), patch: ConnectionPatchSchema }).strict(),
  /** The host asks the person to confirm; the reply says whether it was deleted. */
  deleteConnection: idParams,
  testConnection: idParams,
  /** The host opens VS Code's password box; the key never passes through the webview. */
  setKey: idParams,
  setDefault: idParams,
} as const;

/** What each request's successful reply carries. */
export const connectionsResults = {
  createConnection: ConnectionSchema,
  updateConnection: ConnectionSchema,
  deleteConnection: z.object({ deleted: z.boolean() }),
  testConnection: TestResultSchema,
  setKey: z.object({ stored: z.boolean(), keyHint: z.string().optional() }),
  setDefault: z.object({ defaultConnectionId: z.string() }),
} as const;

export type ConnectionsMethod = keyof typeof connectionsMethods;
export type ConnectionsParams<M extends ConnectionsMethod> = z.infer<(typeof connectionsMethods)[M]>;
export type ConnectionsResult<M extends ConnectionsMethod> = z.infer<(typeof connectionsResults)[M]>;

export const ConnectionsRequestSchema = requestSchema(connectionsMethods);
export type ConnectionsRequest = z.infer<typeof ConnectionsRequestSchema>;

/** Everything the Connections webview may send to the host. */
export const FromConnectionsViewSchema = z.union([
  z.object({ type: z.literal('ready') }).strict(),
  ConnectionsRequestSchema,
]);
export type FromConnectionsView = z.infer<typeof FromConnectionsViewSchema>;

/** A whole snapshot, never a delta: a hidden webview drops messages, so each one stands alone. */
export const ConnectionsSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  providers: z.array(ProviderDescriptorSchema),
  connections: z.array(ConnectionSchema),
  defaultConnectionId: z.string(),
});
export type ConnectionsSnapshot = z.infer<typeof ConnectionsSnapshotSchema>;

/** Everything the host may send to the Connections webview. */
export const ToConnectionsViewSchema = z.union([ConnectionsSnapshotSchema, ReplySchema]);
export type ToConnectionsView = z.infer<typeof ToConnectionsViewSchema>;
