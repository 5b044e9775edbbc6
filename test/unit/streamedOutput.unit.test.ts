import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/contracts/agents';
import { FIRST_OUTPUT_WRITE_MS, OUTPUT_WRITE_INTERVAL_MS, StreamedOutput } from '../../src/core/runs/streamedOutput';
import { ManualTimers, MemoryLogger } from '../helpers/fakes';

describe('a run\'s streamed output', () => {
  const began = performance.now();
  function output() {
    const timers = new ManualTimers();
    const writes: Partial<RunRecord>[] = [];
    const logger = new MemoryLogger();
    const streamed = new StreamedOutput(async (fields) => void writes.push(fields), performance.now(), logger, timers);
    return { timers, writes, streamed, logger };
  }

  it('writes its first piece soon, so the views show the model has started, and then at most once an interval', async () => {
    const { timers, writes, streamed } = output();

    streamed.append('Hel');
    streamed.append('lo');
    assert.equal(timers.fire(OUTPUT_WRITE_INTERVAL_MS), 0, 'the first write waits for the short delay, not the interval');
    assert.equal(timers.fire(FIRST_OUTPUT_WRITE_MS), 1);
    await streamed.settle();
    assert.deepEqual(writes.map((w) => w.output), ['Hello']);
    assert.ok(writes[0]?.firstTokenMs !== undefined, 'the time to the first token goes with the first write');
    assert.ok(writes[0].firstTokenMs >= 0 && writes[0].firstTokenMs <= Math.ceil(performance.now() - began), `counted from the run's start: ${writes[0].firstTokenMs} ms`);

    streamed.append(', ');
    streamed.append('world');
    assert.equal(timers.fire(FIRST_OUTPUT_WRITE_MS), 0, 'after the first write, pieces wait for the interval');
    assert.equal(timers.fire(OUTPUT_WRITE_INTERVAL_MS), 1, 'the pieces of one interval are one write');
    await streamed.settle();
    assert.deepEqual(writes.map((w) => w.output), ['Hello', 'Hello, world']);
  });

  it('writes nothing while the answer is quicker than the first delay: its end is the one write', async () => {
    const { timers, writes, streamed } = output();

    streamed.append('short answer');
    await streamed.settle();

    assert.equal(timers.fire(), 0, 'settling cancelled the pending write');
    assert.deepEqual(writes, []);
    assert.equal(streamed.text, 'short answer');
    assert.ok(streamed.timing().firstTokenMs !== undefined);
  });

  it('logs a write that fails and goes on writing the next pieces', async () => {
    const timers = new ManualTimers();
    const logger = new MemoryLogger();
    const outputs: string[] = [];
    let failures = 1;
    const streamed = new StreamedOutput(
      async (fields) => {
        if (failures-- > 0) throw new Error('the disk is full');
        outputs.push(fields.output ?? '');
      },
      performance.now(),
      logger,
      timers,
    );

    streamed.append('a');
    timers.fire(FIRST_OUTPUT_WRITE_MS);
    streamed.append('b');
    timers.fire(OUTPUT_WRITE_INTERVAL_MS);
    await streamed.settle();

    assert.deepEqual(outputs, ['ab']);
    assert.ok(logger.lines.some((line) => line.startsWith('warn ') && line.includes('the disk is full')), logger.lines.join('\n'));
  });
});
