import * as l10n from '@vscode/l10n';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SwitchboardError } from '../base/errors';
import { extensionRequesterId } from './requesters';

/** An installed extension and the folder it was loaded from (`extension.extensionUri`). */
export interface InstalledExtension {
  id: string;
  folder: string;
}

/**
 * The requester id of the extension whose code calls the API, learned from where the call comes
 * from: `callSiteFiles` are the files of the call's stack, innermost first, with the API's own
 * frames left out (undefined for a frame without a file, such as a built-in's). `claimed` is the
 * id the caller gave, if any: it is only checked, never believed. Throws `invalid_input` when the
 * calling code is in no installed extension's folder, when `claimed` names another extension, or
 * for an id in Switchboard's own namespace.
 *
 * Extensions share one process, so a determined extension can still call through another's
 * code; this stops one extension from naming itself as another, by mistake or casually.
 */
export function callingExtension(callSiteFiles: readonly (string | undefined)[], claimed: unknown, installed: readonly InstalledExtension[]): string {
  if (claimed !== undefined && typeof claimed !== 'string') {
    throw new SwitchboardError('invalid_input', l10n.t("getApi takes the calling extension's id (context.extension.id) as its second argument, or nothing."));
  }
  const caller = extensionOfCode(callSiteFiles, installed);
  if (!caller) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t("Switchboard could not tell which extension calls getApi: the calling code is not in an installed extension's folder. Call getApi from your extension's own code."),
    );
  }
  if (claimed !== undefined && claimed.toLowerCase() !== caller.id.toLowerCase()) {
    throw new SwitchboardError(
      'invalid_input',
      l10n.t('getApi was called by the code of the extension {0} but names {1} as the caller. An extension uses the API only as itself: pass context.extension.id, or nothing.', caller.id, claimed),
    );
  }
  return extensionRequesterId(caller.id);
}

/**
 * The extension whose folder holds the innermost frame that has a file, as VS Code tells which
 * extension an error comes from; the deepest folder when folders nest. Frames further out are
 * not searched: a call that reaches the API through code of no extension (Node's, VS Code's) has
 * no extension to name.
 */
export function extensionOfCode(callSiteFiles: readonly (string | undefined)[], installed: readonly InstalledExtension[]): InstalledExtension | undefined {
  const file = callSiteFiles.find((name) => !!name);
  const filePath = file && pathOfFile(file);
  if (!filePath) return undefined;
  let found: { extension: InstalledExtension; depth: number } | undefined;
  for (const extension of installed) {
    for (const folder of folderForms(extension.folder)) {
      if (isInside(filePath, folder) && (!found || folder.length > found.depth)) found = { extension, depth: folder.length };
    }
  }
  return found?.extension;
}

/** A frame's file as an absolute path: CommonJS gives a path, an ES module a file: URL; anything else (`node:…`, eval) is none. */
function pathOfFile(file: string): string | undefined {
  if (file.startsWith('file:')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(file) ? path.resolve(file) : undefined;
}

/** The folder as given and as its real path: Node names a module's file by its real path, VS Code may give a symlink. */
function folderForms(folder: string): string[] {
  const given = path.resolve(folder);
  try {
    const real = realpathSync.native(given);
    return real === given ? [given] : [given, real];
  } catch {
    return [given];
  }
}

/** VS Code compares file paths ignoring case except on Linux; so does this. */
const ignoreCase = process.platform !== 'linux';

function isInside(file: string, folder: string): boolean {
  const [inner, outer] = ignoreCase ? [file.toLowerCase(), folder.toLowerCase()] : [file, folder];
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}
