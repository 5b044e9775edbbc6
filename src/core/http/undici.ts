// The parts of undici the HTTP client uses, loaded from their own modules rather than undici's
// index: the index loads everything undici has (fetch, WebSocket, caches, mocks, interceptors),
// which was 220 KB more in the extension's bundle and 65 KB more in the .vsix. These paths are
// undici's internals, not its API: an upgrade that moves them fails the build and the unit
// tests loudly, never silently. The types are undici's public ones.
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';

/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS modules without types of their own */
export const EnvHttpProxyAgent: typeof EnvHttpProxyAgentClass = require('undici/lib/dispatcher/env-http-proxy-agent');
const DispatcherBase: { prototype: object } = require('undici/lib/dispatcher/dispatcher');
// What undici's index does when it loads: its API (request, and connect, which a proxy tunnel
// uses) on every dispatcher.
Object.assign(DispatcherBase.prototype, require('undici/lib/api'));
/* eslint-enable @typescript-eslint/no-require-imports */

export type { Dispatcher };

/** undici's `request(url, { dispatcher, ... })` for an http(s) URL, on a dispatcher of ours. */
export function request(url: URL, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
