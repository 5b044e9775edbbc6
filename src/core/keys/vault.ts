import type { Redactor } from '../base/secrets';
import type { SecretVault } from '../base/ports';

// What is kept in SecretStorage, by name, and the vault the host hands to the key path. Only
// the key path (keyPath.ts) reads a secret through it, the audit chain's keys included.

/** The one place secret names are made, so every reader and writer agrees on them. */
export const secretNames = {
  connectionKey: (connectionId: string) => `switchboard.connection.${connectionId}.apiKey`,
  /** `name` is the header's lower-case name. */
  credentialHeader: (connectionId: string, name: string) => `switchboard.connection.${connectionId}.header.${name}`,
  /** The bearer token for `switchboard.gateway.url` (Switchboard: Set Gateway Token). */
  gatewayToken: 'switchboard.gateway.token',
  /** An HMAC key of the audit chain, by its id (the `chainKey` of the entries it hashed). */
  auditChainKey: (keyId: string) => `switchboard.audit.chainKey.${keyId}`,
} as const;

/** A vault that tells the redactor about every value that passes through it. */
export function redactingVault(vault: SecretVault, redactor: Redactor): SecretVault {
  return {
    async get(name) {
      const value = await vault.get(name);
      redactor.remember(value);
      return value;
    },
    async store(name, value) {
      redactor.remember(value);
      await vault.store(name, value);
    },
    delete: (name) => vault.delete(name),
  };
}
