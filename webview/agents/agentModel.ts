import * as l10n from '@vscode/l10n';
import { callSettingsText, parseReasoningText } from '../../src/contracts/modelFacts';
import { MAX_FALLBACKS } from '../../src/contracts/vocabulary';
import type { Agent, AgentInput, CallTarget, StartAgentRunRequest } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { formatCount } from '../shared/locale';
import { modelSourceLabel } from './format';
import { agentModelApplies, pickConnection, pickLegacyConnection, pickModel, splitLegacyModel, type ConnectionSource, type ModelSource } from '../../src/contracts/routing';

/**
 * The logic of the agent form and the run panel, kept free of the DOM so unit tests can run
 * it in Node: the values a form opens with, its checks, the options of its selects, and the
 * AgentInput or StartAgentRunRequest it turns into. The host checks everything again.
 */

/** Limits of AgentSchema, checked here too so the person sees them next to the field. */
export const AGENT_LIMITS = { name: 100, role: 500, soul: 20_000, guardrails: 20_000 } as const;
export const RUN_INPUT_LIMIT = 100_000;

export interface AgentFormValues {
  name: string;
  role: string;
  soul: string;
  guardrails: string;
  /** '' = no connection of its own: runs use the default connection. */
  connectionId: string;
  /** '' = the connection's default model; without a connection, one of the default connection's models. */
  modelRef: string;
  /** '' = the model's own reasoning setting; else an effort or a thinking budget, as typed. */
  reasoning: string;
}

export type AgentFieldKey = keyof AgentFormValues;
export type AgentFieldErrors = Partial<Record<AgentFieldKey, string>>;

/** The values the form opens with: empty for a new agent, the agent's for an edit. */
export function agentFormValues(agent?: Agent): AgentFormValues {
  return {
    name: agent?.name ?? '',
    role: agent?.role ?? '',
    soul: agent?.soul ?? '',
    guardrails: agent?.guardrails ?? '',
    connectionId: agent?.connectionId ?? '',
    modelRef: agent?.modelRef ?? '',
    reasoning: callSettingsText({ ...(agent?.reasoning ? { reasoning: agent.reasoning } : {}) }).reasoning,
  };
}

const FIELD_LABELS: Record<AgentFieldKey, string> = {
  name: l10n.t('Name'),
  role: l10n.t('Role'),
  soul: l10n.t('Soul'),
  guardrails: l10n.t('Guardrails'),
  connectionId: l10n.t('Connection'),
  modelRef: l10n.t('Model'),
  reasoning: l10n.t('Reasoning'),
};

export function validateAgentForm(values: AgentFormValues): AgentFieldErrors {
  const errors: AgentFieldErrors = {};
  const name = values.name.trim();
  if (!name) {
    errors.name = l10n.t('Enter a name for this agent.');
  } else if (name.length > AGENT_LIMITS.name) {
    errors.name = l10n.t('A name has at most {0} characters.', formatCount(AGENT_LIMITS.name));
  }
  for (const key of ['role', 'soul', 'guardrails'] as const) {
    const length = key === 'role' ? values.role.trim().length : values[key].length;
    if (length > AGENT_LIMITS[key]) {
      errors[key] = l10n.t('{0} has at most {1} characters (now {2}).', FIELD_LABELS[key], formatCount(AGENT_LIMITS[key]), formatCount(length));
    }
  }
  // Which kind the model's provider takes, the host says when the agent is saved.
  if (values.reasoning.trim()) {
    if ('error' in parseReasoningText(values.reasoning)) errors.reasoning = l10n.t('Type low, medium or high, a thinking budget in tokens, or leave it empty for the model\'s own setting.');
    else if (!values.connectionId.trim() || !values.modelRef.trim()) errors.reasoning = l10n.t("An agent's reasoning setting goes with its own model: choose a connection and a model first.");
  }
  return errors;
}

