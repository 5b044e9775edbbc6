import * as l10n from '@vscode/l10n';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { errorMessage } from '../shared/errors';
import { formatCount } from '../shared/locale';
import { FormActions, FormError, FormPanel, TextField } from '../shared/fields';
import {
  AGENT_LIMITS,
  agentFormValues,
  buildAgentInput,
  connectionOptions,
  defaultModelLabel,
  fallbackOptions,
  fallbackRows,
  MAX_FALLBACKS,
  modelConnection,
  modelOptions,
  plannedConnection,
  plannedModel,
  summarizeAgentErrors,
  validateAgentForm,
  validateFallbacks,
  withConnection,
  type FallbackRow,
  type AgentFieldErrors,
  type AgentFieldKey,
  type AgentFormValues,
} from './agentModel';
import type { AgentsClient } from './client';
import { SelectField, TextAreaField } from './fields';
import { connectionName } from './format';

interface AgentFormProps {
  client: AgentsClient;
  connections: readonly AgentsConnection[];
  defaultConnectionId: string;
  /** The agent being edited; undefined for a new one. */
  agent?: Agent;
  onCancel(): void;
  onSaved(agent: Agent): void;
}

/** Field keys in the order of the form, for the test ids (`field-agent-<key>`). */
const TEST_KEYS: Record<AgentFieldKey, string> = {
  name: 'agent-name',
  role: 'agent-role',
  connectionId: 'agent-connection',
  modelRef: 'agent-model',
  reasoning: 'agent-reasoning',
  soul: 'agent-soul',
  guardrails: 'agent-guardrails',
};

