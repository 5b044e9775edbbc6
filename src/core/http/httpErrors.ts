import * as l10n from '@vscode/l10n';
import type { ErrorCode } from '../../contracts/errors';
import { SwitchboardError } from '../base/errors';

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
    // A refused or reset connection may take the next try; a wrong name, certificate or proxy will not.
    super('endpoint_unreachable', message, reason === 'refused' || reason === 'reset' ? { facts: { transient: true } } : undefined);
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

/** ` Gemini said: "…"`, a sentence to end an error with the provider's own words, or '' when it gave none. */
export function providerSaid(provider: string, providerMessage: string | undefined): string {
  return providerMessage ? ` ${l10n.t('{0} said: "{1}"', provider, providerMessage)}` : '';
}

function describeStatus(
  status: number,
  endpoint: string,
  provider: string,
  notFound: 'model_not_found' | 'not_found',
  retryAfterSeconds: number | undefined,
): [ErrorCode, string] {
  if (status === 401 || status === 403) {
    return ['auth_failed', l10n.t('{0} answered {1}: the key was rejected. Check that it is valid and allowed to use this endpoint, then set a new key with Switchboard: Set API Key.', endpoint, status)];
  }
  if (status === 404) {
    return notFound === 'model_not_found'
      ? ['model_not_found', l10n.t("{0} answered {1}: the model was not found. Check the model name, or pick one from the connection's model list.", endpoint, status)]
      : ['not_found', l10n.t("{0} answered {1}: not found. Check the connection's base URL; it must point at the {2} API.", endpoint, status, provider)];
  }
  if (status === 429) {
    return [
      'rate_limited',
      retryAfterSeconds !== undefined
        ? l10n.t('{0} answered {1}: too many requests or the quota is used up. Try again in {2} s, or check the plan and limits of the account.', endpoint, status, retryAfterSeconds)
        : l10n.t('{0} answered {1}: too many requests or the quota is used up. Try again later, or check the plan and limits of the account.', endpoint, status),
    ];
  }
  if (status === 408) {
    return ['timeout', l10n.t('{0} answered {1}: the server gave up waiting. Try again.', endpoint, status)];
  }
  if (status === 400 || status === 422) {
    return ['invalid_input', l10n.t('{0} answered {1}: the request was rejected. Check the model and its options.', endpoint, status)];
  }
  if (status === 502 || status === 503 || status === 504 || status === 529) {
    return ['endpoint_unreachable', l10n.t('{0} answered {1}: the service is unavailable or overloaded. Try again in a moment.', endpoint, status)];
  }
  if (status >= 500) {
    return ['bad_response', l10n.t('{0} answered {1}: the server failed. Try again; if it keeps failing, check the {2} service status.', endpoint, status, provider)];
  }
  return ['bad_response', l10n.t("{0} answered {1}, an answer the {2} API does not give here. Check the connection's base URL.", endpoint, status, provider)];
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
    return new NetworkError('proxy', l10n.t('The proxy {0} asked for credentials (407). Put them in the http.proxy setting or HTTPS_PROXY, e.g. http://user:password@proxy:port.', proxyOrigin));
  }
  const tunnel = /Proxy response \((\d+)\)/.exec(message);
  if (proxyOrigin && tunnel) {
    return new NetworkError('proxy', l10n.t("The proxy {0} refused to connect to {1} (status {2}). Check http.proxy and http.noProxy, or the proxy's rules.", proxyOrigin, origin, tunnel[1] ?? ''));
  }
  if (code === 'ECONNREFUSED') {
    if (proxyOrigin) {
      return new NetworkError('proxy', l10n.t('Could not connect to the proxy {0}: the connection was refused. Check the http.proxy setting and the HTTP(S)_PROXY variables, or add {1} to http.noProxy.', proxyOrigin, url.hostname));
    }
    return new NetworkError('refused', l10n.t('Could not connect to {0}: the connection was refused. Check that the server is running and that the base URL and port are right.', origin));
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NetworkError(
      'dns',
      proxyOrigin
        ? l10n.t('Could not resolve the proxy host "{0}" ({1}). Check the http.proxy setting for typos and that this machine is online.', new URL(proxyOrigin).hostname, code)
        : l10n.t('Could not resolve host "{0}" ({1}). Check the base URL for typos and that this machine is online.', url.hostname, code),
    );
  }
  const tls = tlsProblem(code, message, origin);
  if (tls) {
    const strictHint =
      tls.trust && context.strictSSL
        ? ` ${l10n.t('If a company proxy or a self-signed certificate is expected here, add its CA to the system store (trusted while http.systemCertificates is on) or name it in switchboard.caCertificatesFile, or set http.proxyStrictSSL to false (less safe).')}`
        : '';
    return new NetworkError('tls', `${tls.sentences}${strictHint}`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || /socket hang up|other side closed/i.test(message)) {
    return new NetworkError(
      'reset',
      proxyOrigin
        ? l10n.t('The connection to {0} (through the proxy {1}) was closed before an answer arrived. Check that the base URL points at the right service and try again.', origin, proxyOrigin)
        : l10n.t('The connection to {0} was closed before an answer arrived. Check that the base URL points at the right service and try again.', origin),
    );
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    return new SwitchboardError('invalid_input', l10n.t('The request to {0} could not be sent: a header is not valid, e.g. the key holds a line break. Set the key again with Switchboard: Set API Key.', endpointOf(url)));
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new NetworkError('other', l10n.t('Could not connect to {0} ({1}). Check the network, a firewall or VPN, and the base URL.', origin, code));
  }
  // Unknown failure: the code and the error's class name, never its message, which may echo request data.
  const name = error instanceof Error ? error.name : typeof error;
  return new NetworkError('other', l10n.t('The request to {0} failed ({1}). Check the base URL and the network.', endpointOf(url), code ?? name));
}

interface TlsProblem {
  /** What failed and, where there is one, what to do: whole sentences. */
  sentences: string;
  /** True when the certificate is not trusted: the case http.proxyStrictSSL is about. */
  trust: boolean;
}

function tlsProblem(code: string | undefined, message: string, origin: string): TlsProblem | undefined {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { sentences: l10n.t('The TLS connection to {0} failed: the certificate is self-signed.', origin), trust: true };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return { sentences: l10n.t('The TLS connection to {0} failed: the certificate is signed by an unknown authority.', origin), trust: true };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { sentences: l10n.t("The TLS connection to {0} failed: the certificate has expired or is not valid yet. Check the server certificate and this machine's clock.", origin), trust: false };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { sentences: l10n.t('The TLS connection to {0} failed: the certificate does not match the host name. Check the host name in the base URL.', origin), trust: false };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return { sentences: l10n.t('The TLS connection to {0} failed: the server does not speak TLS. If it is a plain HTTP server, use http:// in the base URL.', origin), trust: false };
  }
  if (code && (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_'))) {
    return { sentences: l10n.t('The TLS connection to {0} failed: the handshake failed ({1}). Check the server certificate.', origin, code), trust: code.startsWith('CERT_') };
  }
  if (/certificate|self[- ]signed/i.test(message)) {
    return { sentences: l10n.t('The TLS connection to {0} failed: the certificate was not accepted.', origin), trust: true };
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
    return l10n.t('configured in http.proxy');
  }
}
