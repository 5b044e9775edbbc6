import * as z from 'zod';
import { ConnectionInputSchema, ConnectionPatchSchema, ConnectionSchema, TestResultSchema } from './connections';
import { MAX_CONTEXT_WINDOW, MAX_MODELS_PER_MESSAGE } from './modelFacts';
import { DiscoveredModelSchema, LeftOutModelsSchema, RegisteredModelSchema } from './models';
import { ProviderDescriptorSchema } from './providers';
import { ReplySchema, requestSchema, type ViewProtocol } from './rpc';

const idParams = z.object({ id: z.string().uuid() }).strict();
const connectionIdParams = z.object({ connectionId: z.string().uuid() }).strict();


/** A discovered model as the webview sends it back to be registered: no field the contract does not know. */
export const DiscoveredModelInputSchema = DiscoveredModelSchema.extend({
  sources: DiscoveredModelSchema.shape.sources.strict(),
}).strict();

const providerModelIdSchema = DiscoveredModelSchema.shape.providerModelId;

/** Params of each request the Connections view may send. */
export const connectionsMethods = {
  createConnection: z.object({ input: ConnectionInputSchema }).strict(),
  updateConnection: z.object({ id: z.string().uuid(), patch: ConnectionPatchSchema }).strict(),
  /** The host asks the person to confirm; the reply says whether it was deleted. */
  deleteConnection: idParams,
  testConnection: idParams,
  /** The host opens VS Code's password box; the key never passes through the webview. */
  setKey: idParams,
  /** "Replace API Key": the host asks for the new key in VS Code's password box and tests it before it replaces the old one. */
  replaceKey: idParams,
  /** The host asks for the header's name and, in VS Code's password box, its value. */
  setCredentialHeader: idParams,
  removeCredentialHeader: z.object({ id: z.string().uuid(), name: z.string().min(1).max(100) }).strict(),
  setDefault: idParams,
  /** The host lists the connection's models under a cancellable progress notification; nothing is stored. */
  discoverModels: connectionIdParams,
  /** Adds the models to the registry; a model already registered keeps its id, `enabled` and overrides. */
  registerModels: z.object({ connectionId: z.string().uuid(), models: z.array(DiscoveredModelInputSchema).min(1).max(MAX_MODELS_PER_MESSAGE) }).strict(),
  /** Registers a model that discovery cannot list, by the provider's own id for it. */
  addModelById: z.object({ connectionId: z.string().uuid(), providerModelId: providerModelIdSchema }).strict(),
  setModelEnabled: z.object({ id: z.string().uuid(), enabled: z.boolean() }).strict(),
  /** A person's value for the context window; it survives re-registering. */
  setContextWindow: z.object({ id: z.string().uuid(), contextWindow: z.number().int().positive().max(MAX_CONTEXT_WINDOW) }).strict(),
  /** Drops the person's context window: the model gets the provider's window again. */
  clearContextWindow: idParams,
  /** Removes a registered model at once, without a confirmation: discovering again brings it back. */
  deleteModel: idParams,
  /** `modelRef` must be a registered model of that connection; null clears the default. */
  setDefaultModel: z.object({ connectionId: z.string().uuid(), modelRef: providerModelIdSchema.nullable() }).strict(),
  /** Revokes the requester's standing permission on the connection: its next use asks again. */
  revokePermission: z.object({ connectionId: z.string().uuid(), requesterId: z.string().min(1).max(200) }).strict(),
} as const;

/** What each request's successful reply carries. */
export const connectionsResults = {
  createConnection: ConnectionSchema,
  updateConnection: ConnectionSchema,
  deleteConnection: z.object({ deleted: z.boolean() }),
  testConnection: TestResultSchema,
  setKey: z.object({ stored: z.boolean(), keyHint: z.string().optional() }),
  replaceKey: z.object({ replaced: z.boolean(), keyHint: z.string().optional() }),
  setCredentialHeader: z.object({ stored: z.boolean(), name: z.string().optional() }),
  removeCredentialHeader: ConnectionSchema,
  setDefault: z.object({ defaultConnectionId: z.string() }),
  /** The models to offer, and the ones the provider lists that discovery left out, by reason. */
  discoverModels: z.object({ models: z.array(DiscoveredModelSchema).max(MAX_MODELS_PER_MESSAGE), leftOut: z.array(LeftOutModelsSchema).max(20) }),
  /** How many models the request registered, and how many of them are new. */
  registerModels: z.object({ registered: z.number().int().nonnegative(), added: z.number().int().nonnegative() }),
  addModelById: RegisteredModelSchema,
  setModelEnabled: RegisteredModelSchema,
  setContextWindow: RegisteredModelSchema,
  clearContextWindow: RegisteredModelSchema,
  deleteModel: z.object({ deleted: z.boolean() }),
  setDefaultModel: ConnectionSchema,
  revokePermission: z.object({ revoked: z.boolean() }),
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

/**
 * A standing permission ("Always Allow") as the Connections view shows it: who, since when, for
 * which key and origin. Never the key: its hint, and only while the permission is for the key
 * stored now.
 */
export const StandingPermissionSchema = z.object({
  connectionId: z.string().uuid(),
  requesterId: z.string().min(1).max(200),
  /** The requester as a person reads it: "VS Code chat, for the extension …", "the AI gateway sync". */
  requesterName: z.string().max(500),
  grantedAt: z.string().datetime(),
  /** Where the key may go under it: the connection's origin, or the AI gateway's. */
  origin: z.string().max(2048).optional(),
  /** The hint of the key it is for, when that is the connection's key now; absent when it was given for an earlier key and no longer holds. */
  keyHint: z.string().max(8).optional(),
});
export type StandingPermission = z.infer<typeof StandingPermissionSchema>;

/**
 * A whole snapshot: a hidden webview's page is thrown away, and the one that replaces it starts
 * from the snapshot its `ready` brings. Only `models` (thousands of them) is left out of a
 * snapshot when they have not changed since the page got them: the view keeps its own.
 */
export const ConnectionsSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  providers: z.array(ProviderDescriptorSchema),
  connections: z.array(ConnectionSchema),
  /** Every registered model of every connection; the view filters. Absent: as in the last snapshot that had them. */
  models: z.array(RegisteredModelSchema).optional(),
  defaultConnectionId: z.string(),
  /**
   * Connections whose provider is not registered now (its extension was removed, disabled, or
   * disposed its registration): shown as "provider unavailable" until the provider comes back.
   */
  unavailableConnectionIds: z.array(z.string().uuid()),
  /** Every standing permission on a connection; each row shows its own and can revoke them. */
  permissions: z.array(StandingPermissionSchema),
  /** The connections' models skipped for now after repeated failures (cool-downs), with when each ends. */
  coolingDown: z.array(z.object({ connectionId: z.string().uuid(), modelRef: z.string(), until: z.string().datetime() })).optional(),
});
export type ConnectionsSnapshot = z.infer<typeof ConnectionsSnapshotSchema>;

/** Everything the host may send to the Connections webview. */
export const ToConnectionsViewSchema = z.union([ConnectionsSnapshotSchema, ReplySchema]);
export type ToConnectionsView = z.infer<typeof ToConnectionsViewSchema>;

/** The Connections view's protocol as types, for its webview client. */
export type ConnectionsProtocol = ViewProtocol<typeof connectionsMethods, typeof connectionsResults, FromConnectionsView, ToConnectionsView>;
