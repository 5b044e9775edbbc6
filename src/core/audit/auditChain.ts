import { hash } from 'node:crypto';

// The audit chain's hashes and the walk that checks them, shared by the extension host (an
// incremental verify, and a full one where no worker is at hand) and the verify worker
// (auditVerifyWorker.ts), so both give the same answer, word for word. No database here: the
// caller reads the rows.

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry (1-based position) whose link is broken, and why. */
  broken?: { line: number; reason: string };
}

/** The last entry of a verified stretch of the chain: where the next one must link. */
export interface ChainLink {
  seq: number;
  hash: string;
  /** Whether the chain is keyed by then: a plain hash may not follow a keyed one. */
  keyed: boolean;
}

export const CHAIN_START: ChainLink = { seq: 0, hash: GENESIS_HASH, keyed: false };

/**
 * Walks rows (stored JSON bodies, oldest first) from a link, checking each entry's link, sequence
 * number and hash, and stops at the first broken one. Resumable: when an entry names a chain key
 * it has not been given, `walk` returns and asks for it (keys live in SecretStorage, which only
 * the extension host reaches), and the next `walk` goes on from that entry.
 */
export class ChainWalk {
  /** The index of the next row to check. */
  index = 0;
  link: ChainLink;
  broken: { index: number; reason: string } | undefined;
  /** The hash of the entry whose seq is `mirroredSeq`, once walked past. */
  mirroredHash: string | undefined;
  private readonly keys = new Map<string, Hmac | undefined>();

  constructor(
    private readonly rows: readonly string[],
    start: ChainLink,
    private readonly mirroredSeq: number | undefined,
  ) {
    this.link = start;
  }

  get done(): boolean {
    return this.broken !== undefined || this.index >= this.rows.length;
  }

  /** Gives the key of `id` (undefined: SecretStorage has none). */
  giveKey(id: string, key: Uint8Array | undefined): void {
    this.keys.set(id, key ? new Hmac(key) : undefined);
  }

  /**
   * Checks rows until `end` (an index), the end of the rows or a broken link; returns the id of a
   * chain key it needs first, or undefined when it stopped for one of those.
   */
  walk(end = this.rows.length): { needKey: string } | undefined {
    const stop = Math.min(end, this.rows.length);
    let { seq, hash: prevHash, keyed } = this.link;
    try {
      for (; this.index < stop; this.index++) {
        const entry = parseJson(this.rows[this.index]!);
        const reason = this.check(entry, seq, prevHash, keyed);
        if (reason === undefined) {
          const link = entry as Link;
          if (link.chainKey !== undefined) keyed = true;
          if (link.seq === this.mirroredSeq) this.mirroredHash = link.hash;
          prevHash = link.hash;
          seq = link.seq;
          continue;
        }
        if (typeof reason === 'object') return reason;
        this.broken = { index: this.index, reason };
        return undefined;
      }
      return undefined;
    } finally {
      this.link = { seq, hash: prevHash, keyed };
    }
  }

  /** Why this entry breaks the chain; a key to fetch first; or undefined when it links. */
  private check(entry: unknown, seq: number, prevHash: string, keyed: boolean): string | { needKey: string } | undefined {
    // Only the chain's own fields are checked here, not the whole schema (a read does that):
    // verify walks every entry, and the hash already covers all the others.
    if (!isLink(entry)) return 'the entry is not a valid audit entry';
    if (entry.prevHash !== prevHash) return 'it does not point to the entry before it (an entry was removed, added or reordered)';
    if (entry.seq !== seq + 1) return `its sequence number is ${entry.seq}, expected ${seq + 1}`;
    // Hashed as stored, not as parsed: fields a newer version added (another window) count too.
    if (entry.chainKey !== undefined) {
      if (!this.keys.has(entry.chainKey)) return { needKey: entry.chainKey };
      const key = this.keys.get(entry.chainKey);
      if (!key) return 'its hash was made with an audit key that SecretStorage does not have (the key was removed, or the entry was forged)';
      if (key.hex(canonical(entry, 'hash')) !== entry.hash) return 'its content does not match its keyed hash (the entry was edited, or the chain was recomputed without the key)';
    } else {
      // Plain hashes are those of earlier versions, before the keyed chain starts, never after.
      if (keyed) return 'it has a plain hash after keyed entries (the chain was recomputed without the key)';
      if (plainHash(entry, 'hash') !== entry.hash) return 'its content does not match its hash (the entry was edited)';
    }
    return undefined;
  }
}

/**
 * The checks after the last entry: the head row against the last entry, and the head mirrored
 * outside the database against the log. `walked` is the walk's last link and the number of
 * entries; `mirroredHash` the hash of the entry at the mirrored seq, if the log has one.
 */
