import * as l10n from '@vscode/l10n';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Connection } from '../../src/contracts/connections';
import type { RegisteredModel } from '../../src/contracts/models';
import type { ProviderDescriptor, ProviderField } from '../../src/contracts/providers';
import { errorMessage } from '../shared/errors';
import { FormActions, FormError, FormField, FormPanel, Select, TextField } from '../shared/fields';
import { WithStrong } from '../shared/messages';
import type { ConnectionsClient } from './client';
import {
  buildConnectionInput,
  buildConnectionPatch,
  DEFAULT_MODEL_KEY,
  hasDefaultModelField,
  initialValues,
  inputFields,
  keyRequirement,
  NAME_KEY,
  secretFields,
  summarizeErrors,
  validateForm,
  type FieldErrors,
  type FormValues,
} from './formModel';

export type FormMode = { kind: 'add' } | { kind: 'edit'; connectionId: string };

interface ConnectionFormProps {
  client: ConnectionsClient;
  providers: readonly ProviderDescriptor[];
  mode: FormMode;
  /** The connection being edited (edit mode only). */
  connection?: Connection;
  /** Its registered models (edit mode only): the default model is one of them. */
  models?: readonly RegisteredModel[];
  onCancel(): void;
  onSaved(connection: Connection): void;
}

/** A descriptor field's ids in this form: its control's, and `field-<key>` / `field-error-<key>` for tests. */
function fieldIds(formId: string, key: string) {
  return { id: `${formId}-${key}`, testId: `field-${key}`, errorTestId: `field-error-${key}` };
}


interface DefaultModelSelectProps {
  formId: string;
  models: readonly RegisteredModel[];
  value: string;
  /** What the provider uses when the connection names no model. */
  providerDefault: string | undefined;
  onChange(value: string): void;
}

/**
 * The connection's default model, chosen from its registered models, or none. A value set
 * before the registry existed (or through the API) stays selectable, marked as not registered.
 */
function DefaultModelSelect({ formId, models, value, providerDefault, onChange }: DefaultModelSelectProps) {
  const id = `${formId}-${DEFAULT_MODEL_KEY}`;
  const unregistered = value && !models.some((model) => model.providerModelId === value) ? value : undefined;
  return (
    <div class="form-field">
      <vscode-label htmlFor={id}>{l10n.t('Default model')}</vscode-label>
      <Select
        id={id}
        testId={`field-${DEFAULT_MODEL_KEY}`}
        ariaLabel={l10n.t('Default model')}
        value={value}
        choices={[
          { value: '', label: l10n.t('None'), description: providerDefault ? l10n.t("the provider's default: {0}", providerDefault) : undefined },
          ...(unregistered ? [{ value: unregistered, label: unregistered, description: l10n.t('not registered') }] : []),
          ...models.map((model) => ({
            value: model.providerModelId,
            label: model.providerModelId,
            description: [model.displayName !== model.providerModelId ? model.displayName : '', model.enabled ? '' : l10n.t('disabled')].filter(Boolean).join(' · ') || undefined,
          })),
        ]}
        onChange={onChange}
      />
      <vscode-form-helper class="field-description" data-testid="default-model-help">
        {models.length
          ? l10n.t('Used when neither the run nor the agent names a model.')
          : l10n.t('No registered models yet: use Discover models on this connection, then choose one here.')}
      </vscode-form-helper>
    </div>
  );
}

/** What the form says of the key fields ({0}, shown in bold): the key is never typed here. */
function secretNote(optional: boolean, editing: boolean): string {
  if (editing) return optional ? l10n.t('{0} (optional): use Set key on this connection to change it; keys never pass through this view.') : l10n.t('{0}: use Set key on this connection to change it; keys never pass through this view.');
  return optional ? l10n.t("{0} (optional): You'll enter the key in VS Code's secure input after saving.") : l10n.t("{0}: You'll enter the key in VS Code's secure input after saving.");
}

