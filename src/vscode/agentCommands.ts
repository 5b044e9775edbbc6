import * as vscode from 'vscode';
import type { Agent, AgentInput, RunRecord } from '../contracts/agents';
import type { AgentService } from '../core/runs/agentService';
import type { AuditLog } from '../core/audit/auditLog';
import type { ConnectionService } from '../core/connections/connectionService';
import type { ConsentService } from '../core/keys/consent';
import { SwitchboardError } from '../core/base/errors';
import { commandRequester } from '../core/keys/requesters';
import type { RunService } from '../core/runs/runService';
import type { Settings } from '../core/base/ports';
import { describeRequester } from './consentPrompt';
import { registerCommandWithErrors, showError } from './errorMessages';
import type { Prompter } from './prompter';

export interface AgentCommandDeps {
  agents: AgentService;
  connections: ConnectionService;
  runService: RunService;
  consent: ConsentService;
  audit: AuditLog;
  prompter: Prompter;
  settings: Pick<Settings, 'defaultConnectionId'>;
  registeredModels(): ReadonlyMap<string, readonly { providerModelId: string; displayName: string; enabled: boolean }[]>;
}

/** Agent, run, consent and audit commands; each works from the palette with quick picks alone. */
export function registerAgentCommands(deps: AgentCommandDeps): vscode.Disposable[] {
  const { agents, connections, runService, consent, audit, prompter } = deps;

  const command = registerCommandWithErrors;

  async function pickAgent(arg: unknown, placeHolder: string): Promise<Agent | undefined> {
    if (typeof arg === 'string') return agents.require(arg);
    if (arg !== undefined) throw new SwitchboardError('invalid_input', vscode.l10n.t('The command expects an agent id as its argument.'));
    const all = agents.list();
    if (!all.length) {
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('There are no agents yet.'), vscode.l10n.t('Create Agent'));
      if (choice) await vscode.commands.executeCommand('switchboard.createAgent');
      return undefined;
    }
    return prompter.pick(all.map((a) => ({ label: a.name, description: a.role, value: a })), placeHolder);
  }

  /** Asks for each field of an agent, starting from `current`; undefined if the person cancels. */
  async function askAgent(current: Partial<Agent>): Promise<AgentInput | undefined> {
    const name = await prompter.inputText({ title: vscode.l10n.t('Agent'), prompt: vscode.l10n.t('Name'), value: current.name ?? '', validate: (v) => (v.trim() ? undefined : vscode.l10n.t('A name is required.')) });
    if (name === undefined) return undefined;
    const role = await prompter.inputText({ title: vscode.l10n.t('Agent "{0}"', name), prompt: vscode.l10n.t('Role (optional), e.g. "reviews pull requests"'), value: current.role ?? '' });
    if (role === undefined) return undefined;
    const connectionId = await prompter.pick<string>(
      [{ label: vscode.l10n.t('Use the default connection'), value: '' }, ...connections.list().map((c) => ({ label: c.name, description: c.providerId, value: c.id }))],
      vscode.l10n.t('Connection'),
    );
    if (connectionId === undefined) return undefined;
    let modelRef = '';
    if (connectionId) {
      const chosen = await prompter.pick<string>(
        [{ label: vscode.l10n.t("The connection's default model"), value: '' }, ...(deps.registeredModels().get(connectionId) ?? []).filter((m) => m.enabled).map((m) => ({ label: m.displayName, description: m.providerModelId, value: m.providerModelId }))],
        vscode.l10n.t('Model'),
      );
      if (chosen === undefined) return undefined;
      modelRef = chosen;
    }
    const soul = await prompter.inputText({ title: vscode.l10n.t('Agent "{0}"', name), prompt: vscode.l10n.t('Soul: the system prompt (optional)'), value: current.soul ?? '' });
    if (soul === undefined) return undefined;
    const guardrails = await prompter.inputText({ title: vscode.l10n.t('Agent "{0}"', name), prompt: vscode.l10n.t('Guardrails (optional)'), value: current.guardrails ?? '' });
    if (guardrails === undefined) return undefined;
    return { name, role, soul, guardrails, ...(connectionId ? { connectionId } : {}), ...(modelRef ? { modelRef } : {}) };
  }

  /** Runs with a cancellable progress notification and reports the outcome with its next step. */
  async function runAgent(arg: unknown): Promise<RunRecord | undefined> {
    let request: unknown = arg;
    // The person's pick at the palette is their consent for the run; an agent id or a request
    // as the argument (another extension, a task, a keybinding) is not, and the run asks.
    const requester = commandRequester(arg);
    if (arg === undefined || typeof arg === 'string') {
      const agent = await pickAgent(arg, vscode.l10n.t('Choose the agent to run'));
      if (!agent) return undefined;
      const input = await prompter.inputText({ title: vscode.l10n.t('Run "{0}"', agent.name), prompt: vscode.l10n.t('Input'), validate: (v) => (v.trim() ? undefined : vscode.l10n.t('Type what the agent should work on.')) });
      if (input === undefined) return undefined;
      request = { agentId: agent.id, input };
    }
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Running agent…'), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const { runId, finished } = await runService.launch(request, requester, controller.signal);
        // A call that waits its turn for a connection's rate limit says so; Cancel ends the wait.
        const waits = runService.onDidWaitForRateLimit((wait) => {
          if (wait.runId === runId) progress.report({ message: vscode.l10n.t('waiting for the rate limit (about {0} s)', Math.ceil(wait.ms / 1000)) });
        });
        try {
          return await finished;
        } finally {
          waits.dispose();
        }
      },
    );
    if (run.status === 'succeeded') {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1}', run.agentName, truncate(run.output ?? '', 200)), vscode.l10n.t('Show Runs')).then((choice) => {
        if (choice) void vscode.commands.executeCommand('switchboard.showRuns');
      });
    } else if (run.error && run.status === 'failed') {
      const defaultId = deps.settings.defaultConnectionId();
      void showError(new SwitchboardError(run.error.code, run.error.message), {
        connectionId: run.routing?.connectionId,
        agentId: run.agentId,
        hasDefaultConnection: Boolean(defaultId && connections.get(defaultId)),
      });
    }
    return run;
  }

  return [
    command('switchboard.createAgent', async (arg) => {
      const input = arg ?? (await askAgent({}));
      return input === undefined ? undefined : agents.create(input);
    }),
    command('switchboard.editAgent', async (arg) => {
      const agent = await pickAgent(arg, vscode.l10n.t('Choose the agent to edit'));
      const input = agent && (await askAgent(agent));
      return agent && input ? agents.update(agent.id, input) : undefined;
    }),
    command('switchboard.deleteAgent', async (arg) => {
      const agent = await pickAgent(arg, vscode.l10n.t('Choose the agent to delete'));
      if (!agent) return undefined;
      const confirmed = await prompter.confirm({ message: vscode.l10n.t('Delete the agent "{0}"?', agent.name), detail: vscode.l10n.t('Its past runs stay in the run history.'), confirmLabel: vscode.l10n.t('Delete') });
      if (confirmed) await agents.delete(agent.id);
      return { deleted: confirmed };
    }),
    command('switchboard.runAgent', runAgent),
    vscode.commands.registerCommand('switchboard.showRuns', () => vscode.commands.executeCommand('switchboard.agents.focus')),
    command('switchboard.manageConsents', async () => {
      const grants = consent.grants();
      if (!grants.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No requester has a standing permission to use a key.'));
        return undefined;
      }
      const chosen = await prompter.pick(
        grants.map((g) => ({
          label: connections.get(g.connectionId)?.name ?? vscode.l10n.t('deleted connection'),
          description: describeRequester(g.requesterId),
          detail: vscode.l10n.t('Allowed {0} — pick to revoke', new Date(g.grantedAt).toLocaleString(vscode.env.language)),
          value: g,
        })),
        vscode.l10n.t('Standing key permissions: pick one to revoke it'),
      );
      if (!chosen) return undefined;
      await consent.revoke(chosen.connectionId, chosen.requesterId);
      void vscode.window.showInformationMessage(vscode.l10n.t('Revoked. The next use of that key will ask again.'));
      return chosen;
    }),
    command('switchboard.verifyAuditLog', async () => {
      // The whole log, off the extension host's thread: the command is how a person checks every entry again.
      const result = await audit.verify({ full: true });
      if (result.ok) void vscode.window.showInformationMessage(vscode.l10n.t('The audit log is intact: {0} entries, every link checks.', result.entries));
      else void vscode.window.showErrorMessage(vscode.l10n.t('The audit log is broken at line {0}: {1}. Entries from there on cannot be trusted.', result.broken!.line, result.broken!.reason));
      return result;
    }),
  ];
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
