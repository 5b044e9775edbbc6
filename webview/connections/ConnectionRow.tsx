import type { ComponentChildren } from 'preact';
import type { Connection, ConnectionStatus, TestResult } from '../../src/contracts/connections';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { CUSTOM_HEADERS_FIELD } from '../../src/contracts/vocabulary';
import { MessageLine, type RowMessage } from '../shared/messages';
import { RowAction } from '../shared/RowAction';
import { keyRequirement } from './formModel';
import { formatKeyHint, formatLatency, formatRelativeTime, providerName, statusIcon, statusLabel } from './format';

/** What the view knows about a row beyond the snapshot: work in progress and its outcome. */
export interface RowState {
  testing?: boolean;
  /** Set key, Set default or Delete is waiting for the host. */
  busy?: boolean;
  /** The last message for this row, shown inline under it. */
  message?: RowMessage;
  /** The last test reply, shown until the next snapshot brings the stored result. */
  tested?: TestResult & { at: string };
}

interface ConnectionRowProps {
  connection: Connection;
  /** Undefined when the provider is not registered any more. */
  descriptor: ProviderDescriptor | undefined;
  /** The host says the provider's extension is gone: the connection stays but runs on it are refused. */
  providerUnavailable: boolean;
  providers: readonly ProviderDescriptor[];
  isDefault: boolean;
  state: RowState;
  now: number;
  editing: boolean;
  editForm: ComponentChildren;
  /** How many registered models the connection has. */
  modelCount: number;
  /** Whether the model panel (discovery, add by id) is open under the row. */
  discovering: boolean;
  discoveryPanel: ComponentChildren;
  onTest(): void;
  onDiscover(): void;
  onEdit(): void;
  onSetKey(): void;
  onAddCredentialHeader(): void;
  onRemoveCredentialHeader(name: string): void;
  onSetDefault(): void;
  onDelete(): void;
}

