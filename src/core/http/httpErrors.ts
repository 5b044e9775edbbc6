import * as l10n from '@vscode/l10n';
import type { ErrorCode } from '../../contracts/errors';
import { SwitchboardError } from '../errors';

/** Why a connection failed before any HTTP answer arrived. */
export type NetworkFailure = 'refused' | 'dns' | 'tls' | 'reset' | 'proxy' | 'other';

/**
 * A failure to reach the server at all. Adapters may look at `reason` to give a
 * provider-specific hint (Ollama: "Is it running?").
 */
export class NetworkError extends SwitchboardError {
  constructor(
    readonly reason: NetworkFailure,
    message: string,
  ) {
    super('endpoint_unreachable', message);
    this.name = 'NetworkError';
  }
}

/** A non-2xx answer, already read (capped), as handed to a provider's error mapping. */
export interface ErrorResponse {
  status: number;
  /** Origin and path of the request, without the query string. */
  endpoint: string;
  /** The start of the body, decoded as UTF-8; may be cut short. */
  bodyText: string;
  /** `Retry-After` in seconds, when the server sent a number of seconds. */
  retryAfterSeconds?: number;
}

/**
 * How one provider's API reports errors. Each adapter has one; the HTTP client uses it for
 * every non-2xx answer and for messages about answers that do not look like this provider.
 */
export interface ApiProfile {
  /** The provider as people know it: "does not look like the OpenAI API". */
  name: string;
  /** The provider's own message from a parsed error body, when the body has its error shape. */
  errorMessage?(body: unknown): string | undefined;
  /**
   * Provider-specific statuses (Gemini's 400 API_KEY_INVALID, Azure's DeploymentNotFound).
   * Return undefined to fall through to the generic mapping of {@link statusError}.
   */
  classify?(response: ErrorResponse, providerMessage: string | undefined): SwitchboardError | undefined;
}

const PROVIDER_MESSAGE_LIMIT = 300;

/**
 * Maps a non-2xx answer to a SwitchboardError with an action to take, appending the provider's
 * own message (truncated) when its error body has one. `notFound` is what a 404 means for this
 * call: a model that does not exist, or anything else.
 */
export function statusError(response: ErrorResponse, api: ApiProfile, notFound: 'model_not_found' | 'not_found' = 'not_found'): SwitchboardError {
  const providerMessage = readProviderMessage(response.bodyText, api);
  const specific = api.classify?.(response, providerMessage);
  if (specific) return specific;

  const { status, endpoint } = response;
  const [code, text] = describeStatus(status, endpoint, api.name, notFound, response.retryAfterSeconds);
  return new SwitchboardError(code, `${text}${providerSaid(api.name, providerMessage)}`);
}

/** ` Gemini said: "…"`, to end an error with the provider's own words, or '' when it gave none. */
export function providerSaid(provider: string, providerMessage: string | undefined): string {
  return providerMessage ? ` ${provider} said: "${providerMessage}"` : '';
}

function describeStatus(
  status: number,
  endpoint: string,
  provider: string,
  notFound: 'model_not_found' | 'not_found',
  retryAfterSeconds: number | undefined,
): [ErrorCode, string] {
  const got = `${endpoint} answered ${status}`;
  if (status === 401 || status === 403) {
    return ['auth_failed', `${got}: the key was rejected. Check that it is valid and allowed to use this endpoint, then set a new key with Switchboard: Set API Key.`];
  }
  if (status === 404) {
    return notFound === 'model_not_found'
      ? ['model_not_found', `${got}: the model was not found. Check the model name, or pick one from the connection's model list.`]
      : ['not_found', `${got}: not found. Check the connection's base URL; it must point at the ${provider} API.`];
  }
  if (status === 429) {
    const wait = retryAfterSeconds !== undefined ? `in ${retryAfterSeconds} s` : 'later';
    return ['rate_limited', `${got}: too many requests or the quota is used up. Try again ${wait}, or check the plan and limits of the account.`];
  }
  if (status === 408) {
    return ['timeout', `${got}: the server gave up waiting. Try again.`];
  }
  if (status === 400 || status === 422) {
    return ['invalid_input', `${got}: the request was rejected. Check the model and its options.`];
  }
  if (status === 502 || status === 503 || status === 504 || status === 529) {
    return ['endpoint_unreachable', `${got}: the service is unavailable or overloaded. Try again in a moment.`];
  }
  if (status >= 500) {
    return ['bad_response', `${got}: the server failed. Try again; if it keeps failing, check the ${provider} service status.`];
  }
  return ['bad_response', `${got}, an answer the ${provider} API does not give here. Check the connection's base URL.`];
}

function readProviderMessage(bodyText: string, api: ApiProfile): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const message = (api.errorMessage ?? commonErrorMessage)(body)?.trim();
  if (!message) return undefined;
  return message.length > PROVIDER_MESSAGE_LIMIT ? `${message.slice(0, PROVIDER_MESSAGE_LIMIT)}…` : message;
}

/** `{"error":"text"}` (Ollama) or `{"error":{"message":"text"}}` (OpenAI, Anthropic, Gemini, Azure). */
export function commonErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const { error } = body;
  if (typeof error === 'string') return error;
  if (isRecord(error) && typeof error.message === 'string') return error.message;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The scheme, host, port and path of a URL: what messages may show (no query, no credentials). */
