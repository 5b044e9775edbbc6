import { originOf, type Connection } from '../../contracts/connections';

/**
 * The origin a connection's key and credential headers may go to: the one they were entered
 * for, or, for a key stored before keys were bound to origins, the address the connection has
 * now (every later change of address asks the person and records the answer).
 */
export function boundOrigin(connection: Pick<Connection, 'keyOrigin' | 'baseUrl'>): string {
  return connection.keyOrigin ?? originOf(connection.baseUrl);
}
