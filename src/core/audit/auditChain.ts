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
  /** Set when only the entries written since an earlier verify were checked: how many those were. */
  newSince?: number;
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
 * The link a stretch of rows starts from: the entry of the row before it. When that row is not
 * an entry, the stretch before breaks there (and first), so what this gives then does not count.
 */
export function startLink(rowBefore: string): ChainLink {
  const entry = parseJson(rowBefore);
  return isLink(entry) ? { seq: entry.seq, hash: entry.hash, keyed: entry.chainKey !== undefined } : { seq: -1, hash: '', keyed: false };
}

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
  /** Rows judged the long way (parsed): none of those `append` wrote, which is what keeps a long verify fast. */
  parsedRows = 0;
  private readonly keys = new Map<string, Hmac | undefined>();
  private readonly keyOf = (id: string) => this.keys.get(id);

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
        const row = this.rows[this.index]!;
        const quick = quickLink(row, seq, prevHash, this.keyOf);
        if (quick) {
          keyed = true;
          if (quick.seq === this.mirroredSeq) this.mirroredHash = quick.hash;
          prevHash = quick.hash;
          seq = quick.seq;
          continue;
        }
        this.parsedRows++;
        const entry = parseJson(row);
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
 * The link of a row stored as `append` writes it (see `storedText`), when it links to the entry
 * before and its keyed hash checks, read from the text without parsing it or writing it again;
 * undefined for anything else, which `check` then judges. A row it passes, `check` would pass
 * too: the hash covers the text the fields were read from, and without the key only a text
 * `append` wrote (flat, in canonical order, which JSON.parse and JSON.stringify give back as it
 * is) has that hash. So it only spares the work, and the answers stay word for word those of
 * `check`. (Whoever holds the key can write rows either one passes; the chain cannot tell them
 * from the log's own, and is not meant to.)
 */
export function quickLink(row: string, seq: number, prevHash: string, keyOf: (id: string) => Hmac | undefined): { seq: number; hash: string } | undefined {
  const tail = row.length - HASH_TAIL_LENGTH;
  if (tail < 1 || !row.startsWith(HASH_TAIL_START, tail) || !row.endsWith('"}')) return undefined;
  // Flat: no object or array in a field (nor a brace or bracket in a text: those go the long way).
  if (row.indexOf('{', 1) !== -1 || row.indexOf('[') !== -1) return undefined;
  const chainKey = stringField(row, '"chainKey":"', tail);
  const key = chainKey === undefined ? undefined : keyOf(chainKey);
  if (!key || stringField(row, '"prevHash":"', tail) !== prevHash || numberField(row, '"seq":', tail) !== seq + 1) return undefined;
  if (stringField(row, '"kind":"', tail) === undefined || stringField(row, '"time":"', tail) === undefined) return undefined;
  const stated = row.slice(tail + HASH_TAIL_START.length, row.length - 2);
  if (key.hexWithoutTail(row, HASH_TAIL_LENGTH) !== stated) return undefined;
  return { seq: seq + 1, hash: stated };
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

/** How a stored row ends: `,"hash":"` and 64 hex digits, then `"}`. */
const HASH_TAIL_START = ',"hash":"';
const HASH_TAIL_LENGTH = HASH_TAIL_START.length + 64 + 2;

/**
 * How `append` stores an entry: its canonical text (what the hash is made over) with the hash
 * added at the end, so that verify can check the hash on the text as stored (`quickLink`). Any
 * other stored form verifies too, the long way.
 */
export function storedText(canonicalText: string, hashHex: string): string {
  return `${canonicalText.slice(0, -1)}${HASH_TAIL_START}${hashHex}"}`;
}

/** The text of the string field that starts with `opening` before `end`, if it has no escapes; else undefined. */
function stringField(row: string, opening: string, end: number): string | undefined {
  const at = row.indexOf(opening);
  if (at === -1 || at >= end) return undefined;
  const start = at + opening.length;
  const close = row.indexOf('"', start);
  if (close === -1 || close > end) return undefined;
  const text = row.slice(start, close);
  return text.includes('\\') ? undefined : text;
}

/** The whole number after `opening`, or undefined. */
function numberField(row: string, opening: string, end: number): number | undefined {
  const at = row.indexOf(opening);
  if (at === -1 || at >= end) return undefined;
  let stop = at + opening.length;
  while (stop < end && row.charCodeAt(stop) >= 48 && row.charCodeAt(stop) <= 57) stop++;
  const digits = row.slice(at + opening.length, stop);
  const next = row[stop];
  return digits && digits.length < 16 && (next === ',' || next === '}') && (digits === '0' || digits[0] !== '0') ? Number(digits) : undefined;
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

/** The hashed order of the names of each set of names seen (with the name left out): entries share a few sets, and sorting each anew dominated verify. */
const keyOrders = new Map<string, string[]>();

/**
 * The entry's fields as JSON in a fixed (sorted, by localeCompare as 0.1.0 did, so its entries
 * still verify) order, so the hash does not depend on key order. `leaveOut` (the hash itself)
 * is not a field of it.
 */
export function canonical(record: Record<string, unknown>, leaveOut?: string): string {
  const names = Object.keys(record);
  const id = `${leaveOut ?? ''}\n${names.join('\n')}`;
  let order = keyOrders.get(id);
  if (!order) {
    order = names.filter((name) => name !== leaveOut).sort((a, b) => a.localeCompare(b));
    keyOrders.set(id, order);
  }
  const sorted: Record<string, unknown> = {};
  for (const name of order) if (record[name] !== undefined) sorted[name] = record[name];
  return JSON.stringify(sorted);
}

/** The hash of entries written before the chain was keyed: sha256, which anyone can recompute. */
export function plainHash(record: Record<string, unknown>, leaveOut?: string): string {
  return hash('sha256', canonical(record, leaveOut));
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
    return this.digest(this.encode(text));
  }

  /**
   * The HMAC of `text` less its last `tail` characters (all ASCII, one byte each), and a `}` in
   * their place: the text a stored row's hash covers, without cutting a new string from it.
   */
  hexWithoutTail(text: string, tail: number): string {
    const end = this.encode(text) - tail;
    this.inner[end] = 0x7d; // }
    return this.digest(end + 1);
  }

  /** Puts `text` after the inner pad; the end of it. */
  private encode(text: string): number {
    // A UTF-8 character is at most three bytes per UTF-16 code unit.
    if (this.inner.length < BLOCK + text.length * 3) {
      this.inner = Buffer.alloc(BLOCK + text.length * 3);
      this.innerPad.copy(this.inner);
    }
    return BLOCK + this.inner.write(text, BLOCK, 'utf8');
  }

  private digest(end: number): string {
    hash('sha256', this.inner.subarray(0, end), 'buffer').copy(this.outer, BLOCK);
    return hash('sha256', this.outer, 'hex');
  }
}
