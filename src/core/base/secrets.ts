import { SwitchboardError, factsOf, toErrorInfo } from './errors';

/** Shorter values are not blanked: they would blank ordinary words, and no provider's key is that short. */
export const MIN_SECRET_LENGTH = 8;

/**
 * `****abcd`: the last four characters, or only the stars for a key under 12 characters, where
 * four characters would give away too much of it.
 */
export function keyHint(key: string): string {
  return key.length >= 12 ? `****${key.slice(-4)}` : '****';
}

const patterns = new Map<string, RegExp>();

/**
 * A pattern for `secret` as it may appear in text a provider sent back: as it is, or written
 * inside a JSON string, where any character may be `\uXXXX` (either case of hex) and `/`, `"`
 * and `\` may be escaped. A key echoed in a raw error body is found before the body is parsed
 * or cut, so no part of it survives.
 */
function secretPattern(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (!pattern) {
    pattern = new RegExp(Array.from({ length: secret.length }, (_, i) => secretUnit(secret, i)).join(''), 'g');
    if (patterns.size > 100) patterns.clear();
    patterns.set(secret, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

/** Character `i` of `secret` in any of the forms {@link secretPattern} finds. */
function secretUnit(secret: string, i: number): string {
  const char = secret[i]!;
  const unicode = `\\\\u${hexDigits(secret, i).join('')}`;
  const escaped = char === '/' || char === '"' || char === '\\' ? `|\\\\${escapeRegExp(char)}` : '';
  return `(?:${escapeRegExp(char)}|${unicode}${escaped})`;
}

/** The four hex digits of character `i`, each a pattern that takes either case. */
function hexDigits(secret: string, i: number): string[] {
  const hex = secret.charCodeAt(i).toString(16).padStart(4, '0');
  return [...hex].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit));
}

/** The longest any form of a secret can be: every character written as `\uXXXX`. */
const ESCAPED_CHAR_LENGTH = 6;

const prefixPatterns = new Map<string, RegExp>();

/**
 * A pattern that matches, at the end of a text, the start of `secret` in any form
 * {@link secretPattern} finds, cut anywhere, even inside a `\uXXXX` escape. Only that much of a
 * stream has to wait for the next chunk; the rest can go on at once.
 */
function secretPrefixPattern(secret: string): RegExp {
  let pattern = prefixPatterns.get(secret);
  if (!pattern) {
    // A cut inside character i's escape: `\`, `\u`, `\u0`, `\u00`, `\u007`.
    const partial = (i: number) => `\\\\(?:u${hexDigits(secret, i).slice(0, 3).reduceRight((rest, digit) => `(?:${digit}${rest})?`, '')})?`;
    // Built from the last character back: character i whole, then maybe more of the secret; or a cut inside character i.
    let tail = partial(secret.length - 1);
    for (let i = secret.length - 2; i >= 0; i--) tail = `(?:${secretUnit(secret, i)}(?:${tail})?|${partial(i)})`;
    pattern = new RegExp(`(?:${tail})$`);
    if (prefixPatterns.size > 100) prefixPatterns.clear();
    prefixPatterns.set(secret, pattern);
  }
  return pattern;
}

/**
 * Blanks secrets in a text that arrives in pieces (a streamed answer), where a key may be cut
 * between two pieces. Each piece comes back blanked, minus the end that could be the start of a
 * secret; that end waits for the next piece, or for `end()`.
 */
export class StreamBlanker {
  private readonly secrets: string[];
  private held = '';

  constructor(secrets: readonly (string | undefined)[]) {
    this.secrets = [...new Set(secrets.filter((secret): secret is string => !!secret && secret.length >= MIN_SECRET_LENGTH))];
  }

  /** The blanked text that can go on now. */
  push(text: string): string {
    if (!this.secrets.length) return text;
    const blanked = blankSecrets(this.held + text, this.secrets);
    const keep = this.heldLength(blanked);
    this.held = blanked.slice(blanked.length - keep);
    return blanked.slice(0, blanked.length - keep);
  }

  /** What was held back, blanked: the stream is over. */
  end(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  private heldLength(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      // A start of the secret cannot be longer than the secret fully escaped, less its last character.
      const window = text.slice(-(secret.length * ESCAPED_CHAR_LENGTH - 1));
      if (window.includes('\\')) {
        const match = secretPrefixPattern(secret).exec(window);
        if (match) longest = Math.max(longest, window.length - match.index);
        continue;
      }
      // Without a backslash only the plain form can start here: the longest end of the text
      // that begins the secret (all of it but its last character, at most).
      for (let length = Math.min(secret.length - 1, window.length); length > longest; length--) {
        if (window.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}

/** `text` with every occurrence of each secret (also JSON-escaped) replaced by `****`. */
export function blankSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  // Every form of a secret but the plain one is written with a backslash: a text without one
  // (most pieces of a streamed answer) can hold only the plain form, found without the pattern.
  // `****` adds no backslash, so this stays true as secrets are blanked.
  const mayBeEscaped = text.includes('\\');
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    if (mayBeEscaped) result = result.replace(secretPattern(secret), '****');
    else if (result.includes(secret)) result = result.replaceAll(secret, '****');
  }
  return result;
}

/** `text` with `secret` blanked; unchanged without a secret. */
export function blankSecret(text: string, secret: string | undefined): string {
  return blankSecrets(text, [secret]);
}

/**
 * A copy of a plain value (an adapter's answer: a chat result, discovered models, a test
 * summary) with every string, and every object key, blanked of the secrets. Values that are not
 * plain data are returned as they are; the contracts reject them later.
 */
export function blankSecretsDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const active = secrets.filter((secret): secret is string => !!secret && secret.length >= MIN_SECRET_LENGTH);
  if (!active.length) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return blankSecrets(item, active);
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [blankSecrets(key, active), walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}

/**
 * Remembers every secret value the host has seen this session and blanks it out of text:
 * a second guard on the output channel, behind the rule that no one logs a key at all.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  remember(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  redact(text: string): string {
    return blankSecrets(text, [...this.secrets]);
  }
}

/**
 * `error`, or a SwitchboardError with the same code whose message has the secrets blanked out:
 * a guard for errors from adapters the host does not control (another extension's, say), and
 * for provider messages that quote the key.
 */
export function withoutSecrets(error: SwitchboardError, secrets: readonly (string | undefined)[]): SwitchboardError;
export function withoutSecrets(error: unknown, secrets: readonly (string | undefined)[]): unknown;
export function withoutSecrets(error: unknown, secrets: readonly (string | undefined)[]): unknown {
  const info = toErrorInfo(error);
  const message = blankSecrets(info.message, secrets);
  return message === info.message ? error : new SwitchboardError(info.code, message, factsOf(error));
}

/**
 * `call`'s answer with the secrets blanked out of every string in it, or its error with them
 * blanked out of the message: what every use of a secret hands back to its caller.
 */
export async function blankedResult<T>(secrets: readonly (string | undefined)[], call: () => Promise<T>): Promise<T> {
  try {
    return blankSecretsDeep(await call(), secrets);
  } catch (error) {
    throw withoutSecrets(error, secrets);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
