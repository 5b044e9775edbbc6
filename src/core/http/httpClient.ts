import * as l10n from '@vscode/l10n';
import { request, type Dispatcher } from './undici';
import type { z } from 'zod';
import { issuePaths } from '../../contracts/issues';
import { isCredentialName } from '../../contracts/urls';
import { SwitchboardError, withFacts, type FailureFacts } from '../base/errors';
import type { ProxySettings, Timers } from '../base/ports';
import { blankSecrets, MIN_SECRET_LENGTH, StreamBlanker, withoutSecrets } from '../base/secrets';
import { checkTimeout, Deadline } from './deadline';
import { endpointOf, networkError, statusError, type ApiProfile, type ErrorResponse } from './httpErrors';
import { configKey, createDispatcher, proxyFor, resolveProxyConfig, type ProxyConfig } from './proxy';

export interface HttpClientOptions {
  /** Read on every request, so a change to VS Code's proxy settings applies to the next call. */
  proxy: () => ProxySettings;
  /** Where HTTP(S)_PROXY and NO_PROXY are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Largest response body accepted, in bytes; 8 MiB by default. */
  maxResponseBytes?: number;
  /** The timers of the request and idle timeouts; the system's unless given (tests fire them). */
  timers?: Timers;
}

export interface RequestOptions {
  /** How the provider's API reports errors, and its name for messages. */
  api: ApiProfile;
  /** Headers, including the key. The values of those named as credentials (isCredentialName) never appear in an error or a streamed answer. */
  headers?: Readonly<Record<string, string>>;
  /** The whole call, from connecting to the last body byte, must finish within this time. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Overrides the client's cap for this call. */
  maxResponseBytes?: number;
  /** What a 404 means for this call; `not_found` by default. */
  notFound?: 'model_not_found' | 'not_found';
}

/** A streamed call: `timeoutMs` is the time to the answer's first byte, `idleTimeoutMs` the longest silence after it. */
export interface StreamRequestOptions extends RequestOptions {
  /** Between two chunks of the answer, at most this long may pass. */
  idleTimeoutMs: number;
  /** What the answer is: `text/event-stream` (SSE) or `application/x-ndjson` (Ollama). */
  accept: string;
  /** Told the answer's content type once its headers have come, before its first chunk: how to read the chunks may depend on it. */
  onContentType?: (contentType: string) => void;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Error bodies are read only far enough to find the provider's message. */
const ERROR_BODY_BYTES = 64 * 1024;

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The one way core reaches a provider: undici with a timeout and a cancellation signal on every
 * call, a cap on the response size, zod validation of the JSON answer, VS Code's proxy settings,
 * and errors with a code and an action that name the endpoint but never a credential header's value.
 */
export class HttpClient {
  private dispatcher: { key: string; config: ProxyConfig; value: Dispatcher } | undefined;

  constructor(readonly options: HttpClientOptions) {}

  /** GET `url` and return its JSON body validated by `schema`. */
  getJson<S extends z.ZodType>(url: string, schema: S, options: RequestOptions): Promise<z.output<S>> {
    return this.send('GET', url, undefined, schema, options);
  }

  /** POST `body` as JSON to `url` and return the JSON answer validated by `schema`. */
  postJson<S extends z.ZodType>(url: string, body: unknown, schema: S, options: RequestOptions): Promise<z.output<S>> {
    return this.send('POST', url, JSON.stringify(body), schema, options);
  }

  /**
   * Sends `body` (when given) as JSON with `method` and returns the answer's text, which may be
   * empty (a 204 to a DELETE): for APIs whose answers the caller only checks, like the gateway's.
   * Timeouts, size cap, error codes and redaction of credential header values as for every other call.
   */
  sendText(method: Method, rawUrl: string, body: unknown, options: RequestOptions): Promise<string> {
    return this.exchange(method, parseUrl(rawUrl), body === undefined ? undefined : JSON.stringify(body), options);
  }

  /** Closes pooled connections. In-flight calls finish first. */
  async dispose(): Promise<void> {
    const current = this.dispatcher;
    this.dispatcher = undefined;
    await current?.value.close();
  }

  private async send<S extends z.ZodType>(method: Method, rawUrl: string, body: string | undefined, schema: S, options: RequestOptions): Promise<z.output<S>> {
    const url = parseUrl(rawUrl);
    const text = await this.exchange(method, url, body, options);
    return parseJson(text, schema, url, options.api);
  }

