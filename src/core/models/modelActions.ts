import * as l10n from '@vscode/l10n';
import type { Connection } from '../../contracts/connections';
import type { ModelListing } from '../../contracts/models';
import type { ConnectionService } from '../connections/connectionService';
import type { Requester } from '../keys/keyPath';
import type { ModelRegistry } from './modelRegistry';
import type { Interactions } from '../base/ports';

/**
 * The model steps that involve the person or check across records, shared by the palette
 * commands and the Connections view so both behave the same.
 */
export class ModelActions {
  constructor(
    private readonly connections: ConnectionService,
    private readonly models: ModelRegistry,
    private readonly interactions: Interactions,
  ) {}

  /** Lists the connection's models under a cancellable progress notification, using the key for `requester`. */
  discover(connectionId: string, requester: Requester): Promise<ModelListing> {
    const connection = this.connections.require(connectionId);
    return this.interactions.withProgress(l10n.t('Discovering the models of {0}…', connection.name), (signal) => this.models.discover(connectionId, requester, signal));
  }

  /** Sets the connection's default model, which must be one of its registered models; null clears it. */
  async setDefaultModel(connectionId: string, modelRef: string | null, requesterId?: string): Promise<Connection> {
    if (modelRef !== null) this.models.requireRegistered(connectionId, modelRef);
    return this.connections.update(connectionId, { defaultModel: modelRef ?? '' }, undefined, requesterId);
  }

  /**
   * A default model in an edit must be a registered model of the connection, unless it is the
   * one the connection already has (set before the registry existed, or by the API).
   */
  checkDefaultModelPatch(connectionId: string, defaultModel: string | undefined): void {
    if (!defaultModel) return;
    if (this.connections.require(connectionId).defaultModel === defaultModel) return;
    this.models.requireRegistered(connectionId, defaultModel);
  }
}
