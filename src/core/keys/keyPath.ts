import * as l10n from '@vscode/l10n';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyPurpose, KeyReadOutcome } from '../../contracts/agents';
import { hasCredentials, isInsecureForKeys, originOf, type Connection } from '../../contracts/connections';
import type { ProviderDescriptor } from '../../contracts/providers';
import { API_KEY_FIELD } from '../../contracts/vocabulary';
import type { AuditChainKeys } from '../audit/auditAnchor';
import type { AuditLog } from '../audit/auditLog';
import type { ConsentService, GrantBinding } from './consent';
import { SwitchboardError, errorText } from '../base/errors';
import type { Logger, SecretVault } from '../base/ports';
import type { ConnectionTarget } from '../providers/adapter';
import { blankedResult, keyHint } from '../base/secrets';
import { boundOrigin } from './boundOrigin';
import { secretNames } from './vault';

/** Who asks for a key use. */
export interface Requester {
  /** `switchboard.connectionsView`, `switchboard.palette`, an extension id, ... (requesters.ts). */
  id: string;
  /**
   * The person's own click in Switchboard's views or palette (Test, Discover, Run, Re-run):
   * their consent for that action. Never true for a command called with an argument, another
   * extension, VS Code chat or the gateway (requesters.ts).
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
  /**
   * Where the key goes when not to the connection's own address: the AI gateway's URL, which
   * receives the key to call the provider itself. Consent names and binds this origin, and plain
   * http to another machine is refused outright (there is no per-gateway allowance).
   */
  destination?: string;
}

/** A connection's key and credential headers (by lower-case name), as the adapter receives them. */
export interface Credentials {
  apiKey?: string;
  credentialHeaders?: Record<string, string>;
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
 *     origin, or asks (one question per connection, requester, key and destination origin);
 *  3. appends exactly one `key_read` audit entry (requester, purpose, connection, provider, run,
 *     destination origin, outcome) before the key leaves, and sends nothing if that entry cannot
 *     be written;
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
   * Stores the key for the connection's current address and reads it back. If the store throws
   * or the value does not come back (Linux without a keyring), nothing is kept. The credential
   * headers that stay beside the key must be bound to that address already, since from now on
   * they go with the key.
   */
  async store(connection: Connection, key: string): Promise<StoredKey> {
    throwIfBoundElsewhere({ ...connection, keyHint: undefined });
    await storeSecret(this.deps, secretNames.connectionKey(connection.id), key);
    return { keyHint: keyHint(key), keyId: randomBytes(16).toString('hex'), keyOrigin: originOf(connection.baseUrl) };
  }

  /**
   * Stores a credential header's value (`name` lower-case), read back like a key; returns its
   * hint. The credentials that stay beside it must be bound to the connection's current address,
   * the one the new header is entered for.
   */
  async storeHeader(connection: Connection, name: string, value: string): Promise<string> {
    throwIfBoundElsewhere({ ...connection, credentialHeaders: connection.credentialHeaders?.filter((header) => header.name !== name) });
    await storeSecret(this.deps, secretNames.credentialHeader(connection.id, name), value);
    return keyHint(value);
  }

  /** Removes the key and the named credential headers; a keyring error is logged, since the record no longer points to them. */
  async forget(connectionId: string, headerNames: readonly string[] = []): Promise<void> {
    for (const secret of [secretNames.connectionKey(connectionId), ...headerNames.map((name) => secretNames.credentialHeader(connectionId, name))]) {
      await deleteSecret(this.deps, secret);
    }
  }

  /** Removes one credential header. */
  forgetHeader(connectionId: string, name: string): Promise<void> {
    return deleteSecret(this.deps, secretNames.credentialHeader(connectionId, name));
  }

