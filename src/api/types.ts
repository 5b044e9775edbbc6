/**
 * Switchboard's public API, version 1: the types another extension programs against.
 *
 * This file imports only Switchboard's contracts (src/contracts: zod schemas and their types), so
 * an extension can copy it together with them. Get the API with:
 *
 * ```ts
 * const exports = await vscode.extensions.getExtension<SwitchboardExports>('switchboard-dev.switchboard')!.activate();
 * const switchboard = exports.getApi(1, context.extension.id);
 * ```
 *
 * Switchboard learns which extension calls from where the call comes from (the calling code's
 * file, inside an installed extension's folder), as VS Code tells extensions apart; the id you
 * pass is only checked against it. Call getApi from your extension's own code, and keep the API
 * object to yourself: it acts as your extension.
 *
 * Every call validates what it receives like webview input: a malformed argument is refused with
 * an error whose `code` is `invalid_input`, and nothing is stored. Errors carry a `code` from
 * `ErrorCode` (src/contracts/errors.ts) and a message that says what to do.
 */
import type { RunRecord, StartAgentRunRequest } from '../contracts/agents';
import type { Connection } from '../contracts/connections';
import type { ErrorCode } from '../contracts/errors';
import type { ChatRequest, ChatResult, ChatStreamPart, DiscoveredModel, RegisteredModel } from '../contracts/models';
import type { ProviderDescriptor } from '../contracts/providers';
import type { UsageFilter, UsageReport, UsageReportRequest } from '../contracts/usage';

export type { ChatRequest, ChatResult, ChatStreamPart, DiscoveredModel, ErrorCode, ProviderDescriptor, RegisteredModel, RunRecord, StartAgentRunRequest, UsageReport };

/**
 * What `usage` reports: a range of days in your time zone, by day, week or month, broken down by
 * connection, model, agent or requester. Every call in it is one your extension asked for.
 */
export interface UsageRequest extends Omit<UsageReportRequest, 'filter'> {
  filter?: Omit<UsageFilter, 'requesterId'>;
}

/** Shaped like `vscode.Disposable`, so either can be used. */
export interface Disposable {
  dispose(): void;
}

/** Shaped like `vscode.Event`: call it with a listener, dispose the result to stop listening. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/** What an error thrown by the API carries besides its message. */
export interface SwitchboardApiError extends Error {
  readonly code: ErrorCode;
}

/** What a contributed adapter gets to reach one connection. Built by Switchboard for one call; keep nothing of it. */
export interface ConnectionTarget {
  /** The connection's base URL with no trailing slash. */
  baseUrl: string;
  /** Non-secret option values, keyed by the descriptor's field keys. */
  options: Readonly<Record<string, string>>;
  /**
   * The connection's key, present only when the person allowed this use (the key path: consent,
   * audit) and only for the origin it was entered for. Put it in a request header, nowhere else.
   */
  apiKey?: string;
  /** Credential headers (lower-case names), handled like the key. */
  credentialHeaders?: Readonly<Record<string, string>>;
}

/** Per-call context of a contributed adapter. */
export interface AdapterCallContext {
  /** The whole call, in milliseconds; for a streamed chat, the time to the first byte. */
  timeoutMs: number;
  /** For a streamed chat, the longest silence between two chunks. */
  idleTimeoutMs?: number;
  /** Aborted when the person or the caller cancels, or a timeout passes: stop the request. */
  signal?: AbortSignal;
}

/**
 * The code side of a contributed provider. Throw an `Error` with a `code` (an `ErrorCode`) and an
 * actionable message on failure; never put the key anywhere but a request header.
 */
export interface ContributedProviderAdapter {
  /** A harmless call that proves the endpoint answers and accepts the key; returns a short summary. */
  testConnection(target: ConnectionTarget, context: AdapterCallContext): Promise<string>;
  /** Checks option values when a connection is saved: the first problem's message, or undefined. */
  validateOptions?(options: Readonly<Record<string, string>>): string | undefined;
  /** The models the connection serves. */
  discoverModels?(target: ConnectionTarget, context: AdapterCallContext): Promise<DiscoveredModel[]>;
  /** One non-streaming chat call. */
  chat?(target: ConnectionTarget, request: ChatRequest, context: AdapterCallContext): Promise<ChatResult>;
  /** One streaming chat call: text as it comes, each tool call whole, the usage, `finish` last. */
  chatStream?(target: ConnectionTarget, request: ChatRequest, context: AdapterCallContext): AsyncIterable<ChatStreamPart>;
}

