import { SwitchboardError, toErrorInfo } from './errors';
import type { SecretVault } from './ports';

/** The one place secret names are made, so every reader and writer agrees on them. */
export const secretNames = {
  connectionKey: (connectionId: string) => `switchboard.connection.${connectionId}.apiKey`,
} as const;

/** `****abcd`: the last four characters, or only the stars for a key too short to hint at safely. */
export function keyHint(key: string): string {
  return key.length >= 8 ? `****${key.slice(-4)}` : '****';
}

/** `text` with every occurrence of `secret` replaced by `****`; unchanged without a secret. */
export function blankSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('****') : text;
}

/**
 * Remembers every secret value the host has seen this session and blanks it out of text:
 * a second guard on the output channel, behind the rule that no one logs a key at all.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  remember(secret: string | undefined): void {
    // Very short values would blank out ordinary words; keys are never that short.
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = blankSecret(result, secret);
    return result;
  }
}

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

/**
 * `error`, or a SwitchboardError with the same code whose message has `secret` blanked out: a
 * guard for errors from adapters the host does not control (another extension's, say).
 */
export function withoutSecret(error: unknown, secret: string | undefined): unknown {
  if (!secret) return error;
  const info = toErrorInfo(error);
  if (!info.message.includes(secret)) return error;
  return new SwitchboardError(info.code, blankSecret(info.message, secret));
}