  /**
   * POSTs `body` as JSON and yields the answer's text as it arrives, decoded as UTF-8 (a
   * character cut between two chunks comes out whole) with every credential header's value blanked, also when
   * a key is cut between two chunks. The first byte must come within `timeoutMs`, and each next
   * chunk within `idleTimeoutMs` of the last; the whole answer is capped like any other. A non-2xx
   * answer throws what the same status throws for {@link postJson}. Cancelling, or leaving the
   * loop early, destroys the connection at once.
   */
  async *postStream(rawUrl: string, body: unknown, options: StreamRequestOptions): AsyncGenerator<string, void, undefined> {
    const url = parseUrl(rawUrl);
    const call = this.prepare(url, options);
    const deadline = new StreamDeadline(options.timeoutMs, options.idleTimeoutMs, options.signal, this.options.timers);
    let response: Dispatcher.ResponseData | undefined;
    let finished = false;
    try {
      response = await open(call, deadline, 'POST', JSON.stringify(body), options.accept);
      if (Number(response.headers['content-length']) > call.maxResponseBytes) throw tooLarge(url, call.maxResponseBytes);
      options.onContentType?.(String(response.headers['content-type'] ?? ''));
      const decoder = new TextDecoder('utf-8');
      const blanker = new StreamBlanker(call.headerSecrets);
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        deadline.gotBytes();
        size += chunk.length;
        if (size > call.maxResponseBytes) throw tooLarge(url, call.maxResponseBytes);
        const text = blanker.push(decoder.decode(chunk, { stream: true }));
        if (text) yield text;
        deadline.waitingForBytes();
      }
      finished = true;
      const rest = blanker.push(decoder.decode()) + blanker.end();
      if (rest) yield rest;
    } catch (error) {
      throw failureOf(error, call, deadline, response !== undefined);
    } finally {
      deadline.clear();
      if (response && !finished) discard(response.body);
    }
  }

  /** Sends the request and returns the body of a 2xx answer as text; everything else throws. */
  private async exchange(method: Method, url: URL, body: string | undefined, options: RequestOptions): Promise<string> {
    const call = this.prepare(url, options);
    const deadline = new RequestDeadline(options.timeoutMs, options.signal, this.options.timers);
    try {
      const response = await open(call, deadline, method, body, 'application/json');
      return await readCapped(response, call.maxResponseBytes, 'throw', url);
    } catch (error) {
      throw failureOf(error, call, deadline);
    } finally {
      deadline.clear();
    }
  }

  /** What every call sets up before it sends: the dispatcher for the current proxy settings, the header values to blank, its size cap. */
  private prepare(url: URL, options: RequestOptions): Call {
    const { dispatcher, config } = this.currentDispatcher();
    return {
      url,
      options,
      dispatcher,
      proxy: config,
      headerSecrets: secretsOf(options.headers),
      maxResponseBytes: options.maxResponseBytes ?? this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    };
  }

  /** The dispatcher for the current settings; rebuilt (and the old one closed) when they change. */
  private currentDispatcher(): { dispatcher: Dispatcher; config: ProxyConfig } {
    const config = resolveProxyConfig(this.options.proxy(), this.options.env ?? process.env);
    const key = configKey(config);
    if (this.dispatcher?.key !== key) {
      // close() lets calls already running on the old dispatcher finish.
      this.dispatcher?.value.close().catch(() => undefined);
      this.dispatcher = { key, config, value: createDispatcher(config) };
    }
    return { dispatcher: this.dispatcher.value, config: this.dispatcher.config };
  }
}

/** One call as {@link HttpClient.prepare} set it up, shared by plain and streamed calls. */
interface Call {
  url: URL;
  options: RequestOptions;
  dispatcher: Dispatcher;
  proxy: ProxyConfig;
  /** Header values (keys among them) that never leave in an error or an answer. */
  headerSecrets: string[];
  /** The largest answer read, in bytes. */
  maxResponseBytes: number;
}

