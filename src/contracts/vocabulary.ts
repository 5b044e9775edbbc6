// The closed lists of values and the field keys the views need at run time, without zod: a
// webview imports these at no cost, and the schemas in the other contract modules build their
// enums from the same lists, so the two can never disagree.

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** How many of the newest runs the Agents view shows: a snapshot's page. */
export const AGENTS_RUNS_PAGE = 200;

export const AUDIT_KINDS = ['key_read', 'model_call', 'connection_created', 'connection_updated', 'connection_deleted', 'budget_refused', 'budget_changed'] as const;

/**
 * Money is counted in whole nano-dollars (1e-9 US dollars), as integers: a sum of many calls
 * never drifts the way a sum of floating-point dollars does. `Number.MAX_SAFE_INTEGER`
 * nano-dollars is about nine million dollars, far beyond any total this records.
 */
export const NANO_PER_DOLLAR = 1_000_000_000;

/** The largest price a person may set, in dollars per 1,000 tokens: anything above is a typo. */
export const MAX_PRICE_PER_1K = 1_000;

/** The largest budget a person may set: $1,000,000 or a trillion tokens a period. */
export const MAX_BUDGET_NANO = 1_000_000 * NANO_PER_DOLLAR;
export const MAX_BUDGET_TOKENS = 1_000_000_000_000;

/** The longest fallback list an agent or the `switchboard.fallbacks` setting may name. */
export const MAX_FALLBACKS = 5;

/** The code of every failure a person can see (ErrorCodeSchema in errors.ts). */
export const ERROR_CODES = [
  'missing_connection',
  'consent_denied',
  'endpoint_unreachable',
  'auth_failed',
  'model_not_found',
  'rate_limited',
  /** A budget's limit for its period is reached; the call was refused before it was sent. */
  'budget_exceeded',
  'timeout',
  'cancelled',
  'bad_response',
  'invalid_input',
  'not_found',
  'conflict',
  'secret_storage_failed',
  /** The database could not be opened (node:sqlite missing, the file unreadable, or written by a newer version). */
  'storage_unavailable',
  'internal',
] as const;

/** Whether `value` is an extension id as VS Code writes them: `publisher.name`, in any case. */
export function isExtensionId(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,99}\.[A-Za-z0-9][A-Za-z0-9-._]{0,99}$/.test(value);
}

/** Whether `value` is one of `values`, narrowing it to that union. */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** The field key that holds a connection's base URL and the one that holds its key. */
export const BASE_URL_FIELD = 'baseUrl';
export const API_KEY_FIELD = 'apiKey';
/**
 * The option that holds extra headers as text (`Name: value` pairs). A provider that has it also
 * takes credential headers, whose values are kept in SecretStorage instead.
 */
export const CUSTOM_HEADERS_FIELD = 'customHeaders';
