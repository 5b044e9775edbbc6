import * as l10n from '@vscode/l10n';
import { createHash } from 'node:crypto';
import type { Agent } from '../../contracts/agents';
import { hasCredentials, type Connection } from '../../contracts/connections';
import { GatewaySyncRecordSchema, type AgentSyncState, type GatewaySyncRecord, type GatewayView } from '../../contracts/gateway';
import type { RegisteredModel } from '../../contracts/models';
import type { ProviderDescriptor } from '../../contracts/providers';
import type { AgentService } from '../runs/agentService';
import { CallLimiter } from '../base/callLimiter';
import type { ConnectionService } from '../connections/connectionService';
import { SwitchboardError, toErrorInfo } from '../base/errors';
import { Emitter } from '../base/events';
import type { HttpClient, Method } from '../http/httpClient';
import { providerSaid, type ApiProfile } from '../http/httpErrors';
import type { KeyPath } from '../keys/keyPath';
import type { Clock, Disposable, Event, KeyValueStore, Logger, Settings } from '../base/ports';
import type { ModelRegistry } from '../models/modelRegistry';
import type { ProviderRegistry } from '../providers/providerRegistry';
import { gatewayRequester } from '../keys/requesters';
import { registeredChoices } from '../../contracts/routing';
import { resolveRouting } from '../calls/routing';
import { StoredList } from '../store/storedList';
import { GATEWAY_SYNC_KEY } from '../store/storageKeys';

export interface GatewaySyncDeps {
  settings: Settings;
  store: KeyValueStore;
  agents: AgentService;
  connections: ConnectionService;
  registry: ProviderRegistry;
  keys: KeyPath;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /**
   * The registered models: an agent without a model is sent with the model a run would use, which
   * may be the connection's first enabled registered model, so a change there is synced too.
   */
  models?: Pick<ModelRegistry, 'byConnection' | 'onDidChange'>;
}

/** What the gateway receives for one agent, the key aside. */
interface AgentBody {
  id: string;
  name: string;
  /** `<providerType>/<modelRef>`: the provider's id and the model a run of this agent would use. */
  model: string;
  baseUrl: string;
  soul: string;
  guardrails: string;
}

/** What a sync of one agent needs: its body and connection, or why it cannot be built. */
/** What planning an agent reads: the connections, and the registered models of each. */
interface RoutingState {
  connections: readonly Connection[];
  modelsOf(connectionId: string): readonly RegisteredModel[];
}

type Plan = { body: AgentBody; connection: Connection; provider: ProviderDescriptor; fingerprint: string } | { error: SwitchboardError; fingerprint: string };

/** How the gateway reports errors: `{"error":{"message"}}`, `{"error":"…"}` or `{"message":"…"}`. */
const GATEWAY_API: ApiProfile = {
  // A getter: read when a message is built, after activate() has configured l10n, not at import.
  get name() {
    return l10n.t('AI gateway');
  },
  errorMessage(body) {
    const value = body as { error?: unknown; message?: unknown } | undefined;
    const error = value?.error as { message?: unknown } | string | undefined;
    const message = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : value?.message;
    return typeof message === 'string' ? message : undefined;
  },
  classify(response, providerMessage) {
    // The generic 401 text speaks of the provider's key; here it is the gateway's token.
    if (response.status !== 401 && response.status !== 403) return undefined;
    return new SwitchboardError(
      'auth_failed',
      l10n.t('{0} answered {1}: the gateway token was rejected. Set it again with Switchboard: Set Gateway Token.{2}', response.endpoint, response.status, providerSaid(l10n.t('The gateway'), providerMessage)),
    );
  },
};

/**
 * Keeps the AI gateway (`switchboard.gateway.url`) in step with the agents: a new agent is
 * POSTed, a changed one PUT, a deleted one DELETEd. Each agent's key goes in the body only
 * through the key path (requester "gateway", purpose `gateway`, consent naming the gateway's
 * origin, one audit entry); the gateway token in the Authorization header, only to the gateway
 * it is bound to (another one asks the person first: KeyPath.withGatewayToken).
 *
 * What counts as a change is a fingerprint of everything the gateway receives (and the id of the
 * connection's key, so replacing it re-syncs, and the agent's own connection and model, so a
 * migrated legacy string re-syncs), compared with what was seen at the last change
 * event. Calls for one agent run one after the other, so a delete never overtakes its create;
 * calls on one connection share the per-connection limit, as model calls do.
 */
