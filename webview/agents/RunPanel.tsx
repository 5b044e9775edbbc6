import * as l10n from '@vscode/l10n';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent } from '../../src/contracts/agents';
import type { AgentsConnection } from '../../src/contracts/agentsView';
import { errorMessage } from '../shared/errors';
import { FormActions, FormError, FormPanel } from '../shared/fields';
import { buildRunRequest, connectionOptions, defaultModelLabel, modelOptions, plannedConnection, plannedModel, validateRunForm, withConnection, type RunFormValues } from './agentModel';
import type { AgentsClient } from './client';
import { SelectField, TextAreaField } from './fields';
import { DELETED_CONNECTION, modelSourceLabel } from './format';

interface RunPanelProps {
  client: AgentsClient;
  agent: Agent;
  connections: readonly AgentsConnection[];
  defaultConnectionId: string;
  values: RunFormValues;
  /** The runs still queued or running: "Run started" stays only while the run it names is one of them. */
  activeRunIds: readonly string[];
  onValues(values: RunFormValues): void;
  onClose(): void;
  onStarted(runId: string): void;
}

/** Where the run will go when it has no override, in words. */
function plannedRoute(agent: Agent, connections: readonly AgentsConnection[], defaultConnectionId: string): string {
  const planned = plannedConnection(agent, '', connections, defaultConnectionId);
  const name = planned.connection?.name ?? DELETED_CONNECTION;
  // Without a known model the sentence names none: the run then fails and says why.
  const model = plannedModel(agent, '', planned);
  const modelSource = model.source === 'none' ? undefined : modelSourceLabel(model.source);
  const known = modelSource !== undefined;
  switch (planned.source) {
    case 'agent':
      return known
        ? l10n.t("Without an override this run uses the agent's connection, “{0}” with {1} ({2}).", name, model.modelRef, modelSource)
        : l10n.t("Without an override this run uses the agent's connection, “{0}”.", name);
    case 'default':
      return known
        ? l10n.t('Without an override this run uses the default connection, “{0}” with {1} ({2}).', name, model.modelRef, modelSource)
        : l10n.t('Without an override this run uses the default connection, “{0}”.', name);
    case 'legacy':
      return l10n.t("Without an override this run uses “{0}”, picked by the agent's legacy model string {1}.", name, agent.model ?? '');
    default:
      return agent.model && !agent.connectionId
        ? l10n.t("No connection can run the agent's legacy model string {0}: choose one here, or the run fails.", agent.model)
        : l10n.t('Neither the agent nor the settings name a connection: choose one here, or the run fails.');
  }
}

/** Runs an agent on an input, optionally on another connection or model than its own. */
export function RunPanel({ client, agent, connections, defaultConnectionId, values, activeRunIds, onValues, onClose, onStarted }: RunPanelProps) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [started, setStarted] = useState<string | undefined>(undefined);
  const panelRef = useRef<HTMLFormElement>(null);
  const formId = `run-${agent.id}`;

  useEffect(() => {
    panelRef.current?.querySelector<HTMLElement>('[data-testid="run-input"]')?.focus();
  }, [agent.id]);

  // The model list follows the connection the run will use: the override, else the agent's, else the default.
  const planned = plannedConnection(agent, values.connectionId, connections, defaultConnectionId);
  const models = modelOptions(planned.connection, values.modelRef);

  const start = async () => {
    if (starting) return;
    const problem = validateRunForm(values);
    setError(problem);
    setStarted(undefined);
    if (problem) {
      panelRef.current?.querySelector<HTMLElement>('[data-testid="run-input"]')?.focus();
      return;
    }
    setStarting(true);
    try {
      const { runId } = await client.request('startRun', { request: buildRunRequest(agent.id, values) });
      setStarted(runId);
      onStarted(runId);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setStarting(false);
    }
  };

  let modelHelp: string;
  if (!planned.connectionId) {
    modelHelp = l10n.t('Choose a connection to pick one of its models.');
  } else if (!planned.connection) {
    modelHelp = l10n.t('That connection was deleted; choose another one.');
  } else if (planned.connection.models.length === 0) {
    modelHelp = l10n.t('No model of “{0}” is enabled in the registry.', planned.connection.name);
  } else {
    modelHelp = l10n.t('Models enabled for “{0}”.', planned.connection.name);
  }

  return (
    <FormPanel
      formRef={panelRef}
      class="run-panel"
      testId="run-panel"
      label={l10n.t('Run {0}', agent.name)}
      heading={l10n.t('Run “{0}”', agent.name)}
      onSubmit={() => void start()}
      onCancel={onClose}
      submitOnCtrlEnter
    >
      <TextAreaField
        id={`${formId}-input`}
        testId="run-input"
        label={l10n.t('Input')}
        required
        rows={4}
        value={values.input}
        placeholder={l10n.t('What should the agent work on?')}
        description={l10n.t('Ctrl+Enter runs it.')}
        errorTestId="field-error-run-input"
        onInput={(input) => {
          onValues({ ...values, input });
          if (error) setError(undefined);
          setStarted(undefined);
        }}
      />

      <div class="run-overrides">
        <SelectField
          id={`${formId}-connection`}
          testId="run-connection"
          label={l10n.t('Connection')}
          value={values.connectionId}
          emptyLabel={l10n.t("Agent's or default connection")}
          options={connectionOptions(connections, values.connectionId, defaultConnectionId)}
          description={values.connectionId ? l10n.t('This run only: the agent keeps its own connection.') : plannedRoute(agent, connections, defaultConnectionId)}
          errorTestId="field-error-run-connection"
          onChange={(connectionId) => onValues(withConnection(values, connectionId, connections))}
        />
        <SelectField
          key={`run-model-${planned.connectionId}`}
          id={`${formId}-model`}
          testId="run-model"
          label={l10n.t('Model')}
          value={values.modelRef}
          emptyLabel={defaultModelLabel(plannedModel(agent, '', planned))}
          options={models}
          disabled={!planned.connectionId}
          description={modelHelp}
          errorTestId="field-error-run-model"
          onChange={(modelRef) => onValues({ ...values, modelRef })}
        />
      </div>

      {error && <FormError testId="run-panel-error" text={error} />}
      {started && !error && activeRunIds.includes(started) && (
        <p class="run-started" data-testid="run-started" role="status">
          <vscode-icon name="info" class="message-icon" />
          <span>{l10n.t('Run started; its progress and output are under Runs.')}</span>
        </p>
      )}

      <FormActions
        busy={starting}
        submitLabel={l10n.t('Run')}
        busyLabel={l10n.t('Starting…')}
        submitTestId="start-run-button"
        submitIcon="play"
        cancelLabel={l10n.t('Close')}
        cancelTestId="close-run-panel-button"
        onCancel={onClose}
      />
    </FormPanel>
  );
}
