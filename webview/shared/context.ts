import { createContext, type Context } from 'preact';
import { useContext } from 'preact/hooks';
import type { WebviewApi } from './webviewApi';

/**
 * A context that gives a view its WebviewApi. main.tsx provides the real one; tests and the
 * dev preview provide a fake.
 */
export function createWebviewApiContext<Out, State>(): { Context: Context<WebviewApi<Out, State> | undefined>; useApi: () => WebviewApi<Out, State> } {
  const Context = createContext<WebviewApi<Out, State> | undefined>(undefined);
  return {
    Context,
    useApi: () => {
      const api = useContext(Context);
      if (!api) {
        throw new Error('The webview API is missing: render the view inside its WebviewApi context provider.');
      }
      return api;
    },
  };
}
