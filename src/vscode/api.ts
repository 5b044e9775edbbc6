import * as vscode from 'vscode';
import { createApi } from '../api/createApi';
import type { SwitchboardExports } from '../api/types';
import { coreApiHost } from '../core/views/apiHost';

/** The public API (src/api) over core; VS Code answers which extensions are installed and where each was loaded from. */
export function createExtensionApi(deps: Omit<Parameters<typeof coreApiHost>[0], 'installedExtensions'>): SwitchboardExports {
  return createApi(coreApiHost({ ...deps, installedExtensions }));
}

/** Every extension this extension host knows, with the folder its code runs from (only file: folders hold code that can call). */
function installedExtensions() {
  return vscode.extensions.all.filter((extension) => extension.extensionUri.scheme === 'file').map((extension) => ({ id: extension.id, folder: extension.extensionUri.fsPath }));
}
