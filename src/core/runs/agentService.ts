import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import { AgentInputSchema, AgentSchema, type Agent } from '../../contracts/agents';
import { SwitchboardError } from '../base/errors';
import type { Clock, Event, KeyValueStore, Logger } from '../base/ports';
import { describeIssues } from '../../contracts/issues';
import type { Reasoning } from '../../contracts/models';
import { StoredList } from '../store/storedList';
import { AGENTS_KEY } from '../store/storageKeys';


/** Agents in globalState: validated on read and on every write, written through one queue. */
export class AgentService {
  private readonly records: StoredList<typeof AgentSchema>;
  readonly onDidChange: Event<void>;

  constructor(
    private readonly deps: {
      store: KeyValueStore;
      clock: Clock;
      logger: Logger;
      /** Whether a connection id names an existing connection. */
      connectionExists(id: string): boolean;
      /**
       * Whether a model is registered and enabled on a connection: a fallback target must be.
       * Without it, fallbacks are checked for their connection only.
       */
      modelEnabled?(connectionId: string, modelRef: string): boolean;
      /** Why the provider of a connection does not take this reasoning setting for the model; undefined when it does. */
      reasoningProblem?(connectionId: string, modelRef: string, reasoning: Reasoning): string | undefined;
      newId?: () => string;
    },
  ) {
    this.records = new StoredList(deps.store, AGENTS_KEY, AgentSchema, deps.logger, 'agent');
    this.onDidChange = this.records.onDidChange;
  }

  list(): Agent[] {
    return this.records.list();
  }

  get(id: string): Agent | undefined {
    return this.list().find((agent) => agent.id === id);
  }

  /**
   * The agents whose runs go to this connection: those that name it, and, when it is the default
   * connection, those that name none (an agent with a legacy model string picks by provider type).
   */
  runningOn(connectionId: string, defaultConnectionId: string): Agent[] {
    return this.list().filter((agent) => agent.connectionId === connectionId || (!agent.connectionId && !agent.model && connectionId === defaultConnectionId));
  }

  require(id: string): Agent {
    const agent = this.get(id);
    if (!agent) throw new SwitchboardError('not_found', l10n.t('That agent no longer exists. Choose another one in the Agents view.'));
    return agent;
  }

  async create(input: unknown): Promise<Agent> {
    const parsed = this.parseInput(input);
    const now = this.deps.clock.now().toISOString();
    const agent = AgentSchema.parse({ ...parsed, id: (this.deps.newId ?? randomUUID)(), createdAt: now, updatedAt: now });
    await this.mutate((all) => {
      assertUniqueName(all, agent.name);
      return [...all, agent];
    });
    return agent;
  }

  /** Replaces the agent's editable fields with `input` (the whole form, as the view sends it). */
  async update(id: string, input: unknown): Promise<Agent> {
    const parsed = this.parseInput(input);
    return this.replace(id, (current, others) => {
      assertUniqueName(others, parsed.name);
      const { connectionId: _c, modelRef: _m, model, ...kept } = current;
      // A legacy model string stays until the form names a connection or a model, which replaces it.
      const legacy = model && !parsed.connectionId && !parsed.modelRef ? { model } : {};
      return { ...kept, ...legacy, ...parsed };
    });
  }

  /**
   * Replaces a legacy model string with a connection and a registered model (the migration);
   * `not_found` when the agent is gone, `conflict` (and no change) when its string is no longer
   * the one the migration looked at.
   */
  async adoptRoute(id: string, route: { connectionId: string; modelRef: string; expectedModel: string }): Promise<Agent> {
    return this.replace(id, (current) => {
      if (current.model !== route.expectedModel) throw new SwitchboardError('conflict', l10n.t('The agent "{0}" changed while it was migrated. Run the migration again.', current.name));
      const { model: _legacy, ...kept } = current;
      return { ...kept, connectionId: route.connectionId, modelRef: route.modelRef };
    });
  }

  async delete(id: string): Promise<void> {
    await this.mutate((all) => {
      if (!all.some((a) => a.id === id)) throw new SwitchboardError('not_found', l10n.t('That agent no longer exists.'));
      return all.filter((a) => a.id !== id);
    });
  }

