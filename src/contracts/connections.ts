import * as z from 'zod';
import { ErrorCodeSchema } from './errors';
import { baseUrlProblem } from './urls';

export const ConnectionStatusSchema = z.enum(['unknown', 'valid', 'invalid']);
export type ConnectionStatus = z.infer<typeof ConnectionStatusSchema>;

const nameSchema = z.string().trim().min(1, 'a name is required').max(100, 'a name has at most 100 characters');

/** An absolute http(s) URL without credentials (see baseUrlProblem). */
export const BaseUrlSchema = z
  .string()
  .trim()
  .superRefine((value, context) => {
    const problem = baseUrlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** `https://api.example.com:8443`: the scheme, host and port a key is bound to. */
export function originOf(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

/** Whether the URL's host is this machine (localhost, 127.0.0.0/8, ::1): plain http to it never leaves the machine. */
export function isLoopbackUrl(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a key sent to this URL would cross the network unencrypted. */
export function isInsecureForKeys(baseUrl: string): boolean {
  return new URL(baseUrl).protocol === 'http:' && !isLoopbackUrl(baseUrl);
}

/** How many credential headers one connection may hold. */
export const MAX_CREDENTIAL_HEADERS = 10;

/** Whether the connection holds a key or credential headers: anything the key path must guard. */
export function hasCredentials(connection: { keyHint?: string; credentialHeaders?: readonly unknown[] }): boolean {
  return connection.keyHint !== undefined || (connection.credentialHeaders?.length ?? 0) > 0;
}

/** Non-secret option values (organization id, api version, ...), keyed by the descriptor's field key. */
export const ConnectionOptionsSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
  z.string().max(2048),
);

/**
 * A connection as stored in globalState and as sent to webviews. It holds no key:
 * `keyHint` is `****abcd` (the last four characters) or absent when no key is stored.
 */
export const ConnectionSchema = z.object({
  id: z.string().uuid(),
  name: nameSchema,
  providerId: z.string().min(1).max(200),
  baseUrl: BaseUrlSchema,
  options: ConnectionOptionsSchema,
  defaultModel: z.string().max(256).optional(),
  status: ConnectionStatusSchema,
  lastValidatedAt: z.string().datetime().optional(),
  lastTestMessage: z.string().max(1000).optional(),
  lastLatencyMs: z.number().nonnegative().optional(),
  keyHint: z.string().regex(/^\*{4}.{0,4}$/).optional(),
  /**
   * Names the key stored now: random, derived from nothing, new whenever the key is replaced,
   * so a standing permission given for one key never covers its replacement.
   */
  keyId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  /** The origin the key was entered or confirmed for; the key path sends it nowhere else. */
  keyOrigin: z.string().max(2048).optional(),
  /** The person allowed, in a modal, that this connection's key crosses the network over plain http. */
  allowInsecureKey: z.boolean().optional(),
  /**
   * Headers that carry credentials (an `X-Api-Token`, an APIM subscription key): their values
   * live in SecretStorage like the key and travel the same path; here only the name and a hint.
   */
  credentialHeaders: z.array(z.object({ name: z.string().min(1).max(100), hint: z.string().regex(/^\*{4}.{0,4}$/) })).max(MAX_CREDENTIAL_HEADERS).optional(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** What a person fills in to create a connection. */
export const ConnectionInputSchema = z.object({
  name: nameSchema,
  providerId: z.string().min(1).max(200),
  baseUrl: BaseUrlSchema.optional(),
  options: ConnectionOptionsSchema.default({}),
  defaultModel: z.string().trim().max(256).optional(),
}).strict();
export type ConnectionInput = z.input<typeof ConnectionInputSchema>;

/** A partial edit; the provider of a connection never changes. */
export const ConnectionPatchSchema = z.object({
  name: nameSchema.optional(),
  baseUrl: BaseUrlSchema.optional(),
  options: ConnectionOptionsSchema.optional(),
  defaultModel: z.string().trim().max(256).optional(),
}).strict();
export type ConnectionPatch = z.infer<typeof ConnectionPatchSchema>;

export const TestResultSchema = z.object({
  status: z.enum(['valid', 'invalid']),
  message: z.string(),
  latencyMs: z.number().nonnegative(),
  /** Why an invalid connection failed, so the UI can offer the fix (e.g. Set API Key for auth_failed). */
  code: ErrorCodeSchema.optional(),
});
export type TestResult = z.infer<typeof TestResultSchema>;
