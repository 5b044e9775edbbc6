import {
  FromConnectionsViewSchema,
  type ConnectionsRequest,
  type ConnectionsSnapshot,
  type ToConnectionsView,
} from '../contracts/connectionsView';
import type { ConnectionActions } from './connectionActions';
import type { ConnectionService } from './connectionService';
import { SwitchboardError, toErrorInfo } from './errors';
import type { ModelActions } from './modelActions';
import type { ModelRegistry } from './modelRegistry';
import type { Disposable, Logger, Settings } from './ports';
import { describeIssue, type ProviderRegistry } from './providerRegistry';

/**
 * The host side of the Connections view's protocol. Everything from the webview arrives as
 * `unknown` and must pass the contract's schema; a request always gets exactly one reply,
 * and a malformed message gets `invalid_input` and changes nothing.
 */
export class ConnectionsController implements Disposable {
  private ready = false;
  private readonly subscriptions: Disposable[];

  constructor(
    private readonly deps: {
      connections: ConnectionService;
      actions: ConnectionActions;
      models: ModelRegistry;
      modelActions: ModelActions;
      registry: ProviderRegistry;
      settings: Settings;
      logger: Logger;
      post: (message: ToConnectionsView) => void;
    },
  ) {
    const push = () => this.pushSnapshot();
    this.subscriptions = [
      deps.connections.onDidChange(push),
      deps.models.onDidChange(push),
      deps.registry.onDidChange(push),
      deps.settings.onDidChange(push),
    ];
  }

  snapshot(): ConnectionsSnapshot {
    return {
      type: 'snapshot',
      providers: this.deps.registry.list().providers,
      connections: this.deps.connections.list(),
      models: this.deps.models.list(),
      defaultConnectionId: this.deps.settings.defaultConnectionId(),
    };
  }

  /** Sends a whole snapshot, once the webview has said it is ready to listen. */
  pushSnapshot(): void {
    if (this.ready) this.deps.post(this.snapshot());
  }

  /** The webview was hidden and its document thrown away: wait for its next `ready`. */
  reset(): void {
    this.ready = false;
  }

  async handle(raw: unknown): Promise<void> {
    const parsed = FromConnectionsViewSchema.safeParse(raw);
    if (!parsed.success) {
      const id = requestIdOf(raw);
      const message = `The Connections view sent a message the host does not accept: ${parsed.error.issues.slice(0, 3).map(describeIssue).join('; ')}.`;
      this.deps.logger.warn(message);
      if (id) this.deps.post({ type: 'reply', id, ok: false, error: { code: 'invalid_input', message } });
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') {
      this.ready = true;
      this.pushSnapshot();
      return;
    }
    try {
      const value = await this.dispatch(message);
      this.deps.post({ type: 'reply', id: message.id, ok: true, value });
    } catch (error) {
      const info = toErrorInfo(error);
      if (!(error instanceof SwitchboardError)) this.deps.logger.error(`${message.method} failed: ${info.message}`);
      this.deps.post({ type: 'reply', id: message.id, ok: false, error: info });
    }
  }

  private async dispatch(request: ConnectionsRequest): Promise<unknown> {
    const { connections, actions, models, modelActions } = this.deps;
    switch (request.method) {
      case 'createConnection':
        return connections.create(request.params.input);
      case 'updateConnection':
        modelActions.checkDefaultModelPatch(request.params.id, request.params.patch.defaultModel);
        return connections.update(request.params.id, request.params.patch);
      case 'deleteConnection':
        return actions.delete(request.params.id);
      case 'testConnection':
        return actions.test(request.params.id);
      case 'setKey':
        return actions.setKey(request.params.id);
      case 'setDefault':
        return actions.setDefault(request.params.id);
      case 'discoverModels':
        return { models: await modelActions.discover(request.params.connectionId) };
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
      case 'deleteModel':
        await models.delete(request.params.id);
        return { deleted: true };
      case 'setDefaultModel':
        return modelActions.setDefaultModel(request.params.connectionId, request.params.modelRef);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

/** The id of a request that failed validation, so it still gets its one reply. */
function requestIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}