  private parseInput(input: unknown) {
    const parsed = AgentInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new SwitchboardError('invalid_input', l10n.t('The agent is not valid: {0}.', describeIssues(parsed.error.issues)));
    }
    const value = parsed.data;
    if (value.connectionId && !this.deps.connectionExists(value.connectionId)) {
      throw new SwitchboardError('missing_connection', l10n.t('The agent names a connection that does not exist. Choose one from the list.'));
    }
    this.checkFallbacks(value);
    this.checkReasoning(value);
    return value;
  }

  /** An agent's reasoning setting goes with its own model, and its provider must take it: refused with the reason otherwise. */
  private checkReasoning(value: { connectionId?: string | undefined; modelRef?: string | undefined; reasoning?: Reasoning | undefined }): void {
    if (!value.reasoning) return;
    if (!value.connectionId || !value.modelRef) {
      throw new SwitchboardError('invalid_input', l10n.t("An agent's reasoning setting goes with its own model. Choose a connection and a model for the agent, or leave the setting at the model's."));
    }
    const problem = this.deps.reasoningProblem?.(value.connectionId, value.modelRef, value.reasoning);
    if (problem) throw new SwitchboardError('invalid_input', problem);
  }

  /** Refuses a fallback list a call could not use, with the reason: a deleted connection, a model not enabled, the agent's own target, or a target twice. */
  private checkFallbacks(value: { connectionId?: string | undefined; modelRef?: string | undefined; fallbacks?: { connectionId: string; modelRef: string }[] | undefined }): void {
    const seen = new Set<string>();
    for (const [index, target] of (value.fallbacks ?? []).entries()) {
      const number = index + 1;
      if (!this.deps.connectionExists(target.connectionId)) {
        throw new SwitchboardError('missing_connection', l10n.t('Fallback {0} names a connection that does not exist. Choose another connection, or remove the fallback.', number));
      }
      if (target.connectionId === value.connectionId && target.modelRef === value.modelRef) {
        throw new SwitchboardError('invalid_input', l10n.t("Fallback {0} is the agent's own connection and model: a call that failed there would only try it again. Choose another target.", number));
      }
      const key = `${target.connectionId}/${target.modelRef}`;
      if (seen.has(key)) throw new SwitchboardError('invalid_input', l10n.t('Fallback {0} names the same connection and model as an earlier one. Remove one of them.', number));
      seen.add(key);
      if (this.deps.modelEnabled && !this.deps.modelEnabled(target.connectionId, target.modelRef)) {
        throw new SwitchboardError('invalid_input', l10n.t('Fallback {0} names the model "{1}", which is not an enabled model in the registry of its connection. Add or enable it in the Models tab, or choose another model.', number, target.modelRef));
      }
    }
  }

  private mutate(change: (all: Agent[]) => Agent[]): Promise<void> {
    return this.records.mutate(change);
  }

  /**
   * Writes what `change` makes of the agent `id` in its place, validated and stamped
   * `updatedAt`; `not_found` when the agent is gone. `others` are the remaining agents.
   */
  private async replace(id: string, change: (current: Agent, others: Agent[]) => Omit<Agent, 'updatedAt'>): Promise<Agent> {
    let updated: Agent | undefined;
    await this.mutate((all) => {
      const current = all.find((a) => a.id === id);
      if (!current) throw new SwitchboardError('not_found', l10n.t('That agent no longer exists.'));
      updated = AgentSchema.parse({ ...change(current, all.filter((a) => a.id !== id)), updatedAt: this.deps.clock.now().toISOString() });
      return all.map((a) => (a.id === id ? updated! : a));
    });
    return updated!;
  }
}

function assertUniqueName(all: Agent[], name: string): void {
  const wanted = name.trim().toLocaleLowerCase();
  if (all.some((a) => a.name.toLocaleLowerCase() === wanted)) {
    throw new SwitchboardError('conflict', l10n.t('An agent named "{0}" already exists. Choose another name.', name.trim()));
  }
}
