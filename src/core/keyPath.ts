import { randomBytes } from 'node:crypto';
import type { KeyPurpose, KeyReadOutcome } from '../contracts/agents';
import { isInsecureForKeys, originOf, type Connection } from '../contracts/connections';
import { API_KEY_FIELD, type ProviderDescriptor } from '../contracts/providers';
import type { AuditLog } from './auditLog';
import type { ConsentService, GrantBinding } from './consent';
import { SwitchboardError } from './errors';
import type { Logger, SecretVault } from './ports';
import type { ConnectionTarget } from './providers/adapter';
import { blankSecretsDeep, keyHint, secretNames, withoutSecrets } from './secrets';

/** Who asks for a key use. */
export interface Requester {
  /** `switchboard.connectionsView`, `switchboard.palette`, an extension id, ... (requesters.ts). */
  id: string;
  /**
   * The person's own click on Test or Discover in Switchboard's views or palette: their consent
   * for this one use. Never true for a command called with an argument, an API call or a run.
   */
  byPerson: boolean;
}

/** One use of a connection's key. */
export interface KeyUse {
  connection: Connection;
  provider: ProviderDescriptor;
  requester: Requester;
  purpose: KeyPurpose;
  runId?: string;
}

export interface StoredKey {
  keyHint: string;
  keyId: string;
  keyOrigin: string;
}

/**
 * The key path: the only code that reads a key from SecretStorage (a unit test fails if any
 * other module touches the vault). Every use of a key goes through `use`, which
 *  1. refuses a key bound to another origin, or plain http to another machine the person did
 *     not allow for this connection;
 *  2. takes the person's click as consent, or a standing permission bound to this key and
 *     origin, or asks;
 *  3. appends exactly one `key_read` audit entry (requester, purpose, connection, provider, run,
 *     outcome) before the key leaves, and sends nothing if that entry cannot be written;
 *  4. hands the key to the adapter inside a ConnectionTarget, and blanks it out of whatever
 *     comes back, the answer or the error, whoever's adapter it was.
 */
export class KeyPath {
  constructor(
    private readonly deps: {
      vault: SecretVault;
      consent: ConsentService;
      audit: Pick<AuditLog, 'append'>;
      logger: Logger;
    },
  ) {}

  /**
   * Stores the key and reads it back. If the store throws or the value does not come back
   * (Linux without a keyring), nothing is kept.
   */
  async store(connectionId: string, key: string, baseUrl: string): Promise<StoredKey> {
    const name = secretNames.connectionKey(connectionId);
    let readBack: string | undefined;
    try {
      await this.deps.vault.store(name, key);
      readBack = await this.deps.vault.get(name);
    } catch (error) {
      await this.forget(connectionId);
      throw secretStorageFailed(errorText(error));
    }
    if (readBack !== key) {
      await this.forget(connectionId);
      throw secretStorageFailed('the stored key could not be read back');
    }
    return { keyHint: keyHint(key), keyId: randomBytes(16).toString('hex'), keyOrigin: originOf(baseUrl) };
  }

  /** Removes the key; a keyring error is logged, since the record no longer points to it. */
  async forget(connectionId: string): Promise<void> {
    await this.deps.vault.delete(secretNames.connectionKey(connectionId)).catch((error: unknown) => {
      this.deps.logger.warn(`Could not delete the key of connection ${connectionId} from SecretStorage: ${errorText(error)}`);
    });
  }

  /** Runs `call` with what it needs to reach the connection, the key included only through the steps above. */
  async use<T>(use: KeyUse, call: (target: ConnectionTarget) => Promise<T>): Promise<T> {
    const { connection, provider } = use;
    const target: ConnectionTarget = { baseUrl: connection.baseUrl, options: connection.options };
    if (!connection.keyHint) {
      if (provider.fields.some((field) => field.key === API_KEY_FIELD && field.required)) {
        throw new SwitchboardError('auth_failed', `${provider.displayName} needs an API key. Set one with "Set key" (Switchboard: Set API Key).`);
      }
      return call(target);
    }
    const origin = originOf(connection.baseUrl);
    const refusal = this.refusal(connection, origin);
    if (refusal) {
      await this.audit(use, 'refused');
      throw refusal;
    }
    const outcome = await this.decide(use, { keyId: connection.keyId, origin });
    if (outcome === 'denied') {
      await this.audit(use, outcome);
      throw new SwitchboardError(
        'consent_denied',
        `The key of "${connection.name}" was not used: you denied it to ${this.deps.consent.describeRequester(use.requester.id)}. Try again and allow it, or choose a connection without a key.`,
      );
    }
    let apiKey: string | undefined;
    try {
      apiKey = await this.deps.vault.get(secretNames.connectionKey(connection.id));
    } catch (error) {
      await this.audit(use, 'failed');
      throw secretStorageFailed(errorText(error));
    }
    if (!apiKey) {
      await this.audit(use, 'failed');
      throw new SwitchboardError('auth_failed', `The key of "${connection.name}" is no longer in SecretStorage. Set it again with Switchboard: Set API Key.`);
    }
    // Written before the key leaves: a use that cannot be audited does not happen.
    await this.audit(use, outcome);
    try {
      return blankSecretsDeep(await call({ ...target, apiKey }), [apiKey]);
    } catch (error) {
      throw withoutSecrets(error, [apiKey]);
    }
  }

  /** Why the key must not go to the connection's current address, or undefined. */
  private refusal(connection: Connection, origin: string): SwitchboardError | undefined {
    // A key stored before keys were bound to origins is bound to the address it has now; every
    // later change of address asks the person (ConnectionActions.update) and records the answer.
    const keyOrigin = connection.keyOrigin ?? origin;
    if (keyOrigin !== origin) {
      return new SwitchboardError(
        'consent_denied',
        `The key of "${connection.name}" was entered for ${keyOrigin}, and the connection now points to ${origin}. Switchboard did not send it. Edit the connection's address to confirm where the key may go, or set the key again.`,
      );
    }
    if (isInsecureForKeys(connection.baseUrl) && !connection.allowInsecureKey) {
      return new SwitchboardError(
        'consent_denied',
        `"${connection.name}" uses plain http:// to another machine, so its key would cross the network unencrypted. Switchboard did not send it. Use an https:// address, or set the key again and allow unencrypted use for this connection.`,
      );
    }
    return undefined;
  }

  private async decide(use: KeyUse, binding: GrantBinding): Promise<KeyReadOutcome> {
    const { connection, provider, requester } = use;
    // Another extension's adapter receives the key itself: that is never implied by a click.
    const extensionId = provider.source === 'core' ? undefined : provider.source;
    if (requester.byPerson && !extensionId) return 'granted_by_person';
    const { consent } = this.deps;
    if (consent.hasStandingGrant(connection.id, requester.id, binding)) return 'granted_standing';
    const answer = await consent.ask(connection, requester.id, binding, extensionId);
    return answer === 'deny' ? 'denied' : answer === 'always' ? 'granted_always' : 'granted_once';
  }

  private async audit(use: KeyUse, outcome: KeyReadOutcome): Promise<void> {
    await this.deps.audit.append({
      kind: 'key_read',
      requesterId: use.requester.id,
      purpose: use.purpose,
      connectionId: use.connection.id,
      providerId: use.connection.providerId,
      ...(use.runId ? { runId: use.runId } : {}),
      outcome,
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function secretStorageFailed(reason: string): SwitchboardError {
  return new SwitchboardError(
    'secret_storage_failed',
    `VS Code could not keep the key in the system keyring (${reason}). Nothing was saved. ` +
      'On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with ' +
      '--password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then set the key again.',
  );
}
