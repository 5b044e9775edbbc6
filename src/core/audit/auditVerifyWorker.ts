import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { ChainWalk, CHAIN_START, startLink } from './auditChain';
import { Statements } from '../store/statements';
import { TABLES } from '../store/storageKeys';
import { readStoredRows, type StoredRows } from './storedRows';
import type { StretchResult, VerifyWorkerData, VerifyWorkerMessage, VerifyWorkerReply } from './auditVerifyProtocol';

// An audit verify worker (dist/auditVerify.js): verifies one stretch of the audit chain off the
// extension host's thread. It opens its own connection to the database file, only reads, and
// walks its rows with the same code as the host (auditChain.ts). The chain keys stay in the
// host's SecretStorage: the worker asks for each one its rows name, and the host answers with it
// (or with none).

const port = parentPort!;
const data = workerData as VerifyWorkerData;

const waiting = new Map<string, (key: Uint8Array | undefined) => void>();
port.on('message', (message: VerifyWorkerReply) => {
  if (message.type !== 'key') return;
  waiting.get(message.id)?.(message.key ?? undefined);
  waiting.delete(message.id);
});

function post(message: VerifyWorkerMessage): void {
  port.postMessage(message);
}

function askKey(id: string): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    post({ type: 'key', id });
  });
}

/** The stretch's rows, and the body of the row before it, in one snapshot. */
function readStretch(): { before: string | undefined; rows: StoredRows[] } {
  const db = new DatabaseSync(data.file);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.round(data.busyTimeoutMs)}`);
    db.exec('BEGIN');
    try {
      const { sql } = new Statements(() => db);
      // The row before the stretch: the last one at or before its start (removed rows leave gaps).
      const before = sql.get<{ body: string }>(`SELECT body FROM ${TABLES.audit} WHERE pos <= ? ORDER BY pos DESC LIMIT 1`, data.afterPos)?.body;
      return { before, rows: readStoredRows(sql, data.afterPos, data.toPos) };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

async function verify(): Promise<VerifyWorkerMessage> {
  const { before, rows } = readStretch();
  const walk = new ChainWalk(rows, before === undefined ? CHAIN_START : startLink(before), data.mirroredSeq);
  for (let need = walk.walk(); need; need = walk.walk()) walk.giveKey(need.needKey, await askKey(need.needKey));
  const stretch: StretchResult = {
    rows: walk.rowCount,
    end: walk.link,
    ...(walk.broken ? { broken: walk.broken } : {}),
    ...(walk.mirroredHash !== undefined ? { mirroredHash: walk.mirroredHash } : {}),
    ...threadCpuMs(),
  };
  return { type: 'done', stretch };
}

function threadCpuMs(): { cpuMs?: number } {
  const usage = (process as { threadCpuUsage?(): { user: number; system: number } }).threadCpuUsage?.();
  return usage ? { cpuMs: (usage.user + usage.system) / 1000 } : {};
}

verify().then(post, (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
