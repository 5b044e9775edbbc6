import * as l10n from '@vscode/l10n';
import type { Connection, ConnectionInput, ConnectionPatch } from '../../src/contracts/connections';
import { baseUrlProblem } from '../../src/contracts/urls';
import type { ProviderDescriptor, ProviderField } from '../../src/contracts/providers';
import { BASE_URL_FIELD } from '../../src/contracts/vocabulary';
import { formatCount } from '../shared/locale';

/**
 * The form's logic, kept free of the DOM so unit tests can run it in Node: which fields a
 * descriptor asks for, their first values, their checks, and the ConnectionInput or
 * ConnectionPatch they turn into. The form only ever shows what the descriptor describes.
 */

/** The form key of the connection's name; descriptor fields use their own keys. */
export const NAME_KEY = 'name';
/** The form key of the optional default model. */
export const DEFAULT_MODEL_KEY = 'defaultModel';

export interface FormValues {
  name: string;
  /** Values of the descriptor's non-secret fields, by field key. */
  fields: Record<string, string>;
  defaultModel: string;
}

/** Error messages by form key (`name`, a field key, or `defaultModel`). */
export type FieldErrors = Record<string, string>;

/** Whether the provider takes a key, and whether it must have one. */
export type KeyRequirement = 'required' | 'optional' | 'none';

/** The fields typed into the webview: everything but secrets, which the host asks for. */
export function inputFields(descriptor: ProviderDescriptor): ProviderField[] {
  return descriptor.fields.filter((field) => field.kind !== 'secret');
}

export function secretFields(descriptor: ProviderDescriptor): ProviderField[] {
  return descriptor.fields.filter((field) => field.kind === 'secret');
}

export function keyRequirement(descriptor: ProviderDescriptor | undefined): KeyRequirement {
  const secrets = descriptor ? secretFields(descriptor) : [];
  if (secrets.length === 0) {
    return 'none';
  }
  return secrets.some((field) => field.required) ? 'required' : 'optional';
}

/** Whether the form shows its own default-model field (not when the descriptor has one). */
export function hasDefaultModelField(descriptor: ProviderDescriptor): boolean {
  return !descriptor.fields.some((field) => field.key === DEFAULT_MODEL_KEY);
}

/** The base URL a new connection starts with: the field's default, else the descriptor's. */
export function defaultBaseUrl(descriptor: ProviderDescriptor): string | undefined {
  const field = descriptor.fields.find((candidate) => candidate.key === BASE_URL_FIELD);
  return field?.default ?? descriptor.defaults.baseUrl;
}

/** The values a form opens with: the descriptor's defaults when adding, the connection's when editing. */
export function initialValues(descriptor: ProviderDescriptor, connection?: Connection): FormValues {
  const fields: Record<string, string> = {};
  for (const field of inputFields(descriptor)) {
    if (connection) {
      fields[field.key] = field.key === BASE_URL_FIELD ? connection.baseUrl : (connection.options[field.key] ?? '');
    } else {
      fields[field.key] = (field.key === BASE_URL_FIELD ? defaultBaseUrl(descriptor) : field.default) ?? '';
    }
  }
  return {
    name: connection?.name ?? '',
    fields,
    defaultModel: connection?.defaultModel ?? '',
  };
}

/** Checks the form before it is sent; the host checks again and may still answer `invalid_input`. */
export function validateForm(descriptor: ProviderDescriptor, values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if (!name) {
    errors[NAME_KEY] = l10n.t('Enter a name for this connection.');
  } else if (name.length > 100) {
    errors[NAME_KEY] = l10n.t('A name has at most {0} characters.', formatCount(100));
  }
  for (const field of inputFields(descriptor)) {
    const value = (values.fields[field.key] ?? '').trim();
    if (!value) {
      if (field.required) {
        errors[field.key] = l10n.t('{0} is required.', field.label);
      }
      continue;
    }
    if (field.kind === 'url') {
      const problem = baseUrlProblem(value);
      if (problem) {
        errors[field.key] = l10n.t('{0}: {1}.', field.label, problem);
      }
    }
  }
  return errors;
}

