import type { AuditVerification } from './auditChain';

// What the extension host and the audit verify worker (auditVerifyWorker.ts) send each other.

/** What the worker starts with. */
export interface VerifyWorkerData {
  /** The database file, which the worker opens for reading. */
  file: string;
  busyTimeoutMs: number;
  /** The head mirrored in globalState, which the worker cannot read. */
  mirrored: { seq: number; hash: string } | undefined;
}

/** The last entry of a log that verified: what the host remembers, so the next verify starts there. */
export interface VerifiedHead {
  /** The entry's row (its `pos`). */
  pos: number;
  seq: number;
  hash: string;
}

/** From the worker: a chain key it needs, or its answer. */
export type VerifyWorkerMessage =
  | { type: 'key'; id: string }
  | { type: 'done'; result: AuditVerification; last?: VerifiedHead }
  | { type: 'failed'; message: string };

/** From the host: the key asked for (null when SecretStorage has none). */
export type VerifyWorkerReply = { type: 'key'; id: string; key: Uint8Array | null };
