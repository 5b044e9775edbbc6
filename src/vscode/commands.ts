import * as vscode from 'vscode';
import { checkPrice } from '../core/models/pricing';
import * as z from 'zod';
import { BaseUrlSchema, type Connection, type ConnectionPatch, type TestResult } from '../contracts/connections';
import { callSettingsText, contextWindowText, describeDiscovery, parseReasoningText } from '../contracts/modelFacts';
import { DiscoveredModelSchema, type DiscoveredModel, type RegisteredModel } from '../contracts/models';
import type { ProviderDescriptor } from '../contracts/providers';
import { API_KEY_FIELD, BASE_URL_FIELD } from '../contracts/vocabulary';
import type { ConnectionActions } from '../core/connections/connectionActions';
import type { ConnectionService } from '../core/connections/connectionService';
import { SwitchboardError } from '../core/base/errors';
import type { Requester } from '../core/keys/keyPath';
import type { ModelActions } from '../core/models/modelActions';
import type { ModelRegistry } from '../core/models/modelRegistry';
import type { ProviderRegistry } from '../core/providers/providerRegistry';
import type { Settings } from '../core/base/ports';
import { commandRequester, requesterIds } from '../core/keys/requesters';
import { registerCommandWithErrors, showError } from './errorMessages';
import type { Prompter } from './prompter';

export interface CommandDeps {
  connections: ConnectionService;
  settings: Pick<Settings, 'defaultConnectionId'>;
  actions: ConnectionActions;
  models: ModelRegistry;
  modelActions: ModelActions;
  registry: ProviderRegistry;
  prompter: Prompter;
}

/** A connection id passed as the command's argument: a uuid string or `{ connectionId }`. */
const ConnectionArgSchema = z.union([z.string().uuid(), z.object({ connectionId: z.string().uuid() }).transform((arg) => arg.connectionId)]);

/**
 * The palette commands. Each works with quick picks alone, for keyboard users, and takes an
 * optional argument so the view, other commands and scripts can name the connection directly.
 */
/** The commands, and their Discover Models flow for the Switchboard editor to run as itself. */
export interface Commands {
  disposables: vscode.Disposable[];
  discoverModels(connectionId: string, requester: Requester): Promise<{ registered: number; added: number } | undefined>;
}

