import * as assert from 'node:assert/strict';
import { SwitchboardError } from '../../src/core/base/errors';
import { MAX_CUSTOM_HEADERS, parseCustomHeaders, validateCustomHeaders } from '../../src/core/providers/customHeaders';
import { assertNoCanary, CANARY_KEY } from '../fixtures/canary';

describe('custom headers (OpenAI-compatible)', () => {
  it('reads Name: value pairs separated by new lines or ";", with lower-case names and trimmed values', () => {
    assert.deepEqual(parseCustomHeaders('X-Title: Switchboard\r\nHTTP-Referer: https://example.com/a?b=c;X-Tenant:  team-a  \n\n;'), {
      'x-title': 'Switchboard',
      'http-referer': 'https://example.com/a?b=c',
      'x-tenant': 'team-a',
    });
    assert.deepEqual(parseCustomHeaders(''), {});
    assert.deepEqual(parseCustomHeaders(undefined), {});
  });

  const credentialNames = ['Authorization', 'api-key', 'X-API-Key', 'X-Auth-Token', 'Ocp-Apim-Subscription-Key', 'X-Goog-Api-Key', 'Cookie', 'X-Session-Id', 'X-Client-Secret', 'X-Password'];
  // Named by a part: short words alone, or inside a part of the name, in any case.
  const credentialParts = ['X-Api-Pwd', 'pat', 'X-GitHub-PAT', 'Bearer', 'X-Passwd', 'X-Pass', 'X-PW', 'sig', 'X-Jwt', 'X_User_Credential', 'X-ApiToken', 'xAuth'];
  for (const name of [...credentialNames, ...credentialParts]) {
    it(`refuses ${name} as a credential, pointing to the credential header and never quoting the value`, () => {
      const text = `X-Ok: fine\n${name}: ${CANARY_KEY}`;

      const message = validateCustomHeaders(text);

      assert.match(message ?? '', new RegExp(`Custom header "${name}" carries a credential.*Set Credential Header`));
      assertNoCanary(message);
      assert.throws(() => parseCustomHeaders(text), (error) => error instanceof SwitchboardError && error.code === 'invalid_input');
    });
  }

  it('keeps ordinary headers whose names only hold a credential word inside another word', () => {
    const ordinary = ['X-Request-Id', 'Accept', 'Accept-Encoding', 'X-Title', 'HTTP-Referer', 'User-Agent', 'anthropic-version', 'OpenAI-Organization', 'X-Path', 'X-Patch-Level', 'X-Passthrough', 'X-Signal', 'X-Tenant'];
    const text = ordinary.map((name) => `${name}: value-of-${name}`).join('\n');

    assert.equal(validateCustomHeaders(text), undefined);
    assert.deepEqual(Object.keys(parseCustomHeaders(text)), ordinary.map((name) => name.toLowerCase()));
  });

  for (const name of ['proxy-connection', 'Connection', 'Keep-Alive', 'Transfer-Encoding', 'TE', 'Trailer', 'Upgrade', 'Host', 'Content-Length']) {
    it(`refuses ${name} with invalid_input naming it`, () => {
      const text = `X-Ok: fine\n${name}: ${CANARY_KEY}`;

      const message = validateCustomHeaders(text);

      assert.ok(message, `${name} was accepted`);
      assert.match(message, new RegExp(`Custom header "${name}" is not allowed`));
      assertNoCanary(message);
      assert.throws(() => parseCustomHeaders(text), (error) => error instanceof SwitchboardError && error.code === 'invalid_input');
    });
  }

  it('points proxies to http.proxy', () => {
    assert.match(validateCustomHeaders('Proxy-Connection: keep-alive') ?? '', /http\.proxy/);
  });

  it('refuses malformed entries without quoting what could be a pasted key', () => {
    const noColon = validateCustomHeaders(`X-Ok: 1\n${CANARY_KEY}`);
    assert.match(noColon ?? '', /Custom header number 2 has no ":"/);
    assertNoCanary(noColon);

    assert.match(validateCustomHeaders(': value') ?? '', /number 1 has no name/);
    assert.match(validateCustomHeaders('Bad Name: value') ?? '', /number 1 has a name that is not a valid HTTP header name/);
    assert.match(validateCustomHeaders('X-Émoji: value') ?? '', /not a valid HTTP header name/);
    assert.match(validateCustomHeaders('X-Empty:') ?? '', /"X-Empty" has no value/);
    assert.match(validateCustomHeaders('X-Ctl: a\u0000b') ?? '', /"X-Ctl" has a value that is not allowed/);
    assert.match(validateCustomHeaders('X-Long: ' + 'a'.repeat(2000)) ?? '', /at most 1024 characters/);
    assert.match(validateCustomHeaders('X-Twice: 1; x-twice: 2') ?? '', /"x-twice" is given twice/);
  });

  it('never lets a line break into a value: it splits into another entry, which must be valid itself', () => {
    assert.match(validateCustomHeaders('X-A: 1\r\nInjected') ?? '', /number 2 has no ":"/);
    assert.deepEqual(parseCustomHeaders('X-A: 1\rX-B: 2'), { 'x-a': '1', 'x-b': '2' });
  });

  it(`accepts at most ${MAX_CUSTOM_HEADERS} headers`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `X-H${i}: ${i}`).join('\n');

    assert.equal(validateCustomHeaders(many(MAX_CUSTOM_HEADERS)), undefined);
    assert.match(validateCustomHeaders(many(MAX_CUSTOM_HEADERS + 1)) ?? '', /at most 20/);
  });
});
