import * as vscode from 'vscode';
import * as z from 'zod';
import type { ConnectionService } from '../core/connectionService';
import { checkPassphrase, type ConnectionTransfer, type ImportPlan } from '../core/connectionTransfer';
import { SwitchboardError } from '../core/errors';
import { commandArgument, personAt, requesterIds } from '../core/requesters';
import { registerCommandWithErrors } from './errorMessages';
import type { Prompter } from './prompter';

const WITH_KEYS = 'Include API Keys';
const WITHOUT_KEYS = 'Without Keys';
const IMPORT = 'Import';
const UPDATE_TOO = 'Add New and Update Existing';
const ADD_ONLY = 'Add New Only';
const FILTERS = { 'Switchboard connections': ['swbx'] };

/** A file named by the command's argument (scripts, tests); the person picks one otherwise. */
const FileArgSchema = z.object({ path: z.string().min(1) }).strict();

/** "Export Connections" and "Import Connections": the dialogs around ConnectionTransfer. */
export function registerTransferCommands(deps: { connections: ConnectionService; transfer: ConnectionTransfer; prompter: Prompter }): vscode.Disposable[] {
  const { connections, transfer, prompter } = deps;

  function fileArg(arg: unknown): vscode.Uri | undefined {
    if (arg === undefined) return undefined;
    const parsed = FileArgSchema.safeParse(arg);
    if (!parsed.success) throw new SwitchboardError('invalid_input', 'The command expects { path } naming the file as its argument.');
    return vscode.Uri.file(parsed.data.path);
  }

  async function passphrase(title: string, twice: boolean): Promise<string | undefined> {
    const first = await prompter.inputSecret({ title, prompt: 'The passphrase that encrypts the file (at least 8 characters). It is not stored anywhere: keep it safe.' });
    if (first === undefined) return undefined;
    checkPassphrase(first);
    if (!twice) return first;
    const again = await prompter.inputSecret({ title, prompt: 'Type the passphrase again.' });
    if (again === undefined) return undefined;
    if (again !== first) throw new SwitchboardError('invalid_input', 'The two passphrases differ. Nothing was exported; try again.');
    return first;
  }

  return [
    registerCommandWithErrors('switchboard.exportConnections', async (arg) => {
      const named = fileArg(arg);
      if (!connections.list().length) {
        void vscode.window.showInformationMessage('There are no connections to export.');
        return undefined;
      }
      const choice = await prompter.choose({
        message: 'Include the connections\' API keys in the export?',
        detail: 'The file is encrypted with a passphrase you choose. With keys, anyone who has the file and the passphrase can use them; each key read is recorded in the audit log.',
        choices: [WITH_KEYS, WITHOUT_KEYS],
      });
      if (!choice) return undefined;
      const secret = await passphrase('Export Connections', true);
      if (secret === undefined) return undefined;
      const uri = named ?? (await vscode.window.showSaveDialog({ filters: FILTERS, saveLabel: 'Export', title: 'Export Connections' }));
      if (!uri) return undefined;
      // A script naming the file is not the person: its key reads ask first.
      const requester = named ? commandArgument : personAt(requesterIds.palette);
      const bytes = await transfer.export({ passphrase: secret, includeKeys: choice === WITH_KEYS, requester });
      await vscode.workspace.fs.writeFile(uri, bytes);
      void vscode.window.showInformationMessage(`Exported ${connections.list().length} connection(s)${choice === WITH_KEYS ? ' with their keys' : ''} to ${uri.fsPath}.`);
      return { exported: connections.list().length, path: uri.fsPath };
    }),
    registerCommandWithErrors('switchboard.importConnections', async (arg) => {
      const uri = fileArg(arg) ?? (await vscode.window.showOpenDialog({ filters: FILTERS, canSelectMany: false, openLabel: 'Import', title: 'Import Connections' }))?.[0];
      if (!uri) return undefined;
      const secret = await passphrase('Import Connections', false);
      if (secret === undefined) return undefined;
      const file = await transfer.read(await vscode.workspace.fs.readFile(uri), secret);
      const plan = transfer.plan(file);
      if (!plan.add.length && !plan.change.length) {
        void vscode.window.showInformationMessage('Every connection in the file is already here, unchanged. Nothing to import.');
        return { added: 0, changed: 0 };
      }
      const answer = await prompter.choose({ message: summary(plan), detail: details(plan), choices: plan.change.length ? [UPDATE_TOO, ADD_ONLY] : [IMPORT] });
      if (!answer) return undefined;
      const result = await transfer.apply(plan, { replaceExisting: answer === UPDATE_TOO });
      void vscode.window.showInformationMessage(`Imported: ${result.added} connection(s) added, ${result.changed} updated.`);
      return result;
    }),
  ];
}

function summary(plan: ImportPlan): string {
  const change = plan.change.length ? ` and change ${plan.change.length} existing one(s)` : '';
  return `Import ${plan.add.length} new connection(s)${change}?`;
}

/** One line per connection: what is added, and what would change in which existing one. Never a key. */
function details(plan: ImportPlan): string {
  return [
    ...plan.add.map((c) => `+ ${c.name} (${c.providerId}${c.baseUrl ? `, ${c.baseUrl}` : ''})${c.apiKey ? ', with its key' : ''}`),
    ...plan.change.map(({ existing, incoming, differences }) =>
      existing.providerId === incoming.providerId
        ? `~ ${existing.name}: ${differences.join(', ')} would change`
        : `! ${existing.name} is a ${existing.providerId} connection here and ${incoming.providerId} in the file: it stays as it is`,
    ),
  ].join('\n');
}