/** A short summary of the field errors for the line under the form. */
export function summarizeAgentErrors(errors: AgentFieldErrors): string {
  const keys = Object.keys(errors) as AgentFieldKey[];
  if (keys.length <= 1) {
    return keys[0] ? (errors[keys[0]] ?? '') : '';
  }
  return l10n.t('Fix the marked fields: {0}.', keys.map((key) => FIELD_LABELS[key]).join(', '));
}

/**
 * The whole form as an AgentInput. updateAgent replaces every editable field, so an empty
 * connection or model is left out, which clears it. Soul and guardrails are sent as typed:
 * their line breaks and indentation are part of the prompt.
 */
export function buildAgentInput(values: AgentFormValues, fallbacks?: readonly FallbackRow[]): AgentInput {
  const input: AgentInput = {
    name: values.name.trim(),
    role: values.role.trim(),
    soul: values.soul,
    guardrails: values.guardrails,
  };
  const connectionId = values.connectionId.trim();
  const modelRef = values.modelRef.trim();
  if (connectionId) input.connectionId = connectionId;
  // Without a connection, a model is one of the default connection's (agentModelApplies).
  if (modelRef) input.modelRef = modelRef;
  // Sent whole, also empty: updateAgent replaces the list, so removing the last one clears it.
  if (fallbacks) input.fallbacks = fallbacks.flatMap((row) => splitTarget(row.target) ?? []);
  const reasoning = parseReasoningText(values.reasoning);
  if ('value' in reasoning && reasoning.value) input.reasoning = reasoning.value;
  return input;
}

/** One row of the fallback list in the form: `<connectionId>/<modelRef>`, or '' before one is chosen. */
export interface FallbackRow {
  /** Stable across edits of the list, for Preact's keys and the field ids. */
  key: number;
  target: string;
}

export { MAX_FALLBACKS };

/** `<connectionId>/<modelRef>`: a connection id is a UUID, so the first `/` splits it. */
export function targetValue(target: CallTarget): string {
  return `${target.connectionId}/${target.modelRef}`;
}

export function splitTarget(value: string): CallTarget | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return undefined;
  return { connectionId: value.slice(0, slash), modelRef: value.slice(slash + 1) };
}

/** The rows the form opens with: the agent's fallbacks, in order. */
export function fallbackRows(agent?: Agent): FallbackRow[] {
  return (agent?.fallbacks ?? []).map((target, index) => ({ key: index, target: targetValue(target) }));
}

/**
 * Every enabled model of every connection, as a fallback target, plus the current value when it
 * is no longer one of them (a deleted connection, a model disabled since), so it is never dropped silently.
 */
export function fallbackOptions(connections: readonly AgentsConnection[], current: string): SelectOption[] {
  const options: SelectOption[] = connections.flatMap((connection) =>
    connection.models.map((model) => ({
      value: targetValue({ connectionId: connection.id, modelRef: model.providerModelId }),
      label: l10n.t('{0} · {1}', connection.name, model.displayName || model.providerModelId),
      description: connection.providerName,
    })),
  );
  if (current && !options.some((option) => option.value === current)) {
    const target = splitTarget(current);
    options.push({ value: current, label: target?.modelRef ?? current, description: l10n.t('no longer available'), missing: true });
  }
  return options;
}

/**
 * The problem of each fallback row, by its key: none chosen, the agent's own connection and
 * model, or one already above. The host checks again (a deleted connection, a disabled model).
 */
export function validateFallbacks(rows: readonly FallbackRow[], values: Pick<AgentFormValues, 'connectionId' | 'modelRef'>): Map<number, string> {
  const errors = new Map<number, string>();
  const seen = new Set<string>();
  for (const row of rows) {
    if (!row.target) errors.set(row.key, l10n.t('Choose a connection and model, or remove this fallback.'));
    else if (values.connectionId && row.target === targetValue({ connectionId: values.connectionId, modelRef: values.modelRef })) {
      errors.set(row.key, l10n.t("This is the agent's own connection and model; choose another."));
    } else if (seen.has(row.target)) errors.set(row.key, l10n.t('This connection and model is already in the list.'));
    seen.add(row.target);
  }
  return errors;
}

