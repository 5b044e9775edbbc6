import type { StartRunMessage } from '../contracts/agentHost';
import type { TraceStep } from '../contracts/agents';
import type { ChatMessage, Usage } from '../contracts/models';

/**
 * Where a model call's answer goes as it streams in: on as the run's output (`'runOutput'`: the
 * host passes each piece on itself, at once), or to the step, piece by piece. Without either the
 * step hears only the whole answer.
 */
export type AnswerStream = 'runOutput' | ((text: string) => void);

/** What a run's steps may ask of the host. */
export interface StepHost {
  /** A model call; its answer streams where `stream` says, and comes whole at its end. */
  invoke(messages: ChatMessage[], stream?: AnswerStream): Promise<{ output: string; usage: Usage }>;
  step(step: TraceStep): void;
}

/** The system prompt: the agent's soul, its role and its guardrails, in that order. */
export function buildMessages(run: Pick<StartRunMessage, 'agent' | 'input'>): ChatMessage[] {
  const { agent } = run;
  const system = [
    agent.soul.trim(),
    agent.role.trim() && `Your role: ${agent.role.trim()}`,
    agent.guardrails.trim() && `Guardrails you must follow:\n${agent.guardrails.trim()}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: run.input }];
}

/** An agent's steps: build the messages, call the model once with its answer as the run's output, return that answer. Each step is traced. */
export async function runAgent(run: StartRunMessage, host: StepHost): Promise<{ output: string; usage: Usage }> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const messages = buildMessages(run);
  const built: TraceStep = { name: 'build messages', startedAt, durationMs: Math.round(performance.now() - started), detail: `${messages.length} messages` };
  // A step name is at most 200 characters; a model name may be longer.
  const modelName = run.modelRef.length > 190 ? `${run.modelRef.slice(0, 189)}…` : run.modelRef;
  const call = traced(host, `call ${modelName}`, () => host.invoke(messages, 'runOutput'), (r) => `${r.usage.inputTokens} in, ${r.usage.outputTokens} out`);
  // The call goes out first, and the step that built its messages right after it: the model
  // starts sooner, and the trace keeps the steps' order.
  host.step(built);
  return call;
}

async function traced<T>(host: StepHost, name: string, body: () => Promise<T>, detail: (value: T) => string): Promise<T> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  try {
    const value = await body();
    host.step({ name, startedAt, durationMs: Math.round(performance.now() - started), detail: detail(value) });
    return value;
  } catch (error) {
    host.step({ name, startedAt, durationMs: Math.round(performance.now() - started), detail: 'failed' });
    throw error;
  }
}
