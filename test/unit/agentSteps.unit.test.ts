import * as assert from 'node:assert/strict';
import { runAgent } from '../../src/agent-host/steps';
import { TraceStepSchema } from '../../src/contracts/agents';

describe('agent steps', () => {
  it('traces a call to a model with the longest name the contract allows with a step the protocol accepts', async () => {
    const modelRef = `hf.co/${'x'.repeat(250)}`;
    const steps: unknown[] = [];
    const streams: unknown[] = [];
    const told: string[] = [];
    const result = await runAgent(
      {
        type: 'start',
        runId: '11111111-1111-4111-8111-111111111111',
        agent: { name: 'a', role: '', soul: '', guardrails: '' },
        input: 'hi',
        modelRef,
      },
      {
        invoke: async (_messages, stream) => {
          told.push('invoke');
          streams.push(stream);
          return { output: 'ok', usage: { inputTokens: 1, outputTokens: 1 } };
        },
        // The worker validates each step against the protocol before it posts it.
        step: (step) => {
          told.push(step.name.split(' ')[0]!);
          steps.push(TraceStepSchema.parse(step));
        },
      },
    );
    assert.equal(result.output, 'ok');
    assert.equal(steps.length, 2);
    // The call goes out before its messages' step is told; the trace keeps the steps' order.
    assert.deepEqual(told, ['invoke', 'build', 'call']);
    assert.deepEqual(streams, ['runOutput'], "the model's answer streams on as the run's output, passed on by the host");
  });
});