/** Create and edit: who the agent is, where it runs, how it speaks and what it must not do. */
export function AgentForm({ client, connections, defaultConnectionId, agent, onCancel, onSaved }: AgentFormProps) {
  const editing = agent !== undefined;
  const [values, setValues] = useState<AgentFormValues>(() => agentFormValues(agent));
  const [errors, setErrors] = useState<AgentFieldErrors>({});
  const [fallbacks, setFallbacks] = useState<FallbackRow[]>(() => fallbackRows(agent));
  const [fallbackErrors, setFallbackErrors] = useState<Map<number, string>>(new Map());
  const nextKey = useRef(fallbacks.length);
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const formId = editing ? `agent-${agent.id}` : 'agent-new';

  useEffect(() => {
    // Open on the first field so a keyboard user lands in the form.
    formRef.current?.querySelector<HTMLElement>('[data-testid="field-agent-name"]')?.focus();
  }, []);

  const setValue = (key: AgentFieldKey, value: string) => {
    setValues((current) => (key === 'connectionId' ? withConnection(current, value, connections, defaultConnectionId) : { ...current, [key]: value }));
    setErrors((current) => {
      const next = { ...current };
      delete next[key];
      if (key === 'connectionId') delete next.modelRef;
      return next;
    });
  };

  const changeFallbacks = (change: (rows: FallbackRow[]) => FallbackRow[]) => {
    setFallbacks(change);
    setFallbackErrors(new Map());
  };
  const addFallback = () => {
    const key = nextKey.current++;
    changeFallbacks((rows) => [...rows, { key, target: '' }]);
    // The new row's select takes the focus, so a keyboard user goes on choosing.
    setTimeout(() => formRef.current?.querySelector<HTMLElement>(`[data-fallback-key="${key}"] [data-testid^="field-agent-fallback-"]`)?.focus());
  };
  const removeFallback = (key: number) => {
    changeFallbacks((rows) => rows.filter((row) => row.key !== key));
    formRef.current?.querySelector<HTMLElement>('[data-testid="add-fallback-button"]')?.focus();
  };

  const submit = async () => {
    if (saving) return;
    const found = validateAgentForm(values);
    setErrors(found);
    const keys = Object.keys(found) as AgentFieldKey[];
    if (keys.length > 0) {
      setFormError(summarizeAgentErrors(found));
      formRef.current?.querySelector<HTMLElement>(`[data-testid="field-${TEST_KEYS[keys[0]!]}"]`)?.focus();
      return;
    }
    const badFallbacks = validateFallbacks(fallbacks, values);
    setFallbackErrors(badFallbacks);
    if (badFallbacks.size > 0) {
      const [first] = badFallbacks.keys();
      setFormError(badFallbacks.get(first!));
      formRef.current?.querySelector<HTMLElement>(`[data-fallback-key="${first}"] [data-testid^="field-agent-fallback-"]`)?.focus();
      return;
    }
    setFormError(undefined);
    setSaving(true);
    try {
      const input = buildAgentInput(values, fallbacks);
      const saved = editing ? await client.request('updateAgent', { id: agent.id, input }) : await client.request('createAgent', { input });
      setSaving(false);
      onSaved(saved);
    } catch (error) {
      setSaving(false);
      // invalid_input (e.g. a name already taken) and every other failure: under the form, in the host's words.
      setFormError(errorMessage(error));
    }
  };

  // Without a connection of its own, the agent's model is one of the default connection's.
  const connection = modelConnection(connections, values.connectionId, defaultConnectionId);
  const defaultName = defaultConnectionId ? connectionName(connections, defaultConnectionId) : '';
  const models = modelOptions(connection, values.modelRef, !values.connectionId);
  const title = editing ? l10n.t('Edit “{0}”', agent.name) : l10n.t('New agent');

  let modelHelp: string;
  if (!values.connectionId && !defaultConnectionId) {
    modelHelp = l10n.t('Choose a connection, or set a default connection, to pick one of its models.');
  } else if (!connection) {
    modelHelp = values.connectionId ? l10n.t('The chosen connection was deleted; choose another connection.') : l10n.t('The default connection was deleted; choose another connection or default.');
  } else if (connection.models.length === 0) {
    modelHelp = l10n.t("No model of “{0}” is enabled in the registry; runs use the connection's default model.", connection.name);
  } else if (!values.connectionId) {
    modelHelp = l10n.t('Models of the default connection, “{0}”, enabled in the registry; the model applies while runs use the default connection.', connection.name);
  } else {
    modelHelp = l10n.t('Only models enabled in the registry for this connection are offered.');
  }

  return (
    <FormPanel formRef={formRef} class="agent-form" testId="agent-form" label={title} heading={title} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField
        id={`${formId}-name`}
        testId="field-agent-name"
        label={l10n.t('Name')}
        required
        value={values.name}
        placeholder={l10n.t('e.g. Code reviewer')}
        error={errors.name}
        errorTestId="field-error-agent-name"
        onInput={(value) => setValue('name', value)}
      />
      <TextField
        id={`${formId}-role`}
        testId="field-agent-role"
        label={l10n.t('Role')}
        value={values.role}
        placeholder={l10n.t('e.g. Reviews diffs for bugs and unclear names')}
        description={l10n.t('One line on what the agent is for.')}
        error={errors.role}
        errorTestId="field-error-agent-role"
        onInput={(value) => setValue('role', value)}
      />

      <SelectField
        id={`${formId}-connection`}
        testId="field-agent-connection"
        label={l10n.t('Connection')}
        value={values.connectionId}
        emptyLabel={l10n.t('Use the default connection')}
        emptyDescription={defaultName ? l10n.t('now: {0}', defaultName) : l10n.t('none set yet')}
        options={connectionOptions(connections, values.connectionId, defaultConnectionId)}
        description={
          values.connectionId
            ? l10n.t('Runs of this agent use this connection unless a run names another.')
            : defaultName
              ? l10n.t('Runs use the default connection, now “{0}”.', defaultName)
              : l10n.t('No default connection is set yet; runs fail until you choose one or set a default.')
        }
        error={errors.connectionId}
        errorTestId="field-error-agent-connection"
        onChange={(value) => setValue('connectionId', value)}
      />
      <SelectField
        // A new option list for each connection: remounting lets the select read it afresh.
        key={`model-${connection?.id ?? ''}`}
        id={`${formId}-model`}
        testId="field-agent-model"
        label={l10n.t('Model')}
        value={values.modelRef}
        // Names the model runs get without a choice here: the connection's default, else its first registered one.
        emptyLabel={defaultModelLabel(plannedModel({ connectionId: values.connectionId || undefined }, '', plannedConnection({ connectionId: values.connectionId || undefined }, '', connections, defaultConnectionId)))}
        options={models}
        disabled={!connection}
        description={modelHelp}
        error={errors.modelRef}
        errorTestId="field-error-agent-model"
        onChange={(value) => setValue('modelRef', value)}
      />
      <TextField
        id={`${formId}-reasoning`}
        testId="field-agent-reasoning"
        label={l10n.t('Reasoning')}
        value={values.reasoning}
        placeholder={l10n.t("the model's own setting")}
        description={l10n.t('Over the model\'s setting, for this agent\'s model only: low, medium or high (OpenAI, Azure, Ollama), or a thinking budget in tokens (Anthropic, Gemini).')}
        error={errors.reasoning}
        errorTestId="field-error-agent-reasoning"
        onInput={(value) => setValue('reasoning', value)}
      />

      <fieldset class="agent-fallbacks" data-testid="agent-fallbacks">
        <legend>{l10n.t('Fallbacks')}</legend>
        <p class="agent-fallbacks-help">
          {l10n.t('Where a call goes, in order, when the connection above fails before answering with a limit (429), a server error (5xx) or no answer in time. A rejected key or a bad request does not fall over, and an answer already streaming is never sent again elsewhere.')}
        </p>
        {fallbacks.map((row, index) => (
          <div class="fallback-row" key={row.key} data-fallback-key={row.key} data-testid="fallback-row">
            <SelectField
              id={`${formId}-fallback-${row.key}`}
              testId={`field-agent-fallback-${index}`}
              label={l10n.t('Fallback {0}', index + 1)}
              value={row.target}
              emptyLabel={l10n.t('Choose a connection and model')}
              options={fallbackOptions(connections, row.target)}
              error={fallbackErrors.get(row.key)}
              errorTestId={`field-error-agent-fallback-${index}`}
              onChange={(target) => changeFallbacks((rows) => rows.map((r) => (r.key === row.key ? { ...r, target } : r)))}
            />
            <vscode-button secondary type="button" class="fallback-remove" data-testid={`remove-fallback-${index}`} aria-label={l10n.t('Remove fallback {0}', index + 1)} onClick={() => removeFallback(row.key)}>
              {l10n.t('Remove')}
            </vscode-button>
          </div>
        ))}
        <vscode-button secondary type="button" data-testid="add-fallback-button" icon="add" disabled={fallbacks.length >= MAX_FALLBACKS} onClick={addFallback}>
          {fallbacks.length >= MAX_FALLBACKS ? l10n.t('At most {0} fallbacks', MAX_FALLBACKS) : l10n.t('Add fallback')}
        </vscode-button>
      </fieldset>

      <TextAreaField
        id={`${formId}-soul`}
        testId="field-agent-soul"
        label={l10n.t('Soul')}
        value={values.soul}
        rows={6}
        placeholder={l10n.t('The system prompt: who the agent is and how it answers.')}
        description={l10n.t('The system prompt, sent as typed. Up to {0} characters.', formatCount(AGENT_LIMITS.soul))}
        error={errors.soul}
        errorTestId="field-error-agent-soul"
        onInput={(value) => setValue('soul', value)}
      />
      <TextAreaField
        id={`${formId}-guardrails`}
        testId="field-agent-guardrails"
        label={l10n.t('Guardrails')}
        value={values.guardrails}
        rows={4}
        placeholder={l10n.t('What the agent must not do, e.g. never invent file paths.')}
        description={l10n.t('Rules added to the system prompt after the soul.')}
        error={errors.guardrails}
        errorTestId="field-error-agent-guardrails"
        onInput={(value) => setValue('guardrails', value)}
      />

      {formError && <FormError testId="agent-form-error" text={formError} />}

      <FormActions
        busy={saving}
        submitLabel={editing ? l10n.t('Save changes') : l10n.t('Create agent')}
        busyLabel={l10n.t('Saving…')}
        submitTestId="save-agent-button"
        cancelLabel={l10n.t('Cancel')}
        cancelTestId="cancel-agent-button"
        onCancel={onCancel}
      />
    </FormPanel>
  );
}
