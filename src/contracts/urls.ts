// What makes a base URL acceptable, without zod: the host's BaseUrlSchema and the Connections
// view's form both ask baseUrlProblem, so a person reads the same words whichever side checks,
// and the view's bundle carries no schema library.

/** The longest base URL a connection may have. */
export const MAX_BASE_URL_LENGTH = 2048;

/** Words that name a credential wherever they stand in a part of a name: `X-Api-Key`, `apikey`, `X-Api-Pwd`, `Authorization`. */
const CREDENTIAL_STEMS = /auth|key|token|secret|cookie|session|passw|pwd|bearer|signature|credential/;
/** Short words that name a credential only as a whole part (`pat`, `X-Pass`, Azure's `sig`), never inside another word (`path`, `passthrough`). */
const CREDENTIAL_PARTS = new Set(['pat', 'pass', 'pw', 'sig', 'jwt']);

/**
 * Whether a header, query parameter or field name says it carries a credential. Such values
 * are secrets: they belong in SecretStorage, never in a URL, a connection record or a view. The
 * name is read in parts, whatever the case: split at `-`, `_`, `.` and the like, and where a
 * lower-case letter meets an upper-case one (`apiPat`).
 */
export function isCredentialName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((part) => CREDENTIAL_STEMS.test(part) || CREDENTIAL_PARTS.has(part));
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
