// The routing precedence of docs/architecture.md ("Key contracts"), as pure functions over plain values, so the host
// (src/core/calls/routing.ts, which decides a run) and the Agents view (which says beforehand where a
// run will go) cannot disagree.
import type { Routing } from './agents';

/** The provider type and the model of a legacy model string. */
export function splitLegacyModel(model: string): { providerType: string; modelRef: string } {
  const at = model.indexOf('/');
  return { providerType: model.slice(0, at).trim(), modelRef: model.slice(at + 1).trim() };
}

export type ConnectionSource = Routing['sources']['connectionId'];
export type ModelSource = Routing['sources']['modelRef'];

/** The request's connection, else the agent's, else the default setting; undefined when none names one. */
export function pickConnection(candidates: {
  request: string | undefined;
  agent: string | undefined;
  defaultId: string | undefined;
}): { connectionId: string; source: Exclude<ConnectionSource, 'legacy'> } | undefined {
  if (candidates.request) return { connectionId: candidates.request, source: 'request' };
  if (candidates.agent) return { connectionId: candidates.agent, source: 'agent' };
  if (candidates.defaultId) return { connectionId: candidates.defaultId, source: 'default' };
  return undefined;
}

/**
 * Whether the agent's model applies to a run on this connection: an agent with a connection of
 * its own chose the model among that connection's; one without chose it among the default
 * connection's (the agent form offers those), so it applies while the run uses the default.
 */
export function agentModelApplies(agentConnectionId: string | undefined, picked: { connectionId: string; source: ConnectionSource }): boolean {
  return agentConnectionId ? agentConnectionId === picked.connectionId : picked.source === 'default';
}

/**
 * The request's model, else the agent's when it applies (agentModelApplies), else the
 * connection's default model, else the connection's first enabled registered model, else the
 * provider's default; undefined when none names one. The last three are implicit choices, and a
 * model the person disabled in the registry is never one of them: a default that names a disabled
 * model falls through to the next. A model named by the run or the agent is taken as named (the
 * run then fails on a disabled one and says why).
 */
/**
 * What routing needs of a connection's registered models: the first enabled one (registration
 * order) and whether a model is disabled. Two lookups, so that a run's routing costs the same
 * with 20,000 registered models as with none.
 */
export interface RegisteredChoices {
  firstEnabled: string | undefined;
  isDisabled(modelRef: string): boolean;
}

/** The choices of a list of registered models, in registration order. */
export function registeredChoices(models: readonly { providerModelId: string; enabled: boolean }[]): RegisteredChoices {
  const disabled = new Set<string>();
  let firstEnabled: string | undefined;
  for (const model of models) {
    if (!model.enabled) disabled.add(model.providerModelId);
    else firstEnabled ??= model.providerModelId;
  }
  return { firstEnabled, isDisabled: (modelRef) => disabled.has(modelRef) };
}

export const NO_REGISTERED_MODELS: RegisteredChoices = { firstEnabled: undefined, isDisabled: () => false };

export function pickModel(candidates: {
  request: string | undefined;
  agent: string | undefined;
  agentConnectionUsed: boolean;
  connectionDefault: string | undefined;
  registered: RegisteredChoices;
  providerDefault: string | undefined;
}): { modelRef: string; source: ModelSource } | undefined {
  if (candidates.request) return { modelRef: candidates.request, source: 'request' };
  if (candidates.agentConnectionUsed && candidates.agent) return { modelRef: candidates.agent, source: 'agent' };
  const allowed = (modelRef: string | undefined): modelRef is string => Boolean(modelRef) && !candidates.registered.isDisabled(modelRef!);
  if (allowed(candidates.connectionDefault)) return { modelRef: candidates.connectionDefault, source: 'connection' };
  const { firstEnabled } = candidates.registered;
  if (firstEnabled) return { modelRef: firstEnabled, source: 'registry' };
  if (allowed(candidates.providerDefault)) return { modelRef: candidates.providerDefault, source: 'provider' };
  return undefined;
}

/**
 * The connection a legacy `<providerType>/<model>` string runs on: the default connection when it
 * is of that type, else the first of that type whose last test passed, else the first of that
 * type not known to be broken (a connection nobody tested yet still gets its chance);
 * undefined when there is none.
 */
export function pickLegacyConnection<C extends { id: string; providerId: string; status: string }>(
  providerType: string,
  connections: readonly C[],
  defaultId: string | undefined,
): C | undefined {
  const ofType = connections.filter((connection) => connection.providerId === providerType);
  return ofType.find((c) => c.id === defaultId) ?? ofType.find((c) => c.status === 'valid') ?? ofType.find((c) => c.status !== 'invalid');
}
