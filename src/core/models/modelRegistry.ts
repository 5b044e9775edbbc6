import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { MAX_CONTEXT_WINDOW, MAX_MODELS_PER_MESSAGE, MAX_OUTPUT_LIMIT, describeModelCount, describeSource, withContextOverride, withoutContextOverride } from '../../contracts/modelFacts';
import { DiscoveredModelSchema, LeftOutModelsSchema, ReasoningSchema, RegisteredModelSchema, type DiscoveredModel, type Modality, type ModelListing, type Reasoning, type RegisteredModel } from '../../contracts/models';
import { describeIssues } from '../../contracts/issues';
import { NO_REGISTERED_MODELS, registeredChoices, type RegisteredChoices } from '../../contracts/routing';
import type { ConnectionService } from '../connections/connectionService';
import { safeJson, type Database, type ReadCache, type Sql } from '../store/database';
import { SwitchboardError, errorText } from '../base/errors';
import { Emitter } from '../base/events';
import type { HttpClient } from '../http/httpClient';
import type { KeyPath, Requester } from '../keys/keyPath';
import type { Clock, Disposable, KeyValueStore, Logger, Settings } from '../base/ports';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { CONNECTIONS_KEY, TABLES } from '../store/storageKeys';
import { builtinModel } from '../providers/builtinModelLookup';
import { checkPrice } from './pricing';

const { models: MODELS } = TABLES;

/** The registry's cached read grouped by connection, and each connection's routing choices as asked for. */
interface Grouped {
  valid: RegisteredModel[];
  byConnection: Map<string, RegisteredModel[]>;
  choices: Map<string, RegisteredChoices>;
}

export interface ModelRegistryDeps {
  /** Where the models are. */
  db: Database;
  /** globalState, read for the stored connection records (see storedConnectionIds). */
  store: KeyValueStore;
  connections: ConnectionService;
  providers: ProviderRegistry;
  keys: KeyPath;
  settings: Settings;
  clock: Clock;
  http: HttpClient;
  logger: Logger;
  /**
   * What Switchboard's built-in table knows about a model of this provider, for a model a
   * person adds by id. Without it (or without an entry) the model is registered as bare text.
   */
  builtinModel?: (providerId: string, providerModelId: string) => DiscoveredModel | undefined;
  newId?: () => string;
}

const DiscoveredListSchema = z.array(DiscoveredModelSchema).max(MAX_MODELS_PER_MESSAGE);
const ProviderModelIdSchema = DiscoveredModelSchema.shape.providerModelId;
const ContextWindowSchema = z.number().int().positive().max(MAX_CONTEXT_WINDOW);
const OutputLimitSchema = z.number().int().positive().max(MAX_OUTPUT_LIMIT);
const LeftOutListSchema = z.array(LeftOutModelsSchema).max(20);

/**
 * The registered models: the models a person chose, per connection, with their metadata, an
 * enabled flag and the person's overrides. Records are rows of the database, validated on
 * every read; every write is one transaction and goes through the connections' write queue, so
 * deleting a connection and removing its models is one queued operation (see the constructor).
 *
 * A model is unique per (connectionId, providerModelId). Registering it again refreshes what
 * the provider says and `lastSyncedAt`, and keeps its id, `enabled`, and every value whose
 * source is `user`.
 */