export class GatewaySync implements Disposable {
  private readonly records: StoredList<typeof GatewaySyncRecordSchema>;
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly limiter: CallLimiter;
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly syncing = new Set<string>();
  /** Fingerprints at the last change event, for the gateway URL `seenUrl`; undefined until sync is on. */
  private seen: Map<string, string> | undefined;
  private seenUrl = '';
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly deps: GatewaySyncDeps) {
    this.records = new StoredList(deps.store, GATEWAY_SYNC_KEY, GatewaySyncRecordSchema, deps.logger, 'gateway sync record');
    this.limiter = new CallLimiter(() => deps.settings.maxConcurrentRequestsPerConnection());
    this.subscriptions.push(this.records.onDidChange(() => this.changed.fire()));
  }

  /**
   * Starts following changes, and retries the deletes a previous session could not finish.
   * Does no work when no gateway is set.
   */
  start(): void {
    const onChange = () => this.reconcile();
    this.subscriptions.push(this.deps.agents.onDidChange(onChange), this.deps.connections.onDidChange(onChange), this.deps.settings.onDidChange(onChange));
    if (this.deps.models) this.subscriptions.push(this.deps.models.onDidChange(onChange));
    this.reconcile();
    if (this.deps.settings.gatewayUrl()) void this.retryPending();
  }

  /** Every agent's sync state, and the deletes still owed, for the Agents view. */
  view(): GatewayView {
    const url = this.deps.settings.gatewayUrl();
    const records = this.records.list();
    const agents: Record<string, AgentSyncState> = {};
    for (const agent of this.deps.agents.list()) agents[agent.id] = this.stateOf(agent.id, url, records);
    const pendingDeletes = this.owedDeletes(records, new Set(Object.keys(agents)))
      .map((record) => ({ agentId: record.agentId, agentName: record.agentName, ...(record.failure ? { error: record.failure.error } : {}) }));
    return { configured: url !== '', agents, pendingDeletes };
  }

  state(agentId: string): AgentSyncState {
    return this.stateOf(agentId, this.deps.settings.gatewayUrl(), this.records.list());
  }

  /** "Sync now" on one agent: syncs it and retries the pending deletes; resolves with its state. */
  async syncNow(agentId: string): Promise<AgentSyncState> {
    this.requireUrl();
    this.deps.agents.require(agentId);
    await Promise.all([this.retryPending(), this.sync(agentId)]);
    return this.state(agentId);
  }

  /** "Sync All Agents": the pending deletes and every agent; `onProgress` after each one. */
  async syncAll(onProgress: (done: number, total: number) => void = () => undefined): Promise<{ synced: number; failed: number; pendingDeletes: number }> {
    this.requireUrl();
    const agents = this.deps.agents.list();
    let done = 0;
    await Promise.all([
      this.retryPending(),
      ...agents.map((agent) =>
        this.sync(agent.id).finally(() => {
          done++;
          onProgress(done, agents.length);
        }),
      ),
    ]);
    const view = this.view();
    const states = agents.map((agent) => view.agents[agent.id]?.state);
    return { synced: states.filter((s) => s === 'synced').length, failed: states.filter((s) => s === 'failed').length, pendingDeletes: view.pendingDeletes.length };
  }

  /** Sends the DELETE of every agent that is gone here and may still be on the gateway. */
  async retryPending(): Promise<void> {
    const gone = this.owedDeletes(this.records.list(), new Set(this.deps.agents.list().map((agent) => agent.id)));
    await Promise.all(gone.map((record) => this.remove(record.agentId)));
  }

  /** Records of agents deleted here: marked pending, or gone while sync was off. */
  private owedDeletes(records: readonly GatewaySyncRecord[], agentIds: ReadonlySet<string>): GatewaySyncRecord[] {
    return records.filter((record) => record.pendingDelete || !agentIds.has(record.agentId));
  }

  /** Resolves once no gateway call is queued or under way (tests, and the end of a command). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all(this.chains.values());
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.changed.dispose();
  }

  /**
   * Compares every agent with what was seen at the last change, and syncs what is new or
   * changed and deletes what is gone, without waiting for the gateway. When sync is switched on
   * or pointed at another gateway, nothing is sent on its own: "Sync All Agents" does that.
   */
  private reconcile(): void {
    const url = this.deps.settings.gatewayUrl();
    if (!url) {
      this.seen = undefined;
      return;
    }
    const state = this.routingState();
    const current = new Map(this.deps.agents.list().map((agent) => [agent.id, this.plan(agent, url, state).fingerprint]));
    const seen = this.seen;
    const sameGateway = this.seenUrl === url;
    this.seen = current;
    this.seenUrl = url;
    if (!seen || !sameGateway) return;
    for (const [id, fingerprint] of current) {
      if (seen.get(id) !== fingerprint) void this.sync(id);
    }
    for (const id of seen.keys()) {
      if (!current.has(id)) void this.remove(id);
    }
  }

  /** POSTs or PUTs the agent; the outcome is recorded, never thrown. */
  private sync(agentId: string): Promise<void> {
    return this.serial(agentId, async () => {
      const url = this.deps.settings.gatewayUrl();
      const agent = this.deps.agents.get(agentId);
      if (!url || !agent) return;
      this.syncing.add(agentId);
      this.changed.fire();
      try {
        const plan = this.plan(agent, url, this.routingState());
        if ('error' in plan) throw plan.error;
        const record = this.records.list().find((r) => r.agentId === agentId);
        const known = record?.onGateway === true && record.gatewayUrl === url;
        try {
          await this.send(plan, url, known ? 'PUT' : 'POST');
        } catch (error) {
          // The gateway lost the agent (restored from a backup, say): create it again.
          if (!(known && error instanceof SwitchboardError && error.code === 'not_found')) throw error;
          await this.send(plan, url, 'POST');
        }
        await this.record(agent, url, { onGateway: true, syncedAt: this.now(), failure: undefined });
        this.deps.logger.info(`Synced agent "${agent.name}" (${agent.id}) to the AI gateway.`);
      } catch (error) {
        const info = toErrorInfo(error);
        await this.record(agent, url, { failure: { error: info, at: this.now() } });
        this.deps.logger.warn(`Could not sync agent "${agent.name}" (${agent.id}) to the AI gateway: ${info.message}`);
      } finally {
        this.syncing.delete(agentId);
        this.changed.fire();
      }
    });
  }

  /** Sends the DELETE of a deleted agent; a failure keeps it pending with its reason. */
  private remove(agentId: string): Promise<void> {
    return this.serial(agentId, async () => {
      const url = this.deps.settings.gatewayUrl();
      const record = this.records.list().find((r) => r.agentId === agentId);
      if (!url || !record || this.deps.agents.get(agentId)) return;
      // Recorded before the call, so a window closed meanwhile retries it at the next start.
      if (!record.pendingDelete) await this.records.mutate((all) => all.map((r) => (r.agentId === agentId ? { ...r, pendingDelete: true } : r)));
      try {
        // An agent that never reached this gateway has nothing to delete there.
        if (record.onGateway && record.gatewayUrl === url) {
          await this.withToken(url, (token) => this.request(url, 'DELETE', `/${encodeURIComponent(agentId)}`, undefined, token)).catch((error: unknown) => {
            // Already gone there: the delete is done.
            if (!(error instanceof SwitchboardError && error.code === 'not_found')) throw error;
          });
        }
        await this.records.mutate((all) => all.filter((r) => r.agentId !== agentId));
        this.deps.logger.info(`Deleted agent ${agentId} on the AI gateway.`);
      } catch (error) {
        const info = toErrorInfo(error);
        await this.records.mutate((all) => all.map((r) => (r.agentId === agentId ? { ...r, pendingDelete: true, failure: { error: info, at: this.now() } } : r)));
        this.deps.logger.warn(`Could not delete agent ${agentId} on the AI gateway; it stays pending: ${info.message}`);
      }
    });
  }

  /**
   * The body goes with the connection's key only through the key path; a connection without a
   * key sends none. Credential headers are not part of the gateway's body and stay here.
   */
  private send(plan: Extract<Plan, { body: AgentBody }>, url: string, method: 'POST' | 'PUT'): Promise<unknown> {
    const { connection, provider, body } = plan;
    const path = method === 'PUT' ? `/${encodeURIComponent(body.id)}` : '';
    // The token first: without one, or without the person's yes for a gateway it is not bound
    // to, no key is read for a call that cannot be made.
    return this.withToken(url, (token) => {
      const limited = (payload: AgentBody & { apiKey?: string }) => this.limiter.run(connection.id, () => this.request(url, method, path, payload, token));
      if (!hasCredentials(connection) || !connection.keyHint) return limited(body);
      const use = { connection, provider, requester: gatewayRequester, purpose: 'gateway' as const, destination: url };
      return this.deps.keys.use(use, (target) => limited({ ...body, ...(target.apiKey ? { apiKey: target.apiKey } : {}) }));
    });
  }

  /** Runs `call` with the gateway token for `url`; no token, or a gateway the person did not allow it to go to, no call. */
  private withToken<T>(url: string, call: (token: string) => Promise<T>): Promise<T> {
    return this.deps.keys.withGatewayToken(url, (token) => {
      if (!token) throw new SwitchboardError('auth_failed', l10n.t('No gateway token is set, so nothing was sent to the AI gateway. Set one with Switchboard: Set Gateway Token.'));
      return call(token);
    });
  }

  /** One call to `{url}/v1/agents{path}`. */
  private request(url: string, method: Method, path: string, body: unknown, token: string): Promise<string> {
    return this.deps.http.sendText(method, `${url}/v1/agents${path}`, body, {
      api: GATEWAY_API,
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: this.deps.settings.requestTimeoutMs(),
    });
  }

  /**
   * One read of the connections and of the registry, grouped by connection, for every agent
   * planned with it: each read validates every record.
   */
  private routingState(): RoutingState {
    const byConnection = this.deps.models?.byConnection() ?? new Map<string, readonly RegisteredModel[]>();
    return { connections: this.deps.connections.list(), modelsOf: (connectionId) => byConnection.get(connectionId) ?? [] };
  }

  /** The agent as the gateway receives it (its model as a run would route it), and its fingerprint. */
  private plan(agent: Agent, url: string, { connections, modelsOf }: RoutingState): Plan {
    const { deps } = this;
    try {
      const routing = resolveRouting({
        request: {},
        agent,
        defaultConnectionId: deps.settings.defaultConnectionId(),
        findConnection: (id) => connections.find((c) => c.id === id),
        listConnections: () => connections,
        findProvider: (id) => deps.registry.get(id)?.descriptor,
        registeredModels: (connectionId) => registeredChoices(modelsOf(connectionId)),
      });
      // resolveRouting found it in `connections`.
      const connection = connections.find((c) => c.id === routing.connectionId)!;
      const provider = deps.registry.require(routing.providerId).descriptor;
      const body: AgentBody = {
        id: agent.id,
        name: agent.name,
        model: `${provider.id}/${routing.modelRef}`,
        baseUrl: connection.baseUrl,
        soul: agent.soul,
        guardrails: agent.guardrails,
      };
      // The agent's own choice of connection and model counts too: migrating a legacy string,
      // or naming the default connection outright, changes the agent, and the gateway is told,
      // even when the body it gets reads the same.
      const route = { connectionId: agent.connectionId ?? null, modelRef: agent.modelRef ?? null, legacyModel: agent.model ?? null };
      return { body, connection, provider, fingerprint: fingerprint({ url, body, keyId: connection.keyId ?? null, route }) };
    } catch (error) {
      const info = toErrorInfo(error);
      const failure = error instanceof SwitchboardError ? error : new SwitchboardError(info.code, info.message);
      return { error: failure, fingerprint: fingerprint({ url, agent: { ...agent, updatedAt: undefined }, error: info.message }) };
    }
  }

  private stateOf(agentId: string, url: string, records: readonly GatewaySyncRecord[]): AgentSyncState {
    if (!url) return { state: 'not_configured' };
    if (this.syncing.has(agentId)) return { state: 'syncing' };
    const record = records.find((r) => r.agentId === agentId && r.gatewayUrl === url);
    if (record?.failure) return { state: 'failed', at: record.failure.at, error: record.failure.error };
    if (record?.syncedAt) return { state: 'synced', at: record.syncedAt };
    return { state: 'not_synced' };
  }

  private async record(agent: Agent, url: string, fields: Partial<GatewaySyncRecord>): Promise<void> {
    await this.records.mutate((all) => {
      const current = all.find((r) => r.agentId === agent.id);
      // A record for another gateway says nothing about this one.
      const base: GatewaySyncRecord = current && current.gatewayUrl === url ? current : { agentId: agent.id, agentName: agent.name, gatewayUrl: url, onGateway: false };
      const next = GatewaySyncRecordSchema.parse({ ...base, agentName: agent.name, ...fields });
      return [...all.filter((r) => r.agentId !== agent.id), next];
    });
  }

  /** Runs `task` after the agent's earlier calls, so its POST, PUTs and DELETE reach the gateway in order. */
  private serial(agentId: string, task: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(agentId) ?? Promise.resolve()).then(task);
    const settled = next.catch(() => undefined);
    this.chains.set(agentId, settled);
    void settled.then(() => {
      if (this.chains.get(agentId) === settled) this.chains.delete(agentId);
    });
    return next;
  }

  private requireUrl(): void {
    if (!this.deps.settings.gatewayUrl()) {
      throw new SwitchboardError('invalid_input', l10n.t('No AI gateway is set. Set switchboard.gateway.url to its https:// address, then sync again.'));
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
