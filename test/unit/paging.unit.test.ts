import * as assert from 'node:assert/strict';
import { Conditions, readPage } from '../../src/core/store/paging';
import { tempDatabase } from '../fixtures/tempDatabase';

/** A table of its own, so these tests depend on the paging rule and not on any store's schema. */
const TABLE = 'paging_test';

interface Row {
  name: string;
}

describe('readPage and Conditions (store/paging)', () => {
  let temp: Awaited<ReturnType<typeof tempDatabase>>;
  beforeEach(async () => {
    temp = await tempDatabase();
    temp.db.write((sql) => {
      sql.run(`CREATE TABLE ${TABLE} (pos INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL)`);
      // Oldest first: row 1 is the oldest, row 10 the newest; odd rows are 'a', even rows 'b'.
      for (let n = 1; n <= 10; n++) sql.run(`INSERT INTO ${TABLE} (kind, name) VALUES (?, ?)`, n % 2 ? 'a' : 'b', `row ${n}`);
    });
  });
  afterEach(() => temp.cleanup());

  const page = (offset: number, limit: number, where?: Conditions) => {
    const { rows, total } = readPage<Row>(temp.db, { table: TABLE, columns: 'name', offset, limit, where });
    return { names: rows.map((row) => row.name), total };
  };

  it('gives `limit` rows from `offset`, newest first, and counts every row', () => {
    assert.deepEqual(page(0, 3), { names: ['row 10', 'row 9', 'row 8'], total: 10 });
    assert.deepEqual(page(8, 3), { names: ['row 2', 'row 1'], total: 10 });
    assert.deepEqual(page(10, 3), { names: [], total: 10 });
  });

  it('narrows both the page and the total to the rows that match every condition', () => {
    const onlyA = new Conditions().equal('kind', 'a');
    assert.deepEqual(page(0, 2, onlyA), { names: ['row 9', 'row 7'], total: 5 });

    const aAndName = new Conditions().equal('kind', 'a').add('name GLOB ?', 'row [13]');
    assert.deepEqual(page(0, 5, aAndName), { names: ['row 3', 'row 1'], total: 2 });
  });

  it('skips an equal() whose value is unset or empty: that filter field matches every row', () => {
    const unset = new Conditions().equal('kind', undefined).equal('name', '');
    assert.equal(unset.clause, '');
    assert.deepEqual(page(0, 1, unset), { names: ['row 10'], total: 10 });
  });

  it('binds the values of several conditions in order', () => {
    const where = new Conditions().add('kind = ? AND name <> ?', 'b', 'row 10').equal('name', 'row 4');
    assert.equal(where.clause, ' WHERE kind = ? AND name <> ? AND name = ?');
    assert.deepEqual(where.args, ['b', 'row 10', 'row 4']);
    assert.deepEqual(page(0, 5, where), { names: ['row 4'], total: 1 });
  });

  it('binds a value, never splices it into the SQL: a quote in a filter matches only itself', () => {
    const hostile = new Conditions().equal('kind', "a' OR '1'='1");
    assert.ok(!hostile.clause.includes('OR'), hostile.clause);
    assert.deepEqual(page(0, 5, hostile), { names: [], total: 0 });
  });
});