/** Sends the request within `deadline`; a 2xx answer comes back with its body unread, any other status throws its error. */
async function open(call: Call, deadline: RequestDeadline, method: Method, body: string | undefined, accept: string): Promise<Dispatcher.ResponseData> {
  const { url, options } = call;
  deadline.throwIfStopped(url);
  const response = await request(url, {
    method,
    dispatcher: call.dispatcher,
    signal: deadline.signal,
    headers: {
      accept,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body,
  });
  if (response.statusCode < 200 || response.statusCode > 299) throw await statusFailure(response, url, options, call.headerSecrets);
  return response;
}

/**
 * What a failed call throws: our own errors as they are; else why the deadline stopped it (its
 * timeout or the caller's cancel), since aborts surface as whatever undici or the stream throws;
 * else the network's failure. `answerBegun` (a stream past its 2xx): the connection broke, it
 * did not fail to connect.
 */
function failureOf(error: unknown, call: Call, deadline: RequestDeadline, answerBegun = false): SwitchboardError {
  if (error instanceof SwitchboardError) return error;
  const stopped = deadline.stoppedError(call.url);
  if (stopped) return stopped;
  if (answerBegun) return new SwitchboardError('endpoint_unreachable', l10n.t("The connection to {0} broke before the answer was complete. Try again; if it keeps happening, check the network or the server's logs.", endpointOf(call.url)));
  return networkError(error, { url: call.url, proxy: proxyFor(call.url, call.proxy), strictSSL: call.proxy.strictSSL });
}

/** One call's deadline, and the error that says why the call stopped: its timeout or the caller's cancel. */
class RequestDeadline extends Deadline {
  stoppedError(url: URL): SwitchboardError | undefined {
    if (this.timedOut) {
      // Nothing of the answer came: another try, or another target, may answer in time.
      return new SwitchboardError('timeout', l10n.t('No answer from {0} within {1} s. Check that the server is running and not overloaded, or raise switchboard.requestTimeoutSeconds.', url.origin, seconds(this.timeoutMs)), { facts: { transient: true } });
    }
    if (this.callerSignal?.aborted) {
      return new SwitchboardError('cancelled', l10n.t('The request to {0} was cancelled.', endpointOf(url)));
    }
    return undefined;
  }

  throwIfStopped(url: URL): void {
    const stopped = this.stoppedError(url);
    if (stopped) throw stopped;
  }
}

/**
 * A streamed call's two timeouts: the request timeout until the first byte of the answer, then
 * the idle timeout for each wait for the next chunk. The clock stops while the caller handles a
 * chunk: a slow reader is not a silent server.
 */
class StreamDeadline extends RequestDeadline {
  private streaming = false;

  constructor(
    timeoutMs: number,
    private readonly idleTimeoutMs: number,
    signal: AbortSignal | undefined,
    timers: Timers | undefined,
  ) {
    // Checked before the first timer starts, so a bad idle timeout leaves nothing running.
    checkTimeout(idleTimeoutMs);
    super(timeoutMs, signal, timers);
  }

  gotBytes(): void {
    this.streaming = true;
    this.pause();
  }

  waitingForBytes(): void {
    this.restart(this.idleTimeoutMs);
  }

  override stoppedError(url: URL): SwitchboardError | undefined {
    if (this.timedOut && this.streaming) {
      return new SwitchboardError('timeout', l10n.t('{0} stopped sending its answer: nothing came for {1} s. Check that the server is not overloaded, or raise switchboard.streamIdleTimeoutSeconds.', url.origin, seconds(this.idleTimeoutMs)));
    }
    return super.stoppedError(url);
  }
}

function seconds(ms: number): number {
  return Number((ms / 1000).toFixed(1));
}

/** The error for a non-2xx answer, from the start of its body, with every credential header's value blanked. */
async function statusFailure(response: Dispatcher.ResponseData, url: URL, options: RequestOptions, secrets: string[]): Promise<SwitchboardError> {
  // Some providers echo the key they rejected, raw or JSON-escaped: blanked before the body is parsed or cut.
  const errorText = blankSecrets(await readCapped(response, ERROR_BODY_BYTES, 'truncate', url), secrets);
  const failure: ErrorResponse = {
    status: response.statusCode,
    endpoint: endpointOf(url),
    bodyText: errorText,
    retryAfterSeconds: retryAfter(response.headers['retry-after']),
  };
  const facts = { status: response.statusCode, ...retryFacts(response.headers) };
  return withFacts(withoutSecrets(statusError(failure, options.api, options.notFound), secrets), facts);
}

/**
 * When the server said to come back: `retry-after-ms` (OpenAI), `Retry-After` in seconds or as
 * an HTTP date, else a provider's rate-limit reset (Anthropic's RFC 3339 time, OpenAI's `6m0s`).
 * Only numbers leave: never a header's text.
 */
export function retryFacts(headers: Readonly<Record<string, string | string[] | undefined>>): FailureFacts {
  const first = (name: string) => {
    const value = headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim();
  };
  const ms = first('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return { retryAfterMs: Math.round(Number(ms)) };
  const after = first('retry-after');
  if (after && /^\d+(\.\d+)?$/.test(after)) return { retryAfterMs: Math.round(Number(after) * 1000) };
  if (after) {
    const at = Date.parse(after);
    if (Number.isFinite(at)) return { retryAt: at };
  }
  const reset = first('anthropic-ratelimit-requests-reset') ?? first('anthropic-ratelimit-tokens-reset');
  if (reset) {
    const at = Date.parse(reset);
    if (Number.isFinite(at)) return { retryAt: at };
  }
  const duration = first('x-ratelimit-reset-requests') ?? first('x-ratelimit-reset-tokens');
  const parsed = duration ? parseDuration(duration) : undefined;
  return parsed === undefined ? {} : { retryAfterMs: parsed };
}

/** `6m0s`, `1.5s`, `20ms` (OpenAI's reset headers) in milliseconds; undefined for anything else. */
function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let rest = text;
  while (rest) {
    const part = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (!part) return undefined;
    total += Number(part[1]) * (units[part[2]!] ?? 0);
    rest = rest.slice(part[0].length);
  }
  return text ? Math.round(total) : undefined;
}

/**
 * Reads the body up to `limit` bytes. Past the limit it either stops and throws `bad_response`
 * ('throw', for answers we use) or returns what it has ('truncate', for error bodies).
 */
async function readCapped(response: Dispatcher.ResponseData, limit: number, overflow: 'throw' | 'truncate', url: URL): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (overflow === 'throw' && Number.isFinite(declared) && declared > limit) {
    discard(response.body);
    throw tooLarge(url, limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      discard(response.body);
      if (overflow === 'throw') throw tooLarge(url, limit);
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Stops reading: destroying the stream drops the connection instead of draining the rest. */
function discard(body: Dispatcher.ResponseData['body']): void {
  // undici emits an AbortError on a body destroyed early; nobody else listens any more.
  body.on('error', () => undefined);
  body.destroy();
}

function tooLarge(url: URL, limit: number): SwitchboardError {
  return new SwitchboardError('bad_response', l10n.t('The answer from {0} is larger than {1}, so it was not read. Check that the base URL points at the right service.', endpointOf(url), formatBytes(limit)));
}

function parseJson<S extends z.ZodType>(text: string, schema: S, url: URL, api: ApiProfile): z.output<S> {
  const notProvider = `The server at ${endpointOf(url)} does not look like the ${api.name} API`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SwitchboardError('bad_response', l10n.t("{0}: its answer is not JSON. Check the connection's base URL.", notProvider));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // Paths only: the issue messages could quote values from the body.
    throw new SwitchboardError('bad_response', l10n.t("{0}: its answer has an unexpected shape (at {1}). Check the connection's base URL.", notProvider, issuePaths(parsed.error.issues)));
  }
  return parsed.data;
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SwitchboardError('invalid_input', l10n.t('The base URL is not a valid address. Use an http:// or https:// URL, e.g. http://localhost:11434.'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SwitchboardError('invalid_input', l10n.t('The base URL must start with http:// or https://, not {0}//.', url.protocol));
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs and proxies; keys belong in headers.
    throw new SwitchboardError('invalid_input', l10n.t('The URL for {0} holds a user name or password. Remove it and store the key with Switchboard: Set API Key.', url.host));
  }
  return url;
}

function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * The values of the headers whose names say they carry a credential, and the token after an auth
 * scheme ("Bearer x"), long enough to be a key. Other header values (an `anthropic-version`, an
 * `X-Title`) are no secret, and an answer that repeats them is left whole; the connection's own
 * secrets, whatever their header is called, are blanked by the key path and streamChat.
 */
function secretsOf(headers: Readonly<Record<string, string>> | undefined): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!isCredentialName(name)) continue;
    secrets.add(value);
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) secrets.add(token);
  }
  const long = [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  // A value that holds another (`Bearer <key>` holds the key) needs no scan of its own: blanking
  // the one inside leaves none of it, in any of the forms blanking finds. One scan of each piece
  // of a streamed answer, not two.
  return long.filter((secret) => !long.some((other) => other !== secret && secret.includes(other))).sort((a, b) => b.length - a.length);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return l10n.t('{0} MiB', Number((bytes / (1024 * 1024)).toFixed(1)));
  if (bytes >= 1024) return l10n.t('{0} KiB', Number((bytes / 1024).toFixed(1)));
  return l10n.t('{0} bytes', bytes);
}