  /** Runs `call` with what it needs to reach the connection, the key included only through the steps above. */
  async use<T>(use: KeyUse, call: (target: ConnectionTarget) => Promise<T>): Promise<T> {
    const { connection, provider } = use;
    const target: ConnectionTarget = { baseUrl: connection.baseUrl, options: connection.options };
    if (!connection.keyHint && provider.fields.some((field) => field.key === API_KEY_FIELD && field.required)) {
      throw new SwitchboardError('auth_failed', l10n.t('{0} needs an API key. Set one with "Set key" (Switchboard: Set API Key).', provider.displayName));
    }
    if (!hasCredentials(connection)) return call(target);
    // Where the key goes: the gateway's origin when it goes there, else the connection's own.
    const origin = originOf(use.destination ?? connection.baseUrl);
    const refusal = this.refusal(connection) ?? (use.destination ? destinationRefusal(connection, use.destination) : undefined);
    if (refusal) {
      await this.audit(use, origin, 'refused');
      throw refusal;
    }
    const outcome = await this.decide(use, { keyId: connection.keyId, origin });
    if (outcome === 'denied') {
      await this.audit(use, origin, outcome);
      throw new SwitchboardError(
        'consent_denied',
        l10n.t('The key of "{0}" was not used: you denied it to {1}. Try again and allow it, or choose a connection without a key.', connection.name, this.deps.consent.describeRequester(use.requester.id)),
      );
    }
    let credentials: Credentials;
    try {
      credentials = await this.readCredentials(connection);
    } catch (error) {
      await this.audit(use, origin, 'failed');
      throw error;
    }
    const secrets = [credentials.apiKey, ...Object.values(credentials.credentialHeaders ?? {})];
    // Written before the key leaves: a use that cannot be audited does not happen.
    await this.audit(use, origin, outcome);
    return blankedResult(secrets, () => call({ ...target, ...credentials }));
  }

  /**
   * A key the person just typed, tried before it replaces the stored one ("Replace API Key"):
   * the same origin checks as {@link use}, one `key_read` audit entry, and the key blanked out of
   * whatever comes back. It is the person's own action, so no consent is asked; nothing is stored.
   */
  async tryKey<T>(use: KeyUse, key: string, call: (target: ConnectionTarget) => Promise<T>): Promise<T> {
    const { connection } = use;
    // The new key is for the address the connection has now, whatever the old key was bound to;
    // the credential headers that go with it are still bound where they were entered.
    const refusal = this.refusal({ ...connection, keyHint: undefined });
    const origin = originOf(connection.baseUrl);
    if (refusal) {
      await this.audit(use, origin, 'refused');
      throw refusal;
    }
    let credentialHeaders: Record<string, string> | undefined;
    try {
      // The connection's credential headers go with the new key, as they will with it stored.
      if (connection.credentialHeaders?.length) credentialHeaders = (await this.readCredentials({ ...connection, keyHint: undefined })).credentialHeaders;
    } catch (error) {
      await this.audit(use, origin, 'failed');
      throw error;
    }
    const secrets = [key, ...Object.values(credentialHeaders ?? {})];
    await this.audit(use, origin, 'granted_by_person');
    return blankedResult(secrets, () => call({ baseUrl: connection.baseUrl, options: connection.options, apiKey: key, ...(credentialHeaders ? { credentialHeaders } : {}) }));
  }

  /**
   * Stores the AI gateway's token, read back like a key, bound to the gateway it is set for
   * (`gatewayUrl`, the setting now; '' when none is set yet, so its first use asks).
   */
  async storeGatewayToken(token: string, gatewayUrl: string): Promise<void> {
    await storeSecret(this.deps, secretNames.gatewayToken, token);
    await this.deps.consent.bindGatewayToken(gatewayUrl ? originOf(gatewayUrl) : undefined);
  }

  /**
   * Runs `call` with the gateway token for a call to `gatewayUrl` (undefined when no token is
   * set), and blanks the token out of whatever comes back, the answer or the error. The token is
   * the person's own credential for their gateway, so it needs no consent per use; but like a
   * key it goes only to the origin it is bound to: another gateway asks the person first, and a
   * refusal sends nothing.
   */
  async withGatewayToken<T>(gatewayUrl: string, call: (token: string | undefined) => Promise<T>): Promise<T> {
    let token: string | undefined;
    try {
      token = (await this.deps.vault.get(secretNames.gatewayToken)) || undefined;
    } catch (error) {
      throw secretStorageFailed(errorText(error), 'read');
    }
    const origin = originOf(gatewayUrl);
    if (token && !(await this.deps.consent.allowGatewayToken(origin))) {
      const from = this.deps.consent.gatewayTokenOrigin();
      throw new SwitchboardError(
        'consent_denied',
        from
          ? l10n.t('The AI gateway token was set for {0}, and switchboard.gateway.url now points to {1}. Switchboard sent nothing. Sync again and allow it, or set the token for this gateway with Switchboard: Set Gateway Token.', from, origin)
          : l10n.t('The AI gateway token was not sent to {0}: you did not allow it. Sync again and allow it, or set the token for this gateway with Switchboard: Set Gateway Token.', origin),
      );
    }
    return blankedResult([token], () => call(token));
  }