/** The non-secret fields other than the base URL, trimmed, without empty ones. */
function optionsFrom(descriptor: ProviderDescriptor, values: FormValues): Record<string, string> {
  const options: Record<string, string> = {};
  for (const field of inputFields(descriptor)) {
    if (field.key === BASE_URL_FIELD) {
      continue;
    }
    const value = (values.fields[field.key] ?? '').trim();
    if (value) {
      options[field.key] = value;
    }
  }
  return options;
}

function baseUrlFrom(descriptor: ProviderDescriptor, values: FormValues): string | undefined {
  if (!descriptor.fields.some((field) => field.key === BASE_URL_FIELD && field.kind !== 'secret')) {
    return undefined;
  }
  return (values.fields[BASE_URL_FIELD] ?? '').trim() || undefined;
}

/** `baseUrl` goes to input.baseUrl, every other non-secret field to input.options; secrets never. */
export function buildConnectionInput(descriptor: ProviderDescriptor, values: FormValues): ConnectionInput {
  const input: ConnectionInput = {
    name: values.name.trim(),
    providerId: descriptor.id,
    options: optionsFrom(descriptor, values),
  };
  const baseUrl = baseUrlFrom(descriptor, values);
  if (baseUrl) {
    input.baseUrl = baseUrl;
  }
  const defaultModel = hasDefaultModelField(descriptor) ? values.defaultModel.trim() : '';
  if (defaultModel) {
    input.defaultModel = defaultModel;
  }
  return input;
}

/**
 * The whole edited state as a patch: `options` replaces the connection's options, so an
 * emptied optional field is removed. An empty base URL is left out (a connection always has
 * one); an emptied default model is sent as '' only when the connection had one, to clear it.
 */
export function buildConnectionPatch(descriptor: ProviderDescriptor, values: FormValues, previous?: Connection): ConnectionPatch {
  const patch: ConnectionPatch = {
    name: values.name.trim(),
    options: optionsFrom(descriptor, values),
  };
  const baseUrl = baseUrlFrom(descriptor, values);
  if (baseUrl) {
    patch.baseUrl = baseUrl;
  }
  const defaultModel = hasDefaultModelField(descriptor) ? values.defaultModel.trim() : '';
  if (defaultModel || (hasDefaultModelField(descriptor) && previous?.defaultModel)) {
    patch.defaultModel = defaultModel;
  }
  return patch;
}

export const OLLAMA_PROVIDER_ID = 'ollama';

/** The one-click local Ollama connection, or undefined when no `ollama` provider is registered. */
export function localOllamaInput(providers: readonly ProviderDescriptor[]): ConnectionInput | undefined {
  const ollama = providers.find((provider) => provider.id === OLLAMA_PROVIDER_ID);
  if (!ollama) {
    return undefined;
  }
  const input: ConnectionInput = { name: l10n.t('Local Ollama'), providerId: OLLAMA_PROVIDER_ID, options: {} };
  const baseUrl = defaultBaseUrl(ollama);
  if (baseUrl) {
    input.baseUrl = baseUrl;
  }
  return input;
}

/** A short summary of the field errors for the line under the form. */
export function summarizeErrors(descriptor: ProviderDescriptor, errors: FieldErrors): string {
  const labels = Object.keys(errors).map((key) => {
    if (key === NAME_KEY) return l10n.t('Name');
    if (key === DEFAULT_MODEL_KEY && hasDefaultModelField(descriptor)) return l10n.t('Default model');
    return descriptor.fields.find((field) => field.key === key)?.label ?? key;
  });
  const messages = Object.values(errors);
  if (messages.length <= 1) {
    return messages[0] ?? '';
  }
  return l10n.t('Fix the marked fields: {0}.', labels.join(', '));
}
