import type {
  editorMethods,
  editorResults,
  EditorSnapshot,
  EditorTab,
  FromEditorView,
  ToEditorView,
} from '../../src/contracts/editorView';
import { RpcClient, type RpcClientOptions } from '../shared/rpcClient';
import type { WebviewApi } from '../shared/webviewApi';

/** What the editor keeps across a reload: the open tab and the last `show` request it followed. */
export type EditorViewState = { tab?: EditorTab; shownRequest?: number };

export type EditorApi = WebviewApi<FromEditorView, EditorViewState>;

export type EditorClient = RpcClient<typeof editorMethods, typeof editorResults, FromEditorView, ToEditorView>;

export type { EditorSnapshot };

/** The RPC client of the Switchboard editor, bound to its contract in src/contracts/editorView.ts. */
export function createEditorClient(api: EditorApi, options?: RpcClientOptions): EditorClient {
  return new RpcClient<typeof editorMethods, typeof editorResults, FromEditorView, ToEditorView>(api, options);
}