export function registerCommands(deps: CommandDeps): Commands {
  const { connections, settings, actions, models, modelActions, registry, prompter } = deps;

  /**
   * The connection named by the argument, else the one the person picks; undefined if they cancel.
   * `current`, when given, is listed first and marked as the one in force.
   */
  async function connectionFrom(arg: unknown, placeHolder: string, current?: { id: string; label: string }): Promise<Connection | undefined> {
    if (arg !== undefined) {
      const parsed = ConnectionArgSchema.safeParse(arg);
      if (!parsed.success) throw new SwitchboardError('invalid_input', vscode.l10n.t('The command expects a connection id (a UUID) as its argument.'));
      return connections.require(parsed.data);
    }
    const all = connections.list();
    if (all.length === 0) {
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('There are no connections yet.'), vscode.l10n.t('Add Connection'));
      if (choice) await vscode.commands.executeCommand('switchboard.addConnection');
      return undefined;
    }
    const ordered = current ? [...all.filter((c) => c.id === current.id), ...all.filter((c) => c.id !== current.id)] : all;
    return prompter.pick(
      ordered.map((c) => {
        const provider = registry.get(c.providerId)?.descriptor.displayName ?? c.providerId;
        return { label: c.name, description: c.id === current?.id ? vscode.l10n.t('{0} · {1}', provider, current.label) : provider, detail: c.baseUrl, value: c };
      }),
      placeHolder,
    );
  }

  /** Runs a command body; an error becomes a message with the action that fixes it. */
  const command = <T>(id: string, body: (arg: unknown) => Promise<T | undefined>) =>
    registerCommandWithErrors(id, body, (arg) => (typeof arg === 'string' ? arg : undefined));

  async function addConnection(arg: unknown): Promise<Connection | undefined> {
    if (arg !== undefined) return actions.create(arg, requesterIds.commandArgument);
    const descriptor = await prompter.pick(
      registry.list().providers.map((p) => ({ label: p.displayName, description: p.source === 'core' ? '' : p.source, value: p })),
      vscode.l10n.t('Choose the provider of the new connection'),
    );
    if (!descriptor) return undefined;
    const taken = new Set(connections.list().map((c) => c.name.toLocaleLowerCase()));
    const name = await prompter.inputText({
      title: vscode.l10n.t('New {0} connection', descriptor.displayName),
      prompt: vscode.l10n.t('A name for this connection'),
      value: uniqueName(descriptor.displayName, taken),
      validate: (value) => (!value.trim() ? vscode.l10n.t('A name is required.') : taken.has(value.trim().toLocaleLowerCase()) ? vscode.l10n.t('That name is taken.') : undefined),
    });
    if (name === undefined) return undefined;
    const values = await askFields(descriptor, {});
    if (!values) return undefined;
    const { baseUrl, ...options } = values;
    const created = await actions.create({ name, providerId: descriptor.id, ...(baseUrl ? { baseUrl } : {}), options }, requesterIds.palette);
    // A required key is asked for at once. An optional one (a local Ollama needs none) is no
    // question in the way: the notification offers it, and a test that the key would fix says so.
    const keyField = descriptor.fields.find((f) => f.key === API_KEY_FIELD);
    if (keyField?.required) await actions.setKey(created.id);
    const test = vscode.l10n.t('Test Connection');
    const setKey = vscode.l10n.t('Set API Key');
    void prompter.notify({ message: vscode.l10n.t('Connection "{0}" added.', created.name), actions: keyField && !keyField.required ? [test, setKey] : [test] }).then((choice) => {
      if (choice === test) void vscode.commands.executeCommand('switchboard.testConnection', created.id);
      if (choice === setKey) void vscode.commands.executeCommand('switchboard.setApiKey', created.id);
    });
    return connections.get(created.id);
  }

  /** Asks for each non-secret field of the descriptor; undefined if the person cancels. */
  async function askFields(descriptor: ProviderDescriptor, current: Record<string, string>): Promise<Record<string, string> | undefined> {
    const values: Record<string, string> = {};
    for (const field of descriptor.fields.filter((f) => f.kind !== 'secret')) {
      const value = await prompter.inputText({
        title: `${descriptor.displayName}: ${field.label}`,
        prompt: [field.description, field.required ? '' : vscode.l10n.t('(optional)')].filter(Boolean).join(' '),
        value: current[field.key] ?? field.default ?? (field.key === BASE_URL_FIELD ? descriptor.defaults.baseUrl ?? '' : ''),
        validate: (text) => validateField(field.kind, field.required, text),
      });
      if (value === undefined) return undefined;
      if (value.trim()) values[field.key] = value.trim();
    }
    return values;
  }

  async function editConnection(arg: unknown): Promise<Connection | undefined> {
    const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection to edit'));
    if (!connection) return undefined;
    const descriptor = registry.require(connection.providerId).descriptor;
    const fieldChoice = await prompter.pick<'name' | 'fields' | 'key'>(
      [
        { label: vscode.l10n.t('Name'), description: connection.name, value: 'name' },
        { label: vscode.l10n.t('Address and options'), description: connection.baseUrl, value: 'fields' },
        ...(descriptor.fields.some((f) => f.key === API_KEY_FIELD) ? [{ label: vscode.l10n.t('API key'), description: connection.keyHint ?? vscode.l10n.t('no key'), value: 'key' as const }] : []),
      ],
      vscode.l10n.t('Edit "{0}"', connection.name),
    );
    if (!fieldChoice) return undefined;
    if (fieldChoice === 'key') {
      await actions.setKey(connection.id);
      return connections.get(connection.id);
    }
    let patch: ConnectionPatch;
    if (fieldChoice === 'name') {
      const name = await prompter.inputText({ title: vscode.l10n.t('Rename connection'), prompt: vscode.l10n.t('A new name'), value: connection.name, validate: (v) => (v.trim() ? undefined : vscode.l10n.t('A name is required.')) });
      if (name === undefined) return undefined;
      patch = { name };
    } else {
      const values = await askFields(descriptor, { [BASE_URL_FIELD]: connection.baseUrl, ...connection.options });
      if (!values) return undefined;
      const { baseUrl, ...options } = values;
      patch = { ...(baseUrl ? { baseUrl } : {}), options };
    }
    return actions.update(connection.id, patch, commandRequester(arg).id);
  }

  async function testConnection(arg: unknown): Promise<TestResult | undefined> {
    const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection to test'));
    if (!connection) return undefined;
    const result = await actions.test(connection.id, commandRequester(arg));
    if (result.status === 'valid') {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1} ({2} ms)', connection.name, result.message, result.latencyMs));
    } else {
      void showError(new SwitchboardError(result.code ?? 'endpoint_unreachable', vscode.l10n.t('{0}: {1}', connection.name, result.message)), connection.id);
    }
    return result;
  }

  /**
   * The person's word on a registered model's image input and tool calling (the argument: the
   * model's registry id), for when the provider's facts are wrong or missing. A pick of the models
   * when called without one, then a pick of the two, the current ones checked.
   */
  async function setModelCapabilities(arg: unknown): Promise<RegisteredModel | undefined> {
    const names = new Map(connections.list().map((c) => [c.id, c.name]));
    const registered = models.list();
    let model = typeof arg === 'string' ? registered.find((m) => m.id === arg) : undefined;
    if (typeof arg === 'string' && !model) throw new SwitchboardError('model_not_found', vscode.l10n.t('No registered model has the id {0}. It may have been removed.', arg.slice(0, 100)));
    model ??= await prompter.pick(
      registered.map((m) => ({ label: m.displayName, description: names.get(m.connectionId) ?? '', detail: m.modalities.join(', '), value: m })),
      vscode.l10n.t('Choose the model whose capabilities to set'),
    );
    if (!model) return undefined;
    const chosen = await prompter.pickMany<'vision' | 'tools'>(
      [
        { label: vscode.l10n.t('Reads images'), description: 'vision', picked: model.modalities.includes('vision'), value: 'vision' },
        { label: vscode.l10n.t('Calls tools'), description: 'tools', picked: model.modalities.includes('tools'), value: 'tools' },
      ],
      { title: vscode.l10n.t('Capabilities of "{0}"', model.displayName), placeHolder: vscode.l10n.t('Check what the model can do; discovery keeps your choice'), acceptLabel: vscode.l10n.t('Save') },
    );
    if (!chosen) return undefined;
    return models.setCapabilities(model.id, { vision: chosen.includes('vision'), tools: chosen.includes('tools') });
  }

  /**
   * The person's reasoning setting and output limit for a registered model (the argument: its
   * registry id; a pick of the models without one): two input boxes, each showing the current
   * value, empty for the provider's own. The registry refuses what the provider does not take,
   * with the reason, and changes nothing then.
   */
  async function setModelReasoning(arg: unknown): Promise<RegisteredModel | undefined> {
    const model = await registeredModelFrom(arg, vscode.l10n.t('Choose the model whose reasoning and output limit to set'));
    if (!model) return undefined;
    const current = callSettingsText(model);
    const reasoning = await prompter.inputText({
      title: vscode.l10n.t('Reasoning of "{0}"', model.displayName),
      prompt: vscode.l10n.t('low, medium or high (OpenAI, Azure, Ollama), a thinking budget in tokens (Anthropic, Gemini), or empty for the provider\'s default'),
      value: current.reasoning,
      validate: (text) => ('error' in parseReasoningText(text) ? vscode.l10n.t('Type low, medium or high, a number of tokens, or leave it empty.') : undefined),
    });
    if (reasoning === undefined) return undefined;
    const limit = await prompter.inputText({
      title: vscode.l10n.t('Output limit of "{0}"', model.displayName),
      prompt: vscode.l10n.t('The most tokens one answer may take, or empty for the provider\'s limit ({0})', model.maxOutputTokens === undefined ? vscode.l10n.t('unknown') : model.maxOutputTokens.toLocaleString('en')),
      value: current.outputLimit,
      validate: (text) => (text.trim() === '' || /^\d+$/.test(text.trim()) ? undefined : vscode.l10n.t('Type a whole number of tokens, or leave it empty.')),
    });
    if (limit === undefined) return undefined;
    const parsed = parseReasoningText(reasoning);
    // Both at once: checked together, and a refusal changes neither.
    return models.setCallSettings(model.id, { ...('value' in parsed ? { reasoning: parsed.value } : {}), outputLimit: limit.trim() ? Number(limit.trim()) : null });
  }

  /** The registered model the argument names by id, or the person's pick of them; `model_not_found` for an id no model has. */
  async function registeredModelFrom(arg: unknown, placeHolder: string): Promise<RegisteredModel | undefined> {
    const registered = models.list();
    if (typeof arg === 'string') {
      const model = registered.find((m) => m.id === arg);
      if (!model) throw new SwitchboardError('model_not_found', vscode.l10n.t('No registered model has the id {0}. It may have been removed.', arg.slice(0, 100)));
      return model;
    }
    const names = new Map(connections.list().map((c) => [c.id, c.name]));
    return prompter.pick(registered.map((m) => ({ label: m.displayName, description: names.get(m.connectionId) ?? '', detail: m.providerModelId, value: m })), placeHolder);
  }

  /**
   * The person's own price for a registered model (the argument: its registry id), in dollars per
   * 1,000 tokens: "input, output" or "input, output, cached input"; an empty answer clears it, back
   * to the provider's or the built-in table's. It wins over both, and discovery keeps it.
   */
  async function setModelPrice(arg: unknown): Promise<RegisteredModel | undefined> {
    const names = new Map(connections.list().map((c) => [c.id, c.name]));
    const registered = models.list();
    let model = typeof arg === 'string' ? registered.find((m) => m.id === arg) : undefined;
    if (typeof arg === 'string' && !model) throw new SwitchboardError('model_not_found', vscode.l10n.t('No registered model has the id {0}. It may have been removed.', arg.slice(0, 100)));
    model ??= await prompter.pick(
      registered.map((m) => ({ label: m.displayName, description: names.get(m.connectionId) ?? '', detail: priceText(m), value: m })),
      vscode.l10n.t('Choose the model whose price to set'),
    );
    if (!model) return undefined;
    const current = [model.inputCostPer1k, model.outputCostPer1k, model.cachedInputCostPer1k].filter((value) => value !== undefined).join(', ');
    const answer = await prompter.inputText({
      title: vscode.l10n.t('Price of "{0}"', model.displayName),
      prompt: vscode.l10n.t('Dollars per 1,000 tokens: input, output, and optionally cached input (e.g. 0.00015, 0.0006). Leave empty to use the provider\'s or the built-in price.'),
      value: current,
      validate: (text) => {
        try {
          parsePrice(text);
          return undefined;
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      },
    });
    if (answer === undefined) return undefined;
    return models.setPrice(model.id, parsePrice(answer));
  }

  /**
   * Lists the connection's models under a progress notification, then a multi-select pick of
   * them (registered ones checked) plus "Enter a model id…" for what discovery cannot list.
   * Unchecking a registered model does not remove it; the Models tab does that.
   */
  async function discoverModels(arg: unknown, requester = commandRequester(arg)): Promise<{ registered: number; added: number } | undefined> {
    const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection whose models to discover'));
    if (!connection) return undefined;
    const { adapter } = registry.require(connection.providerId);
    const registered = new Set(models.list({ connectionId: connection.id }).map((model) => model.providerModelId));
    let chosen: Array<DiscoveredModel | typeof ENTER_ID> | undefined = [ENTER_ID];
    if (adapter.discoverModels) {
      const { models: discovered, leftOut } = await modelActions.discover(connection.id, requester);
      chosen = await prompter.pickMany<DiscoveredModel | typeof ENTER_ID>(
        [
          { label: `$(edit) ${vscode.l10n.t('Enter a model id…')}`, description: vscode.l10n.t('for a model discovery cannot list'), alwaysShow: true, value: ENTER_ID },
          { label: '', kind: vscode.QuickPickItemKind.Separator, value: ENTER_ID },
          ...discovered.map((model) => ({
            label: model.displayName,
            description: model.displayName === model.providerModelId ? undefined : model.providerModelId,
            detail: describeModel(model),
            picked: registered.has(model.providerModelId),
            value: model,
          })),
        ],
        {
          title: vscode.l10n.t('Discover Models: {0}', connection.name),
          placeHolder: discovered.length
            ? vscode.l10n.t('{0} Check the ones to add to the registry, then press Enter.', describeDiscovery(discovered.length, leftOut))
            : vscode.l10n.t(
                '{0} Choose "Enter a model id…" to add one by name.',
                leftOut.length ? describeDiscovery(0, leftOut) : vscode.l10n.t('The provider listed no models.'),
              ),
          acceptLabel: vscode.l10n.t('Add to registry'),
        },
      );
    }
    if (!chosen) return undefined;
    const picked = chosen.filter((item): item is DiscoveredModel => item !== ENTER_ID);
    const result = { registered: 0, added: 0 };
    if (picked.length) {
      const { models: done, added } = await models.register(connection.id, picked);
      result.registered += done.length;
      result.added += added;
    }
    if (chosen.includes(ENTER_ID)) {
      const modelId = await prompter.inputText({
        title: vscode.l10n.t('Add a model to "{0}"', connection.name),
        prompt: adapter.discoverModels
          ? vscode.l10n.t("The provider's id for the model, exactly as its API names it")
          : vscode.l10n.t(
              "{0} cannot list its models. Enter the provider's id for the model, exactly as its API names it.",
              registry.get(connection.providerId)?.descriptor.displayName ?? connection.providerId,
            ),
        validate: (value) =>
          DiscoveredModelSchema.shape.providerModelId.safeParse(value).success ? adapter.validateModelRef?.(value) : vscode.l10n.t('Enter a model id of 1 to 256 characters.'),
      });
      if (modelId !== undefined) {
        const wasRegistered = registered.has(modelId.trim());
        await models.addById(connection.id, modelId);
        result.registered++;
        if (!wasRegistered) result.added++;
      }
    }
    if (result.registered) {
      const text = result.added
        ? result.added === 1
          ? vscode.l10n.t('Added 1 model to the registry for "{0}".', connection.name)
          : vscode.l10n.t('Added {0} models to the registry for "{1}".', result.added, connection.name)
        : vscode.l10n.t('The chosen models of "{0}" were already registered; their details are refreshed.', connection.name);
      void vscode.window.showInformationMessage(text, vscode.l10n.t('Show Models')).then((choice) => {
        if (choice) void vscode.commands.executeCommand('switchboard.focusConnections');
      });
    }
    return result;
  }

  const disposables = [
    command('switchboard.addConnection', addConnection),
    command('switchboard.editConnection', editConnection),
    command('switchboard.deleteConnection', async (arg) => {
      const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection to delete'));
      return connection ? actions.delete(connection.id, commandRequester(arg).id) : undefined;
    }),
    command('switchboard.testConnection', testConnection),
    command('switchboard.setApiKey', async (arg) => {
      const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection whose API key to set'));
      if (!connection) return undefined;
      const result = await actions.setKey(connection.id);
      if (result.stored) void vscode.window.showInformationMessage(vscode.l10n.t('The key of "{0}" is stored ({1}).', connection.name, result.keyHint ?? ''));
      return result;
    }),
    command('switchboard.replaceApiKey', async (arg) => {
      const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection whose API key to replace'));
      if (!connection) return undefined;
      // The audit names who started it; the new key itself is always typed by the person.
      const result = await actions.replaceKey(connection.id, commandRequester(arg));
      if (result.replaced) void vscode.window.showInformationMessage(vscode.l10n.t('The new key of "{0}" passed its test and replaced the old one ({1}).', connection.name, result.keyHint ?? ''));
      return result;
    }),
    command('switchboard.setCredentialHeader', async (arg) => {
      const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection to add a credential header to'));
      if (!connection) return undefined;
      const result = await actions.setCredentialHeader(connection.id);
      if (result.stored) void vscode.window.showInformationMessage(vscode.l10n.t('The credential header {0} of "{1}" is stored in SecretStorage.', result.name ?? '', connection.name));
      return result;
    }),
    command('switchboard.setDefaultConnection', async (arg) => {
      const currentId = settings.defaultConnectionId();
      const connection = await connectionFrom(arg, vscode.l10n.t('Choose the connection runs use when nothing else is named'), { id: currentId, label: vscode.l10n.t('current default') });
      if (!connection) return undefined;
      // Picking the default again changes nothing, so it says nothing new either.
      if (connection.id === currentId) return { defaultConnectionId: currentId };
      const result = await actions.setDefault(connection.id);
      void prompter.notify({ message: vscode.l10n.t('"{0}" is now the default connection.', connection.name), actions: [] });
      return result;
    }),
    command('switchboard.discoverModels', discoverModels),
    command('switchboard.setModelCapabilities', setModelCapabilities),
    command('switchboard.setModelReasoning', setModelReasoning),
    command('switchboard.setModelPrice', setModelPrice),
    vscode.commands.registerCommand('switchboard.focusConnections', () => vscode.commands.executeCommand('switchboard.connections.focus')),
  ];
  return { disposables, discoverModels: (connectionId, requester) => discoverModels(connectionId, requester) };
}

