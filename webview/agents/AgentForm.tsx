import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { errorMessage } from '../shared/errors';
import { FormError, FormPanel, TextField } from '../shared/fields';
import {
  AGENT_LIMITS,
  agentFormValues,
  buildAgentInput,
  connectionOptions,
  modelConnection,
  modelOptions,
  summarizeAgentErrors,
  validateAgentForm,
  withConnection,
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
  soul: 'agent-soul',
  guardrails: 'agent-guardrails',
};

/** Create and edit: who the agent is, where it runs, how it speaks and what it must not do. */
export function AgentForm({ client, connections, defaultConnectionId, agent, onCancel, onSaved }: AgentFormProps) {
  const editing = agent !== undefined;
  const [values, setValues] = useState<AgentFormValues>(() => agentFormValues(agent));
  const [errors, setErrors] = useState<AgentFieldErrors>({});
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
    setFormError(undefined);
    setSaving(true);
    try {
      const input = buildAgentInput(values);
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
  const title = editing ? `Edit “${agent.name}”` : 'New agent';

  let modelHelp: string;
  if (!values.connectionId && !defaultConnectionId) {
    modelHelp = 'Choose a connection, or set a default connection, to pick one of its models.';
  } else if (!connection) {
    modelHelp = values.connectionId ? 'The chosen connection was deleted; choose another connection.' : 'The default connection was deleted; choose another connection or default.';
  } else if (connection.models.length === 0) {
    modelHelp = `No model of “${connection.name}” is enabled in the registry; runs use the connection's default model.`;
  } else if (!values.connectionId) {
    modelHelp = `Models of the default connection, “${connection.name}”, enabled in the registry; the model applies while runs use the default connection.`;
  } else {
    modelHelp = 'Only models enabled in the registry for this connection are offered.';
  }

  return (
    <FormPanel formRef={formRef} class="agent-form" testId="agent-form" label={title} heading={title} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField
        id={`${formId}-name`}
        testId="field-agent-name"
        label="Name"
        required
        value={values.name}
        placeholder="e.g. Code reviewer"
        error={errors.name}
        errorTestId="field-error-agent-name"
        onInput={(value) => setValue('name', value)}
      />
      <TextField
        id={`${formId}-role`}
        testId="field-agent-role"
        label="Role"
        value={values.role}
        placeholder="e.g. Reviews diffs for bugs and unclear names"
        description="One line on what the agent is for."
        error={errors.role}
        errorTestId="field-error-agent-role"
        onInput={(value) => setValue('role', value)}
      />

      <SelectField
        id={`${formId}-connection`}
        testId="field-agent-connection"
        label="Connection"
        value={values.connectionId}
        emptyLabel="Use the default connection"
        emptyDescription={defaultName ? `now: ${defaultName}` : 'none set yet'}
        options={connectionOptions(connections, values.connectionId, defaultConnectionId)}
        description={
          values.connectionId
            ? 'Runs of this agent use this connection unless a run names another.'
            : defaultName
              ? `Runs use the default connection, now “${defaultName}”.`
              : 'No default connection is set yet; runs fail until you choose one or set a default.'
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
        label="Model"
        value={values.modelRef}
        emptyLabel="Connection's default model"
        options={models}
        disabled={!connection}
        description={modelHelp}
        error={errors.modelRef}
        errorTestId="field-error-agent-model"
        onChange={(value) => setValue('modelRef', value)}
      />

      <TextAreaField
        id={`${formId}-soul`}
        testId="field-agent-soul"
        label="Soul"
        value={values.soul}
        rows={6}
        placeholder="The system prompt: who the agent is and how it answers."
        description={`The system prompt, sent as typed. Up to ${AGENT_LIMITS.soul.toLocaleString('en')} characters.`}
        error={errors.soul}
        errorTestId="field-error-agent-soul"
        onInput={(value) => setValue('soul', value)}
      />
      <TextAreaField
        id={`${formId}-guardrails`}
        testId="field-agent-guardrails"
        label="Guardrails"
        value={values.guardrails}
        rows={4}
        placeholder="What the agent must not do, e.g. never invent file paths."
        description="Rules added to the system prompt after the soul."
        error={errors.guardrails}
        errorTestId="field-error-agent-guardrails"
        onInput={(value) => setValue('guardrails', value)}
      />

      {formError && <FormError testId="agent-form-error" text={formError} />}

      <div class="form-actions">
        <vscode-button type="submit" data-testid="save-agent-button" aria-disabled={saving ? 'true' : undefined} icon={saving ? 'loading' : ''} iconSpin={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Create agent'}
        </vscode-button>
        <vscode-button secondary type="button" data-testid="cancel-agent-button" disabled={saving} onClick={onCancel}>
          Cancel
        </vscode-button>
      </div>
    </FormPanel>
  );
}
