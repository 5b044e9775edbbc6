import * as assert from 'node:assert/strict';
import { RateLimiter, type RateLimits } from '../../src/core/base/rateLimiter';
import { SwitchboardError } from '../../src/core/base/errors';
import { FixedClock, ManualTimers } from '../helpers/fakes';

describe('Rate limits per connection: token buckets on the injected clock and timers', () => {
  function limiter(limits: RateLimits) {
    const clock = new FixedClock();
    const timers = new ManualTimers();
    const rates = new RateLimiter(() => limits, () => clock.now().getTime(), timers);
    /** Lets `ms` pass: the clock moves and the timers of `ms` fire. */
    const pass = (ms: number) => {
      clock.time = new Date(clock.time.getTime() + ms);
      return timers.fire(ms);
    };
    return { rates, clock, timers, pass };
  }
  const signal = () => new AbortController().signal;
  const settled = async <T>(promise: Promise<T>) => {
    let done = false;
    void promise.then(() => (done = true), () => (done = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('lets nothing wait without limits, and a minute of requests at once, then one every 60/N s in order', async () => {
    const none = limiter({ requestsPerMinute: 0, tokensPerMinute: 0 });
    for (let i = 0; i < 100; i++) await none.rates.acquire('c', 1000, signal());
    const { rates, timers, pass } = limiter({ requestsPerMinute: 2, tokensPerMinute: 0 });
    await rates.acquire('c', 0, signal());
    await rates.acquire('c', 0, signal());
    const waits: number[] = [];
    const third = rates.acquire('c', 0, signal(), (ms) => waits.push(ms));
    const fourth = rates.acquire('c', 0, signal());
    assert.equal(await settled(third), false, 'the third waits its turn');
    assert.deepEqual(waits, [30_000], 'told once how long');
    assert.equal(rates.waiting('c'), 2);
    await rates.acquire('other', 0, signal());
    await timers.started(30_000);
    pass(30_000);
    assert.equal(await settled(third), true);
    assert.equal(await settled(fourth), false, 'the next waits for its own refill');
    await timers.started(30_000);
    pass(30_000);
    assert.equal(await settled(fourth), true);
  });

  it('counts the estimated tokens, corrects them from the usage, and lets a call larger than a minute go on a full bucket', async () => {
    const { rates, timers, pass } = limiter({ requestsPerMinute: 0, tokensPerMinute: 600 });
    await rates.acquire('c', 500, signal());
    // The call used 560: 60 more than estimated, so 40 are left, and 100 need 60 of refill (6 s).
    rates.settle('c', 500, 560);
    const next = rates.acquire('c', 100, signal());
    await timers.started(6000);
    pass(6000);
    assert.equal(await settled(next), true);
    const huge = rates.acquire('c', 10_000, signal());
    await timers.started(60_000);
    pass(60_000);
    assert.equal(await settled(huge), true, 'capped at a whole minute, it does not wait forever');
  });

  it('a later call that would fit never overtakes an earlier one that waits', async () => {
    const { rates, timers, pass } = limiter({ requestsPerMinute: 0, tokensPerMinute: 600 });
    await rates.acquire('c', 500, signal());
    // 100 left: the next 500 waits for 400 of refill (40 s); 50 would fit now, but waits behind it.
    const large = rates.acquire('c', 500, signal());
    const small = rates.acquire('c', 50, signal());
    assert.equal(await settled(small), false, 'the small call waits its turn');
    assert.equal(rates.waiting('c'), 2);
    await timers.started(40_000);
    pass(40_000);
    assert.equal(await settled(large), true);
    assert.equal(await settled(small), false, 'and then waits for its own tokens');
    await timers.started(5_000);
    pass(5_000);
    assert.equal(await settled(small), true);
  });

  it('waits only for what is missing of a request already partly refilled', async () => {
    const { rates, pass } = limiter({ requestsPerMinute: 2, tokensPerMinute: 0 });
    await rates.acquire('c', 0, signal());
    await rates.acquire('c', 0, signal());
    // A quarter of a minute refills half a request: the other half is 15 s away.
    pass(15_000);
    const waits: number[] = [];
    void rates.acquire('c', 0, signal(), (ms) => waits.push(ms));
    assert.deepEqual(waits, [15_000]);
  });

  it('refuses a call whose signal is already aborted, and leaves the calls waiting in the queue', async () => {
    const { rates, timers, pass } = limiter({ requestsPerMinute: 1, tokensPerMinute: 0 });
    await rates.acquire('c', 0, signal());
    const waiting = rates.acquire('c', 0, signal());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(rates.acquire('c', 0, controller.signal), (error: SwitchboardError) => error.code === 'cancelled' && /rate limit/.test(error.message));
    assert.equal(rates.waiting('c'), 1, 'the other call still waits');
    await timers.started(60_000);
    pass(60_000);
    assert.equal(await settled(waiting), true);
  });

  it('a cancelled wait leaves the queue with cancelled, and the next in line goes in its place', async () => {
    const { rates, timers, pass } = limiter({ requestsPerMinute: 1, tokensPerMinute: 0 });
    await rates.acquire('c', 0, signal());
    const controller = new AbortController();
    const cancelled = rates.acquire('c', 0, controller.signal);
    const after = rates.acquire('c', 0, signal());
    controller.abort();
    await assert.rejects(cancelled, (error: SwitchboardError) => error.code === 'cancelled');
    assert.equal(rates.waiting('c'), 1);
    await timers.started(60_000);
    pass(60_000);
    assert.equal(await settled(after), true);
  });
});
