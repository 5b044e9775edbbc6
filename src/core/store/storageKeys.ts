/**
 * Every place Switchboard stores something, in one file: the globalState keys (small records
 * that VS Code ships whole on every update, so nothing on a run's path writes them), the
 * database file and its tables, and what earlier versions left behind for the move.
 */

/** globalState keys. */
export const CONNECTIONS_KEY = 'switchboard.connections';
export const AGENTS_KEY = 'switchboard.agents';
export const CONSENTS_KEY = 'switchboard.consents';
/**
 * The audit log's head (seq and hash of its last entry), mirrored outside the database so that a
 * wiped, replaced or truncated log does not verify (audit/auditAnchor.ts). Written after entries
 * commit, a burst of them at once.
 */
export const AUDIT_HEAD_KEY = 'switchboard.auditHead';
/**
 * The last audit entry a verify found intact (its row, seq and hash), beside the mirrored head:
 * opening the editor verifies only the entries written after it (audit/auditAnchor.ts). Written
 * by a verify, never on a run's path.
 */
export const AUDIT_VERIFIED_KEY = 'switchboard.auditVerified';
/** What the AI gateway has of each agent, and deletes it still owes (gatewaySync.ts). Small: one record per agent. */
export const GATEWAY_SYNC_KEY = 'switchboard.gatewaySync';
/** The origin the AI gateway token may go to (the token itself is in SecretStorage). */
export const GATEWAY_TOKEN_ORIGIN_KEY = 'switchboard.gatewayTokenOrigin';

/** The SQLite database in the extension's globalStorageUri. */
export const DATABASE_FILE = 'switchboard.sqlite';

/** Tables of the database; the schema (schema.ts) creates them. */
export const TABLES = {
  meta: 'meta',
  models: 'models',
  runs: 'runs',
  leases: 'run_leases',
  audit: 'audit',
  auditHead: 'audit_head',
  chatRecords: 'chat_records',
  tableVersions: 'table_versions',
  usage: 'usage_calls',
  usageTotals: 'usage_totals',
  usageDays: 'usage_days',
  usageWriters: 'usage_writers',
  budgets: 'budgets',
} as const;

/** Tables whose reads Database.cachedRead keeps: each has a version that every change to it moves (schema.ts). */
export type VersionedTable = typeof TABLES.models | typeof TABLES.budgets;

/**
 * What 0.1.0 stored where the database now stores it. The first open of the database moves it
 * (legacyImport.ts) and removes the keys only once the move is committed.
 */
export const LEGACY = {
  modelsKey: 'switchboard.models',
  runKeyPrefix: 'switchboard.run.',
  auditFile: 'audit.jsonl',
  /** The audit file is renamed to this once its entries are in the database. */
  importedAuditFile: 'audit.jsonl.imported',
} as const;
