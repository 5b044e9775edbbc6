import * as vscode from 'vscode';
import { createApi } from '../api/createApi';
import type { SwitchboardExports } from '../api/types';
import { coreApiHost } from '../core/views/apiHost';

/** The public API (src/api) over core; VS Code answers which extensions are installed. */
export function createExtensionApi(deps: Omit<Parameters<typeof coreApiHost>[0], 'isInstalledExtension'>): SwitchboardExports {
  return createApi(coreApiHost({ ...deps, isInstalledExtension: (id) => vscode.extensions.getExtension(id) !== undefined }));
}
