import {
  FromConnectionsViewSchema,
  type ConnectionsRequest,
  type ConnectionsSnapshot,
  type StandingPermission,
  type ToConnectionsView,
} from '../../contracts/connectionsView';
import type { Connection } from '../../contracts/connections';
import type { ConnectionActions } from '../connections/connectionActions';
import type { Cooldowns } from '../calls/cooldowns';
import type { ConsentService } from '../keys/consent';
import type { ConnectionService } from '../connections/connectionService';
import type { ModelActions } from '../models/modelActions';
import type { ModelRegistry } from '../models/modelRegistry';
import type { Logger, Settings } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { personAt, requesterIds } from '../keys/requesters';
import { ViewHost } from './viewHost';
import { ModelsWhenChanged } from './viewShared';

export interface ConnectionsControllerDeps {
  connections: ConnectionService;
  actions: ConnectionActions;
  models: ModelRegistry;
  modelActions: ModelActions;
  registry: ProviderRegistry;
  settings: Settings;
  /** The standing permissions the view shows and revokes. */
  consent: Pick<ConsentService, 'grants' | 'revoke' | 'describeRequester' | 'onDidChange'>;
  logger: Logger;
  /** The targets in a cool-down after repeated failures (ModelCaller.cooldowns); none shown without it. */
  cooldowns?: Pick<Cooldowns, 'cooling' | 'onDidChange'>;
  post(message: ToConnectionsView): void;
}

/** The host side of the Connections view: its snapshot and what each request does. */
export function createConnectionsController(deps: ConnectionsControllerDeps): ViewHost<ConnectionsRequest, ConnectionsSnapshot> {
  const models = new ModelsWhenChanged(() => deps.models.list());
  const snapshot = (): ConnectionsSnapshot => {
    const connections = deps.connections.list();
    return {
      type: 'snapshot',
      providers: deps.registry.list().providers,
      connections,
      ...models.take(),
      defaultConnectionId: deps.settings.defaultConnectionId(),
      unavailableConnectionIds: connections.filter((connection) => !deps.registry.get(connection.providerId)).map((connection) => connection.id),
      permissions: permissions(connections),
      ...(deps.cooldowns ? { coolingDown: deps.cooldowns.cooling().map((target) => ({ ...target, until: new Date(target.until).toISOString() })) } : {}),
    };
  };

  /** The grants of the connections that exist, each named, with the key's hint while it is for the key stored now. */
  const permissions = (connections: readonly Connection[]): StandingPermission[] => {
    const byId = new Map(connections.map((connection) => [connection.id, connection]));
    return deps.consent.grants().flatMap((grant) => {
      const connection = byId.get(grant.connectionId);
      if (!connection) return [];
      const current = grant.keyId !== undefined && grant.keyId === connection.keyId && connection.keyHint !== undefined;
      return [
        {
          connectionId: grant.connectionId,
          requesterId: grant.requesterId,
          requesterName: deps.consent.describeRequester(grant.requesterId),
          grantedAt: grant.grantedAt,
          ...(grant.origin ? { origin: grant.origin } : {}),
          ...(current ? { keyHint: connection.keyHint } : {}),
        },
      ];
    });
  };

  const dispatch = async (request: ConnectionsRequest): Promise<unknown> => {
    const { connections, actions, models, modelActions } = deps;
    switch (request.method) {
      case 'createConnection':
        return actions.create(request.params.input, requesterIds.connectionsView);
      case 'updateConnection':
        modelActions.checkDefaultModelPatch(request.params.id, request.params.patch.defaultModel);
        return actions.update(request.params.id, request.params.patch, requesterIds.connectionsView);
      case 'deleteConnection':
        return actions.delete(request.params.id, requesterIds.connectionsView);
      case 'testConnection':
        return actions.test(request.params.id, personAt(requesterIds.connectionsView));
      case 'setKey':
        return actions.setKey(request.params.id);
      case 'replaceKey':
        return actions.replaceKey(request.params.id, personAt(requesterIds.connectionsView));
      case 'setCredentialHeader':
        return actions.setCredentialHeader(request.params.id);
      case 'removeCredentialHeader':
        return connections.removeCredentialHeader(request.params.id, request.params.name);
      case 'setDefault':
        return actions.setDefault(request.params.id);
      case 'discoverModels':
        return modelActions.discover(request.params.connectionId, personAt(requesterIds.connectionsView));
      case 'registerModels': {
        const { models: registered, added } = await models.register(request.params.connectionId, request.params.models);
        return { registered: registered.length, added };
      }
      case 'addModelById':
        return models.addById(request.params.connectionId, request.params.providerModelId);
      case 'setModelEnabled':
        return models.setEnabled(request.params.id, request.params.enabled);
      case 'setContextWindow':
        return models.setContextWindow(request.params.id, request.params.contextWindow);
      case 'clearContextWindow':
        return models.clearContextWindow(request.params.id);
      case 'deleteModel':
        await models.delete(request.params.id);
        return { deleted: true };
      case 'setDefaultModel':
        return modelActions.setDefaultModel(request.params.connectionId, request.params.modelRef, requesterIds.connectionsView);
      case 'revokePermission': {
        const { connectionId, requesterId } = request.params;
        const held = deps.consent.grants().some((grant) => grant.connectionId === connectionId && grant.requesterId === requesterId);
        if (held) await deps.consent.revoke(connectionId, requesterId);
        return { revoked: held };
      }
    }
  };

  const host: ViewHost<ConnectionsRequest, ConnectionsSnapshot> = new ViewHost<ConnectionsRequest, ConnectionsSnapshot>({
    name: 'Connections',
    schema: FromConnectionsViewSchema,
    dispatch,
    snapshot,
    post: deps.post,
    logger: deps.logger,
    changes: [deps.connections.onDidChange, deps.registry.onDidChange, deps.settings.onDidChange, deps.consent.onDidChange, ...(deps.cooldowns ? [deps.cooldowns.onDidChange] : [])],
    onReady: () => models.stale(),
    disposables: [
      deps.models.onDidChange(() => {
        models.stale();
        host.pushSnapshot();
      }),
    ],
  });
  return host;
}
