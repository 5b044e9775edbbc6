import * as assert from 'node:assert/strict';
import * as z from 'zod';
import { StoredList } from '../../src/core/store/storedList';
import { MemoryLogger, MemoryStore } from '../helpers/fakes';

const RecordSchema = z.object({ id: z.string(), tags: z.array(z.string()) });

describe('StoredList', () => {
  let store: MemoryStore;
  let logger: MemoryLogger;
  let list: StoredList<typeof RecordSchema>;
  const warnings = () => logger.lines.filter((line) => line.startsWith('warn Ignoring a stored record')).length;

  beforeEach(() => {
    store = new MemoryStore();
    logger = new MemoryLogger();
    list = new StoredList(store, 'records', RecordSchema, logger, 'record');
    store.data.set('records', [{ id: 'a', tags: ['x'] }, { id: 42 }]);
  });

  it('validates a stored value once: reading it again neither logs its bad record again nor gives different records', () => {
    const first = list.list();
    const second = list.list();
    assert.deepEqual(first, [{ id: 'a', tags: ['x'] }]);
    assert.deepEqual(second, first);
    assert.equal(warnings(), 1);
  });

  it('reads a stored value that is not a list as no records, and logs nothing for it', () => {
    store.data.set('records', 'not a list');
    assert.deepEqual(list.list(), []);
    assert.equal(warnings(), 0);
  });

  it('reads a value written since, here or by another window, anew', async () => {
    list.list();
    await list.mutate((all) => [...all, { id: 'b', tags: [] }]);
    assert.deepEqual(list.list().map((record) => record.id), ['a', 'b']);
    // Another window's write replaces the value VS Code gives.
    store.data.set('records', [{ id: 'c', tags: [] }]);
    assert.deepEqual(list.list().map((record) => record.id), ['c']);
  });

  it('keeps a stored entry that is not valid, as it was, through a write', async () => {
    await list.mutate((all) => [...all, { id: 'b', tags: [] }]);
    assert.deepEqual(store.data.get('records'), [{ id: 'a', tags: ['x'] }, { id: 'b', tags: [] }, { id: 42 }]);
    assert.equal(warnings(), 1, 'validated once for the read and the write');
  });

  it('gives records that cannot be changed in place, and a list of its own to each reader', () => {
    const records = list.list();
    assert.ok(Object.isFrozen(records[0]) && Object.isFrozen(records[0]!.tags));
    records.pop();
    assert.deepEqual(list.list(), [{ id: 'a', tags: ['x'] }]);
  });
});