export class ModelRegistry implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly cascade: Disposable;
  private lastInvalidCount = 0;
  private readonly validCache: ReadCache<RegisteredModel[]> = {};
  private groupedFrom: Grouped | undefined;
  private listedFrom: { valid: RegisteredModel[]; connections: string[]; models: RegisteredModel[] } | undefined;

  constructor(private readonly deps: ModelRegistryDeps) {
    this.cascade = deps.connections.onDeleting(async (connectionId) => {
      let count = 0;
      // Already inside the queued delete: write directly.
      const wrote = await this.apply((all) => {
        const kept = all.filter((model) => model.connectionId !== connectionId);
        count = all.length - kept.length;
        return count ? kept : all;
      });
      if (count) this.deps.logger.info(`Deleted the ${count} registered ${count === 1 ? 'model' : 'models'} of connection ${connectionId} with it.`);
      if (wrote) this.changed.fire();
    });
  }

  /**
   * The valid registered models of connections that exist, in registration order. A model
   * whose connection is gone (a window that closed between a delete's two writes) is hidden.
   */
  list(filter?: { connectionId?: string }): RegisteredModel[] {
    if (filter?.connectionId !== undefined) {
      // A run's routing asks for one connection's models: from the grouping kept with the
      // cached read, not a pass over the whole registry.
      const models = this.deps.connections.get(filter.connectionId) ? this.grouped().byConnection.get(filter.connectionId) : undefined;
      return models ? [...models] : [];
    }
    return [...this.listed()];
  }

  /**
   * list()'s models, as one array that stays the same object until the registry or the set of
   * connections changes (in any window): what a caller derives from it may be kept against it.
   */
  listed(): readonly RegisteredModel[] {
    const valid = this.readValid();
    const connections = this.deps.connections.list().map((connection) => connection.id);
    const from = this.listedFrom;
    if (from?.valid === valid && from.connections.length === connections.length && from.connections.every((id, index) => id === connections[index])) return from.models;
    const connectionIds = new Set(connections);
    const models = valid.filter((model) => connectionIds.has(model.connectionId));
    this.listedFrom = { valid, connections, models };
    return models;
  }

  /** The same models as list(), grouped by connection in registration order: one read for callers that ask about many connections. */
  byConnection(): Map<string, RegisteredModel[]> {
    const connectionIds = new Set(this.deps.connections.list().map((connection) => connection.id));
    return new Map([...this.grouped().byConnection].filter(([id]) => connectionIds.has(id)).map(([id, models]) => [id, [...models]]));
  }

  /**
   * What routing needs of the connection's models (its first enabled one, which are disabled):
   * kept with the cached read, so a run's routing costs the same whatever the registry's size.
   */
  choices(connectionId: string): RegisteredChoices {
    const grouped = this.grouped();
    if (!this.deps.connections.get(connectionId)) return NO_REGISTERED_MODELS;
    let choices = grouped.choices.get(connectionId);
    if (!choices) {
      choices = registeredChoices(grouped.byConnection.get(connectionId) ?? []);
      grouped.choices.set(connectionId, choices);
    }
    return choices;
  }

  /** Every valid record grouped by connection, whether or not it exists; made again only when the cached read is. */
  private grouped(): Grouped {
    const valid = this.readValid();
    if (this.groupedFrom?.valid !== valid) {
      const byConnection = new Map<string, RegisteredModel[]>();
      for (const model of valid) {
        const models = byConnection.get(model.connectionId);
        if (models) models.push(model);
        else byConnection.set(model.connectionId, [model]);
      }
      this.groupedFrom = { valid, byConnection, choices: new Map() };
    }
    return this.groupedFrom;
  }

  get(id: string): RegisteredModel | undefined {
    return this.list().find((model) => model.id === id);
  }

  /** The registered model of this connection with this modelRef, or an `invalid_input` error that says how to register it. */
  requireRegistered(connectionId: string, providerModelId: string): RegisteredModel {
    const connection = this.deps.connections.require(connectionId);
    const model = this.list({ connectionId }).find((candidate) => candidate.providerModelId === providerModelId);
    if (!model) {
      throw new SwitchboardError(
        'invalid_input',
        l10n.t('"{0}" is not a registered model of "{1}". Register it first: Discover models on the connection, or enter its id.', providerModelId, connection.name),
      );
    }
    return model;
  }

  /**
   * Whether the person disabled this model of the connection: one indexed lookup, for the run
   * path (an unregistered model is not disabled).
   */
  isDisabled(connectionId: string, providerModelId: string): boolean {
    return this.deps.db.read(
      (sql) => sql.get(`SELECT 1 FROM ${MODELS} WHERE connection_id = ? AND provider_model_id = ? AND id IS NOT NULL AND enabled = 0 LIMIT 1`, connectionId, providerModelId) !== undefined,
    );
  }

  /**
   * Asks the connection's provider which models it serves. Nothing is stored. The models are
   * validated, without duplicates, and at most MAX_MODELS_PER_MESSAGE long; `leftOut` says how
   * many others the provider lists and why discovery does not offer them (its Test counts the same).
   */
  async discover(connectionId: string, requester: Requester, signal?: AbortSignal): Promise<ModelListing> {
    const connection = this.deps.connections.require(connectionId);
    const { descriptor, adapter } = this.deps.providers.require(connection.providerId);
    if (!adapter.discoverModels) {
      throw new SwitchboardError('invalid_input', l10n.t('{0} cannot list its models. Add a model by its id instead ("Enter a model id…").', descriptor.displayName));
    }
    const use = { connection, provider: descriptor, requester, purpose: 'discover' as const };
    // The key path blanks the key out of the answer and the error, whoever's adapter it was.
    const raw: unknown = await this.deps.keys.use(use, async (target) => {
      try {
        return await adapter.discoverModels!(target, {
          http: this.deps.http,
          timeoutMs: this.deps.settings.discoveryTimeoutMs(),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (error instanceof SwitchboardError) throw error;
        // An adapter that broke its contract; say so without passing its error object on.
        throw new SwitchboardError('bad_response', l10n.t('Listing the models of "{0}" failed unexpectedly: {1}', connection.name, errorText(error)));
      }
    });
    // A contributed adapter returns the models alone (src/api); a core one, a listing.
    const listing = Array.isArray(raw) ? { models: raw, leftOut: [] } : (raw as { models?: unknown; leftOut?: unknown } | null);
    const models = this.checkDiscovered(listing?.models, connection.name);
    const leftOut = LeftOutListSchema.safeParse(listing?.leftOut ?? []);
    const result = { models, leftOut: leftOut.success ? leftOut.data : [] };
    this.deps.logger.info(`Discovered models on "${connection.name}" (${connectionId}): ${describeModelCount(models.length, result.leftOut)}.`);
    return result;
  }

  /**
   * Registers the models for the connection. Returns the registered records and how many of
   * them are new. `models` is checked against the contract first (`invalid_input`).
   */
  async register(connectionId: string, models: unknown): Promise<{ models: RegisteredModel[]; added: number }> {
    const parsed = DiscoveredListSchema.safeParse(models);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('The models are not valid: {0}.', describeIssues(parsed.error.issues)));
    }
    const wanted = uniqueById(parsed.data);
    let registered: RegisteredModel[] = [];
    let added = 0;
    // Not through apply(): each model is looked up by its index, so registering a batch costs
    // that batch, not a read and validation of the whole registry.
    await this.deps.connections.writes.run(async () => {
      this.deps.connections.require(connectionId);
      const now = this.deps.clock.now().toISOString();
      await this.deps.db.write((sql) => {
        // The connection's model names in one read: a model new to it (every model of a first
        // discovery) costs no lookup of its own.
        const known = new Set(sql.all<{ id: string }>(`SELECT provider_model_id AS id FROM ${MODELS} WHERE connection_id = ? AND id IS NOT NULL`, connectionId).map((row) => row.id));
        registered = wanted.map((discovered) => {
          const row = known.has(discovered.providerModelId)
            ? sql.get<{ body: string }>(`SELECT body FROM ${MODELS} WHERE connection_id = ? AND provider_model_id = ? AND id IS NOT NULL ORDER BY pos LIMIT 1`, connectionId, discovered.providerModelId)
            : undefined;
          const existing = row && RegisteredModelSchema.safeParse(safeJson(row.body));
          if (existing?.success) {
            const refreshed = refresh(existing.data, discovered, now);
            updateRow(sql, refreshed);
            return refreshed;
          }
          added++;
          const fresh = this.fresh(connectionId, discovered, now);
          insertRow(sql, fresh);
          return fresh;
        });
        this.dropOrphans(sql);
      });
    });
    this.changed.fire();
    this.deps.logger.info(`Registered ${registered.length} ${registered.length === 1 ? 'model' : 'models'} (${added} new) for connection ${connectionId}.`);
    return { models: registered, added };
  }

  /**
   * Registers a model that discovery cannot list. Its metadata comes from the built-in table
   * when it has the model, else it is plain text with nothing else known. A model already
   * registered is returned as it is.
   */
  async addById(connectionId: string, providerModelId: unknown): Promise<RegisteredModel> {
    const parsed = ProviderModelIdSchema.safeParse(providerModelId);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('A model id is 1 to 256 characters, e.g. llama3.2:latest or gpt-4o-mini.'));
    }
    const modelRef = parsed.data;
    const problem = this.deps.providers.get(this.deps.connections.require(connectionId).providerId)?.adapter.validateModelRef?.(modelRef);
    if (problem) throw new SwitchboardError('invalid_input', problem);
    let result: RegisteredModel | undefined;
    await this.mutate((all) => {
      const connection = this.deps.connections.require(connectionId);
      const existing = all.find((model) => model.connectionId === connectionId && model.providerModelId === modelRef);
      if (existing) {
        result = existing;
        return all;
      }
      const known = this.deps.builtinModel?.(connection.providerId, modelRef);
      const discovered: DiscoveredModel = known
        ? { ...known, providerModelId: modelRef }
        : { providerModelId: modelRef, displayName: modelRef, modalities: ['text'], sources: {} };
      result = this.fresh(connectionId, discovered, this.deps.clock.now().toISOString());
      return [...all, result];
    });
    this.deps.logger.info(`Added model "${modelRef}" to connection ${connectionId} by its id.`);
    return result!;
  }

  setEnabled(id: string, enabled: boolean): Promise<RegisteredModel> {
    return this.patch(id, (model) => ({ ...model, enabled }));
  }

  /**
   * The person's word on whether the model reads images (`vision`) and calls tools (`tools`),
   * where the provider's facts are wrong or missing (an OpenAI-compatible server says nothing of
   * either). Its other modalities stay; marked `user`, so discovery keeps it. VS Code chat and the
   * image check go by it.
   */
  setCapabilities(id: string, capabilities: { vision: boolean; tools: boolean }): Promise<RegisteredModel> {
    return this.patch(id, (model) => {
      const kept = model.modalities.filter((modality) => modality !== 'vision' && modality !== 'tools');
      const modalities: Modality[] = [...kept, ...(capabilities.vision ? (['vision'] as const) : []), ...(capabilities.tools ? (['tools'] as const) : [])];
      return { ...model, modalities: modalities.length ? modalities : ['text'], sources: { ...model.sources, modalities: 'user' } };
    });
  }

  /**
   * The person's own price for the model (dollars per 1,000 tokens), which wins over the
   * provider's and the built-in table's and which discovery keeps; `null` clears it, back to the
   * built-in table's price where it has one (the provider's comes back at the next discovery).
   * A negative, non-number or absurd price is refused with the reason and changes nothing.
   */
  async setPrice(id: string, price: { inputPer1k: unknown; outputPer1k: unknown; cachedInputPer1k?: unknown } | null): Promise<RegisteredModel> {
    const checked = price && {
      inputCostPer1k: checkPrice(price.inputPer1k, l10n.t('input')),
      outputCostPer1k: checkPrice(price.outputPer1k, l10n.t('output')),
      ...(price.cachedInputPer1k !== undefined ? { cachedInputCostPer1k: checkPrice(price.cachedInputPer1k, l10n.t('cached input')) } : {}),
    };
    return this.patch(id, (model) => {
      const { inputCostPer1k: _input, outputCostPer1k: _output, cachedInputCostPer1k: _cached, ...rest } = model;
      const { costs: _costs, ...sources } = model.sources;
      if (checked) return { ...rest, ...checked, sources: { ...sources, costs: 'user' } };
      const connection = this.deps.connections.get(model.connectionId);
      const builtin = connection && builtinModel(connection.providerId, model.providerModelId);
      if (builtin?.sources.costs) {
        return { ...rest, ...pick(builtin, ['inputCostPer1k', 'outputCostPer1k']), sources: { ...sources, costs: builtin.sources.costs } };
      }
      return { ...rest, sources };
    });
  }

  /** The registered model of `providerModelId` on the connection, from the cached read; undefined when it is not registered. */
  find(connectionId: string, providerModelId: string): RegisteredModel | undefined {
    return this.grouped().byConnection.get(connectionId)?.find((model) => model.providerModelId === providerModelId);
  }

  /**
   * Enables or disables many models in one write and one change (a person selects 2,000 in the
   * editor: one at a time, each would re-read the registry and every view its snapshot). Ids
   * that are gone, and models already so, are skipped; returns how many changed.
   */
  async setEnabledMany(ids: readonly string[], enabled: boolean): Promise<number> {
    const wanted = new Set(ids);
    let changed = 0;
    await this.mutate((all) => {
      changed = all.filter((model) => wanted.has(model.id) && model.enabled !== enabled).length;
      return changed ? all.map((model) => (wanted.has(model.id) && model.enabled !== enabled ? { ...model, enabled } : model)) : all;
    });
    if (changed) this.deps.logger.info(`${enabled ? 'Enabled' : 'Disabled'} ${changed} ${changed === 1 ? 'model' : 'models'}.`);
    return changed;
  }

  /** Removes many models in one write and one change; ids that are gone are skipped. Returns how many went. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    const unwanted = new Set(ids);
    let deleted = 0;
    await this.mutate((all) => {
      const kept = all.filter((model) => !unwanted.has(model.id));
      deleted = all.length - kept.length;
      return deleted ? kept : all;
    });
    if (deleted) this.deps.logger.info(`Deleted ${deleted} ${deleted === 1 ? 'model' : 'models'}.`);
    return deleted;
  }

  /**
   * The person's context window; marked `user`, so re-registering keeps it, and the provider's
   * figure is kept aside for clearContextWindow. More than the model's maximum is refused:
   * providers cut it to the maximum (Ollama does), so the run would not get it.
   */
  async setContextWindow(id: string, contextWindow: unknown): Promise<RegisteredModel> {
    const parsed = ContextWindowSchema.safeParse(contextWindow);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('A context window is a whole number of tokens from 1 to {0}.', MAX_CONTEXT_WINDOW.toLocaleString('en')));
    }
    return this.patch(id, (model) => {
      if (model.maxContextWindow !== undefined && parsed.data > model.maxContextWindow) {
        throw new SwitchboardError(
          'invalid_input',
          l10n.t(
            '"{0}" takes at most {1} tokens ({2}); a larger window would be cut to that. Enter {1} or less.',
            model.displayName,
            model.maxContextWindow.toLocaleString('en'),
            describeSource(model.sources.maxContextWindow),
          ),
        );
      }
      return withContextOverride(model, parsed.data);
    });
  }

  /**
   * Drops the person's context window: the model gets the provider's window again (what the last
   * discovery said). A value set before Switchboard kept the provider's falls back to the
   * built-in table, else the window is unknown until the next discovery.
   */
  clearContextWindow(id: string): Promise<RegisteredModel> {
    return this.patch(id, (model) => {
      const cleared = withoutContextOverride(model);
      if (cleared === model || cleared.contextWindow !== undefined) return cleared;
      const providerId = this.deps.connections.require(model.connectionId).providerId;
      const known = this.deps.builtinModel?.(providerId, model.providerModelId)?.contextWindow;
      return known === undefined ? cleared : { ...cleared, contextWindow: known, sources: { ...cleared.sources, contextWindow: 'builtin' } };
    });
  }

  /**
   * The context window a call to this model of the connection gets, for the run path (one
   * indexed lookup): `tokens`, and `requested` when the person set it, so the call asks the
   * provider for it. Undefined when the model is not registered or its window is unknown.
   */
  contextWindow(connectionId: string, providerModelId: string): { tokens: number; requested: boolean } | undefined {
    const model = this.lookUp(connectionId, providerModelId);
    if (model?.contextWindow === undefined) return undefined;
    return { tokens: model.contextWindow, requested: model.sources.contextWindow === 'user' };
  }

  /**
   * What the person set for calls to this model of the connection, for the run path (one indexed
   * lookup): its reasoning setting and its output limit. Empty for a model not registered.
   */
  callSettings(connectionId: string, providerModelId: string): { reasoning?: Reasoning; maxTokens?: number } {
    const model = this.lookUp(connectionId, providerModelId);
    return { ...(model?.reasoning ? { reasoning: model.reasoning } : {}), ...(model?.outputLimitOverride !== undefined ? { maxTokens: model.outputLimitOverride } : {}) };
  }

  /**
   * The person's reasoning setting for the model (null: the provider's default again). The
   * provider must take that kind (an effort, or a budget within its limits), and a thinking
   * budget must stay below the person's output limit; otherwise `invalid_input` says why.
   */
  setReasoning(id: string, reasoning: unknown): Promise<RegisteredModel> {
    return this.setCallSettings(id, { reasoning });
  }

  /**
   * The person's output limit (tokens), or null to go back to the provider's. More than the
   * provider says the model writes is refused: the provider would refuse the call. It is kept
   * apart from the provider's figure, so discovery keeps it and clearing it brings that back.
   */
  setOutputLimit(id: string, tokens: unknown): Promise<RegisteredModel> {
    return this.setCallSettings(id, { outputLimit: tokens });
  }

  /**
   * The person's reasoning setting and output limit at once (a field left out stays as it is;
   * null clears it), checked together and written in one change: a refusal, with its reason,
   * changes neither.
   */
  async setCallSettings(id: string, settings: { reasoning?: unknown; outputLimit?: unknown }): Promise<RegisteredModel> {
    const reasoning = settings.reasoning === undefined || settings.reasoning === null ? settings.reasoning : ReasoningSchema.safeParse(settings.reasoning);
    if (reasoning && !reasoning.success) {
      throw new SwitchboardError('invalid_input', l10n.t('A reasoning setting is an effort (low, medium or high) or a thinking budget, a whole number of tokens.'));
    }
    const limit = settings.outputLimit === undefined || settings.outputLimit === null ? settings.outputLimit : OutputLimitSchema.safeParse(settings.outputLimit);
    if (limit && !limit.success) {
      throw new SwitchboardError('invalid_input', l10n.t('An output limit is a whole number of tokens from 1 to {0}.', MAX_OUTPUT_LIMIT.toLocaleString('en')));
    }
    return this.patch(id, (current) => {
      const { reasoning: _reasoning, outputLimitOverride: _limit, ...rest } = current;
      const next: RegisteredModel = {
        ...rest,
        ...(reasoning === undefined ? (current.reasoning ? { reasoning: current.reasoning } : {}) : reasoning ? { reasoning: reasoning.data } : {}),
        ...(limit === undefined ? (current.outputLimitOverride !== undefined ? { outputLimitOverride: current.outputLimitOverride } : {}) : limit ? { outputLimitOverride: limit.data } : {}),
      };
      if (limit) this.checkOutputLimit(next, limit.data);
      if (next.reasoning) this.checkReasoningFor(next, next.reasoning);
      return next;
    });
  }

  /** A limit above what the provider says the model writes is refused: the provider would refuse the call. */
  private checkOutputLimit(model: RegisteredModel, tokens: number): void {
    if (model.maxOutputTokens !== undefined && tokens > model.maxOutputTokens) {
      throw new SwitchboardError(
        'invalid_input',
        l10n.t('"{0}" writes at most {1} tokens in one answer ({2}). Enter {1} or less.', model.displayName, model.maxOutputTokens.toLocaleString('en'), describeSource(model.sources.maxOutputTokens)),
      );
    }
  }

  /** Why the connection's provider does not take this reasoning setting for the model (an agent's own); undefined when it does. */
  reasoningProblem(connectionId: string, providerModelId: string, reasoning: Reasoning): string | undefined {
    const model = this.lookUp(connectionId, providerModelId) ?? { connectionId, providerModelId, displayName: providerModelId };
    try {
      this.checkReasoningFor(model, reasoning);
      return undefined;
    } catch (error) {
      if (error instanceof SwitchboardError) return error.message;
      throw error;
    }
  }

  /** Whether the model's provider takes this reasoning setting; `invalid_input` saying why not. */
  checkReasoningFor(model: Pick<RegisteredModel, 'connectionId' | 'providerModelId' | 'displayName' | 'outputLimitOverride'> & Partial<Pick<RegisteredModel, 'modalities' | 'sources'>>, reasoning: Reasoning): void {
    const connection = this.deps.connections.require(model.connectionId);
    const provider = this.deps.providers.get(connection.providerId);
    if (!provider?.adapter.checkReasoning) {
      throw new SwitchboardError('invalid_input', l10n.t('{0} has no reasoning setting that Switchboard can send, so "{1}" thinks as the provider decides.', provider?.descriptor.displayName ?? connection.providerId, model.displayName));
    }
    const problem = provider.adapter.checkReasoning(reasoning, model.providerModelId);
    if (problem) throw new SwitchboardError('invalid_input', problem);
    // Where the provider's own API lists what the model does (Ollama's capabilities, Anthropic's and
    // Gemini's `thinking`), a model it says does not reason would have the setting refused.
    if (model.sources?.modalities === 'api' && model.modalities && !model.modalities.includes('reasoning')) {
      throw new SwitchboardError('invalid_input', l10n.t('{0} says "{1}" does not reason, so it would refuse a reasoning setting. Choose a model that reasons.', provider.descriptor.displayName, model.displayName));
    }
    if ('budgetTokens' in reasoning && model.outputLimitOverride !== undefined && reasoning.budgetTokens >= model.outputLimitOverride) {
      throw new SwitchboardError(
        'invalid_input',
        l10n.t('A thinking budget of {0} tokens leaves no room for the answer within the output limit you set ({1} tokens). Lower the budget or raise the limit.', reasoning.budgetTokens.toLocaleString('en'), model.outputLimitOverride.toLocaleString('en')),
      );
    }
  }

  /** The registered model of the connection with this modelRef, by its index; undefined when there is none or its record is not valid. */
  private lookUp(connectionId: string, providerModelId: string): RegisteredModel | undefined {
    const row = this.deps.db.read((sql) =>
      sql.get<{ body: string }>(`SELECT body FROM ${MODELS} WHERE connection_id = ? AND provider_model_id = ? AND id IS NOT NULL ORDER BY pos LIMIT 1`, connectionId, providerModelId),
    );
    const parsed = row && RegisteredModelSchema.safeParse(safeJson(row.body));
    return parsed?.success ? parsed.data : undefined;
  }

  async delete(id: string): Promise<void> {
    let removed: RegisteredModel | undefined;
    await this.mutate((all) => {
      removed = findOrThrow(all, id);
      return all.filter((model) => model.id !== id);
    });
    this.deps.logger.info(`Deleted model "${removed!.providerModelId}" (${id}) of connection ${removed!.connectionId}.`);
  }

  dispose(): void {
    this.cascade.dispose();
    this.changed.dispose();
  }

  /**
   * A new record from a model already held to its contract. What is added is ours (a new uuid,
   * the id of a stored connection, the clock's time), so it is not validated again: registering
   * thousands of models would pay a second schema check per model for nothing.
   */
  private fresh(connectionId: string, discovered: DiscoveredModel, now: string): RegisteredModel {
    return { ...discovered, id: (this.deps.newId ?? randomUUID)(), connectionId, enabled: true, lastSyncedAt: now };
  }

  private async patch(id: string, change: (model: RegisteredModel) => RegisteredModel): Promise<RegisteredModel> {
    let updated: RegisteredModel | undefined;
    await this.mutate((all) => {
      const current = findOrThrow(all, id);
      updated = RegisteredModelSchema.parse(change(current));
      return all.map((model) => (model.id === id ? updated! : model));
    });
    return updated!;
  }

  /** Validates what an adapter returned: drops invalid entries and duplicates. */
  private checkDiscovered(raw: unknown, connectionName: string): DiscoveredModel[] {
    if (!Array.isArray(raw)) {
      throw new SwitchboardError('bad_response', l10n.t('The provider of "{0}" did not return a list of models.', connectionName));
    }
    const valid: DiscoveredModel[] = [];
    let invalid = 0;
    for (const entry of raw) {
      const parsed = DiscoveredModelSchema.safeParse(entry);
      if (!parsed.success) invalid++;
      else valid.push(parsed.data);
    }
    const unique = uniqueById(valid);
    if (invalid) this.deps.logger.warn(`Discovery on "${connectionName}": left out ${invalid} entries that are not valid models.`);
    if (unique.length > MAX_MODELS_PER_MESSAGE) {
      this.deps.logger.warn(`Discovery on "${connectionName}" listed ${unique.length} models; only the first ${MAX_MODELS_PER_MESSAGE} are offered.`);
      return unique.slice(0, MAX_MODELS_PER_MESSAGE);
    }
    return unique;
  }

  /**
   * Every stored record that passes its schema, whether or not its connection still exists;
   * read and validated again only after a commit (each view's snapshot lists the registry).
   */
  private readValid(): RegisteredModel[] {
    return this.deps.db.cachedRead(this.validCache, MODELS, (sql) => this.read(sql));
  }

  /** The stored records that pass their schema, in registration order; the others are logged and left as they are. */
  private read(sql: Sql): RegisteredModel[] {
    const valid: RegisteredModel[] = [];
    let invalid = 0;
    let example = '';
    for (const row of sql.all<{ body: string }>(`SELECT body FROM ${MODELS} ORDER BY pos`)) {
      const parsed = RegisteredModelSchema.safeParse(safeJson(row.body));
      if (parsed.success) {
        valid.push(parsed.data);
      } else {
        invalid++;
        example ||= describeIssues(parsed.error.issues);
      }
    }
    // One line when the number changes, not one per record and snapshot.
    if (invalid !== this.lastInvalidCount) {
      this.lastInvalidCount = invalid;
      if (invalid) this.deps.logger.warn(`Ignoring ${invalid} stored models that are not valid (kept in storage as they are), e.g.: ${example}`);
    }
    return valid;
  }

  /**
   * One read-modify-write transaction, not queued: callers are already in the queue. `change`
   * sees every valid record. Invalid records are kept as they were; models whose connection
   * has no stored record at all are dropped. Only the rows that changed are written. Returns
   * whether it wrote: a `change` that returns its argument writes nothing.
   */
  private async apply(change: (all: RegisteredModel[]) => RegisteredModel[]): Promise<boolean> {
    return this.deps.db.write((sql) => {
      const valid = this.read(sql);
      const next = change(valid);
      if (next !== valid) {
        const before = new Map(valid.map((model) => [model.id, model]));
        const nextIds = new Set(next.map((model) => model.id));
        for (const model of valid) {
          if (!nextIds.has(model.id)) sql.run(`DELETE FROM ${MODELS} WHERE id = ?`, model.id);
        }
        for (const model of next) {
          const old = before.get(model.id);
          if (!old) insertRow(sql, model);
          else if (old !== model && JSON.stringify(old) !== JSON.stringify(model)) updateRow(sql, model);
        }
      }
      return this.dropOrphans(sql) > 0 || next !== valid;
    });
  }

  /**
   * Removes the models whose connection has no stored record at all (what a delete cut short
   * between its globalState write and its database write leaves); returns how many.
   */
  private dropOrphans(sql: Sql): number {
    const ids = [...storedConnectionIds(this.deps.store)];
    const removed = Number(sql.run(`DELETE FROM ${MODELS} WHERE id IS NOT NULL AND connection_id NOT IN (${ids.map(() => '?').join(', ')})`, ...ids).changes);
    if (removed) this.deps.logger.info(`Removed ${removed} models left from deleted connections.`);
    return removed;
  }

  private async mutate(change: (all: RegisteredModel[]) => RegisteredModel[]): Promise<void> {
    const wrote = await this.deps.connections.writes.run(() => this.apply(change));
    if (wrote) this.changed.fire();
  }
}

