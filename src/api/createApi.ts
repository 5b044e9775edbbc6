import * as z from 'zod';
import type { RunRecord } from '../contracts/agents';
import { hasCredentials, type Connection } from '../contracts/connections';
import type { ErrorCode } from '../contracts/errors';
import type { RegisteredModel } from '../contracts/models';
import type { ProviderDescriptor } from '../contracts/providers';
import { UsageReportRequestSchema, type UsageReport, type UsageReportRequest } from '../contracts/usage';
import type { AgentRunHandle, ConnectionSummary, Disposable, Event, SwitchboardApiV1, SwitchboardExports } from './types';

/**
 * What the API needs from the host that runs it. src/vscode implements it over core (the
 * provider registry, connections, the model registry, the run service), so this layer stays on
 * contracts alone and its tests can hand it real core parts without VS Code.
 */
export interface ApiHost {
  /**
   * The requester id of the extension whose code called getApi, from the files of the call's
   * stack (innermost first, getApi's own frames left out; undefined for a frame without a file).
   * `claimed` is the caller's second argument, if any: checked, never believed.
   * @throws `invalid_input` when the calling code is in no installed extension, or `claimed` names another one.
   */
  callingExtension(callSiteFiles: readonly (string | undefined)[], claimed: unknown): string;
  /** Validates and registers; throws `invalid_input` or `conflict`. */
  registerProvider(descriptor: unknown, adapter: unknown, caller: string): Disposable;
  providers(): ProviderDescriptor[];
  connections(): Connection[];
  models(): RegisteredModel[];
  /** Validates the request (throws `invalid_input`, stores nothing), stores the run, and runs it as `requesterId`. */
  launchRun(
    request: unknown,
    requesterId: string,
    /** Without them the run cannot be cancelled from here and its output is only in the record it finishes with. */
    options?: { signal?: AbortSignal; onOutput?(text: string): void },
  ): Promise<{ runId: string; finished: Promise<RunRecord> }>;
  /** The usage report of calls filtered as asked; the API always narrows it to the caller's own calls. */
  usage(request: UsageReportRequest): UsageReport;
  /** A listener of another extension threw: logged there, so one extension's bug breaks neither Switchboard nor the others' listeners. */
  listenerFailed(caller: string, error: unknown): void;
  /** An error of the host's own kind, so a caller sees the same `code` wherever a refusal comes from. */
  error(code: ErrorCode, message: string): Error;
  readonly onDidChangeProviders: Event<void>;
  readonly onDidChangeConnections: Event<void>;
  readonly onDidChangeModels: Event<void>;
  /** Every run's final record, whoever started it; each caller sees only its own. */
  readonly onDidFinishRun: Event<RunRecord>;
}

/** The API versions this Switchboard offers. */
export const API_VERSIONS = [1] as const;

const ConnectionIdSchema = z.string().uuid();

/**
 * `activate()`'s return value: `getApi(version, caller?)`. Which extension calls is learned
 * from the calling code's file, as VS Code tells extensions apart; the `caller` argument is only
 * checked against it.
 */
export function createApi(host: ApiHost): SwitchboardExports {
  const getApi = (version: unknown, caller?: unknown): SwitchboardApiV1 => {
    if (version !== 1) {
      throw host.error('invalid_input', `Switchboard has no API version ${String(JSON.stringify(version)).slice(0, 20)}; this version of Switchboard offers version ${API_VERSIONS.join(', ')}.`);
    }
    return apiV1(host, host.callingExtension(callSiteFiles(getApi), caller));
  };
  return { getApi } satisfies { getApi(version: unknown, caller?: unknown): SwitchboardApiV1 };
}

/** V8's stack trace API, which every extension host runs on; typed here, as this layer has no Node types. */
interface V8ErrorConstructor {
  captureStackTrace(target: object, above?: (...args: never[]) => unknown): void;
  prepareStackTrace?: (error: Error, sites: readonly { getFileName(): string | null | undefined }[]) => unknown;
  stackTraceLimit: number;
}

/**
 * The files of the calls that led to `above`, innermost first, `above`'s own frame and those it
 * made left out; undefined for a frame without a file (a built-in such as `Array.map`). Read
 * from V8's call sites rather than the formatted stack, which no one can parse for certain.
 */
