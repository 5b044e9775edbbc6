import { existsSync, readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { AuditEntrySchema, RunRecordSchema } from '../../contracts/agents';
import { RegisteredModelSchema } from '../../contracts/models';
import { writeHead } from './auditHead';
import { safeJson, type Sql } from './database';
import type { KeyValueStore, Logger } from '../base/ports';
import { LEGACY, TABLES } from './storageKeys';

const AUDIT_IMPORTED = 'legacy_audit_imported';

/**
 * Moves what Switchboard 0.1.0 kept in globalState (registered models, runs) and in
 * audit.jsonl into the database, inside the database's opening write transaction. Records are
 * moved as they are, valid or not (a record that fails today's schema is kept and logged
 * where it is read, as before). The audit entries keep their seq and hash, so the chain
 * verifies across the move and goes on from its last entry.
 *
 * The returned step runs only after that transaction is committed: it removes the moved
 * globalState keys and renames audit.jsonl. If the window dies before it, the next open moves
 * the same records again and ignores them (models and runs by id, the audit by a flag).
 */
export function moveLegacyState(deps: { store: KeyValueStore; auditFile: string; logger: Logger }) {
  return (sql: Sql): (() => Promise<void>) | undefined => {
    const models = moveModels(sql, deps.store);
    const runKeys = moveRuns(sql, deps.store);
    const auditEntries = moveAudit(sql, deps.auditFile);
    if (!models.found && !runKeys.length && auditEntries === undefined) return undefined;
    return async () => {
      if (models.found) await deps.store.update(LEGACY.modelsKey, undefined);
      for (const key of runKeys) await deps.store.update(key, undefined);
      if (auditEntries !== undefined) await rename(deps.auditFile, `${deps.auditFile.slice(0, -LEGACY.auditFile.length)}${LEGACY.importedAuditFile}`);
      deps.logger.info(
        `Moved ${models.count} registered models, ${runKeys.length} runs${auditEntries === undefined ? '' : ` and ${auditEntries} audit entries`} from the previous version's storage into the database.`,
      );
    };
  };
}

function moveModels(sql: Sql, store: KeyValueStore): { found: boolean; count: number } {
  const raw = store.get(LEGACY.modelsKey);
  if (raw === undefined) return { found: false, count: 0 };
  const records = Array.isArray(raw) ? raw : [];
  for (const record of records) {
    const body = JSON.stringify(record);
    const parsed = RegisteredModelSchema.safeParse(record);
    if (parsed.success) {
      const model = parsed.data;
      sql.run(
        `INSERT OR IGNORE INTO ${TABLES.models} (id, connection_id, provider_model_id, enabled, body) VALUES (?, ?, ?, ?, ?)`,
        model.id,
        model.connectionId,
        model.providerModelId,
        model.enabled ? 1 : 0,
        body,
      );
    } else {
      sql.run(`INSERT INTO ${TABLES.models} (body) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM ${TABLES.models} WHERE id IS NULL AND body = ?)`, body, body);
    }
  }
  return { found: true, count: records.length };
}

/** Runs in creation order, so the database's order (newest last) is theirs. */
function moveRuns(sql: Sql, store: KeyValueStore): string[] {
  const keys = store.keys().filter((key) => key.startsWith(LEGACY.runKeyPrefix));
  const runs = keys.map((key) => ({ key, id: key.slice(LEGACY.runKeyPrefix.length), value: store.get(key) }));
  const createdAt = (value: unknown) => String((value as { createdAt?: unknown } | null)?.createdAt ?? '');
  runs.sort((a, b) => createdAt(a.value).localeCompare(createdAt(b.value)));
  for (const run of runs) {
    const parsed = RunRecordSchema.safeParse(run.value);
    // A run that fails its schema keeps its key's id and a status no query matches.
    const status = parsed.success ? parsed.data.status : 'invalid';
    sql.run(`INSERT OR IGNORE INTO ${TABLES.runs} (id, status, owner, body) VALUES (?, ?, NULL, ?)`, run.id, status, JSON.stringify(run.value ?? null));
  }
  return keys;
}

/** The file's lines as they are (a torn one too: verify reports it as the old log did); the head is its last valid entry. */
function moveAudit(sql: Sql, file: string): number | undefined {
  if (sql.get(`SELECT 1 FROM ${TABLES.meta} WHERE key = ?`, AUDIT_IMPORTED) || !existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  let head: { seq: number; hash: string } | undefined;
  for (const line of lines) {
    sql.run(`INSERT INTO ${TABLES.audit} (body) VALUES (?)`, line);
    const parsed = AuditEntrySchema.safeParse(safeJson(line));
    if (parsed.success) head = { seq: parsed.data.seq, hash: parsed.data.hash };
  }
  if (head) writeHead(sql, head);
  sql.run(`INSERT INTO ${TABLES.meta} (key, value) VALUES (?, ?)`, AUDIT_IMPORTED, new Date().toISOString());
  return lines.length;
}