function insertRow(sql: Sql, model: RegisteredModel): void {
  sql.run(`INSERT INTO ${MODELS} (id, connection_id, provider_model_id, enabled, body) VALUES (?, ?, ?, ?, ?)`, model.id, model.connectionId, model.providerModelId, model.enabled ? 1 : 0, JSON.stringify(model));
}

function updateRow(sql: Sql, model: RegisteredModel): void {
  sql.run(`UPDATE ${MODELS} SET provider_model_id = ?, enabled = ?, body = ? WHERE id = ?`, model.providerModelId, model.enabled ? 1 : 0, JSON.stringify(model), model.id);
}

/**
 * The ids of every stored connection record, valid or not: a model is an orphan only when no
 * record at all has its connection id, so a connection that fails its schema (e.g. written by
 * a newer version) never costs its models.
 */
function storedConnectionIds(store: KeyValueStore): Set<string> {
  const raw = store.get(CONNECTIONS_KEY);
  const ids = new Set<string>();
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const id = (entry as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}

/** The discovered values, with the id, `enabled` and every `user` value of the record kept. */
function refresh(existing: RegisteredModel, discovered: DiscoveredModel, now: string): RegisteredModel {
  const next: RegisteredModel = {
    ...discovered,
    sources: { ...discovered.sources },
    id: existing.id,
    connectionId: existing.connectionId,
    enabled: existing.enabled,
    lastSyncedAt: now,
  };
  if (existing.sources.modalities === 'user') {
    next.modalities = existing.modalities;
    next.sources.modalities = 'user';
  }
  // The person's settings for calls are theirs alone; discovery never says anything of them.
  if (existing.reasoning) next.reasoning = existing.reasoning;
  if (existing.outputLimitOverride !== undefined) next.outputLimitOverride = existing.outputLimitOverride;
  if (existing.sources.costs === 'user') {
    next.inputCostPer1k = existing.inputCostPer1k;
    next.outputCostPer1k = existing.outputCostPer1k;
    if (existing.cachedInputCostPer1k !== undefined) next.cachedInputCostPer1k = existing.cachedInputCostPer1k;
    next.sources.costs = 'user';
  }
  // The person's window stays in force; what the provider says now is kept aside for clearing it.
  const overridden = existing.sources.contextWindow === 'user' && existing.contextWindow !== undefined ? withContextOverride(next, existing.contextWindow) : next;
  return RegisteredModelSchema.parse(withoutUndefined(overridden));
}

/** The first of each providerModelId, in order. */
function uniqueById<T extends { providerModelId: string }>(models: readonly T[]): T[] {
  const seen = new Set<string>();
  return models.filter((model) => !seen.has(model.providerModelId) && Boolean(seen.add(model.providerModelId)));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function findOrThrow(all: RegisteredModel[], id: string): RegisteredModel {
  const found = all.find((model) => model.id === id);
  if (!found) throw new SwitchboardError('not_found', l10n.t('That model is no longer in the registry. Discover the connection\'s models again to add it back.'));
  return found;
}

/** The fields of `source` that are set, of `keys`. */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}