function callSiteFiles(above: (...args: never[]) => unknown): (string | undefined)[] {
  const v8 = Error as unknown as V8ErrorConstructor;
  const { prepareStackTrace, stackTraceLimit } = v8;
  const holder: { stack?: unknown } = {};
  try {
    // Whatever limit another extension set, enough frames to pass built-ins to the caller's code.
    v8.stackTraceLimit = 16;
    v8.prepareStackTrace = (_error, sites) => sites.map((site) => site.getFileName() ?? undefined);
    v8.captureStackTrace(holder, above);
    // V8 formats the stack when it is first read: read it while this formatter is in place.
    return Array.isArray(holder.stack) ? (holder.stack as (string | undefined)[]) : [];
  } finally {
    v8.prepareStackTrace = prepareStackTrace;
    v8.stackTraceLimit = stackTraceLimit;
  }
}

function apiV1(host: ApiHost, caller: string): SwitchboardApiV1 {
  const launch = async (request: unknown): Promise<AgentRunHandle> => {
    const controller = new AbortController();
    const output = new TextQueue();
    const { runId, finished } = await host.launchRun(request, caller, { signal: controller.signal, onOutput: (text) => output.push(text) });
    void finished.finally(() => output.end());
    return { runId, output, finished, cancel: () => controller.abort() };
  };
  return {
    apiVersion: 1,
    registerProvider: (descriptor, adapter) => host.registerProvider(descriptor, adapter, caller),
    listProviders: () => host.providers(),
    listConnections: () => {
      const available = new Set(host.providers().map((provider) => provider.id));
      return host.connections().map((connection) => summarize(connection, available));
    },
    listModels: (connectionId?: unknown) => {
      if (connectionId === undefined) return host.models();
      const parsed = ConnectionIdSchema.safeParse(connectionId);
      if (!parsed.success) throw host.error('invalid_input', 'listModels takes a connection id (a UUID from listConnections) or nothing.');
      return host.models().filter((model) => model.connectionId === parsed.data);
    },
    // Nothing reads the output as it streams nor cancels: no queue, no controller.
    startAgentRun: async (request) => (await host.launchRun(request, caller)).finished,
    launchAgentRun: launch,
    usage: (request: unknown) => host.usage(ownUsageRequest(host, request, caller)),
    onDidChangeProviders: guarded(host, caller, host.onDidChangeProviders),
    onDidChangeConnections: guarded(host, caller, host.onDidChangeConnections),
    onDidChangeModels: guarded(host, caller, host.onDidChangeModels),
    onDidFinishRun: guarded(host, caller, (listener: (run: RunRecord) => void) => host.onDidFinishRun((run) => run.requesterId === caller && listener(run))),
  };
}

/**
 * A usage request narrowed to the caller's own calls: whatever requester it names (or none), the
 * filter's requester is the caller's id, so no argument reaches another caller's usage.
 */
function ownUsageRequest(host: ApiHost, request: unknown, caller: string): UsageReportRequest {
  const given = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
  const filter = typeof given.filter === 'object' && given.filter !== null ? (given.filter as Record<string, unknown>) : {};
  const parsed = UsageReportRequestSchema.safeParse({ ...given, filter: { ...filter, requesterId: caller } });
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw host.error('invalid_input', `usage takes { period, groupBy, from, to, utcOffsetMinutes, filter? } (see UsageRequest); these are not valid: ${where.slice(0, 200)}.`);
  }
  return parsed.data;
}

/** The event with each of the caller's listeners guarded: what it throws is reported, never raised in Switchboard. */
function guarded<T>(host: ApiHost, caller: string, event: Event<T>): Event<T> {
  return (listener) =>
    event((value) => {
      try {
        listener(value);
      } catch (error) {
        host.listenerFailed(caller, error);
      }
    });
}

/** Only what another extension may see of a connection: no key hint, no credential header names, no options. */
function summarize(connection: Connection, availableProviders: ReadonlySet<string>): ConnectionSummary {
  const { id, name, providerId, baseUrl, status, defaultModel } = connection;
  return {
    id,
    name,
    providerId,
    baseUrl,
    status,
    ...(defaultModel ? { defaultModel } : {}),
    hasCredentials: hasCredentials(connection),
    providerAvailable: availableProviders.has(providerId),
  };
}

/**
 * A run's output as an async iterable: pieces wait here until the caller reads them, and the
 * iteration ends when the run does. Each `for await` reads the pieces from its own start.
 */
class TextQueue implements AsyncIterable<string> {
  private readonly pieces: string[] = [];
  private ended = false;
  private waiting: (() => void)[] = [];

  push(text: string): void {
    this.pieces.push(text);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let next = 0;
    for (;;) {
      if (next < this.pieces.length) {
        yield this.pieces[next++];
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
    }
  }

  private notify(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }
}
