import * as assert from 'node:assert/strict';
import { ConnectionInputSchema, ConnectionPatchSchema, type Connection } from '../../src/contracts/connections';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import {
  buildConnectionInput,
  buildConnectionPatch,
  defaultBaseUrl,
  initialValues,
  inputFields,
  keyRequirement,
  localOllamaInput,
  summarizeErrors,
  validateForm,
} from '../../webview/connections/formModel';

const ollama: ProviderDescriptor = {
  id: 'ollama',
  displayName: 'Ollama',
  source: 'core',
  fields: [
    { key: 'baseUrl', label: 'Base URL', kind: 'url', required: true, default: 'http://localhost:11434' },
    { key: 'apiKey', label: 'API key', kind: 'secret', required: false },
  ],
  defaults: { baseUrl: 'http://localhost:11434', modelRef: 'llama3.2' },
  capabilities: { test: true, discovery: true, chat: true },
};

const openai: ProviderDescriptor = {
  id: 'openai',
  displayName: 'OpenAI',
  source: 'core',
  fields: [
    { key: 'apiKey', label: 'API key', kind: 'secret', required: true },
    { key: 'baseUrl', label: 'Base URL', kind: 'url', required: false, default: 'https://api.openai.com/v1' },
    { key: 'organizationId', label: 'Organization ID', kind: 'text', required: false, placeholder: 'org-…' },
  ],
  defaults: { baseUrl: 'https://api.openai.com/v1' },
  capabilities: { test: true, discovery: true, chat: true },
};

/** A contributed provider without a base URL field, with a required option. */
const contributed: ProviderDescriptor = {
  id: 'acme',
  displayName: 'Acme LLM',
  source: 'acme.acme-llm',
  fields: [{ key: 'region', label: 'Region', kind: 'text', required: true, default: 'eu-1' }],
  defaults: {},
  capabilities: { test: false, discovery: false, chat: true },
};

