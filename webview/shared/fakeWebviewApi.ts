import type { WebviewApi } from './webviewApi';

/**
 * An in-memory WebviewApi for tests and the dev preview: it records what the view posts and
 * lets the caller play the host's part with `receive()`.
 */
export class FakeWebviewApi<Out, State = unknown> implements WebviewApi<Out, State> {
  readonly posted: Out[] = [];
  private readonly listeners = new Set<(data: unknown) => void>();
  private state: State | undefined;
  /** Called after each message is recorded; a fake host answers from here. */
  onPost: ((message: Out) => void) | undefined;

  postMessage(message: Out): void {
    // Structured clone, as postMessage does: the view must not rely on sharing objects with the host.
    const copy = structuredClone(message);
    this.posted.push(copy);
    this.onPost?.(copy);
  }

  onMessage(listener: (data: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers a message as the host would, without validating it. */
  receive(data: unknown): void {
    for (const listener of [...this.listeners]) listener(structuredClone(data));
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  getState(): State | undefined {
    return this.state;
  }

  setState(state: State): void {
    this.state = state;
  }
}
