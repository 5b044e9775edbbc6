import type { AgentsConnection } from '../../contracts/agentsView';
import type { RegisteredModel } from '../../contracts/models';
import type { ConnectionService } from '../connections/connectionService';
import type { ProviderRegistry } from '../providers/providerRegistry';
import * as l10n from '@vscode/l10n';
import { NANO_PER_DOLLAR, type UsageDimension, type UsageRecord } from '../../contracts/usage';
import type { AgentService } from '../runs/agentService';

// What more than one view controller needs; controllers never import each other.

export interface RegisteredModelSummary {
  providerModelId: string;
  displayName: string;
  enabled: boolean;
}

/** The models the view offers (the enabled ones) and the disabled ones routing never picks on its own. */
function connectionModels(registered: readonly RegisteredModelSummary[]): Pick<AgentsConnection, 'models' | 'disabledModels'> {
  return {
    models: registered.filter((m) => m.enabled).map(({ providerModelId, displayName }) => ({ providerModelId, displayName })),
    disabledModels: registered.filter((m) => !m.enabled).map((m) => m.providerModelId),
  };
}

/** The readable name of each requester of the runs, once per requester. */
export function requesterNames(runs: readonly { requesterId: string }[], describe: ((id: string) => string) | undefined): Record<string, string> {
  const names: Record<string, string> = {};
  for (const { requesterId } of runs) names[requesterId] ??= describe?.(requesterId) ?? requesterId;
  return names;
}

function providerDefault(modelRef: string | undefined): Pick<AgentsConnection, 'providerDefaultModel'> {
  return modelRef ? { providerDefaultModel: modelRef } : {};
}

/**
 * Every connection as the Agents view and the Switchboard editor's run detail know it: names of
 * the connection, its provider and its models, and what routing needs to preview a run.
 */
export function agentsConnections(
  deps: { connections: Pick<ConnectionService, 'list'>; registry: Pick<ProviderRegistry, 'get'> },
  registered: ReadonlyMap<string, readonly RegisteredModelSummary[]>,
): AgentsConnection[] {
  return deps.connections.list().map(
    (c): AgentsConnection => ({
      id: c.id,
      name: c.name,
      providerId: c.providerId,
      providerName: providerName(deps, c.providerId),
      status: c.status,
      ...connectionModels(registered.get(c.id) ?? []),
      ...(c.defaultModel ? { defaultModel: c.defaultModel } : {}),
      ...providerDefault(deps.registry.get(c.providerId)?.descriptor.defaults.modelRef),
    }),
  );
}

/** A provider's display name, or its id when no provider of that id is registered (its extension is gone). */
export function providerName(deps: { registry: Pick<ProviderRegistry, 'get'> }, providerId: string): string {
  return deps.registry.get(providerId)?.descriptor.displayName ?? providerId;
}

/** Names a usage group's key for a person: a connection's or agent's name, a model ref, a requester as the Audit tab names it. */
export function usageLabels(deps: {
  connections: Pick<ConnectionService, 'list'>;
  agents: Pick<AgentService, 'list'>;
  describeRequester(requesterId: string): string;
}): (dimension: UsageDimension, key: string) => string {
  let connections: Map<string, string> | undefined;
  let agents: Map<string, string> | undefined;
  return (dimension, key) => {
    switch (dimension) {
      case 'connection':
        connections ??= new Map(deps.connections.list().map((c) => [c.id, c.name]));
        return connections.get(key) ?? l10n.t('Deleted connection ({0})', key.slice(0, 8));
      case 'agent':
        if (!key) return l10n.t('No agent (VS Code chat)');
        agents ??= new Map(deps.agents.list().map((a) => [a.id, a.name]));
        return agents.get(key) ?? l10n.t('Deleted agent ({0})', key.slice(0, 8));
      case 'requester':
        return deps.describeRequester(key);
      default:
        return key;
    }
  };
}

const CSV_HEADER = ['time', 'run', 'chat', 'agent', 'requester', 'connection', 'provider', 'model', 'input tokens', 'output tokens', 'cache read tokens', 'cache write tokens', 'reasoning tokens', 'estimated', 'cost usd', 'price source', 'price date'];

/**
 * The usage export: a header, then one row per call. Every value is quoted (a quote doubled),
 * and one a spreadsheet would run as a formula (= + - @ at its start) is kept as text.
 */
export function usageCsv(calls: readonly UsageRecord[], label: (dimension: UsageDimension, key: string) => string): string {
  const lines = [CSV_HEADER.map(csvValue).join(',')];
  for (const call of calls) {
    const row = [
      call.time,
      call.runId ?? '',
      call.chatId ?? '',
      call.agentId ? label('agent', call.agentId) : '',
      label('requester', call.requesterId),
      label('connection', call.connectionId),
      call.providerId,
      call.modelRef,
      call.inputTokens,
      call.outputTokens,
      call.cacheReadTokens ?? '',
      call.cacheWriteTokens ?? '',
      call.reasoningTokens ?? '',
      call.estimated ? 'yes' : 'no',
      call.costNano === undefined ? '' : (call.costNano / NANO_PER_DOLLAR).toFixed(9),
      call.priceSource,
      call.priceDate ?? '',
    ];
    lines.push(row.map(csvValue).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvValue(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The registered models for a view's snapshots (thousands of them): only in the first snapshot of
 * a page and the first after they change, not in every snapshot (a grant, a cool-down, a
 * connection's status). The view keeps the ones it last got.
 */
export class ModelsWhenChanged {
  private sent = false;

  constructor(private readonly list: () => RegisteredModel[]) {}

  /** The models, when the view lacks them or they changed since it got them. */
  take(): { models?: RegisteredModel[] } {
    if (this.sent) return {};
    this.sent = true;
    return { models: this.list() };
  }

  /** The view's page is new (it has none), or the models changed: the next snapshot carries them. */
  stale(): void {
    this.sent = false;
  }
}
