import * as l10n from '@vscode/l10n';
import { originOf } from '../../contracts/connections';
import { issuePaths } from '../../contracts/issues';
import { ChatRequestSchema, DiscoveredModelSchema, type ChatRequest, type ConversationMessage, type DiscoveredModel, type Modality, type ModelListing } from '../../contracts/models';
import { SwitchboardError } from '../base/errors';
import { Deadline } from '../http/deadline';
import { statusError, type ApiProfile, type ErrorResponse } from '../http/httpErrors';
import type { CallContext, ConnectionTarget } from './adapter';

/** What an adapter asks of the HTTP client on every call: the profile, the headers, the time and the signal. */
export function requestOptions(api: ApiProfile, headers: Record<string, string>, context: CallContext) {
  return { api, headers, timeoutMs: context.timeoutMs, ...(context.signal ? { signal: context.signal } : {}) };
}

/** The key, or `auth_failed` saying how to set one, before anything is sent. */
export function requireKey(target: ConnectionTarget, provider: string): string {
  const key = target.apiKey;
  if (!key) {
    throw new SwitchboardError('auth_failed', l10n.t('This {0} connection has no API key. Set one with Switchboard: Set API Key.', provider));
  }
  return key;
}

/**
 * A 404 that carries no provider message (Go's "404 page not found", an nginx page) or OpenAI's
 * "Invalid URL" means the route does not exist: the base URL is wrong, not the model. Profiles
 * call this from `classify` so a chat call's 404 says "model not found" only when it is one.
 */
export function routeNotFound(response: ErrorResponse, providerMessage: string | undefined, api: ApiProfile): SwitchboardError | undefined {
  if (response.status !== 404) return undefined;
  if (providerMessage && !/^Invalid URL\b/i.test(providerMessage)) return undefined;
  return statusError(response, { ...api, classify: undefined }, 'not_found');
}

/** Checks a chat request against the contract; `invalid_input` naming the fields, and what is wrong with the first, otherwise. */
export function parseChatRequest(request: ChatRequest): ChatRequest {
  const parsed = ChatRequestSchema.safeParse(request);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    // Our own rules say what is wrong in words; zod's type messages would only repeat the path.
    const why = first?.code === 'custom' ? `: ${first.message.slice(0, 200)}` : '';
    throw new SwitchboardError('invalid_input', l10n.t('The chat request is not valid (at {0}{1}). It needs a model name and 1 to 500 messages; tools need a name and a JSON object schema.', issuePaths(parsed.error.issues), why));
  }
  return parsed.data;
}

/** System messages joined into one text (for `system` fields), and the rest in order. */
export function splitSystem<M extends ConversationMessage>(messages: readonly M[]): { system: string | undefined; rest: M[] } {
  const system = messages.flatMap((message) => (message.role === 'system' ? [message.content] : []));
  const rest = messages.filter((message) => message.role !== 'system');
  return { system: system.length ? system.join('\n\n') : undefined, rest };
}

/** The non-system messages must include a user message, or providers that take `system` apart answer 400. */
export function requireConversation(rest: readonly ConversationMessage[], provider: string): void {
  if (!rest.some((message) => message.role === 'user')) {
    throw new SwitchboardError('invalid_input', l10n.t('A chat with {0} needs at least one user message besides the system prompt.', provider));
  }
}

