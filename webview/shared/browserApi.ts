import type { WebviewApi } from './webviewApi';

/** What VS Code injects into every webview; it may be called only once per page. */
declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** Wraps the page's `acquireVsCodeApi()` and its `message` events in a WebviewApi. */
export function acquireWebviewApi<Out, State = unknown>(): WebviewApi<Out, State> {
  const vscode = acquireVsCodeApi();
  return {
    postMessage: (message) => vscode.postMessage(message),
    onMessage: (listener) => {
      const onMessage = (event: MessageEvent): void => listener(event.data);
      window.addEventListener('message', onMessage);
      return () => window.removeEventListener('message', onMessage);
    },
    getState: () => vscode.getState() as State | undefined,
    setState: (state) => vscode.setState(state),
  };
}