/**
 * A provider as an extension describes it. Switchboard sets `source` to the calling extension and
 * registers the id as `<caller>/<id>` (so `id` itself must not contain a `/`).
 */
export type ContributedProviderDescriptor = Omit<ProviderDescriptor, 'source'> & { source?: string };

/** A connection as other extensions see it: IDs and metadata, never a key or a key hint. */
export interface ConnectionSummary extends Pick<Connection, 'id' | 'name' | 'providerId' | 'baseUrl' | 'status'> {
  defaultModel?: string;
  /** Whether a key or credential headers are stored for it. */
  hasCredentials: boolean;
  /**
   * False when the provider's contributing extension is gone (uninstalled, disabled, or it
   * disposed its registration): the connection stays, runs on it are refused, and it works
   * again as soon as the provider is registered again.
   */
  providerAvailable: boolean;
}

/** A run started with `launchAgentRun`: its id at once, its output as it streams, its end. */
export interface AgentRunHandle {
  readonly runId: string;
  /** The run's output, piece by piece as the model answers; ends when the run does. */
  readonly output: AsyncIterable<string>;
  /** The final record (succeeded, failed or cancelled); never rejects once the run is stored. */
  readonly finished: Promise<RunRecord>;
  /** Stops the run: its model call is aborted and it ends as `cancelled`. */
  cancel(): void;
}

/** Version 1 of the API, bound to one calling extension. */
export interface SwitchboardApiV1 {
  readonly apiVersion: 1;
  /**
   * Adds a provider of the calling extension. Its adapter receives a key only through
   * Switchboard's key path, after the person consented. Dispose the result to remove it (its
   * connections stay, marked "provider unavailable", until it is registered again).
   * @throws `invalid_input` for a malformed descriptor or adapter, `conflict` for an id already registered.
   */
  registerProvider(descriptor: ContributedProviderDescriptor, adapter: ContributedProviderAdapter): Disposable;
  /** Every provider registered now, core and contributed. */
  listProviders(): ProviderDescriptor[];
  /** Every connection, without keys. */
  listConnections(): ConnectionSummary[];
  /** The registered models (enabled or not), of one connection when `connectionId` is given. */
  listModels(connectionId?: string): RegisteredModel[];
  /**
   * Runs an agent as the calling extension: the consent prompt names it, its "Always Allow" is
   * its own, and the audit log records its id. Without `connectionId` the run uses the agent's,
   * else the default connection, and records the one it used.
   * Resolves with the final record, whatever the outcome.
   * @throws `invalid_input` for a malformed request, `not_found` for an unknown agent (nothing stored).
   */
  startAgentRun(request: StartAgentRunRequest): Promise<RunRecord>;
  /** Like `startAgentRun`, but resolves once the run is stored, with its id, its output stream and a cancel. */
  launchAgentRun(request: StartAgentRunRequest): Promise<AgentRunHandle>;
  /**
   * The tokens and cost of the model calls this extension asked for (its runs), per period and
   * group, as the Usage tab reports them: never another extension's or the person's calls.
   * Costs are whole nano-dollars (1e-9 USD); calls with no known price are counted in
   * `unpricedCalls`, not in `costNano`.
   * @throws `invalid_input` for a malformed request or a range of more than 732 periods.
   */
  usage(request: UsageRequest): UsageReport;
  /** A provider was registered or removed. */
  readonly onDidChangeProviders: Event<void>;
  /** A connection was added, edited or deleted. */
  readonly onDidChangeConnections: Event<void>;
  /** The model registry changed (models added, removed, enabled or disabled). */
  readonly onDidChangeModels: Event<void>;
  /** A run this extension started finished; its final record. */
  readonly onDidFinishRun: Event<RunRecord>;
}

/** What activating Switchboard returns. */
export interface SwitchboardExports {
  /**
   * The API of `version` for the calling extension: the one whose folder holds the code that
   * calls. `caller`, its `context.extension.id`, may be left out; when given it must name that
   * same extension.
   * @throws `invalid_input` for a version this Switchboard does not offer, a call from code in no
   * installed extension, a `caller` that names another extension, or an extension whose id
   * begins with `switchboard.` (the ids of Switchboard's own views and commands).
   */
  getApi(version: 1, caller?: string): SwitchboardApiV1;
}
