import * as assert from 'node:assert/strict';
import { activate } from './helpers';

describe('globalState in a real extension host', function () {
  this.timeout(120_000);

  it('reads back every value written while other keys are written at the same time', async () => {
    const { testing } = await activate();
    // VS Code's memento replaces all of an extension's keys with each write's echo: without one
    // write at a time, about one read in seven here returned an older value of its key.
    const keys = ['a', 'b', 'c', 'd'].map((name) => `switchboard.test.concurrent.${name}`);
    assert.equal(await testing.writeStateConcurrently(keys, 100), 0, 'a read returned a value older than its writer\'s last');
    for (const key of keys) assert.equal(testing.globalState()[key], undefined, `${key} was not removed`);
  });
});
