import { EnvHttpProxyAgent, type Dispatcher } from './undici';
import type { ProxySettings } from '../base/ports';
import { trustedAuthorities } from './certificates';

/** The proxy routing in force: what VS Code's settings say, completed by the environment. */
export interface ProxyConfig {
  /** Proxy for http:// targets; '' means none. */
  httpProxy: string;
  /** Proxy for https:// targets; '' means none. */
  httpsProxy: string;
  /** Comma-separated hosts (`host`, `.domain`, `*.domain`, `host:port`, or `*`) reached directly. */
  noProxy: string;
  strictSSL: boolean;
  /** Trust the system's certificate store too (VS Code's `http.systemCertificates`). */
  systemCertificates: boolean;
  /** More certificate authorities, from a PEM file; '' for none. */
  caFile: string;
}

/**
 * Settings win over the environment: `http.proxy` replaces HTTP(S)_PROXY for both schemes, a
 * non-empty `http.noProxy` replaces NO_PROXY. Lower-case variables win over upper-case ones, as
 * curl and undici read them.
 */
export function resolveProxyConfig(settings: ProxySettings, env: NodeJS.ProcessEnv): ProxyConfig {
  const settingProxy = settings.proxy?.trim();
  const envHttp = firstSet(env.http_proxy, env.HTTP_PROXY);
  const envHttps = firstSet(env.https_proxy, env.HTTPS_PROXY) || envHttp;
  const noProxyEntries = settings.noProxy.map((entry) => entry.trim()).filter(Boolean);
  const noProxy = noProxyEntries.length > 0 ? noProxyEntries : splitList(firstSet(env.no_proxy, env.NO_PROXY));
  return {
    httpProxy: settingProxy || envHttp,
    httpsProxy: settingProxy || envHttps,
    // undici treats '*' as "never proxy" only when it is the whole value.
    noProxy: noProxy.includes('*') ? '*' : noProxy.join(','),
    strictSSL: settings.strictSSL,
    systemCertificates: settings.systemCertificates ?? false,
    caFile: settings.caFile?.trim() ?? '',
  };
}

/** The proxy that a request to `url` goes through under `config`, or undefined when it goes direct. */
export function proxyFor(url: URL, config: ProxyConfig): string | undefined {
  const proxy = url.protocol === 'https:' ? config.httpsProxy : config.httpProxy;
  if (!proxy || bypassesProxy(url, config.noProxy)) return undefined;
  return proxy;
}

/** One dispatcher per config; undici's EnvHttpProxyAgent does the per-request routing. */
export function createDispatcher(config: ProxyConfig): Dispatcher {
  const ca = trustedAuthorities(config);
  const tls = { rejectUnauthorized: config.strictSSL, ...(ca ? { ca } : {}) };
  return new EnvHttpProxyAgent({
    // Explicit values, even empty ones, so undici never reads process.env behind our back.
    httpProxy: config.httpProxy,
    httpsProxy: config.httpsProxy,
    noProxy: config.noProxy,
    // Plain http:// targets go as absolute-URI requests, as curl and VS Code do; many proxies
    // allow CONNECT only to port 443. https:// targets are always tunnelled.
    proxyTunnel: false,
    // `connect` applies to direct connections, `requestTls` to the target through a tunnel,
    // `proxyTls` to an https:// proxy itself. http.proxyStrictSSL covers all three.
    connect: tls,
    requestTls: tls,
    proxyTls: tls,
  });
}

/** A stable key for caching the dispatcher; changes whenever the routing changes. */
export function configKey(config: ProxyConfig): string {
  return JSON.stringify(config);
}

/** The same matching as undici's EnvHttpProxyAgent, so messages name the proxy only when it is used. */
function bypassesProxy(url: URL, noProxy: string): boolean {
  if (noProxy === '*') return true;
  const hostname = url.hostname.toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return splitList(noProxy).some((entry) => {
    const match = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (match ? match[1] : entry).replace(/^\*?\./, '').toLowerCase();
    if (match && Number(match[2]) !== port) return false;
    return hostname === entryHost || hostname.endsWith(`.${entryHost}`);
  });
}

function firstSet(...values: (string | undefined)[]): string {
  return values.find((value) => value !== undefined && value.trim() !== '')?.trim() ?? '';
}

function splitList(value: string): string[] {
  return value.split(/[,\s]+/).filter(Boolean);
}
