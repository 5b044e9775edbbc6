import * as vscode from 'vscode';
import * as z from 'zod';
import type { ConnectionService } from '../core/connections/connectionService';
import { checkPassphrase, type ConnectionTransfer, type ImportPlan } from '../core/connections/connectionTransfer';
import { SwitchboardError } from '../core/base/errors';
import { commandArgument, personAt, requesterIds } from '../core/keys/requesters';
import { registerCommandWithErrors } from './errorMessages';
import type { Prompter } from './prompter';

/** A file named by the command's argument (scripts, tests); the person picks one otherwise. */
const FileArgSchema = z.object({ path: z.string().min(1) }).strict();

/** "Export Connections" and "Import Connections": the dialogs around ConnectionTransfer. */
export function registerTransferCommands(deps: { connections: ConnectionService; transfer: ConnectionTransfer; prompter: Prompter }): vscode.Disposable[] {
  const { connections, transfer, prompter } = deps;
  // The buttons' words, read once VS Code has loaded the display language's bundle.
  const WITH_KEYS = vscode.l10n.t('Include API Keys');
  const WITHOUT_KEYS = vscode.l10n.t('Without Keys');
  const IMPORT = vscode.l10n.t('Import');
  const UPDATE_TOO = vscode.l10n.t('Add New and Update Existing');
  const ADD_ONLY = vscode.l10n.t('Add New Only');
  const FILTERS = { [vscode.l10n.t('Switchboard connections')]: ['swbx'] };

  function fileArg(arg: unknown): vscode.Uri | undefined {
    if (arg === undefined) return undefined;
    const parsed = FileArgSchema.safeParse(arg);
    if (!parsed.success) throw new SwitchboardError('invalid_input', vscode.l10n.t('The command expects { path } naming the file as its argument.'));
    return vscode.Uri.file(parsed.data.path);
  }

  async function passphrase(title: string, twice: boolean): Promise<string | undefined> {
    const first = await prompter.inputSecret({ title, prompt: vscode.l10n.t('The passphrase that encrypts the file (at least 8 characters). It is not stored anywhere: keep it safe.') });
    if (first === undefined) return undefined;
    checkPassphrase(first);
    if (!twice) return first;
    const again = await prompter.inputSecret({ title, prompt: vscode.l10n.t('Type the passphrase again.') });
    if (again === undefined) return undefined;
    if (again !== first) throw new SwitchboardError('invalid_input', vscode.l10n.t('The two passphrases differ. Nothing was exported; try again.'));
    return first;
  }

  return [
    registerCommandWithErrors('switchboard.exportConnections', async (arg) => {
      const named = fileArg(arg);
      if (!connections.list().length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There are no connections to export.'));
        return undefined;
      }
      const choice = await prompter.choose({
        message: vscode.l10n.t("Include the connections' API keys in the export?"),
        detail: vscode.l10n.t('The file is encrypted with a passphrase you choose. With keys, anyone who has the file and the passphrase can use them; each key read is recorded in the audit log.'),
        choices: [WITH_KEYS, WITHOUT_KEYS],
      });
      if (!choice) return undefined;
      const secret = await passphrase(vscode.l10n.t('Export Connections'), true);
      if (secret === undefined) return undefined;
      const uri = named ?? (await vscode.window.showSaveDialog({ filters: FILTERS, saveLabel: vscode.l10n.t('Export'), title: vscode.l10n.t('Export Connections') }));
      if (!uri) return undefined;
      // A script naming the file is not the person: its key reads ask first.
      const requester = named ? commandArgument : personAt(requesterIds.palette);
      const bytes = await transfer.export({ passphrase: secret, includeKeys: choice === WITH_KEYS, requester });
      await vscode.workspace.fs.writeFile(uri, bytes);
      void vscode.window.showInformationMessage(
        choice === WITH_KEYS
          ? vscode.l10n.t('Exported {0} connection(s) with their keys to {1}.', connections.list().length, uri.fsPath)
          : vscode.l10n.t('Exported {0} connection(s) to {1}.', connections.list().length, uri.fsPath),
      );
      return { exported: connections.list().length, path: uri.fsPath };
    }),
    registerCommandWithErrors('switchboard.importConnections', async (arg) => {
      const uri = fileArg(arg) ?? (await vscode.window.showOpenDialog({ filters: FILTERS, canSelectMany: false, openLabel: vscode.l10n.t('Import'), title: vscode.l10n.t('Import Connections') }))?.[0];
      if (!uri) return undefined;
      const secret = await passphrase(vscode.l10n.t('Import Connections'), false);
      if (secret === undefined) return undefined;
      const file = await transfer.read(await vscode.workspace.fs.readFile(uri), secret);
      const plan = await transfer.plan(file);
      if (!plan.add.length && !plan.change.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Every connection in the file is already here, unchanged. Nothing to import.'));
        return { added: 0, changed: 0 };
      }
      const answer = await prompter.choose({ message: summary(plan), detail: details(plan), choices: plan.change.length ? [UPDATE_TOO, ADD_ONLY] : [IMPORT] });
      if (!answer) return undefined;
      const result = await transfer.apply(plan, { replaceExisting: answer === UPDATE_TOO, requesterId: arg === undefined ? requesterIds.palette : requesterIds.commandArgument });
      void vscode.window.showInformationMessage(vscode.l10n.t('Imported: {0} connection(s) added, {1} updated.', result.added, result.changed));
      return result;
    }),
  ];
}

function summary(plan: ImportPlan): string {
  return plan.change.length
    ? vscode.l10n.t('Import {0} new connection(s) and change {1} existing one(s)?', plan.add.length, plan.change.length)
    : vscode.l10n.t('Import {0} new connection(s)?', plan.add.length);
}

/** One line per connection: what is added, and what would change in which existing one. Never a key. */
function details(plan: ImportPlan): string {
  return [
    ...plan.add.map((c) => `+ ${c.name} (${c.providerId}${c.baseUrl ? `, ${c.baseUrl}` : ''})${c.apiKey ? vscode.l10n.t(', with its key') : ''}`),
    ...plan.change.map(({ existing, incoming, differences }) =>
      existing.providerId === incoming.providerId
        ? vscode.l10n.t('~ {0}: {1} would change', existing.name, differences.join(', '))
        : vscode.l10n.t('! {0} is a {1} connection here and {2} in the file: it stays as it is', existing.name, existing.providerId, incoming.providerId),
    ),
  ].join('\n');
}
