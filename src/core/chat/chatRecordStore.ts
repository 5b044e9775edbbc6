import { ChatRecordSchema, type ChatRecord } from '../../contracts/chatRecords';
import { parseRow, type Database } from '../store/database';
import { Emitter } from '../base/events';
import type { Disposable, Logger } from '../base/ports';
import { Conditions, readPage } from '../store/paging';
import { TABLES } from '../store/storageKeys';

const { chatRecords } = TABLES;

/** What a page of chat records may be narrowed to; each field that is set must match. */
export interface ChatRecordFilter {
  connectionId?: string;
  modelRef?: string;
  status?: ChatRecord['status'];
}

/**
 * The records of VS Code chat requests, one row each, newest last. Adding one trims the oldest
 * beyond the retention in the same transaction, so the table never grows past it.
 */
export class ChatRecordStore implements Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: { db: Database; logger: Logger; retention(): number }) {}

  async add(record: ChatRecord): Promise<void> {
    const parsed = ChatRecordSchema.parse(record);
    const keep = Math.max(1, Math.floor(this.deps.retention()));
    await this.deps.db.write((sql) => {
      sql.run(`INSERT INTO ${chatRecords} (id, body) VALUES (?, ?)`, parsed.id, JSON.stringify(parsed));
      sql.run(`DELETE FROM ${chatRecords} WHERE pos <= (SELECT max(pos) FROM ${chatRecords}) - ?`, keep);
    });
    this.changed.fire();
  }

  /** Records newest first, `limit` from `offset`, with the total of those that match `filter`. */
  page(options: { offset?: number; limit: number; filter?: ChatRecordFilter }): { records: ChatRecord[]; total: number } {
    const { connectionId, modelRef, status } = options.filter ?? {};
    const where = new Conditions()
      .equal(`json_extract(body, '$.connectionId')`, connectionId)
      .equal(`json_extract(body, '$.modelRef')`, modelRef)
      .equal(`json_extract(body, '$.status')`, status);
    const { rows, total } = readPage<{ id: string; body: string }>(this.deps.db, { table: chatRecords, columns: 'id, body', offset: options.offset ?? 0, limit: options.limit, where });
    return { records: rows.flatMap((row) => this.parse(row.body, row.id) ?? []), total };
  }

  dispose(): void {
    this.changed.dispose();
  }

  private parse(body: string, id: string): ChatRecord | undefined {
    return parseRow(ChatRecordSchema, body, { what: 'chat record', id }, this.deps.logger);
  }
}
