import type { FromEditorView } from '../../src/contracts/editorView';
import { createWebviewApiContext } from '../shared/context';
import type { EditorViewState } from './client';

/** The editor's WebviewApi: main.tsx provides the real one, tests and previews a fake. */
export const { Context: EditorApiContext, useApi: useEditorApi } = createWebviewApiContext<FromEditorView, EditorViewState>();
