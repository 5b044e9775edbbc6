import type { RunRecord } from '../../contracts/agents';
import { errorText } from '../base/errors';
import { systemTimers, type Logger, type Timer, type Timers } from '../base/ports';

/**
 * How soon a run's first piece of output is written to the store, and so reaches the views: soon
 * enough that the person sees the model start, late enough that a short answer is written once,
 * at its end.
 */
export const FIRST_OUTPUT_WRITE_MS = 50;

/** How often, after that, a run's streaming output is written. */
export const OUTPUT_WRITE_INTERVAL_MS = 250;

/**
 * A run's output as it streams in: kept whole, and written to the store FIRST_OUTPUT_WRITE_MS
 * after its first piece and then at most every OUTPUT_WRITE_INTERVAL_MS, so a fast model floods
 * neither the database nor the Agents view.
 */
export class StreamedOutput {
  text = '';
  private firstTokenMs: number | undefined;
  private timer: Timer | undefined;
  private written = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (fields: Partial<RunRecord>) => Promise<unknown>,
    private readonly started: number,
    private readonly logger: Logger,
    private readonly timers: Timers = systemTimers,
  ) {}

  append(text: string): void {
    this.firstTokenMs ??= Math.round(performance.now() - this.started);
    this.text += text;
    this.timer ??= this.timers.start(this.written ? OUTPUT_WRITE_INTERVAL_MS : FIRST_OUTPUT_WRITE_MS, () => this.flush());
  }

  /** The time to the first piece of output, once there was one. */
  timing(): Partial<RunRecord> {
    return this.firstTokenMs === undefined ? {} : { firstTokenMs: this.firstTokenMs };
  }

  /** No write is pending or under way afterwards, so the final write comes last. */
  async settle(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.writing;
  }

  private flush(): void {
    this.timer = undefined;
    this.written = true;
    const fields = { output: this.text, ...this.timing() };
    this.writing = this.writing
      .then(async () => {
        await this.write(fields);
      })
      .catch((error: unknown) => this.logger.warn(`Could not store a run's output as it streamed: ${errorText(error)}`));
  }
}