/** A positive integer, or undefined for anything else (0, null, "8k", NaN). */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** A whole number of tokens, 0 for a missing or odd value. */
export function tokens(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

export interface ModelDraft {
  id: string;
  displayName?: string;
  modalities?: Modality[];
  modalitiesSource?: 'api' | 'builtin';
  /** The window a run gets. */
  contextWindow?: number;
  contextSource?: 'api' | 'builtin' | 'default';
  /** The most the model can take, when the provider tells it apart from the window a run gets (Ollama). */
  maxContextWindow?: number;
  /** The most the model writes in one answer, as the provider's API says (Anthropic's `max_tokens`, Gemini's `outputTokenLimit`). */
  maxOutputTokens?: number;
  inputCostPer1k?: number;
  outputCostPer1k?: number;
  metadata?: Record<string, string | number | boolean | undefined | null>;
}

const MAX_TEXT = 256;

/**
 * A DiscoveredModel that satisfies the contract, or undefined when the provider's entry cannot
 * be one (an empty or over-long id). Text is cut to the contract's limits; empty metadata is dropped.
 */
export function toDiscoveredModel(draft: ModelDraft): DiscoveredModel | undefined {
  const id = draft.id.trim();
  if (!id || id.length > MAX_TEXT) return undefined;
  const metadata: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(draft.metadata ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    metadata[key.slice(0, 64)] = typeof value === 'string' ? value.slice(0, MAX_TEXT) : value;
  }
  const modalities: Modality[] = [...new Set<Modality>(draft.modalities ?? ['text'])];
  const hasCosts = draft.inputCostPer1k !== undefined || draft.outputCostPer1k !== undefined;
  const model: DiscoveredModel = {
    providerModelId: id,
    displayName: (draft.displayName?.trim() || id).slice(0, MAX_TEXT),
    modalities,
    ...(draft.contextWindow !== undefined ? { contextWindow: draft.contextWindow } : {}),
    ...(draft.maxContextWindow !== undefined ? { maxContextWindow: draft.maxContextWindow } : {}),
    ...(draft.maxOutputTokens !== undefined ? { maxOutputTokens: draft.maxOutputTokens } : {}),
    ...(draft.inputCostPer1k !== undefined ? { inputCostPer1k: draft.inputCostPer1k } : {}),
    ...(draft.outputCostPer1k !== undefined ? { outputCostPer1k: draft.outputCostPer1k } : {}),
    sources: {
      ...(draft.modalitiesSource ? { modalities: draft.modalitiesSource } : {}),
      ...(draft.contextWindow !== undefined && draft.contextSource ? { contextWindow: draft.contextSource } : {}),
      ...(draft.maxContextWindow !== undefined ? { maxContextWindow: 'api' as const } : {}),
      ...(draft.maxOutputTokens !== undefined ? { maxOutputTokens: 'api' as const } : {}),
      ...(hasCosts ? { costs: 'builtin' as const } : {}),
    },
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
  return DiscoveredModelSchema.safeParse(model).success ? model : undefined;
}

/** A listing that leaves nothing out. */
export function everyModel(models: DiscoveredModel[]): ModelListing {
  return { models, leftOut: [] };
}

/** Drafts to models, skipping the ones that cannot be models and repeated ids (first wins). */
export function toDiscoveredModels(drafts: Iterable<ModelDraft>): DiscoveredModel[] {
  const seen = new Set<string>();
  const models: DiscoveredModel[] = [];
  for (const draft of drafts) {
    const model = toDiscoveredModel(draft);
    if (!model || seen.has(model.providerModelId)) continue;
    seen.add(model.providerModelId);
    models.push(model);
  }
  return models;
}

/** Most pages a listing may take; a server that keeps saying "more" past this is broken. */
export const MAX_PAGES = 200;

/**
 * Follows a cursor until the server says there is no more. Stops with `bad_response` when a
 * cursor repeats or the pages never end, so a broken server cannot keep discovery looping.
 */
export async function collectPages<T>(
  endpoint: string,
  provider: string,
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    if (result.next === undefined) return items;
    if (seen.has(result.next)) {
      throw new SwitchboardError('bad_response', l10n.t('{0} sent the same page cursor twice, so the model list would never end. Check that the base URL points at the {1} API.', endpoint, provider));
    }
    seen.add(result.next);
    cursor = result.next;
  }
  throw new SwitchboardError('bad_response', l10n.t('{0} kept sending more pages after {1}; the model list was not read. Check that the base URL points at the {2} API.', endpoint, MAX_PAGES, provider));
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. After the
 * first failure no new item starts and that failure is thrown once the running ones settle.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Gives a whole discovery (several pages or calls) one time budget, `context.timeoutMs`, on top
 * of each call's own timeout, and says so in words about listing models when it runs out.
 */
export async function withinDiscoveryBudget<T>(context: CallContext, origin: string, run: (context: CallContext) => Promise<T>): Promise<T> {
  const budget = new Deadline(context.timeoutMs, context.signal);
  try {
    return await run({ ...context, signal: budget.signal });
  } catch (error) {
    // The budget starts before any call, so it runs out first; the caller's own cancel stays a cancel.
    const callerCancelled = context.signal?.aborted === true;
    if (budget.timedOut && !callerCancelled && error instanceof SwitchboardError && (error.code === 'cancelled' || error.code === 'timeout')) {
      const seconds = Number((context.timeoutMs / 1000).toFixed(1));
      throw new SwitchboardError('timeout', l10n.t('Listing the models at {0} took longer than {1} s. Check that the server is running and not overloaded, or raise switchboard.discoveryTimeoutSeconds.', origin, seconds));
    }
    throw error;
  } finally {
    budget.clear();
  }
}

/** The base URL's origin, for a message; a URL that does not parse is named as such. */
export function originLabel(baseUrl: string): string {
  try {
    return originOf(baseUrl);
  } catch {
    return 'the base URL';
  }
}