export interface SelectOption {
  value: string;
  label: string;
  description?: string;
  /** The value is kept but no longer offered (a deleted connection, a disabled model). */
  missing?: boolean;
}

/**
 * The models a connection offers, plus the current value when it is not one of them, so it is
 * never silently dropped. `ofDefault`: they are the default connection's (an agent without a
 * connection of its own), and each says so.
 */
export function modelOptions(connection: AgentsConnection | undefined, current: string, ofDefault = false): SelectOption[] {
  const options: SelectOption[] = (connection?.models ?? []).map((model) => {
    const id = model.displayName && model.displayName !== model.providerModelId ? model.providerModelId : undefined;
    const description = ofDefault ? [id, l10n.t('default connection ({0})', connection!.name)].filter(Boolean).join(' · ') : id;
    return { value: model.providerModelId, label: model.displayName || model.providerModelId, description };
  });
  if (current && !options.some((option) => option.value === current)) {
    options.push({ value: current, label: current, description: l10n.t('not enabled in the registry'), missing: true });
  }
  return options;
}

/** The connections to choose from, plus the current one when it has been deleted. */
export function connectionOptions(connections: readonly AgentsConnection[], current: string, defaultConnectionId = ''): SelectOption[] {
  const options: SelectOption[] = connections.map((connection) => ({
    value: connection.id,
    label: connection.name,
    description: connection.id === defaultConnectionId ? l10n.t('{0} · default', connection.providerName) : connection.providerName,
  }));
  if (current && !connections.some((connection) => connection.id === current)) {
    options.push({ value: current, label: l10n.t('Deleted connection'), description: l10n.t('choose another'), missing: true });
  }
  return options;
}

/**
 * The connection whose models a form offers: the one chosen, else (for an agent, which may have
 * no connection of its own) the default connection.
 */
export function modelConnection(connections: readonly AgentsConnection[], connectionId: string, defaultConnectionId = ''): AgentsConnection | undefined {
  const id = connectionId || defaultConnectionId;
  return id ? connections.find((candidate) => candidate.id === id) : undefined;
}

/**
 * A new connection chosen in a form: its model stays only if the new connection (for an agent
 * form, '' means the default connection) offers it too.
 */
export function withConnection<T extends { connectionId: string; modelRef: string }>(
  values: T,
  connectionId: string,
  connections: readonly AgentsConnection[],
  defaultConnectionId = '',
): T {
  const connection = modelConnection(connections, connectionId, defaultConnectionId);
  const keepsModel = Boolean(connection?.models.some((model) => model.providerModelId === values.modelRef));
  return { ...values, connectionId, modelRef: keepsModel ? values.modelRef : '' };
}

/** The run panel's values: the input and the optional overrides ('' = none). */
export interface RunFormValues {
  input: string;
  connectionId: string;
  modelRef: string;
}

export function emptyRunValues(input = ''): RunFormValues {
  return { input, connectionId: '', modelRef: '' };
}

/** The reason the run cannot start yet, or undefined. */
export function validateRunForm(values: RunFormValues): string | undefined {
  if (!values.input.trim()) {
    return l10n.t('Type the input for this run.');
  }
  if (values.input.length > RUN_INPUT_LIMIT) {
    return l10n.t('The input has at most {0} characters (now {1}).', formatCount(RUN_INPUT_LIMIT), formatCount(values.input.length));
  }
  return undefined;
}

/** The StartAgentRunRequest of the run panel: empty overrides are left out, so routing falls back to the agent, then the default. */
export function buildRunRequest(agentId: string, values: RunFormValues): StartAgentRunRequest {
  const request: StartAgentRunRequest = { agentId, input: values.input };
  const connectionId = values.connectionId.trim();
  const modelRef = values.modelRef.trim();
  if (connectionId) request.connectionId = connectionId;
  if (modelRef) request.modelRef = modelRef;
  return request;
}

