import { SwitchboardError } from '../errors';

/**
 * Extra headers for an OpenAI-compatible server, typed as text: `Name: value` pairs separated by
 * new lines or `;`. Pure (no Node, no vscode) so a form can run the same check.
 *
 * Refused: headers that carry keys (a key belongs in SecretStorage, set with Set API Key),
 * `proxy-*`, hop-by-hop and framing headers the HTTP client owns, malformed names and values.
 * Messages name the header, never its value.
 */
const REFUSED = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
]);

/** RFC 9110 token characters. */
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs inside; no control characters, so no header injection. */
const VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;
export const MAX_CUSTOM_HEADERS = 20;
const MAX_NAME = 100;
const MAX_VALUE = 1024;

/**
 * The headers in `text` with lower-case names, or `invalid_input` naming the first problem.
 * Empty text gives no headers.
 */
export function parseCustomHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = (text ?? '').split(/\r\n|[\r\n;]/).map((entry) => entry.trim()).filter(Boolean);
  if (entries.length > MAX_CUSTOM_HEADERS) {
    throw invalid(`There are ${entries.length} custom headers; at most ${MAX_CUSTOM_HEADERS} are allowed.`);
  }
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    // Without a colon the text may be a pasted value (a key), so it is never quoted.
    if (colon === -1) throw invalid(`Custom header number ${index + 1} has no ":". Write each one as Name: value, separated by new lines or ";".`);
    const rawName = entry.slice(0, colon).trim();
    if (!rawName) throw invalid(`Custom header number ${index + 1} has no name. Write each one as Name: value.`);
    if (!NAME.test(rawName) || rawName.length > MAX_NAME) {
      throw invalid(`Custom header number ${index + 1} has a name that is not a valid HTTP header name. Use letters, digits and "-" only.`);
    }
    const name = rawName.toLowerCase();
    if (REFUSED.has(name) || name.startsWith('proxy-')) throw invalid(refusedMessage(rawName, name));
    const value = entry.slice(colon + 1).trim();
    if (!value) throw invalid(`Custom header "${rawName}" has no value.`);
    if (value.length > MAX_VALUE || !VALUE.test(value)) {
      throw invalid(`Custom header "${rawName}" has a value that is not allowed: use printable ASCII without line breaks, at most ${MAX_VALUE} characters.`);
    }
    if (Object.hasOwn(headers, name)) throw invalid(`Custom header "${rawName}" is given twice. Give each header once.`);
    headers[name] = value;
  });
  return headers;
}

/** For the connection form: the message for the first problem in `text`, or undefined when it is fine. */
export function validateCustomHeaders(text: string): string | undefined {
  try {
    parseCustomHeaders(text);
    return undefined;
  } catch (error) {
    if (error instanceof SwitchboardError) return error.message;
    throw error;
  }
}

function refusedMessage(rawName: string, name: string): string {
  if (name === 'authorization' || name === 'api-key' || name === 'x-api-key') {
    return `Custom header "${rawName}" is not allowed: it would carry a key in plain settings. Store the key with Switchboard: Set API Key; it is sent as a Bearer token.`;
  }
  if (name.startsWith('proxy-')) {
    return `Custom header "${rawName}" is not allowed: proxy headers come from the http.proxy setting.`;
  }
  return `Custom header "${rawName}" is not allowed: the HTTP client sets it itself.`;
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('invalid_input', message);
}
