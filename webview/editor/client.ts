import type { EditorProtocol, EditorSnapshot as EditorSnapshotMessage, EditorTab, FromEditorView } from '../../src/contracts/editorView';
import { createClient, type ClientOf } from '../shared/rpcClient';
import type { WebviewApi } from '../shared/webviewApi';

/** What the editor keeps across a reload: the open tab and the last `show` request it followed. */
export type EditorViewState = { tab?: EditorTab; shownRequest?: number };

export type EditorApi = WebviewApi<FromEditorView, EditorViewState>;

export type EditorClient = ClientOf<EditorProtocol>;

/** What the editor shows: the last snapshot. */
export type EditorSnapshot = EditorSnapshotMessage;

/** The RPC client of the Switchboard editor, bound to its contract in src/contracts/editorView.ts. */
export const createEditorClient = createClient<EditorProtocol>;
