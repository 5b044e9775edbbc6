import type { ChainLink } from './auditChain';

// What the extension host and the audit verify workers (auditVerifyWorker.ts) send each other.
// A full verify splits the log into stretches of rows, one per worker; each worker walks its own
// stretch and the host joins their answers (auditLog.ts `verifyInWorkers`).

/** What a worker starts with: its stretch of the log, rows `afterPos` < pos <= `toPos`. */
export interface VerifyWorkerData {
  /** The database file, which the worker opens for reading. */
  file: string;
  busyTimeoutMs: number;
  /** Where the stretch starts (0 for the first): the entry of the last row at or before it is the link the stretch starts from. */
  afterPos: number;
  toPos: number;
  /** The seq of the head mirrored in globalState (which the worker cannot read), to find its hash. */
  mirroredSeq: number | undefined;
}

/** The last entry of a log that verified: what the host remembers, so the next verify starts there. */
export interface VerifiedHead {
  /** The entry's row (its `pos`). */
  pos: number;
  seq: number;
  hash: string;
}

/** A worker's answer for its stretch. */
export interface StretchResult {
  rows: number;
  /** The first broken entry of the stretch (its index in the stretch), if any. */
  broken?: { index: number; reason: string };
  /** The link of the stretch's last entry. */
  end: ChainLink;
  /** The hash of the entry at the mirrored seq, if the stretch has it. */
  mirroredHash?: string;
  /** The CPU time the worker's thread took, where Node can say (24): what a bench compares, whatever else the machine runs. */
  cpuMs?: number;
}

/** From a worker: a chain key it needs, or its answer. */
export type VerifyWorkerMessage = { type: 'key'; id: string } | { type: 'done'; stretch: StretchResult } | { type: 'failed'; message: string };

/** From the host: the key asked for (null when SecretStorage has none). */
export type VerifyWorkerReply = { type: 'key'; id: string; key: Uint8Array | null };