  /**
   * Which of `incoming`'s credentials differ from what the connection stores (a header it does not
   * have differs). Compared here, in constant time, so nothing stored leaves the key path: only
   * the answer does. Not a use of the key (it goes nowhere), so there is no consent and no
   * `key_read` entry. An import asks, so that a file's unchanged key keeps its key id and with it
   * the standing permissions given for it.
   */
  async differingCredentials(connection: Connection, incoming: Credentials): Promise<{ apiKey: boolean; headers: string[] }> {
    const differs = async (stored: { hint: string } | undefined, name: string, value: string) =>
      stored?.hint !== keyHint(value) || !sameSecret(await readSecret(this.deps, name), value);
    const apiKey = incoming.apiKey !== undefined && (await differs(connection.keyHint ? { hint: connection.keyHint } : undefined, secretNames.connectionKey(connection.id), incoming.apiKey));
    const headers: string[] = [];
    for (const [name, value] of Object.entries(incoming.credentialHeaders ?? {})) {
      const stored = connection.credentialHeaders?.find((header) => header.name === name);
      if (await differs(stored, secretNames.credentialHeader(connection.id, name), value)) headers.push(name);
    }
    return { apiKey, headers };
  }

  /**
   * What SecretStorage holds now for the connection's key and the named credential headers, kept
   * here, and the function that puts exactly that back (storing what was there, removing what was
   * not): for undoing an import that failed midway. The values never leave the key path.
   */
  async restorePoint(connectionId: string, headerNames: readonly string[]): Promise<() => Promise<void>> {
    const saved = new Map<string, string | undefined>();
    for (const name of [secretNames.connectionKey(connectionId), ...headerNames.map((header) => secretNames.credentialHeader(connectionId, header))]) {
      saved.set(name, await readSecret(this.deps, name));
    }
    return async () => {
      for (const [name, value] of saved) {
        if (value === undefined) await deleteSecret(this.deps, name);
        else await storeSecret(this.deps, name, value);
      }
    };
  }

  /** The connection's key and credential headers from the vault; `secret_storage_failed` or `auth_failed` when one is missing. */
  private async readCredentials(connection: Connection): Promise<Credentials> {
    const read = async (name: string): Promise<string> => {
      const value = await readSecret(this.deps, name);
      if (!value) {
        throw new SwitchboardError('auth_failed', l10n.t('A credential of "{0}" is no longer in SecretStorage. Set its key or credential header again.', connection.name));
      }
      return value;
    };
    const credentials: Credentials = {};
    if (connection.keyHint) credentials.apiKey = await read(secretNames.connectionKey(connection.id));
    for (const { name } of connection.credentialHeaders ?? []) {
      credentials.credentialHeaders = { ...credentials.credentialHeaders, [name]: await read(secretNames.credentialHeader(connection.id, name)) };
    }
    return credentials;
  }

