// First: the translations are configured before a view module can call l10n.t().
import './l10nSetup';
import { render, type ComponentType, type Context } from 'preact';
import { acquireWebviewApi } from './browserApi';
import type { WebviewApi } from './webviewApi';

/** Renders a view's App into #root, with the real VS Code API in the view's context. */
export function renderView<Out, State>(ApiContext: Context<WebviewApi<Out, State> | undefined>, App: ComponentType): void {
  render(
    <ApiContext.Provider value={acquireWebviewApi<Out, State>()}>
      <App />
    </ApiContext.Provider>,
    document.getElementById('root') ?? document.body,
  );
}