/** The add and edit form. Its fields come from the chosen provider's descriptor, never from a list of its own. */
export function ConnectionForm({ client, providers, mode, connection, models = [], onCancel, onSaved }: ConnectionFormProps) {
  const editing = mode.kind === 'edit';
  const [providerId, setProviderId] = useState(() => connection?.providerId ?? providers[0]?.id ?? '');
  const descriptor = providers.find((provider) => provider.id === providerId);
  const [values, setValues] = useState<FormValues>(() =>
    descriptor ? initialValues(descriptor, connection) : { name: connection?.name ?? '', fields: {}, defaultModel: '' },
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const formId = editing ? `edit-${mode.connectionId}` : 'add';

  useEffect(() => {
    // Open on the first control so a keyboard user lands in the form.
    const first = formRef.current?.querySelector<HTMLElement>(editing ? '[data-testid="field-name"]' : '[data-testid="provider-select"]');
    first?.focus();
  }, [editing]);

  const chooseProvider = (id: string) => {
    const next = providers.find((provider) => provider.id === id);
    setProviderId(id);
    setErrors({});
    setFormError(undefined);
    if (next) {
      setValues((current) => ({ ...initialValues(next), name: current.name, defaultModel: current.defaultModel }));
    }
  };

  const setValue = (key: string, value: string) => {
    setValues((current) =>
      key === NAME_KEY
        ? { ...current, name: value }
        : key === DEFAULT_MODEL_KEY && descriptor && hasDefaultModelField(descriptor)
          ? { ...current, defaultModel: value }
          : { ...current, fields: { ...current.fields, [key]: value } },
    );
    if (errors[key]) {
      setErrors(({ [key]: _removed, ...rest }) => rest);
    }
  };

  const submit = async () => {
    if (saving || !descriptor) return;
    const found = validateForm(descriptor, values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(summarizeErrors(descriptor, found));
      const firstKey = Object.keys(found)[0];
      formRef.current?.querySelector<HTMLElement>(`[data-testid="field-${firstKey}"]`)?.focus();
      return;
    }
    setFormError(undefined);
    setSaving(true);
    try {
      const saved =
        mode.kind === 'edit'
          ? await client.request('updateConnection', { id: mode.connectionId, patch: buildConnectionPatch(descriptor, values, connection) })
          : await client.request('createConnection', { input: buildConnectionInput(descriptor, values) });
      setSaving(false);
      onSaved(saved);
    } catch (error) {
      setSaving(false);
      // invalid_input and every other failure read the same way: under the form, with the host's words.
      setFormError(errorMessage(error));
    }
  };

  const secrets = descriptor ? secretFields(descriptor) : [];
  const requirement = keyRequirement(descriptor);
  const title = editing ? l10n.t('Edit “{0}”', connection?.name ?? '') : l10n.t('Add connection');

  return (
    <FormPanel formRef={formRef} class="connection-form" testId="connection-form" label={title} heading={title} onSubmit={() => void submit()} onCancel={onCancel}>
      {providers.length === 0 ? (
        <p class="form-hint" data-testid="no-providers">
          {l10n.t('No providers are available. Providers come with Switchboard and with extensions that contribute them.')}
        </p>
      ) : (
        <FormField id={`${formId}-provider`} label={l10n.t('Provider')} description={editing ? l10n.t('The provider of a connection cannot change.') : undefined}>
          <Select
            id={`${formId}-provider`}
            testId="provider-select"
            ariaLabel={l10n.t('Provider')}
            value={providerId}
            disabled={editing}
            title={editing ? l10n.t('The provider of a connection cannot change') : undefined}
            choices={providers.map((provider) => ({
              value: provider.id,
              label: provider.displayName,
              description: provider.source === 'core' ? undefined : l10n.t('from {0}', provider.source),
            }))}
            onChange={chooseProvider}
          />
        </FormField>
      )}

      {editing && !descriptor && (
        <p class="form-error" data-testid="form-error" role="alert">
          {l10n.t('The provider “{0}” is not available any more, so this connection cannot be edited. Is the extension that contributes it installed and enabled?', providerId)}
        </p>
      )}

      {descriptor && (
        <>
          <TextField
            {...fieldIds(formId, NAME_KEY)}
            label={l10n.t('Name')}
            required
            type="text"
            value={values.name}
            placeholder={l10n.t('e.g. {0}', editing ? (connection?.name ?? descriptor.displayName) : descriptor.displayName)}
            error={errors[NAME_KEY]}
            onInput={(value) => setValue(NAME_KEY, value)}
          />
          {inputFields(descriptor).map((field: ProviderField) => (
            <TextField
              key={`${descriptor.id}-${field.key}`}
              {...fieldIds(formId, field.key)}
              label={field.label}
              required={field.required}
              type={field.kind === 'url' ? 'url' : 'text'}
              value={values.fields[field.key] ?? ''}
              placeholder={field.placeholder ?? field.default}
              description={field.description}
              error={errors[field.key]}
              onInput={(value) => setValue(field.key, value)}
            />
          ))}
          {/* A new connection has no registered models yet, so its default model is chosen when editing. */}
          {editing && hasDefaultModelField(descriptor) && (
            <DefaultModelSelect
              formId={formId}
              models={models}
              value={values.defaultModel}
              providerDefault={descriptor.defaults.modelRef}
              onChange={(value) => setValue(DEFAULT_MODEL_KEY, value)}
            />
          )}
          {secrets.length > 0 && (
            <div class="secret-note" data-testid="secret-note">
              <vscode-icon name="lock" class="note-icon" />
              <span>
                <WithStrong sentence={secretNote(requirement === 'optional', editing)} strong={[secrets.map((field) => field.label).join(', ')]} />
              </span>
            </div>
          )}
        </>
      )}

      {formError && !(editing && !descriptor) && <FormError testId="form-error" text={formError} />}

      <FormActions
        busy={saving}
        submitLabel={editing ? l10n.t('Save changes') : l10n.t('Save')}
        busyLabel={l10n.t('Saving…')}
        submitTestId="save-connection-button"
        submitDisabled={!descriptor}
        cancelLabel={l10n.t('Cancel')}
        cancelTestId="cancel-button"
        onCancel={onCancel}
      />
    </FormPanel>
  );
}