  /** Why the key must not go to the connection's current address, or undefined. */
  private refusal(connection: Connection): SwitchboardError | undefined {
    const elsewhere = boundElsewhere(connection);
    if (elsewhere) return elsewhere;
    if (isInsecureForKeys(connection.baseUrl) && !connection.allowInsecureKey) {
      return new SwitchboardError(
        'consent_denied',
        l10n.t('"{0}" uses plain http:// to another machine, so its key would cross the network unencrypted. Switchboard did not send it. Use an https:// address, or set the key again and allow unencrypted use for this connection.', connection.name),
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

  /** One `key_read` entry; `origin` is where the key went, or would have gone. */
  private async audit(use: KeyUse, origin: string, outcome: KeyReadOutcome): Promise<void> {
    await this.deps.audit.append({
      kind: 'key_read',
      requesterId: use.requester.id,
      purpose: use.purpose,
      connectionId: use.connection.id,
      connectionName: use.connection.name,
      providerId: use.connection.providerId,
      origin,
      ...(use.runId ? { runId: use.runId } : {}),
      outcome,
    });
  }
}

/** Why the connection's credentials must not go to its current address, which is not the origin they were entered for; or undefined. */
function boundElsewhere(connection: Connection): SwitchboardError | undefined {
  const origin = originOf(connection.baseUrl);
  const keyOrigin = boundOrigin(connection);
  if (keyOrigin === origin) return undefined;
  return new SwitchboardError(
    'consent_denied',
    connection.keyHint
      ? l10n.t('The key of "{0}" was entered for {1}, and the connection now points to {2}. Switchboard did not send it. Edit the connection\'s address to confirm where the key may go, or set the key again.', connection.name, keyOrigin, origin)
      : l10n.t(
          'The credential headers of "{0}" were entered for {1}, and the connection now points to {2}. Switchboard did not send them and changed nothing. Edit the connection\'s address to confirm where they may go, or remove them first.',
          connection.name,
          keyOrigin,
          origin,
        ),
  );
}

function throwIfBoundElsewhere(connection: Connection): void {
  const refusal = boundElsewhere(connection);
  if (refusal) throw refusal;
}

/** Why a connection's key must not go to `destination` (the gateway), or undefined. */
function destinationRefusal(connection: Connection, destination: string): SwitchboardError | undefined {
  if (!isInsecureForKeys(destination)) return undefined;
  return new SwitchboardError(
    'consent_denied',
    l10n.t('The AI gateway {0} uses plain http:// to another machine, so the key of "{1}" would cross the network unencrypted. Switchboard did not send it. Use an https:// gateway address.', originOf(destination), connection.name),
  );
}

/**
 * The audit chain's HMAC keys (audit/auditAnchor.ts), each under its own id. Here because only the
 * key path reads the vault. They never leave the extension host's memory for anywhere else: the
 * audit log hashes with them, and nothing sends them.
 */
export function auditChainKeys(shelf: Shelf): AuditChainKeys {
  return {
    async get(keyId) {
      // The id comes from the database: only one of ours names a secret.
      if (!CHAIN_KEY_ID.test(keyId)) return undefined;
      const value = await readSecret(shelf, secretNames.auditChainKey(keyId), auditKeyFailed);
      return value ? Buffer.from(value, 'base64') : undefined;
    },
    async create() {
      const id = randomBytes(8).toString('hex');
      const key = randomBytes(32);
      await storeSecret(shelf, secretNames.auditChainKey(id), key.toString('base64'), auditKeyFailed);
      return { id, key };
    },
  };
}

const CHAIN_KEY_ID = /^[0-9a-f]{16}$/;

/** Where the key path keeps secrets, and where it says that one could not be removed. */
interface Shelf {
  vault: SecretVault;
  logger: Logger;
}

/** What a keyring failure says: by default, about a connection's key. */
type KeyringFailure = (reason: string, when: 'store' | 'read') => SwitchboardError;

/** A secret from the vault, or `secret_storage_failed` when the keyring cannot be read. */
async function readSecret({ vault }: Shelf, name: string, failed: KeyringFailure = secretStorageFailed): Promise<string | undefined> {
  try {
    return await vault.get(name);
  } catch (error) {
    throw failed(errorText(error), 'read');
  }
}

/** Stores a secret and reads it back; if the keyring fails or drops it, nothing is kept. */
async function storeSecret(shelf: Shelf, name: string, value: string, failed: KeyringFailure = secretStorageFailed): Promise<void> {
  let readBack: string | undefined;
  try {
    await shelf.vault.store(name, value);
    readBack = await shelf.vault.get(name);
  } catch (error) {
    await deleteSecret(shelf, name);
    throw failed(errorText(error), 'store');
  }
  if (readBack !== value) {
    await deleteSecret(shelf, name);
    throw failed('the stored value could not be read back', 'store');
  }
}

async function deleteSecret(shelf: Shelf, name: string): Promise<void> {
  await shelf.vault.delete(name).catch((error: unknown) => {
    shelf.logger.warn(`Could not delete ${name} from SecretStorage: ${errorText(error)}`);
  });
}

/** Whether `stored` is `value`, in time that does not depend on where they differ. */
function sameSecret(stored: string | undefined, value: string): boolean {
  if (stored === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(stored), digest(value));
}

function auditKeyFailed(reason: string, when: 'store' | 'read'): SwitchboardError {
  return new SwitchboardError(
    'secret_storage_failed',
    when === 'store'
      ? l10n.t(
          'VS Code could not keep the audit log\'s key in the system keyring ({0}), so no audit entry was written, and what needed one did not happen. On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with --password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then try again.',
          reason,
        )
      : l10n.t(
          'VS Code could not read the audit log\'s key from the system keyring ({0}), so the audit log could not be written or verified. On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with --password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then try again.',
          reason,
        ),
  );
}

function secretStorageFailed(reason: string, when: 'store' | 'read'): SwitchboardError {
  return new SwitchboardError(
    'secret_storage_failed',
    when === 'store'
      ? l10n.t(
          'VS Code could not keep the key in the system keyring ({0}). Nothing was saved. On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with --password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then set the key again.',
          reason,
        )
      : l10n.t(
          'VS Code could not read the key from the system keyring ({0}). Nothing was sent. On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code with --password-store="gnome-libsecret" (see "Troubleshooting keychain issues" in the VS Code docs), then try again.',
          reason,
        ),
  );
}
