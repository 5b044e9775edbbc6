import * as assert from 'node:assert/strict';
import { CallLimiter } from '../../src/core/base/callLimiter';
import { SwitchboardError } from '../../src/core/base/errors';

describe('Calls in flight per connection: at most the limit, the rest in order', () => {
  /** A call that runs until the test ends it, noting when it started. */
  function calls(limiter: CallLimiter, key = 'c') {
    const started: string[] = [];
    const enders = new Map<string, () => void>();
    const start = (name: string, signal?: AbortSignal) =>
      limiter.run(
        key,
        () =>
          new Promise<string>((resolve) => {
            started.push(name);
            enders.set(name, () => resolve(name));
          }),
        signal,
      );
    const end = async (name: string) => {
      enders.get(name)!();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    return { started, start, end };
  }
  const turns = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('lets the limit run at once and starts the others in the order they came, each when one ends', async () => {
    const limiter = new CallLimiter(() => 2);
    const { started, start, end } = calls(limiter);
    const all = ['a', 'b', 'c', 'd'].map((name) => start(name));
    await turns();
    assert.deepEqual(started, ['a', 'b']);
    assert.deepEqual(limiter.load('c'), { running: 2, waiting: 2 });
    await end('b');
    assert.deepEqual(started, ['a', 'b', 'c'], 'the first waiting');
    await end('a');
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    await end('c');
    await end('d');
    assert.deepEqual(await Promise.all(all), ['a', 'b', 'c', 'd']);
    assert.deepEqual(limiter.load('c'), { running: 0, waiting: 0 });
  });

  it('runs one at a time under a limit below one, and rounds a fraction down', async () => {
    for (const [limit, inFlight] of [[0, 1], [-3, 1], [2.7, 2]] as const) {
      const limiter = new CallLimiter(() => limit);
      const { started, start } = calls(limiter);
      for (const name of ['a', 'b', 'c']) void start(name);
      await turns();
      assert.equal(started.length, inFlight, `limit ${limit}`);
    }
  });

  it('hands the slot of a call that ends to the next waiter, never to a call that arrives meanwhile', async () => {
    const limiter = new CallLimiter(() => 1);
    const { started, start, end } = calls(limiter);
    void start('a');
    void start('b');
    await turns();
    // 'a' ends, and 'c' arrives before 'b' has had a turn to start.
    const ended = end('a');
    void start('c');
    await ended;
    assert.deepEqual(started, ['a', 'b'], "'c' waits behind 'b'");
    assert.deepEqual(limiter.load('c'), { running: 1, waiting: 1 });
  });

  it('keeps each connection to its own limit', async () => {
    const limiter = new CallLimiter(() => 1);
    const first = calls(limiter, 'one');
    const second = calls(limiter, 'two');
    void first.start('a');
    void second.start('b');
    await turns();
    assert.deepEqual([first.started, second.started], [['a'], ['b']]);
  });

  it('a call that aborts while it waits leaves the queue with cancelled; one aborted before it asks never waits, and takes no one’s place', async () => {
    const limiter = new CallLimiter(() => 1);
    const { started, start, end } = calls(limiter);
    void start('a');
    const controller = new AbortController();
    const cancelled = start('b', controller.signal);
    void start('c');
    await turns();
    controller.abort();
    await assert.rejects(cancelled, (error: SwitchboardError) => error.code === 'cancelled' && /waited for its turn/.test(error.message));
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(start('d', aborted.signal), (error: SwitchboardError) => error.code === 'cancelled');
    assert.deepEqual(limiter.load('c'), { running: 1, waiting: 1 }, "'c' still waits");
    await end('a');
    assert.deepEqual(started, ['a', 'c']);
  });
});
