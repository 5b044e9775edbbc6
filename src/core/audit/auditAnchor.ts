import * as z from 'zod';
import { errorText } from '../base/errors';
import type { KeyValueStore, Logger } from '../base/ports';
import type { AuditHead } from '../store/auditHead';
import { AUDIT_HEAD_KEY, AUDIT_VERIFIED_KEY } from '../store/storageKeys';
import type { VerifiedHead } from './auditVerifyProtocol';

// What anchors the audit chain outside its database: the HMAC keys that hash its entries, kept
// in SecretStorage, and its head, mirrored in globalState. Someone who can edit the database
// file can recompute a plain hash chain, or wipe it with its head row; without the key, and
// without also changing globalState, neither verifies.

/** One HMAC key of the chain and its id, which each entry it hashed names (`chainKey`). */
export interface ChainKey {
  id: string;
  key: Buffer;
}

/**
 * The chain's HMAC keys in SecretStorage. Only the key path reads the vault, so it provides them
 * (keyPath.ts `auditChainKeys`). Each key has its own id and secret: two windows that make one at
 * the same moment (there is no compare-and-set in SecretStorage) both keep theirs, and entries
 * hashed with either verify.
 */
export interface AuditChainKeys {
  /** The key of `id`, or undefined when SecretStorage has none (never made, or removed). */
  get(id: string): Promise<Buffer | undefined>;
  /** A new random key, stored in SecretStorage and read back, under a new id. */
  create(): Promise<ChainKey>;
}

const MirroredHeadSchema = z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/** How long a new head waits before it is mirrored: a run's entries (key reads, model calls) cost one globalState write. */
export const MIRROR_DELAY_MS = 2_000;

/**
 * The head of the chain (seq and hash of the last entry) mirrored in globalState. Written after
 * the entry is committed, a burst of entries at once, and never backwards: windows share the
 * database and globalState, and a window mirrors its head only if no later one is there.
 * Call `flush` at a clean shutdown, so the last head is not lost.
 */
export class HeadMirror {
  private pending: AuditHead | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      state: KeyValueStore;
      logger: Logger;
      /** How long a new head waits before it is written (default 2 s); Infinity leaves it to `flush`. */
      delayMs?: number;
    },
  ) {}

  /** The mirrored head; undefined when there is none yet, or the record fails its schema (logged). */
  read(): AuditHead | undefined {
    const stored = this.deps.state.get(AUDIT_HEAD_KEY);
    if (stored === undefined) return undefined;
    const parsed = MirroredHeadSchema.safeParse(stored);
    if (!parsed.success) this.deps.logger.warn("The audit log's head mirrored in globalState is not valid; verification goes on without it.");
    return parsed.success ? parsed.data : undefined;
  }

  /** After an entry is committed: mirrored within the delay, with any that follow it meanwhile. */
  advance(head: AuditHead): void {
    if (this.pending && this.pending.seq >= head.seq) return;
    this.pending = { seq: head.seq, hash: head.hash };
    const delayMs = this.deps.delayMs ?? MIRROR_DELAY_MS;
    if (this.timer || !Number.isFinite(delayMs)) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    // A pending mirror must not keep a process alive; a clean shutdown flushes it.
    this.timer.unref?.();
  }

  /** Writes the pending head now; resolves once no write is pending or under way. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.pending;
    this.pending = undefined;
    if (head) this.writing = this.writing.then(() => this.write(head));
    return this.writing;
  }

  private async write(head: AuditHead): Promise<void> {
    // Another window may have mirrored a later head: never step back.
    const stored = this.read();
    if (stored && stored.seq >= head.seq) return;
    await this.deps.state.update(AUDIT_HEAD_KEY, head).catch((error: unknown) => {
      this.deps.logger.warn(`Could not mirror the audit log's head in globalState: ${errorText(error)}`);
    });
  }
}

const VerifiedHeadSchema = z.object({ pos: z.number().int().positive(), seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/**
 * The last entry a verify found intact, so that the next verify starts after it: in globalState
 * beside the mirrored head, shared by the windows (one that finds the log broken clears it for
 * all), and in memory only while globalState could not take it. Not in the database: whoever
 * edits the file could move it there to skip what they changed. What it trusts is the entries up
 * to it, as they were when verified; an edit among them since is found by a full verify (Verify
 * All), not by the verify that opening the editor does.
 */
export class VerifiedHeadMemory {
  /** What globalState should hold but could not take (its write failed). */
  private unsaved: { head: VerifiedHead | undefined } | undefined;

  constructor(private readonly deps: { state: KeyValueStore; logger: Logger }) {}

  read(): VerifiedHead | undefined {
    if (this.unsaved) return this.unsaved.head;
    const stored = this.deps.state.get(AUDIT_VERIFIED_KEY);
    if (stored === undefined) return undefined;
    const parsed = VerifiedHeadSchema.safeParse(stored);
    if (!parsed.success) this.deps.logger.warn('The last verified audit entry recorded in globalState is not valid; the next verify checks the whole log.');
    return parsed.success ? parsed.data : undefined;
  }

  /** After a verify that passed: resolves when globalState has it (a failed write is logged, and kept in memory for this window). */
  async remember(head: VerifiedHead): Promise<void> {
    const value = { pos: head.pos, seq: head.seq, hash: head.hash };
    const stored = this.deps.state.get(AUDIT_VERIFIED_KEY) as Partial<VerifiedHead> | undefined;
    if (!this.unsaved && stored?.pos === value.pos && stored.seq === value.seq && stored.hash === value.hash) return;
    await this.update(value);
  }

  /** After a verify that failed: the next one checks the whole log again, so a broken log keeps saying so. */
  async forget(): Promise<void> {
    if (this.unsaved || this.deps.state.get(AUDIT_VERIFIED_KEY) !== undefined) await this.update(undefined);
  }

  private async update(head: VerifiedHead | undefined): Promise<void> {
    try {
      await this.deps.state.update(AUDIT_VERIFIED_KEY, head);
      this.unsaved = undefined;
    } catch (error) {
      this.unsaved = { head };
      this.deps.logger.warn(`Could not record the last verified audit entry in globalState: ${errorText(error)}`);
    }
  }
}
