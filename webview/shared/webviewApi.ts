/**
 * The VS Code webview API as the views use it: typed by what the view may send, with the
 * host's messages delivered as `unknown` so that every view validates them before use.
 * Views receive it through context (see context.ts), so tests and the dev preview can pass
 * a fake instead of the real `acquireVsCodeApi()`.
 */
export interface WebviewApi<Out, State = unknown> {
  /** Sends a message to the extension host. */
  postMessage(message: Out): void;
  /** Subscribes to what the host sends. Returns a function that unsubscribes. */
  onMessage(listener: (data: unknown) => void): () => void;
  /** The state saved with setState, which VS Code keeps while the view is hidden. */
  getState(): State | undefined;
  setState(state: State): void;
}