export function ConnectionRow(props: ConnectionRowProps) {
  const { connection, descriptor, isDefault, state, now, editing } = props;
  const status: ConnectionStatus = state.tested?.status ?? connection.status;
  const latency = formatLatency(state.tested?.latencyMs ?? connection.lastLatencyMs);
  const validatedAt = state.tested?.at ?? connection.lastValidatedAt;
  const takesKey = descriptor === undefined || keyRequirement(descriptor) !== 'none';
  const testable = descriptor === undefined || descriptor.capabilities.test;
  const takesHeaders = descriptor?.fields.some((field) => field.key === CUSTOM_HEADERS_FIELD) ?? false;
  // The stored reason of a failed test stays visible until something newer replaces it; a
  // running test hides it, since its own result is about to replace it.
  const message: RowMessage | undefined = state.testing
    ? undefined
    : (state.message ?? (status === 'invalid' && connection.lastTestMessage ? { kind: 'error', text: connection.lastTestMessage } : undefined));
  const name = connection.name;

  return (
    <li
      class={`connection-row${editing ? ' editing' : ''}`}
      data-testid="connection-row"
      data-connection-id={connection.id}
      aria-busy={state.testing || state.busy ? 'true' : 'false'}
    >
      <div class="row-head">
        <span class="connection-name" data-testid="connection-name" title={name}>
          {name}
        </span>
        {isDefault && (
          <vscode-badge class="default-marker" data-testid="default-marker" title="Runs use this connection when neither the request nor the agent names one.">
            default
          </vscode-badge>
        )}
        {!editing && (
          <div class="row-actions" role="toolbar" aria-label={`Actions for ${name}`}>
            <RowAction
              testId="test-button"
              icon="play"
              label={`Test ${name}`}
              title={testable ? 'Test connection' : 'This provider cannot be tested'}
              disabled={state.testing || !testable}
              onClick={props.onTest}
            />
            <RowAction
              testId="discover-button"
              icon="search"
              label={`Discover models of ${name}`}
              title={descriptor?.capabilities.discovery === false ? 'Add models by id' : 'Discover models'}
              disabled={!descriptor}
              expanded={props.discovering}
              onClick={props.onDiscover}
            />
            <RowAction testId="edit-button" icon="edit" label={`Edit ${name}`} title="Edit" disabled={!descriptor} onClick={props.onEdit} />
            {takesKey && (
              <RowAction
                testId="set-key-button"
                icon="key"
                label={connection.keyHint ? `Replace the key of ${name}` : `Set key for ${name}`}
                title={connection.keyHint ? 'Replace key (tested first)' : 'Set key'}
                disabled={state.busy}
                onClick={props.onSetKey}
              />
            )}
            {takesHeaders && (
              <RowAction
                testId="add-credential-header-button"
                icon="lock"
                label={`Add a credential header to ${name}`}
                title="Add credential header (kept in SecretStorage)"
                disabled={state.busy}
                onClick={props.onAddCredentialHeader}
              />
            )}
            <RowAction
              testId="set-default-button"
              icon={isDefault ? 'star-full' : 'star-empty'}
              label={isDefault ? `${name} is the default connection` : `Make ${name} the default connection`}
              title={isDefault ? 'Default connection' : 'Set as default'}
              disabled={isDefault || state.busy}
              onClick={props.onSetDefault}
            />
            <RowAction testId="delete-button" icon="trash" label={`Delete ${name}`} title="Delete" disabled={state.busy} onClick={props.onDelete} />
          </div>
        )}
      </div>

      <div class="row-details">
        <span class="connection-provider" data-testid="connection-provider">
          {providerName(props.providers, connection.providerId)}
        </span>
        {props.providerUnavailable && (
          <span
            class="connection-unavailable"
            data-testid="provider-unavailable"
            title="The extension that contributes this provider is not installed, enabled or registered now. Runs on this connection are refused until it is back."
          >
            <vscode-icon name="debug-disconnect" class="status-icon" /> provider unavailable
          </span>
        )}
        <span class={`connection-status status-${status}`} data-testid="connection-status" data-status={status} role="status">
          {state.testing ? (
            <vscode-progress-ring class="inline-progress" data-testid="test-progress" aria-label={`Testing ${name}`} />
          ) : (
            <vscode-icon name={statusIcon(status)} class="status-icon" />
          )}
          <span class="status-text">{state.testing ? `${statusLabel(status)} · testing…` : statusLabel(status)}</span>
        </span>
      </div>
      <div class="row-details secondary">
        <span data-testid="connection-last-validated" title={validatedAt}>
          {validatedAt ? `Validated ${formatRelativeTime(validatedAt, now)}` : 'Never validated'}
        </span>
        {latency && (
          <span data-testid="connection-latency" title="Latency of the last test">
            {latency}
          </span>
        )}
        <span data-testid="connection-model-count" title="Registered models (Models tab)">
          {props.modelCount === 1 ? '1 model' : `${props.modelCount.toLocaleString('en')} models`}
        </span>
        <span data-testid="connection-key-hint" class={connection.keyHint ? 'key-hint' : 'key-hint missing'}>
          <vscode-icon name="key" class="detail-icon" /> {takesKey || connection.keyHint ? formatKeyHint(connection.keyHint) : 'no key needed'}
        </span>
        {connection.credentialHeaders?.map((header) => (
          <span key={header.name} class="key-hint" data-testid="credential-header" title="A credential header, kept in SecretStorage">
            <vscode-icon name="lock" class="detail-icon" /> {header.name}: {header.hint}
            <RowAction
              testId="remove-credential-header-button"
              icon="close"
              label={`Remove the credential header ${header.name} of ${name}`}
              title="Remove"
              disabled={state.busy}
              onClick={() => props.onRemoveCredentialHeader(header.name)}
            />
          </span>
        ))}
        {(connection.keyHint || connection.credentialHeaders?.length) && connection.allowInsecureKey && (
          <span data-testid="connection-insecure" class="insecure" title="You allowed this connection's key to be sent over plain http:// to another machine, unencrypted. Use an https:// address to end that.">
            <vscode-icon name="unlock" class="detail-icon" /> key sent unencrypted
          </span>
        )}
      </div>

      {message && !editing && <MessageLine message={message} testId="row-message" />}

      {props.discovering && !editing && props.discoveryPanel}

      {editing && props.editForm}
    </li>
  );
}
