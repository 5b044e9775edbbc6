import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Sql } from './database';

/**
 * The prepared statements of one connection, each prepared the first time its text is run, and
 * the `Sql` over them: shared by the extension host's `Database` and the threads that open the
 * file themselves (the ledger's writer, the audit verify workers). No value of `database.ts` is
 * imported, so a worker's bundle does not carry the host's database.
 */
export class Statements {
  private readonly prepared = new Map<string, StatementSync>();
  readonly sql: Sql = {
    run: (text, ...params) => this.get(text).run(...params),
    get: <T>(text: string, ...params: SQLInputValue[]) => this.get(text).get(...params) as T | undefined,
    all: <T>(text: string, ...params: SQLInputValue[]) => this.get(text).all(...params) as T[],
  };

  /** `connection` opens the connection, or gives the one open, when a statement is first prepared. */
  constructor(private readonly connection: () => DatabaseSync) {}

  get(text: string): StatementSync {
    let statement = this.prepared.get(text);
    if (!statement) this.prepared.set(text, (statement = this.connection().prepare(text)));
    return statement;
  }

  /** Forgets the statements, as the connection closes. */
  clear(): void {
    this.prepared.clear();
  }
}
