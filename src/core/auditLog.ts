import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditEntrySchema, type AuditEntry } from '../contracts/agents';
import type { Clock } from './ports';
import { WriteQueue } from './writeQueue';

/** What a caller records; the log adds seq, time and the hash chain. Never a key. */
export type AuditEvent = Omit<AuditEntry, 'seq' | 'time' | 'prevHash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first line (1-based) whose link is broken, and why. */
  broken?: { line: number; reason: string };
}

/**
 * An append-only JSON-lines file, each entry carrying the hash of the one before, so that an
 * edited, removed or reordered line breaks the chain at that point (`verify`).
 */
export class AuditLog {
  private readonly queue = new WriteQueue();
  /** The last entry's link, and the file's size when it was read or written by this log. */
  private head: { seq: number; hash: string; size: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly clock: Clock,
  ) {}

  append(event: AuditEvent): Promise<AuditEntry> {
    return this.queue.run(async () => {
      // Every window of VS Code appends to this file: when it grew since this log last saw it,
      // another window wrote, and the chain goes on from its entry.
      const size = await this.size();
      const head = this.head && this.head.size === size ? this.head : await this.readHead();
      const body = { ...event, seq: head.seq + 1, time: this.clock.now().toISOString(), prevHash: head.hash };
      const entry = AuditEntrySchema.parse({ ...body, hash: hashOf(body) });
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify(entry)}\n`, 'utf8');
      this.head = { seq: entry.seq, hash: entry.hash, size: await this.size() };
      return entry;
    });
  }

  /** Every entry, newest first; lines that do not parse are skipped (verify reports them). */
  async read(): Promise<AuditEntry[]> {
    const lines = await this.lines();
    return lines
      .flatMap((line) => {
        const parsed = AuditEntrySchema.safeParse(safeJson(line));
        return parsed.success ? [parsed.data] : [];
      })
      .reverse();
  }

  async verify(): Promise<AuditVerification> {
    const lines = await this.lines();
    let prevHash = GENESIS_HASH;
    let seq = 0;
    for (const [index, line] of lines.entries()) {
      const parsed = AuditEntrySchema.safeParse(safeJson(line));
      const broken = (reason: string): AuditVerification => ({ ok: false, entries: lines.length, broken: { line: index + 1, reason } });
      if (!parsed.success) return broken('the line is not a valid audit entry');
      const { hash, ...body } = parsed.data;
      if (body.prevHash !== prevHash) return broken('it does not point to the entry before it (a line was removed, added or reordered)');
      if (body.seq !== seq + 1) return broken(`its sequence number is ${body.seq}, expected ${seq + 1}`);
      if (hashOf(body) !== hash) return broken('its content does not match its hash (the line was edited)');
      prevHash = hash;
      seq = body.seq;
    }
    return { ok: true, entries: lines.length };
  }

  private async lines(): Promise<string[]> {
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async size(): Promise<number> {
    try {
      return (await stat(this.file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /** The last valid entry's link, so appending continues the chain after a restart. */
  private async readHead(): Promise<{ seq: number; hash: string }> {
    const lines = await this.lines();
    for (let i = lines.length - 1; i >= 0; i--) {
      const parsed = AuditEntrySchema.safeParse(safeJson(lines[i]!));
      if (parsed.success) return { seq: parsed.data.seq, hash: parsed.data.hash };
    }
    return { seq: 0, hash: GENESIS_HASH };
  }
}

/** sha256 over the entry's fields in a fixed (sorted) order, so the hash does not depend on key order. */
function hashOf(body: Omit<AuditEntry, 'hash'>): string {
  const sorted = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
