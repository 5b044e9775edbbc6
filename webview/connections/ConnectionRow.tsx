import * as l10n from '@vscode/l10n';
import type { ComponentChildren } from 'preact';
import type { Connection, ConnectionStatus, TestResult } from '../../src/contracts/connections';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { CUSTOM_HEADERS_FIELD } from '../../src/contracts/vocabulary';
import { MessageLine, type RowMessage } from '../shared/messages';
import { RowAction } from '../shared/RowAction';
import { keyRequirement } from './formModel';
import { formatCooldownEnd, formatKeyHint, formatLatency, formatRelativeTime, providerName, statusIcon, statusLabel } from './format';
import { modelCount } from './modelFormat';

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
  /** Its models in a cool-down after repeated failures, each with when it ends. */
  coolingDown?: readonly { modelRef: string; until: string }[];
  /** How many registered models the connection has. */
  modelCount: number;
  /** Whether the model panel (discovery, add by id) is open under the row. */
  discovering: boolean;
  discoveryPanel: ComponentChildren;
  /** The connection's standing permissions, each revocable (StandingPermissions). */
  permissions: ComponentChildren;
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
  const cooling = (props.coolingDown ?? []).filter((target) => Date.parse(target.until) > now);
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
  // A connection that works but has no model in the registry yet: its models are one click away.
  const offerDiscovery = status === 'valid' && props.modelCount === 0 && descriptor?.capabilities.discovery && !props.discovering && !editing;

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
          <vscode-badge class="default-marker" data-testid="default-marker" title={l10n.t('Runs use this connection when neither the request nor the agent names one.')}>
            {l10n.t('default')}
          </vscode-badge>
        )}
        {!editing && (
          <div class="row-actions" role="toolbar" aria-label={l10n.t('Actions for {0}', name)}>
            <RowAction
              testId="test-button"
              icon="play"
              label={l10n.t('Test {0}', name)}
              title={testable ? l10n.t('Test connection') : l10n.t('This provider cannot be tested')}
              disabled={state.testing || !testable}
              onClick={props.onTest}
            />
            <RowAction
              testId="discover-button"
              icon="search"
              label={l10n.t('Discover models of {0}', name)}
              title={descriptor?.capabilities.discovery === false ? l10n.t('Add models by id') : l10n.t('Discover models')}
              disabled={!descriptor}
              expanded={props.discovering}
              onClick={props.onDiscover}
            />
            <RowAction testId="edit-button" icon="edit" label={l10n.t('Edit {0}', name)} title={l10n.t('Edit')} disabled={!descriptor} onClick={props.onEdit} />
            {takesKey && (
              <RowAction
                testId="set-key-button"
                icon="key"
                label={connection.keyHint ? l10n.t('Replace the key of {0}', name) : l10n.t('Set key for {0}', name)}
                title={connection.keyHint ? l10n.t('Replace key (tested first)') : l10n.t('Set key')}
                disabled={state.busy}
                onClick={props.onSetKey}
              />
            )}
            {takesHeaders && (
              <RowAction
                testId="add-credential-header-button"
                icon="lock"
                label={l10n.t('Add a credential header to {0}', name)}
                title={l10n.t('Add credential header (kept in SecretStorage)')}
                disabled={state.busy}
                onClick={props.onAddCredentialHeader}
              />
            )}
            <RowAction
              testId="set-default-button"
              icon={isDefault ? 'star-full' : 'star-empty'}
              label={isDefault ? l10n.t('{0} is the default connection', name) : l10n.t('Make {0} the default connection', name)}
              title={isDefault ? l10n.t('Default connection') : l10n.t('Set as default')}
              disabled={isDefault || state.busy}
              onClick={props.onSetDefault}
            />
            <RowAction testId="delete-button" icon="trash" label={l10n.t('Delete {0}', name)} title={l10n.t('Delete')} disabled={state.busy} onClick={props.onDelete} />
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
            title={l10n.t('The extension that contributes this provider is not installed, enabled or registered now. Runs on this connection are refused until it is back.')}
          >
            <vscode-icon name="debug-disconnect" class="status-icon" /> {l10n.t('provider unavailable')}
          </span>
        )}
        <span class={`connection-status status-${status}`} data-testid="connection-status" data-status={status} role="status">
          {state.testing ? (
            <vscode-progress-ring class="inline-progress" data-testid="test-progress" aria-label={l10n.t('Testing {0}', name)} />
          ) : (
            <vscode-icon name={statusIcon(status)} class="status-icon" />
          )}
          <span class="status-text">{state.testing ? l10n.t('{0} · testing…', statusLabel(status)) : statusLabel(status)}</span>
        </span>
      </div>
      <div class="row-details secondary">
        <span data-testid="connection-last-validated" title={validatedAt}>
          {validatedAt ? l10n.t('Validated {0}', formatRelativeTime(validatedAt, now)) : l10n.t('Never validated')}
        </span>
        {latency && (
          <span data-testid="connection-latency" title={l10n.t('Latency of the last test')}>
            {latency}
          </span>
        )}
        <span data-testid="connection-model-count" title={l10n.t('Registered models (Models tab)')}>
          {modelCount(props.modelCount)}
        </span>
        <span data-testid="connection-key-hint" class={connection.keyHint ? 'key-hint' : 'key-hint missing'}>
          <vscode-icon name="key" class="detail-icon" /> {takesKey || connection.keyHint ? formatKeyHint(connection.keyHint) : l10n.t('no key needed')}
        </span>
        {connection.credentialHeaders?.map((header) => (
          <span key={header.name} class="key-hint" data-testid="credential-header" title={l10n.t('A credential header, kept in SecretStorage')}>
            <vscode-icon name="lock" class="detail-icon" /> {header.name}: {header.hint}
            <RowAction
              testId="remove-credential-header-button"
              icon="close"
              label={l10n.t('Remove the credential header {0} of {1}', header.name, name)}
              title={l10n.t('Remove')}
              disabled={state.busy}
              onClick={() => props.onRemoveCredentialHeader(header.name)}
            />
          </span>
        ))}
        {cooling.map((target) => (
          <span
            key={target.modelRef}
            class="connection-cooldown"
            data-testid="connection-cooldown"
            title={l10n.t('Calls that have a fallback skip this model after repeated failures (switchboard.cooldown.*) until the time shown, or until it answers again.')}
          >
            <vscode-icon name="debug-pause" class="detail-icon" /> {l10n.t('{0} cooling down until {1}', target.modelRef, formatCooldownEnd(target.until))}
          </span>
        ))}
        {(connection.keyHint || connection.credentialHeaders?.length) && connection.allowInsecureKey && (
          <span data-testid="connection-insecure" class="insecure" title={l10n.t("You allowed this connection's key to be sent over plain http:// to another machine, unencrypted. Use an https:// address to end that.")}>
            <vscode-icon name="unlock" class="detail-icon" /> {l10n.t('key sent unencrypted')}
          </span>
        )}
      </div>

      {!editing && props.permissions}

      {message && !editing && <MessageLine message={message} testId="row-message" />}

      {offerDiscovery && (
        <div class="row-offer" data-testid="discovery-offer">
          <span>{l10n.t('No model of {0} is in the registry yet.', name)}</span>
          <vscode-button secondary icon="search" data-testid="offer-discover-button" onClick={props.onDiscover}>
            {l10n.t('Discover models')}
          </vscode-button>
        </div>
      )}

      {props.discovering && !editing && props.discoveryPanel}

      {editing && props.editForm}
    </li>
  );
}
