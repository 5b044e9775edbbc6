import * as assert from 'node:assert/strict';
import { buildMessages, runAgent, type StepHost } from '../../src/agent-host/steps';
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
    assert.deepEqual(
      steps.map((step) => (step as { detail: string }).detail),
      ['1 messages', '1 in, 1 out'],
    );
    assert.equal((steps[1] as { name: string }).name, `call hf.co/${'x'.repeat(183)}…`);
    // The call goes out before its messages' step is told; the trace keeps the steps' order.
    assert.deepEqual(told, ['invoke', 'build', 'call']);
    assert.deepEqual(streams, ['runOutput'], "the model's answer streams on as the run's output, passed on by the host");
  });

  const start = (agent: Partial<Record<'soul' | 'role' | 'guardrails', string>>) => ({
    type: 'start' as const,
    runId: '11111111-1111-4111-8111-111111111111',
    agent: { name: 'a', soul: '', role: '', guardrails: '', ...agent },
    input: 'the question',
    modelRef: 'llama3.2',
  });

  it("puts the agent's soul, role and guardrails, trimmed and in that order, in one system message before the input", () => {
    assert.deepEqual(buildMessages(start({ soul: ' You are terse. ', role: ' reviewer ', guardrails: '\nNo secrets.\n' })), [
      { role: 'system', content: 'You are terse.\n\nYour role: reviewer\n\nGuardrails you must follow:\nNo secrets.' },
      { role: 'user', content: 'the question' },
    ]);
    assert.deepEqual(buildMessages(start({ role: 'reviewer' })), [
      { role: 'system', content: 'Your role: reviewer' },
      { role: 'user', content: 'the question' },
    ]);
    assert.deepEqual(buildMessages(start({ soul: '  ', role: ' ', guardrails: '\n' })), [{ role: 'user', content: 'the question' }], 'no system message of blanks');
  });

  it('traces a call that fails as failed, and fails the steps with its error', async () => {
    const steps: { name: string; detail: string }[] = [];
    const host: StepHost = {
      invoke: async () => Promise.reject(new Error('the model went away')),
      step: (step) => steps.push({ name: step.name, detail: step.detail ?? '' }),
    };
    await assert.rejects(runAgent(start({}), host), /the model went away/);
    assert.deepEqual(steps, [
      { name: 'build messages', detail: '1 messages' },
      { name: 'call llama3.2', detail: 'failed' },
    ]);
  });
});