export function endpointOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

interface FailureContext {
  url: URL;
  /** The proxy this request went through, if any. */
  proxy: string | undefined;
  strictSSL: boolean;
}

/** Maps an error from undici or the socket to a SwitchboardError with an action to take. */
export function networkError(error: unknown, context: FailureContext): SwitchboardError {
  const { url } = context;
  const origin = url.origin;
  const proxyOrigin = context.proxy ? safeOrigin(context.proxy) : undefined;
  const code = findCode(error);
  const message = error instanceof Error ? error.message : '';

  // The status as a word of its own: a bare "407" also matched the port in "ECONNREFUSED 127.0.0.1:40777".
  if (proxyOrigin && /Proxy Authentication Required|\b407\b/.test(message)) {
    return new NetworkError('proxy', `The proxy ${proxyOrigin} asked for credentials (407). Put them in the http.proxy setting or HTTPS_PROXY, e.g. http://user:password@proxy:port.`);
  }
  const tunnel = /Proxy response \((\d+)\)/.exec(message);
  if (proxyOrigin && tunnel) {
    return new NetworkError('proxy', `The proxy ${proxyOrigin} refused to connect to ${origin} (status ${tunnel[1]}). Check http.proxy and http.noProxy, or the proxy's rules.`);
  }
  if (code === 'ECONNREFUSED') {
    if (proxyOrigin) {
      return new NetworkError('proxy', `Could not connect to the proxy ${proxyOrigin}: the connection was refused. Check the http.proxy setting and the HTTP(S)_PROXY variables, or add ${url.hostname} to http.noProxy.`);
    }
    return new NetworkError('refused', `Could not connect to ${origin}: the connection was refused. Check that the server is running and that the base URL and port are right.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = proxyOrigin ? new URL(proxyOrigin).hostname : url.hostname;
    const what = proxyOrigin ? 'the proxy host' : 'host';
    return new NetworkError('dns', `Could not resolve ${what} "${host}" (${code}). Check the ${proxyOrigin ? 'http.proxy setting' : 'base URL'} for typos and that this machine is online.`);
  }
  const tls = tlsProblem(code, message);
  if (tls) {
    const strictHint = tls.trust && context.strictSSL
      ? ' If a company proxy or a self-signed certificate is expected here, add its CA to the system, or set http.proxyStrictSSL to false (less safe).'
      : '';
    return new NetworkError('tls', `The TLS connection to ${origin} failed: ${tls.description}.${tls.action}${strictHint}`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || /socket hang up|other side closed/i.test(message)) {
    const via = proxyOrigin ? ` (through the proxy ${proxyOrigin})` : '';
    return new NetworkError('reset', `The connection to ${origin}${via} was closed before an answer arrived. Check that the base URL points at the right service and try again.`);
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    return new SwitchboardError('invalid_input', l10n.t('The request to {0} could not be sent: a header is not valid, e.g. the key holds a line break. Set the key again with Switchboard: Set API Key.', endpointOf(url)));
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new NetworkError('other', `Could not connect to ${origin} (${code}). Check the network, a firewall or VPN, and the base URL.`);
  }
  // Unknown failure: the code and the error's class name, never its message, which may echo request data.
  const name = error instanceof Error ? error.name : typeof error;
  return new NetworkError('other', `The request to ${endpointOf(url)} failed (${code ?? name}). Check the base URL and the network.`);
}

interface TlsProblem {
  description: string;
  action: string;
  /** True when the certificate is not trusted: the case http.proxyStrictSSL is about. */
  trust: boolean;
}

function tlsProblem(code: string | undefined, message: string): TlsProblem | undefined {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { description: 'the certificate is self-signed', action: '', trust: true };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return { description: 'the certificate is signed by an unknown authority', action: '', trust: true };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { description: 'the certificate has expired or is not valid yet', action: ' Check the server certificate and this machine\'s clock.', trust: false };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { description: 'the certificate does not match the host name', action: ' Check the host name in the base URL.', trust: false };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return { description: 'the server does not speak TLS', action: ' If it is a plain HTTP server, use http:// in the base URL.', trust: false };
  }
  if (code && (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_'))) {
    return { description: `the handshake failed (${code})`, action: ' Check the server certificate.', trust: code.startsWith('CERT_') };
  }
  if (/certificate|self[- ]signed/i.test(message)) {
    return { description: 'the certificate was not accepted', action: '', trust: true };
  }
  return undefined;
}

/** The first `code` on the error, its cause chain, or an AggregateError's members (happy eyeballs). */
function findCode(error: unknown, depth = 0): string | undefined {
  if (!isRecord(error) || depth > 5) return undefined;
  if (typeof error.code === 'string') {
    // undici wraps socket errors; prefer the underlying system code when there is one.
    const inner = error.code.startsWith('UND_ERR') ? findCode(error.cause, depth + 1) : undefined;
    return inner ?? error.code;
  }
  const fromCause = findCode(error.cause, depth + 1);
  if (fromCause) return fromCause;
  if (Array.isArray(error.errors)) {
    for (const member of error.errors) {
      const found = findCode(member, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'configured in http.proxy';
  }
}