const existing: Connection = {
  id: '0b9f6c1e-6a43-4a3f-9d43-5c1f2a7e8b10',
  name: 'Work',
  providerId: 'openai',
  baseUrl: 'https://gateway.example.com/v1',
  options: { organizationId: 'org-123' },
  defaultModel: 'gpt-4o-mini',
  status: 'valid',
  keyHint: '****abcd',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('webview connection form model', () => {
  it('never offers a secret field as an input', () => {
    assert.deepEqual(
      inputFields(openai).map((field) => field.key),
      ['baseUrl', 'organizationId'],
    );
  });

  it('tells whether the provider requires, accepts or takes no key', () => {
    assert.equal(keyRequirement(openai), 'required');
    assert.equal(keyRequirement(ollama), 'optional');
    assert.equal(keyRequirement(contributed), 'none');
    assert.equal(keyRequirement(undefined), 'none');
  });

  it('opens an add form with the descriptor defaults and an empty name', () => {
    assert.deepEqual(initialValues(openai), { name: '', fields: { baseUrl: 'https://api.openai.com/v1', organizationId: '' }, defaultModel: '' });
    assert.deepEqual(initialValues(contributed).fields, { region: 'eu-1' });
  });

  it('falls back to defaults.baseUrl when the base URL field has no default', () => {
    const descriptor: ProviderDescriptor = { ...ollama, fields: [{ key: 'baseUrl', label: 'Base URL', kind: 'url', required: true }] };
    assert.equal(defaultBaseUrl(descriptor), 'http://localhost:11434');
    assert.equal(initialValues(descriptor).fields.baseUrl, 'http://localhost:11434');
  });

  it('opens an edit form with the connection values', () => {
    assert.deepEqual(initialValues(openai, existing), {
      name: 'Work',
      fields: { baseUrl: 'https://gateway.example.com/v1', organizationId: 'org-123' },
      defaultModel: 'gpt-4o-mini',
    });
  });

  it('puts baseUrl in input.baseUrl and every other non-secret field in input.options', () => {
    const input = buildConnectionInput(openai, {
      name: '  Work  ',
      fields: { baseUrl: ' https://gateway.example.com/v1 ', organizationId: 'org-9' },
      defaultModel: 'gpt-4o-mini',
    });
    assert.deepEqual(input, {
      name: 'Work',
      providerId: 'openai',
      baseUrl: 'https://gateway.example.com/v1',
      options: { organizationId: 'org-9' },
      defaultModel: 'gpt-4o-mini',
    });
    assert.ok(ConnectionInputSchema.safeParse(input).success);
  });

  it('leaves out empty optional values, and never carries a secret even if one is in the values', () => {
    const input = buildConnectionInput(openai, { name: 'Work', fields: { baseUrl: '', organizationId: '  ', apiKey: 'sk-should-never-leave' }, defaultModel: '' });
    assert.deepEqual(input, { name: 'Work', providerId: 'openai', options: {} });
    assert.doesNotMatch(JSON.stringify(input), /sk-should-never-leave/);
  });

  it('sends options of a provider without a base URL field and no baseUrl', () => {
    const input = buildConnectionInput(contributed, { name: 'Acme', fields: { region: 'us-2' }, defaultModel: '' });
    assert.deepEqual(input, { name: 'Acme', providerId: 'acme', options: { region: 'us-2' } });
  });

  it('builds a patch with the whole edited state and no provider', () => {
    const patch = buildConnectionPatch(openai, { name: 'Work 2', fields: { baseUrl: 'https://api.openai.com/v1', organizationId: '' }, defaultModel: '' }, existing);
    assert.deepEqual(patch, { name: 'Work 2', baseUrl: 'https://api.openai.com/v1', options: {}, defaultModel: '' });
    assert.equal('providerId' in patch, false);
    assert.ok(ConnectionPatchSchema.safeParse(patch).success);
  });

  it('does not send an empty default model for a connection that never had one', () => {
    const patch = buildConnectionPatch(ollama, { name: 'Local', fields: { baseUrl: 'http://localhost:11434' }, defaultModel: '' }, { ...existing, defaultModel: undefined });
    assert.equal('defaultModel' in patch, false);
  });

  it('requires a name and the required fields, and checks URLs the way the host does', () => {
    const errors = validateForm(openai, { name: '   ', fields: { baseUrl: 'ftp://example.com', organizationId: '' }, defaultModel: '' });
    assert.deepEqual(Object.keys(errors).sort(), ['baseUrl', 'name']);
    assert.match(errors.name!, /name/i);
    assert.match(errors.baseUrl!, /^Base URL: .*http/);

    const missing = validateForm(ollama, { name: 'Local', fields: { baseUrl: '' }, defaultModel: '' });
    assert.deepEqual(missing, { baseUrl: 'Base URL is required.' });

    assert.deepEqual(validateForm(ollama, { name: 'Local', fields: { baseUrl: 'http://localhost:11434' }, defaultModel: '' }), {});
  });

  it('refuses a base URL with credentials in it', () => {
    const errors = validateForm(ollama, { name: 'Local', fields: { baseUrl: 'http://user:secret@localhost:11434' }, defaultModel: '' });
    assert.ok(errors.baseUrl);
  });

  it('summarizes one error by its message and several by their fields', () => {
    assert.equal(summarizeErrors(openai, { name: 'Enter a name for this connection.' }), 'Enter a name for this connection.');
    assert.equal(summarizeErrors(openai, { name: 'x', baseUrl: 'y' }), 'Fix the marked fields: Name, Base URL.');
    assert.equal(summarizeErrors(openai, {}), '');
  });

  it('makes the one-click local Ollama from the snapshot descriptor, or nothing without one', () => {
    assert.deepEqual(localOllamaInput([openai, ollama]), { name: 'Local Ollama', providerId: 'ollama', baseUrl: 'http://localhost:11434', options: {} });
    assert.equal(localOllamaInput([openai]), undefined);

    const moved: ProviderDescriptor = { ...ollama, fields: [], defaults: { baseUrl: 'http://127.0.0.1:9999' } };
    assert.equal(localOllamaInput([moved])?.baseUrl, 'http://127.0.0.1:9999');
  });
});
