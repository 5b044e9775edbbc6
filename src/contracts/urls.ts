// What makes a base URL acceptable, without zod: the host's BaseUrlSchema and the Connections
// view's form both ask baseUrlProblem, so a person reads the same words whichever side checks,
// and the view's bundle carries no schema library.

/** The longest base URL a connection may have. */
export const MAX_BASE_URL_LENGTH = 2048;

/**
 * Whether a header, query parameter or field name says it carries a credential. Such values
 * are secrets: they belong in SecretStorage, never in a URL, a connection record or a view.
 */
export function isCredentialName(name: string): boolean {
  return /auth|key|token|secret|cookie|session|passw|signature|credential/i.test(name);
}

/**
 * Why `value` (already trimmed) is not an absolute http(s) URL without credentials, or
 * undefined when it is one: keys travel only in headers.
 */
export function baseUrlProblem(value: string): string | undefined {
  if (value.length > MAX_BASE_URL_LENGTH) return `the base URL has at most ${MAX_BASE_URL_LENGTH} characters`;
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return 'the base URL must be an http:// or https:// address, e.g. http://localhost:11434';
  }
  if (url.username || url.password) return 'the base URL must not carry a user name or password: set the key with Set API Key instead';
  if ([...url.searchParams.keys()].some(isCredentialName)) {
    return 'the base URL must not carry a key or token in its query (such as key= or token=): set the key with Set API Key instead';
  }
  return undefined;
}