/** Where a run's connection will come from, before it starts, by the routing precedence. */
export interface PlannedConnection {
  connection: AgentsConnection | undefined;
  /** The id the run would use, even when that connection is gone; '' when there is none. */
  connectionId: string;
  source: ConnectionSource | 'none';
}

/** The connection the host will pick for the run (pickConnection), and whether it still exists. */
export function plannedConnection(
  agent: Pick<Agent, 'connectionId' | 'model'> | undefined,
  overrideConnectionId: string,
  connections: readonly AgentsConnection[],
  defaultConnectionId: string,
): PlannedConnection {
  if (agent?.model && !agent.connectionId && !overrideConnectionId) {
    const legacy = pickLegacyConnection(splitLegacyModel(agent.model).providerType, connections, defaultConnectionId);
    return { connectionId: legacy?.id ?? '', source: legacy ? 'legacy' : 'none', connection: legacy };
  }
  const { connectionId, source } = pickConnection({ request: overrideConnectionId, agent: agent?.connectionId, defaultId: defaultConnectionId }) ?? { connectionId: '', source: 'none' };
  return { connectionId, source, connection: connections.find((connection) => connection.id === connectionId) };
}

/** The model a run will use, before it starts, by the routing precedence; '' when none is known. */
export interface PlannedModel {
  modelRef: string;
  source: ModelSource | 'none';
}

/**
 * The model the host will pick for the run on the planned connection (pickModel, with the same
 * registered models the host reads), so the preview names the model the run really gets.
 */
export function plannedModel(
  agent: Pick<Agent, 'connectionId' | 'modelRef' | 'model'> | undefined,
  overrideModelRef: string,
  planned: PlannedConnection,
): PlannedModel {
  if (planned.source === 'legacy' && agent?.model) {
    return overrideModelRef ? { modelRef: overrideModelRef, source: 'request' } : { modelRef: splitLegacyModel(agent.model).modelRef, source: 'legacy' };
  }
  const connection = planned.connection;
  const picked = pickModel({
    request: overrideModelRef,
    agent: agent?.modelRef,
    agentConnectionUsed: planned.source !== 'none' && agentModelApplies(agent?.connectionId, { connectionId: planned.connectionId, source: planned.source }),
    connectionDefault: connection?.defaultModel,
    registered: {
      firstEnabled: connection?.models[0]?.providerModelId,
      isDisabled: (modelRef) => connection?.disabledModels?.includes(modelRef) ?? false,
    },
    providerDefault: connection?.providerDefaultModel,
  });
  return picked ?? { modelRef: '', source: 'none' };
}

/** A model select's empty choice, naming the model routing picks without one: `llama3.2:latest (connection's first enabled model)`. */
export function defaultModelLabel(model: PlannedModel): string {
  return model.source === 'none' ? l10n.t("Connection's default model") : l10n.t('{0} ({1})', model.modelRef, modelSourceLabel(model.source));
}

/**
 * Rows that fit the text, between `min` and `max`; past `max` the area scrolls. The area grows
 * instead of offering a resize grip: vscode-textarea draws its grip from a data: image, which
 * the view's CSP (img-src only from the extension) blocks and reports.
 */
export function textAreaRows(value: string, min: number, max: number): number {
  let lines = 1;
  for (let index = value.indexOf('\n'); index !== -1; index = value.indexOf('\n', index + 1)) lines++;
  return Math.min(max, Math.max(min, lines + 1));
}

/**
 * Whether a run that failed for want of a connection should offer "Choose default connection":
 * only when no default is set, or the one set no longer exists. With a usable default, the run
 * failed because its agent names a deleted connection, and the fix is to edit the agent.
 */
export function needsDefaultConnection(connections: readonly { id: string }[], defaultConnectionId: string): boolean {
  return !defaultConnectionId || !connections.some((connection) => connection.id === defaultConnectionId);
}