export function checkEnds(options: {
  entries: number;
  last: { seq: number; hash: string };
  head: { seq: number; hash: string } | undefined;
  mirrored: { seq: number; hash: string } | undefined;
  mirroredHash: string | undefined;
}): AuditVerification {
  const { entries, last, head, mirrored, mirroredHash } = options;
  const seq = last.seq;
  const end = (reason: string): AuditVerification => ({ ok: false, entries, broken: { line: entries + 1, reason } });
  const headSeq = head?.seq ?? 0;
  const headHash = head?.hash ?? GENESIS_HASH;
  if (headSeq !== seq || headHash !== last.hash) {
    return end(
      headSeq > seq
        ? `the log ends at entry ${seq} but its head says ${headSeq} were written (the last ${headSeq - seq} were removed)`
        : `the head record (entry ${headSeq}) does not match the last entry (${seq}) (the head was changed or removed)`,
    );
  }
  if (mirrored && mirrored.seq > seq) {
    return end(`the log ends at entry ${seq}, but ${mirrored.seq} were written, as recorded outside the database (entries were removed with the head, or the database was wiped or replaced)`);
  }
  if (mirrored && mirroredHash !== mirrored.hash) {
    return { ok: false, entries, broken: { line: mirrored.seq, reason: `entry ${mirrored.seq} is not the one recorded outside the database (the log was rewritten)` } };
  }
  return { ok: true, entries };
}

type Link = { seq: number; prevHash: string; chainKey?: string; hash: string } & Record<string, unknown>;

function isLink(value: unknown): value is Link {
  const entry = value as Record<string, unknown> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    Number.isInteger(entry.seq) &&
    typeof entry.prevHash === 'string' &&
    typeof entry.hash === 'string' &&
    typeof entry.kind === 'string' &&
    typeof entry.time === 'string' &&
    (entry.chainKey === undefined || typeof entry.chainKey === 'string')
  );
}

/** JSON.parse that gives `undefined` for a body that is not JSON (a torn or hand-edited record). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Each set of keys seen, with and without the field left out: its fields in hashed order, each with its quoted name. */
const keyOrders = new Map<string, Array<[string, string]>>();

/**
 * The entry's fields as JSON in a fixed order, so the hash does not depend on key order: the
 * order 0.1.0 hashed in, which sorted the names with localeCompare into a new object and wrote
 * that with JSON.stringify. The object's own rules apply on top, so they are kept: names that
 * are array indexes come first in numeric order, and `__proto__` is not a field of it. The
 * text is built straight from the order (found once per set of names) rather than through a
 * new object per entry: verify hashes every entry.
 */
export function canonical(record: Record<string, unknown>, leaveOut?: string): string {
  const names = Object.keys(record);
  const id = `${leaveOut ?? ''}\n${names.join('\n')}`;
  let order = keyOrders.get(id);
  if (!order) {
    const sorted: Record<string, unknown> = {};
    for (const name of [...names].sort((a, b) => a.localeCompare(b))) if (name !== leaveOut) sorted[name] = 0;
    order = Object.keys(sorted).map((name) => [name, `${JSON.stringify(name)}:`]);
    keyOrders.set(id, order);
  }
  let text = '';
  for (const [name, quoted] of order) {
    const value = record[name];
    // As JSON.stringify of the object: a field that is undefined (or a function) is left out.
    const json = value === undefined ? undefined : (JSON.stringify(value) as string | undefined);
    if (json === undefined) continue;
    text += text ? `,${quoted}${json}` : quoted + json;
  }
  return `{${text}}`;
}

/** The hash of entries written before the chain was keyed: sha256, which anyone can recompute. */
export function plainHash(record: Record<string, unknown>, leaveOut?: string): string {
  return hash('sha256', canonical(record, leaveOut));
}

/** The hash of a keyed entry: HMAC-SHA256 under the chain key it names. */
export function keyedHash(key: Uint8Array, record: Record<string, unknown>, leaveOut?: string): string {
  return new Hmac(key).hex(canonical(record, leaveOut));
}

const BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) over one-shot `crypto.hash` calls on buffers kept between entries: the
 * same digest as `createHmac('sha256', key)`, without a new Hmac object per entry, which was
 * most of the cost of verifying a long chain.
 */
export class Hmac {
  private readonly outer = Buffer.alloc(BLOCK + 32);
  private inner = Buffer.alloc(BLOCK + 1024);
  private readonly innerPad = Buffer.alloc(BLOCK);

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(BLOCK);
    if (key.length > BLOCK) hash('sha256', key, 'buffer').copy(block);
    else block.set(key);
    for (let i = 0; i < BLOCK; i++) {
      this.innerPad[i] = block[i]! ^ 0x36;
      this.outer[i] = block[i]! ^ 0x5c;
    }
    this.innerPad.copy(this.inner);
  }

  hex(text: string): string {
    // A UTF-8 character is at most three bytes per UTF-16 code unit.
    if (this.inner.length < BLOCK + text.length * 3) {
      this.inner = Buffer.alloc(BLOCK + text.length * 3);
      this.innerPad.copy(this.inner);
    }
    const length = this.inner.write(text, BLOCK, 'utf8');
    hash('sha256', this.inner.subarray(0, BLOCK + length), 'buffer').copy(this.outer, BLOCK);
    return hash('sha256', this.outer, 'hex');
  }
}
