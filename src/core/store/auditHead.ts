import type { Sql } from './database';
import { TABLES } from './storageKeys';

// The audit chain's head row: the audit log keeps it in step with its entries, and the move
// from 0.1 sets it to the last entry it brings over. Here, in the store, so that the move need
// not import the audit log.

/** The last entry's link, kept in its own row so that removing the last entries is detected. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export function readHead(sql: Sql): AuditHead | undefined {
  return sql.get<AuditHead>(`SELECT seq, hash FROM ${TABLES.auditHead} WHERE id = 1`);
}

export function writeHead(sql: Sql, head: AuditHead): void {
  sql.run(`INSERT INTO ${TABLES.auditHead} (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, head.seq, head.hash);
}
