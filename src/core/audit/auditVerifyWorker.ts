import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { ChainWalk, CHAIN_START, checkEnds } from './auditChain';
import type { AuditHead } from '../store/auditHead';
import { TABLES } from '../store/storageKeys';
import type { VerifyWorkerData, VerifyWorkerMessage, VerifyWorkerReply } from './auditVerifyProtocol';

// The verify worker (dist/auditVerify.js): a full verify of the audit chain off the extension
// host's thread. It opens its own connection to the database file, reads the whole log and its
// head row in one snapshot, and walks the chain with the same code as the host
// (auditChain.ts). It only reads. The chain keys stay in the host's SecretStorage: the worker
// asks for each one the log names, and the host answers with it (or with none).

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

function readLog(): { rows: string[]; lastPos: number | undefined; head: AuditHead | undefined } {
  const db = new DatabaseSync(data.file);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.round(data.busyTimeoutMs)}`);
    // One snapshot: the rows and the head row as one commit left them.
    db.exec('BEGIN');
    try {
      const rows: string[] = [];
      let lastPos: number | undefined;
      for (const row of db.prepare(`SELECT pos, body FROM ${TABLES.audit} ORDER BY pos`).iterate() as Iterable<{ pos: number; body: string }>) {
        rows.push(row.body);
        lastPos = row.pos;
      }
      const head = db.prepare(`SELECT seq, hash FROM ${TABLES.auditHead} WHERE id = 1`).get() as AuditHead | undefined;
      return { rows, lastPos, head: head ? { seq: head.seq, hash: head.hash } : undefined };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

async function verify(): Promise<VerifyWorkerMessage> {
  const { rows, lastPos, head } = readLog();
  const walk = new ChainWalk(rows, CHAIN_START, data.mirrored?.seq);
  for (let need = walk.walk(); need; need = walk.walk()) walk.giveKey(need.needKey, await askKey(need.needKey));
  const result = walk.broken
    ? { ok: false, entries: rows.length, broken: { line: walk.broken.index + 1, reason: walk.broken.reason } }
    : checkEnds({ entries: rows.length, last: walk.link, head, mirrored: data.mirrored, mirroredHash: walk.mirroredHash });
  return { type: 'done', result, ...(result.ok && lastPos !== undefined ? { last: { pos: lastPos, seq: walk.link.seq, hash: walk.link.hash } } : {}) };
}

verify().then(post, (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
