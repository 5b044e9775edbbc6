import { ChatRecordSchema, type ChatRecord } from '../../contracts/chatRecords';
import { safeJson, type Database } from '../store/database';
import { Emitter } from '../base/events';
import type { Disposable, Logger } from '../base/ports';
import { TABLES } from '../store/storageKeys';

const { chatRecords } = TABLES;

/** What a page of chat records may be narrowed to; each field that is set must match. */
export interface ChatRecordFilter {
  connectionId?: string;
  modelRef?: string;
  status?: ChatRecord['status'];
}

/** The WHERE clause of a filter and its bound arguments (values are never spliced in). */
function whereOf(filter: ChatRecordFilter): { where: string; args: string[] } {
  const fields = [
    ['connectionId', filter.connectionId],
    ['modelRef', filter.modelRef],
    ['status', filter.status],
  ].filter((field): field is [string, string] => Boolean(field[1]));
  return {
    where: fields.length ? `WHERE ${fields.map(([path]) => `json_extract(body, '$.${path}') = ?`).join(' AND ')}` : '',
    args: fields.map(([, value]) => value),
  };
}

/**
 * The records of VS Code chat requests, one row each, newest last. Adding one trims the oldest
 * beyond the retention in the same transaction, so the table never grows past it.
 */
export class ChatRecordStore implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: { db: Database; logger: Logger; retention(): number }) {}

  add(record: ChatRecord): void {
    const parsed = ChatRecordSchema.parse(record);
    const keep = Math.max(1, Math.floor(this.deps.retention()));
    this.deps.db.write((sql) => {
      sql.run(`INSERT INTO ${chatRecords} (id, body) VALUES (?, ?)`, parsed.id, JSON.stringify(parsed));
      sql.run(`DELETE FROM ${chatRecords} WHERE pos <= (SELECT max(pos) FROM ${chatRecords}) - ?`, keep);
    });
    this.changed.fire();
  }

  /** Records newest first, `limit` from `offset`, with the total of those that match `filter`. */
  page(options: { offset?: number; limit: number; filter?: ChatRecordFilter }): { records: ChatRecord[]; total: number } {
    const { where, args } = whereOf(options.filter ?? {});
    return this.deps.db.read((sql) => {
      const rows = sql.all<{ id: string; body: string }>(`SELECT id, body FROM ${chatRecords} ${where} ORDER BY pos DESC LIMIT ? OFFSET ?`, ...args, options.limit, options.offset ?? 0);
      const total = Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${chatRecords} ${where}`, ...args)?.n ?? 0);
      return { records: rows.flatMap((row) => this.parse(row.body, row.id) ?? []), total };
    });
  }

  dispose(): void {
    this.changed.dispose();
  }

  private parse(body: string, id: string): ChatRecord | undefined {
    const parsed = ChatRecordSchema.safeParse(safeJson(body));
    if (parsed.success) return parsed.data;
    this.deps.logger.warn(`Ignoring the stored chat record ${id}: it is not valid (kept in the database as it is).`);
    return undefined;
  }
}
