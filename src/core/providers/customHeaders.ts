import * as l10n from '@vscode/l10n';
import { isCredentialName } from '../../contracts/urls';
import { SwitchboardError } from '../base/errors';

/**
 * Extra headers for an OpenAI-compatible server, typed as text: `Name: value` pairs separated by
 * new lines or `;`. Pure (no Node, no vscode) so a form can run the same check.
 *
 * Refused: headers that carry credentials (any name with auth, key, token, secret, cookie,
 * session, password...: they belong in SecretStorage, added as credential headers or the key),
 * `proxy-*`, hop-by-hop and framing headers the HTTP client owns, malformed names and values.
 * Messages name the header, never its value.
 */
const REFUSED = new Set([
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
    throw invalid(l10n.t('There are {0} custom headers; at most {1} are allowed.', entries.length, MAX_CUSTOM_HEADERS));
  }
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    // Without a colon the text may be a pasted value (a key), so it is never quoted.
    if (colon === -1) throw invalid(l10n.t('Custom header number {0} has no ":". Write each one as Name: value, separated by new lines or ";".', index + 1));
    const rawName = entry.slice(0, colon).trim();
    if (!rawName) throw invalid(l10n.t('Custom header number {0} has no name. Write each one as Name: value.', index + 1));
    if (!NAME.test(rawName) || rawName.length > MAX_NAME) {
      throw invalid(l10n.t('Custom header number {0} has a name that is not a valid HTTP header name. Use letters, digits and "-" only.', index + 1));
    }
    const name = rawName.toLowerCase();
    if (isCredentialName(name)) {
      throw invalid(
        l10n.t(
          'Custom header "{0}" carries a credential, so it is not kept in plain settings. Add it with "Add credential header" (Switchboard: Set Credential Header): its value is typed into VS Code\'s password box and kept in SecretStorage.',
          rawName,
        ),
      );
    }
    const clientOwned = clientOwnedProblem('custom', rawName, name);
    if (clientOwned) throw invalid(clientOwned);
    const value = entry.slice(colon + 1).trim();
    if (!value) throw invalid(l10n.t('Custom header "{0}" has no value.', rawName));
    if (value.length > MAX_VALUE || !VALUE.test(value)) {
      throw invalid(l10n.t('Custom header "{0}" has a value that is not allowed: use printable ASCII without line breaks, at most {1} characters.', rawName, MAX_VALUE));
    }
    if (Object.hasOwn(headers, name)) throw invalid(l10n.t('Custom header "{0}" is given twice. Give each header once.', rawName));
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

/** Why the HTTP client must keep a header to itself (hop-by-hop, framing, proxy), or undefined; `kind` is which list the header was given in. */
function clientOwnedProblem(kind: 'custom' | 'credential', rawName: string, name: string): string | undefined {
  if (name.startsWith('proxy-')) {
    return kind === 'custom'
      ? l10n.t('Custom header "{0}" is not allowed: proxy headers come from the http.proxy setting.', rawName)
      : l10n.t('Header "{0}" is not allowed: proxy headers come from the http.proxy setting.', rawName);
  }
  if (REFUSED.has(name)) {
    return kind === 'custom' ? l10n.t('Custom header "{0}" is not allowed: the HTTP client sets it itself.', rawName) : l10n.t('Header "{0}" is not allowed: the HTTP client sets it itself.', rawName);
  }
  return undefined;
}

/**
 * A credential header's lower-case name and value, or `invalid_input`: any valid header name the
 * HTTP client does not own (typically one with a credential in its name), and a value that
 * cannot inject another header.
 */
export function checkCredentialHeader(rawName: string, value: string): { name: string; value: string } {
  const trimmed = rawName.trim();
  if (!trimmed || !NAME.test(trimmed) || trimmed.length > MAX_NAME) {
    throw invalid(l10n.t('The header name is not a valid HTTP header name. Use letters, digits and "-" only, e.g. X-Api-Token.'));
  }
  const name = trimmed.toLowerCase();
  const clientOwned = clientOwnedProblem('credential', trimmed, name);
  if (clientOwned) throw invalid(clientOwned);
  const cleanValue = value.trim();
  if (!cleanValue || cleanValue.length > MAX_VALUE || !VALUE.test(cleanValue)) {
    throw invalid(l10n.t('The value of "{0}" is empty or not allowed: use printable ASCII without line breaks, at most {1} characters.', trimmed, MAX_VALUE));
  }
  return { name, value: cleanValue };
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('invalid_input', message);
}
