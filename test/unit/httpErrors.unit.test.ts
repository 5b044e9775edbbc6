import * as assert from 'node:assert/strict';
import { SwitchboardError } from '../../src/core/base/errors';
import { commonErrorMessage, networkError, statusError, type ApiProfile, type ErrorResponse } from '../../src/core/http/httpErrors';
import { assertNoCanary } from '../fixtures/canary';

const api: ApiProfile = { name: 'Example', errorMessage: commonErrorMessage };

function response(status: number, body: unknown = '', extra: Partial<ErrorResponse> = {}): ErrorResponse {
  return { status, endpoint: 'https://api.example.test/v1/models', bodyText: typeof body === 'string' ? body : JSON.stringify(body), ...extra };
}

describe('statusError', () => {
  it('maps each status family to its code', () => {
    const codes = [400, 401, 403, 404, 408, 422, 429, 500, 502, 503, 504, 418].map((status) => [status, statusError(response(status), api).code]);

    assert.deepEqual(codes, [
      [400, 'invalid_input'],
      [401, 'auth_failed'],
      [403, 'auth_failed'],
      [404, 'not_found'],
      [408, 'timeout'],
      [422, 'invalid_input'],
      [429, 'rate_limited'],
      [500, 'bad_response'],
      [502, 'endpoint_unreachable'],
      [503, 'endpoint_unreachable'],
      [504, 'endpoint_unreachable'],
      [418, 'bad_response'],
    ]);
  });

  it('names the endpoint and the status, and omits the provider part when the body has no message', () => {
    const error = statusError(response(401, '<html>nope</html>'), api);

    assert.equal(error.message, 'https://api.example.test/v1/models answered 401: the key was rejected. Check that it is valid and allowed to use this endpoint, then set a new key with Switchboard: Set API Key.');
    assertNoCanary(error);
  });

  it('reads Ollama\'s and OpenAI\'s error shapes', () => {
    assert.match(statusError(response(404, { error: "model 'x' not found" }), api, 'model_not_found').message, /Example said: "model 'x' not found"$/);
    assert.match(statusError(response(429, { error: { message: 'quota', type: 'insufficient_quota' } }), api).message, /Example said: "quota"$/);
  });

  it('cuts the provider message to 300 characters', () => {
    const error = statusError(response(500, { error: 'x'.repeat(1000) }), api);

    const quoted = /said: "(x+)…"$/.exec(error.message);
    assert.equal(quoted?.[1].length, 300);
  });

  it('uses a profile\'s classify first and falls back to the generic mapping when it returns undefined', () => {
    const gemini: ApiProfile = {
      name: 'Gemini',
      errorMessage: commonErrorMessage,
      classify: (failure, message) =>
        failure.status === 400 && failure.bodyText.includes('API_KEY_INVALID') ? new SwitchboardError('auth_failed', `Gemini rejected the key: ${message}`) : undefined,
    };

    const keyError = statusError(response(400, { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } }), gemini);
    const otherError = statusError(response(400, { error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' } }), gemini);

    assert.equal(keyError.code, 'auth_failed');
    assert.equal(keyError.message, 'Gemini rejected the key: API key not valid.');
    assert.equal(otherError.code, 'invalid_input');
  });
});

describe('networkError and proxies', () => {
  const context = { url: new URL('http://127.0.0.1:11434/api/version'), proxy: 'http://127.0.0.1:40777', strictSSL: true };

  it('says a refused proxy was refused, even when its port number contains 407', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:40777'), { code: 'ECONNREFUSED' });
    assert.match(networkError(refused, context).message, /Could not connect to the proxy http:\/\/127\.0\.0\.1:40777: the connection was refused/);
  });

  it('says the proxy asked for credentials when it answered 407', () => {
    assert.match(networkError(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), context).message, /asked for credentials \(407\)/);
    assert.match(networkError(new Error('Proxy Authentication Required'), context).message, /asked for credentials \(407\)/);
  });
});
