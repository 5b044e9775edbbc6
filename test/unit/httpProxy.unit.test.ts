import * as assert from 'node:assert/strict';
import * as z from 'zod';
import { HttpClient } from '../../src/core/http/httpClient';
import { NetworkError } from '../../src/core/http/httpErrors';
import { proxyFor, resolveProxyConfig } from '../../src/core/http/proxy';
import type { ProxySettings } from '../../src/core/base/ports';
import { CANARY_KEY } from '../fixtures/canary';
import { closedPort, expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { ProxyFixture } from '../fixtures/proxyFixture';
import { selfSignedCert } from '../fixtures/selfSignedCert';
import { PATIENT_TIMEOUT_MS } from '../helpers/fakes';

const VersionSchema = z.object({ version: z.string() });
const call = { api: { name: 'Ollama' }, headers: { authorization: `Bearer ${CANARY_KEY}` }, timeoutMs: PATIENT_TIMEOUT_MS };

describe('HttpClient proxy routing', () => {
  const target = new OllamaFixture();
  const tlsTarget = new OllamaFixture({ tls: selfSignedCert() });
  const proxy = new ProxyFixture();
  const clients: HttpClient[] = [];

  function client(settings: () => ProxySettings, env: NodeJS.ProcessEnv = {}): HttpClient {
    const http = new HttpClient({ proxy: settings, env });
    clients.push(http);
    return http;
  }

  before(async () => {
    await Promise.all([target.start(), tlsTarget.start(), proxy.start()]);
  });
  after(async () => {
    await Promise.all([target.stop(), tlsTarget.stop(), proxy.stop()]);
  });
  beforeEach(() => {
    target.reset();
    tlsTarget.reset();
    proxy.reset();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((http) => http.dispose()));
  });

  it('sends requests through the proxy in http.proxy', async () => {
    const http = client(() => ({ proxy: proxy.url, noProxy: [], strictSSL: true }));

    const answer = await http.getJson(`${target.url}/api/version`, VersionSchema, call);

    assert.equal(answer.version, '0.12.3');
    assert.deepEqual(proxy.requests, [{ method: 'GET', target: `${target.url}/api/version` }]);
    assert.equal(target.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
  });

  it('goes direct to hosts listed in http.noProxy', async () => {
    const http = client(() => ({ proxy: proxy.url, noProxy: ['127.0.0.1'], strictSSL: true }));

    await http.getJson(`${target.url}/api/version`, VersionSchema, call);

    assert.equal(proxy.requests.length, 0);
    assert.equal(target.requests.length, 1);
  });

  it('uses HTTP_PROXY from the environment when http.proxy is not set', async () => {
    const http = client(() => ({ noProxy: [], strictSSL: true }), { HTTP_PROXY: proxy.url });

    await http.getJson(`${target.url}/api/version`, VersionSchema, call);

    assert.equal(proxy.requests.length, 1);
  });

  it('reads lower-case http_proxy and honours no_proxy from the environment', async () => {
    const proxied = client(() => ({ noProxy: [], strictSSL: true }), { http_proxy: proxy.url });
    await proxied.getJson(`${target.url}/api/version`, VersionSchema, call);
    assert.equal(proxy.requests.length, 1);

    const direct = client(() => ({ noProxy: [], strictSSL: true }), { http_proxy: proxy.url, no_proxy: 'localhost,127.0.0.1' });
    await direct.getJson(`${target.url}/api/version`, VersionSchema, call);
    assert.equal(proxy.requests.length, 1, 'the second call did not go through the proxy');
    assert.equal(target.requests.length, 2);
  });

  it('prefers http.proxy over HTTP_PROXY', async () => {
    const deadProxy = `http://127.0.0.1:${await closedPort()}`;
    const http = client(() => ({ proxy: proxy.url, noProxy: [], strictSSL: true }), { HTTP_PROXY: deadProxy, HTTPS_PROXY: deadProxy });

    await http.getJson(`${target.url}/api/version`, VersionSchema, call);

    assert.equal(proxy.requests.length, 1);
  });

  it('picks up changed proxy settings on the next request', async () => {
    let settings: ProxySettings = { noProxy: [], strictSSL: true };
    const http = client(() => settings);

    await http.getJson(`${target.url}/api/version`, VersionSchema, call);
    assert.equal(proxy.requests.length, 0);

    settings = { proxy: proxy.url, noProxy: [], strictSSL: true };
    await http.getJson(`${target.url}/api/version`, VersionSchema, call);
    assert.equal(proxy.requests.length, 1);
  });

  it('tunnels https through CONNECT and skips certificate checks when http.proxyStrictSSL is false', async () => {
    const http = client(() => ({ proxy: proxy.url, noProxy: [], strictSSL: false }));

    const answer = await http.getJson(`${tlsTarget.url}/api/version`, VersionSchema, call);

    assert.equal(answer.version, '0.12.3');
    assert.deepEqual(proxy.requests, [{ method: 'CONNECT', target: tlsTarget.url.replace('https://', '') }]);
    assert.equal(tlsTarget.requests[0].headers.authorization, `Bearer ${CANARY_KEY}`);
  });

  it('checks the target certificate through the tunnel when http.proxyStrictSSL is true', async () => {
    const http = client(() => ({ proxy: proxy.url, noProxy: [], strictSSL: true }));

    const error = await expectFailure(http.getJson(`${tlsTarget.url}/api/version`, VersionSchema, call), 'endpoint_unreachable');

    assert.ok(error instanceof NetworkError);
    assert.equal(error.reason, 'tls');
    assert.match(error.message, /http\.proxyStrictSSL/);
  });

  it('says the proxy is unreachable, not the server, when the proxy refuses connections', async () => {
    const deadProxy = `http://127.0.0.1:${await closedPort()}`;
    const http = client(() => ({ proxy: deadProxy, noProxy: [], strictSSL: true }));

    const error = await expectFailure(http.getJson(`${target.url}/api/version`, VersionSchema, call), 'endpoint_unreachable');

    assert.ok(error instanceof NetworkError);
    assert.equal(error.reason, 'proxy');
    assert.match(error.message, new RegExp(`the proxy ${deadProxy.replace(/\./g, '\\.')}: the connection was refused`));
    assert.match(error.message, /http\.proxy/);
    assert.equal(target.requests.length, 0);
  });

  it('never shows proxy credentials in a message', async () => {
    const deadPort = await closedPort();
    const http = client(() => ({ proxy: `http://user:${CANARY_KEY}@127.0.0.1:${deadPort}`, noProxy: [], strictSSL: true }));

    const error = await expectFailure(http.getJson(`${target.url}/api/version`, VersionSchema, call), 'endpoint_unreachable');

    assert.match(error.message, new RegExp(`the proxy http://127\\.0\\.0\\.1:${deadPort}:`));
  });
});

describe('resolveProxyConfig', () => {
  const none: ProxySettings = { noProxy: [], strictSSL: true };

  it('uses http.proxy for both schemes and ignores the environment then', () => {
    const config = resolveProxyConfig({ proxy: 'http://settings:8080', noProxy: [], strictSSL: true }, { HTTP_PROXY: 'http://env:1', HTTPS_PROXY: 'http://env:2' });

    assert.equal(config.httpProxy, 'http://settings:8080');
    assert.equal(config.httpsProxy, 'http://settings:8080');
  });

  it('prefers lower-case variables and lets https fall back to the http proxy', () => {
    const config = resolveProxyConfig(none, { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:1' });

    assert.equal(config.httpProxy, 'http://lower:1');
    assert.equal(config.httpsProxy, 'http://lower:1');
  });

  it('lets a non-empty http.noProxy replace NO_PROXY and collapses a * entry', () => {
    assert.equal(resolveProxyConfig({ ...none, noProxy: ['a.example', '.b.example'] }, { NO_PROXY: 'c.example' }).noProxy, 'a.example,.b.example');
    assert.equal(resolveProxyConfig(none, { NO_PROXY: 'c.example d.example' }).noProxy, 'c.example,d.example');
    assert.equal(resolveProxyConfig({ ...none, noProxy: ['a.example', '*'] }, {}).noProxy, '*');
  });

  it('matches noProxy entries like undici: exact host, subdomain, *. prefix and port', () => {
    const config = resolveProxyConfig({ proxy: 'http://p:1', noProxy: ['example.com', '*.corp.test', 'local.test:8080'], strictSSL: true }, {});

    assert.equal(proxyFor(new URL('https://example.com/v1'), config), undefined);
    assert.equal(proxyFor(new URL('https://api.example.com/v1'), config), undefined);
    assert.equal(proxyFor(new URL('http://x.corp.test/'), config), undefined);
    assert.equal(proxyFor(new URL('http://local.test:8080/'), config), undefined);
    assert.equal(proxyFor(new URL('http://local.test:9090/'), config), 'http://p:1');
    assert.equal(proxyFor(new URL('https://notexample.com/'), config), 'http://p:1');
  });
});