/** The quick pick item that asks for a model id instead of picking a discovered model. */
const ENTER_ID = 'enter-model-id' as const;

/** `Context 131,072 · text, vision, tools · llama · 3.2B`: what a quick pick row says about a model. */
function describeModel(model: DiscoveredModel): string {
  const parts = [
    model.contextWindow || model.maxContextWindow ? vscode.l10n.t('Context {0}', contextWindowText(model)) : '',
    model.modalities.join(', '),
    ...Object.values(model.metadata ?? {})
      .slice(0, 3)
      .map(String),
  ];
  return parts.filter(Boolean).join(' · ');
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base.toLocaleLowerCase())) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`.toLocaleLowerCase())) return `${base} ${n}`;
}

function validateField(kind: 'url' | 'text' | 'secret', required: boolean, text: string): string | undefined {
  if (!text.trim()) return required ? vscode.l10n.t('This field is required.') : undefined;
  if (kind !== 'url') return undefined;
  const parsed = BaseUrlSchema.safeParse(text);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

/** A model's price as the pick shows it. */
function priceText(model: RegisteredModel): string {
  if (model.inputCostPer1k === undefined && model.outputCostPer1k === undefined) return vscode.l10n.t('no price known');
  return vscode.l10n.t('${0} in, ${1} out per 1,000 tokens', String(model.inputCostPer1k ?? 0), String(model.outputCostPer1k ?? 0));
}

/** "input, output[, cached input]" as a price, each checked; empty: no price of the person's (null). */
function parsePrice(text: string): { inputPer1k: number; outputPer1k: number; cachedInputPer1k?: number } | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  if (!parts.length) return null;
  if (parts.length < 2 || parts.length > 3) throw new SwitchboardError('invalid_input', vscode.l10n.t('Give two or three prices: input, output, and optionally cached input.'));
  const [input, output, cached] = parts.map((part) => (/^-?\d*\.?\d+(e-?\d+)?$/i.test(part) ? Number(part) : Number.NaN));
  return {
    inputPer1k: checkPrice(input, vscode.l10n.t('input')),
    outputPer1k: checkPrice(output, vscode.l10n.t('output')),
    ...(cached !== undefined ? { cachedInputPer1k: checkPrice(cached, vscode.l10n.t('cached input')) } : {}),
  };
}
