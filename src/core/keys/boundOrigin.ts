import { hasCredentials, originOf, type Connection } from '../../contracts/connections';

/**
 * The origin a connection's key and credential headers may go to: the one they were entered
 * for, or, for a key stored before keys were bound to origins, the address the connection has
 * now (every later change of address asks the person and records the answer). A connection
 * without credentials is bound to nothing: the origin recorded for credentials it no longer has
 * must not bind the next one, which is entered for the address the connection has then.
 */
export function boundOrigin(connection: Pick<Connection, 'keyOrigin' | 'baseUrl' | 'keyHint' | 'credentialHeaders'>): string {
  return (hasCredentials(connection) ? connection.keyOrigin : undefined) ?? originOf(connection.baseUrl);
}
