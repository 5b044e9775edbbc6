import * as l10n from '@vscode/l10n';
interface EmptyStateProps {
  onNew(): void;
}

/** Shown while there is no agent: what one is, and how to make one. */
export function EmptyState({ onNew }: EmptyStateProps) {
  return (
    <section class="empty-state" data-testid="agents-empty-state" aria-labelledby="agents-empty-title">
      <vscode-icon name="hubot" size={32} class="empty-state-icon" />
      <h3 id="agents-empty-title" class="empty-state-title">
        {l10n.t('No agents yet')}
      </h3>
      <p>
        {l10n.t(
          'An agent is a reusable assistant: a name and a role, a soul (its system prompt) and guardrails (what it must not do), and the connection and model it runs on. Run it on an input and Switchboard records where the run went, each step it took, and its output.',
        )}
      </p>
      <p class="empty-state-hint">{l10n.t('Without a connection of its own, an agent runs on the default connection.')}</p>
      <div class="empty-state-actions">
        <vscode-button data-testid="new-agent-button" icon="add" onClick={onNew}>
          {l10n.t('New agent')}
        </vscode-button>
      </div>
    </section>
  );
}
