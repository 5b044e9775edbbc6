import * as vscode from 'vscode';
import type { ErrorInfo } from '../contracts/errors';
import { toErrorInfo } from '../core/base/errors';

const KEYCHAIN_HELP = 'https://code.visualstudio.com/docs/configure/settings-sync#_troubleshooting-keychain-issues';

/** What an error is about, for the action that fixes it. */
export interface ErrorContext {
  /** The connection the action targets (Set API Key, Edit Connection). */
  connectionId?: string;
  /** The agent whose run failed: a missing connection is fixed by editing it when a default is set. */
  agentId?: string;
  /** Whether a default connection is set and exists; when it is, "Set Default Connection" would not help. */
  hasDefaultConnection?: boolean;
}

const shown = new vscode.EventEmitter<{ message: string; actions: string[] }>();
/** Fires with each error message shown and its buttons, so the integration tests see what the person read. */
export const onDidShowError = shown.event;

/**
 * Shows an error with the action that fixes it, chosen by its code (core picks the words,
 * this picks the buttons). A string `context` is the connection the action targets.
 */
export async function showError(error: unknown, context: ErrorContext | string = {}): Promise<void> {
  const info: ErrorInfo = toErrorInfo(error);
  if (info.code === 'cancelled') return;
  const actions = actionsFor(info, typeof context === 'string' ? { connectionId: context } : context);
  shown.fire({ message: info.message, actions: actions.map((a) => a.label) });
  const choice = await vscode.window.showErrorMessage(info.message, ...actions.map((a) => a.label));
  const action = actions.find((a) => a.label === choice);
  await action?.run();
}

interface Action {
  label: string;
  run(): Thenable<unknown>;
}

function actionsFor(info: ErrorInfo, { connectionId, agentId, hasDefaultConnection }: ErrorContext): Action[] {
  const command = (label: string, id: string, ...args: unknown[]): Action => ({
    label,
    run: () => vscode.commands.executeCommand(id, ...args),
  });
  switch (info.code) {
    case 'auth_failed':
      return connectionId ? [command(vscode.l10n.t('Set API Key'), 'switchboard.setApiKey', connectionId)] : [];
    case 'endpoint_unreachable':
    case 'timeout':
    case 'bad_response':
    case 'model_not_found':
      return connectionId ? [command(vscode.l10n.t('Edit Connection'), 'switchboard.editConnection', connectionId)] : [];
    case 'missing_connection':
      // With a default in force, the run failed on a connection the agent (or the run) names:
      // choosing a default again would change nothing.
      if (!hasDefaultConnection) return [command(vscode.l10n.t('Set Default Connection'), 'switchboard.setDefaultConnection')];
      return agentId ? [command(vscode.l10n.t('Edit Agent'), 'switchboard.editAgent', agentId)] : [];
    case 'secret_storage_failed':
      return [{ label: vscode.l10n.t('Open Troubleshooting'), run: () => vscode.env.openExternal(vscode.Uri.parse(KEYCHAIN_HELP)) }];
    default:
      return [];
  }
}

/**
 * Registers a command whose errors become a message with the action that fixes it, instead of
 * VS Code's generic "command failed". `connectionIdOf` names the connection the action targets.
 */
export function registerCommandWithErrors<T>(
  id: string,
  body: (arg: unknown) => Promise<T | undefined>,
  connectionIdOf: (arg: unknown) => string | undefined = () => undefined,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (arg?: unknown) => {
    try {
      return await body(arg);
    } catch (error) {
      void showError(error, connectionIdOf(arg));
      return undefined;
    }
  });
}
