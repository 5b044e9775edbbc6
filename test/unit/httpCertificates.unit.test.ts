import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import * as z from 'zod';
import type { ProxySettings } from '../../src/core/base/ports';
import { trustedAuthorities } from '../../src/core/http/certificates';
import { HttpClient } from '../../src/core/http/httpClient';
import { NetworkError, type ApiProfile } from '../../src/core/http/httpErrors';
import { expectFailure } from '../fixtures/expectFailure';
import { OllamaFixture } from '../fixtures/ollamaFixture';
import { testCa } from '../fixtures/selfSignedCert';
import { tempDirRemovedAtExit } from '../fixtures/tempDirs';
import { PATIENT_TIMEOUT_MS } from '../helpers/fakes';

const VersionSchema = z.object({ version: z.string() });
const ollamaLike: ApiProfile = { name: 'Ollama' };

describe('HTTPS trusts the system store and a CA file, as the settings say', () => {
  const dir = tempDirRemovedAtExit('switchboard-ca-');
  const ca = testCa(dir);
  const server = new OllamaFixture({ tls: ca.server });
  let settings: ProxySettings;
  let http: HttpClient;
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    settings = { noProxy: [], strictSSL: true };
    http = new HttpClient({ proxy: () => settings, env: {} });
  });
  afterEach(() => http.dispose());
  const version = () => http.getJson(`${server.url}/api/version`, VersionSchema, { api: ollamaLike, timeoutMs: PATIENT_TIMEOUT_MS });

  it('refuses a server whose certificate comes from a CA in no trust store, and names the setting that would trust it', async () => {
    settings = { noProxy: [], strictSSL: true, systemCertificates: true };
    const error = await expectFailure(version(), 'endpoint_unreachable');
    assert.ok(error instanceof NetworkError && error.reason === 'tls', error.message);
    assert.match(error.message, /signed by an unknown authority/);
    assert.match(error.message, /switchboard\.caCertificatesFile/);
  });

  it('accepts it once the CA file names that CA, and the next request after the setting changes uses it', async () => {
    await expectFailure(version(), 'endpoint_unreachable');
    settings = { noProxy: [], strictSSL: true, systemCertificates: true, caFile: ca.caFile };
    assert.equal((await version()).version, '0.12.3');
  });

  it('refuses a CA file it cannot read or that holds no certificate, with the reason, and sends nothing', async () => {
    const requests = server.requests.length;
    settings = { noProxy: [], strictSSL: true, caFile: join(dir, 'missing.pem') };
    const missing = await expectFailure(version(), 'invalid_input');
    assert.match(missing.message, /could not be read/);
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate');
    settings = { noProxy: [], strictSSL: true, caFile: empty };
    assert.match((await expectFailure(version(), 'invalid_input')).message, /holds no PEM certificate/);
    assert.equal(server.requests.length, requests);
  });

  it("adds the system store to Node's roots where Node can read it, and leaves Node's own roots alone when nothing is added", () => {
    assert.equal(trustedAuthorities({ systemCertificates: false, caFile: '' }), undefined);
    const withSystem = trustedAuthorities({ systemCertificates: true, caFile: '' });
    const read = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
    const system = read ? read('system') : [];
    if (system.length === 0) assert.equal(withSystem, undefined);
    else {
      assert.ok(withSystem!.length >= tls.rootCertificates.length);
      assert.ok(tls.rootCertificates.every((root) => withSystem!.includes(root)), "Node's bundled roots stay");
      assert.ok(system.every((cert) => withSystem!.includes(cert)));
    }
    const withFile = trustedAuthorities({ systemCertificates: false, caFile: ca.caFile })!;
    assert.ok(withFile.includes(ca.caCert.trim()));
  });
});
