import type { SQLInputValue } from 'node:sqlite';
import type { Database } from './database';

/**
 * What a page is narrowed to: conditions joined by AND, each with the values its placeholders
 * bind. Values are always bound, never spliced into the SQL, so the statement for a filter is
 * the same whatever a person types and is prepared once.
 */
export class Conditions {
  private readonly clauses: string[] = [];
  private readonly values: SQLInputValue[] = [];

  /** `column = value` when `value` is set; an unset (or empty) filter field matches every row. */
  equal(column: string, value: string | undefined): this {
    return value ? this.add(`${column} = ?`, value) : this;
  }

  /** Any condition, with the values of its placeholders in order. */
  add(clause: string, ...values: SQLInputValue[]): this {
    this.clauses.push(clause);
    this.values.push(...values);
    return this;
  }

  /** The WHERE clause (with a leading space), or nothing when no condition is set. */
  get clause(): string {
    return this.clauses.length ? ` WHERE ${this.clauses.join(' AND ')}` : '';
  }

  get args(): readonly SQLInputValue[] {
    return this.values;
  }
}

export interface PageRequest {
  /** A table with an increasing `pos` column: the newest row has the largest. */
  table: string;
  /** The columns each row brings back, as SQL: `body` or `id, body`. */
  columns: string;
  offset: number;
  limit: number;
  where?: Conditions;
}

/**
 * One page of a table's rows, newest first, `limit` from `offset`, with the count of every row
 * that matches: both read in one snapshot, so the total belongs to the page even while another
 * window writes. A view never reads a whole table, and the filter runs in SQL, not in memory.
 */
export function readPage<Row>(db: Database, page: PageRequest): { rows: Row[]; total: number } {
  const { table, columns, offset, limit, where = new Conditions() } = page;
  return db.read((sql) => {
    const rows = sql.all<Row>(`SELECT ${columns} FROM ${table}${where.clause} ORDER BY pos DESC LIMIT ? OFFSET ?`, ...where.args, limit, offset);
    const total = Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}${where.clause}`, ...where.args)?.n ?? 0);
    return { rows, total };
  });
}
