// The Agents view's entry: defines the vscode-elements it uses, then renders the app with the
// real VS Code API. zodSetup comes first: the contracts build zod schemas when they load.
import '../shared/zodSetup';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { render } from 'preact';
import type { FromAgentsView } from '../../src/contracts/agentsView';
import { acquireWebviewApi } from '../shared/browserApi';
import { App } from './App';
import type { AgentsViewState } from './client';
import { AgentsApiContext } from './context';

const root = document.getElementById('root') ?? document.body;
render(
  <AgentsApiContext.Provider value={acquireWebviewApi<FromAgentsView, AgentsViewState>()}>
    <App />
  </AgentsApiContext.Provider>,
  root,
);
