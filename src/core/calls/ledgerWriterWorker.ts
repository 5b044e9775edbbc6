import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { Statements } from '../store/statements';
import { enterGate, GATE_WRITER, isLocked, leaveGate, retryDelayMs } from '../store/writeGate';
import { CHECKPOINT_AFTER_FRAMES, writeLedger, type LedgerWrite, type LedgerWriterData, type LedgerWriterMessage, type LedgerWriterReply } from './ledgerWrite';

// The usage ledger's writer thread (dist/ledgerWriter.js): writes the calls a window records on
// its own connection to the database, so the extension host's thread only hands each call over.
// The calls that arrive together are written in one transaction, each in a savepoint of its
// own (one that fails fails alone), and answered in the order they came. Each write takes the
// host connection's write gate (writeGate.ts), so neither sleeps in SQLite's busy handler for
// the other.
//
// This thread also copies the write-ahead log into the database (a checkpoint), the host's
// writes with its own, so the extension host's thread rarely does: a checkpoint syncs the file
// to disk, milliseconds in which the host would be blocked. SQLite's automatic checkpoint runs
// inside a commit, with the gate held, so this connection has it off and checkpoints before a
// write instead, outside the gate and any transaction (a passive checkpoint waits for no one and
// blocks no one). Before the write, not after its answer: a run's host writes its end as soon
// as the answer comes, and the log starts over only at a write that begins with all of it
// copied. It does so at fewer frames than the host's automatic checkpoint (SQLite's 1,000),
// which stays as the backstop for a window that writes without making calls.

const port = parentPort!;
const data = workerData as LedgerWriterData;

const db = new DatabaseSync(data.file);
// SQLite's own wait for another window's lock is short, as the host's: a longer one is waited
// for from timers, with the gate given back.
db.exec(`PRAGMA busy_timeout = ${Math.round(data.busyTimeoutMs)}`);
db.exec('PRAGMA synchronous = NORMAL');
db.exec('PRAGMA wal_autocheckpoint = 0');

const { sql } = new Statements(() => db);

/** `PRAGMA wal_checkpoint(NOOP)`, which counts the frames without copying any, is SQLite 3.51's; older SQLite reads it as a checkpoint. */
const countsFrames = atLeast(sql.get<{ version: string }>('SELECT sqlite_version() AS version')?.version ?? '', [3, 51]);

let queued: LedgerWrite[] = [];
/** A try again after another connection's lock is planned: new calls wait for it. */
let retrying = false;
let attempts = 0;
let waitedMs = 0;
port.on('message', (writes: LedgerWriterMessage) => {
  const first = queued.length === 0;
  queued.push(...writes);
  if (first && !retrying) setImmediate(writeQueued);
});

function writeQueued(): void {
  const writes = queued;
  queued = [];
  const replies: LedgerWriterReply[] = [];
  checkpointIfDue();
  const gated = enterGate(data.gate, GATE_WRITER);
  try {
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // Another window holds the lock: wait for it with the gate given back (the host's writes
      // must not wait at the gate meanwhile), and try again, for as long as a host write would.
      if (!isLocked(error) || waitedMs >= data.lockWaitMs) throw error;
      queued = [...writes, ...queued];
      retrying = true;
      const delayMs = retryDelayMs(attempts++);
      waitedMs += delayMs;
      setTimeout(() => {
        retrying = false;
        writeQueued();
      }, delayMs);
      return;
    }
    attempts = 0;
    waitedMs = 0;
    let open = true;
    try {
      for (const write of writes) {
        db.exec('SAVEPOINT call');
        try {
          replies.push({ seq: write.seq, written: writeLedger(sql, write) });
          db.exec('RELEASE call');
        } catch (error) {
          db.exec('ROLLBACK TO call');
          db.exec('RELEASE call');
          replies.push({ seq: write.seq, error: messageOf(error) });
        }
      }
      db.exec('COMMIT');
      open = false;
    } finally {
      // SQLite may have rolled back already (a failed commit): then there is nothing to undo.
      if (open) tryRollback();
    }
  } catch (error) {
    // Nothing of the batch was written (the lock was not had in time, or the commit failed).
    attempts = 0;
    waitedMs = 0;
    replies.length = 0;
    for (const write of writes) replies.push({ seq: write.seq, error: messageOf(error) });
  } finally {
    if (gated) leaveGate(data.gate);
  }
  if (replies.length) port.postMessage(replies);
}

/** Copies the write-ahead log into the database once it holds CHECKPOINT_AFTER_FRAMES frames not yet copied. */
function checkpointIfDue(): void {
  if (!countsFrames) return;
  try {
    const wal = sql.get<{ log: number; checkpointed: number }>('PRAGMA wal_checkpoint(NOOP)');
    if (wal && wal.log - wal.checkpointed >= CHECKPOINT_AFTER_FRAMES) sql.get('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // Not now (the file is failing): the next write tries again, and the host's connection
    // checkpoints at its own threshold.
  }
}

/** Whether a dotted version is at least `least` (major, minor). */
function atLeast(version: string, least: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > least[0] || (major === least[0] && minor >= least[1]);
}

function tryRollback(): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    /* no transaction left */
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
