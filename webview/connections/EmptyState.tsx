import * as l10n from '@vscode/l10n';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { FormError } from '../shared/fields';
import { localOllamaInput } from './formModel';

interface EmptyStateProps {
  providers: readonly ProviderDescriptor[];
  busy: boolean;
  error: string | undefined;
  onAddLocalOllama(): void;
  onAdd(): void;
}

/** Shown while there is no connection: what one is, and the quickest way to make one. */
export function EmptyState({ providers, busy, error, onAddLocalOllama, onAdd }: EmptyStateProps) {
  const ollama = localOllamaInput(providers);
  return (
    <section class="empty-state" data-testid="empty-state" aria-labelledby="empty-state-title">
      <vscode-icon name="plug" size={32} class="empty-state-icon" />
      <h2 id="empty-state-title" class="empty-state-title">
        {l10n.t('No connections yet')}
      </h2>
      <p>
        {l10n.t(
          "A connection tells Switchboard how to reach an LLM provider: which provider, its address, and its key. Keys are kept in VS Code's secret storage and never shown here; agents and runs refer to a connection by its ID.",
        )}
      </p>
      <div class="empty-state-actions">
        {ollama && (
          <vscode-button data-testid="add-local-ollama-button" icon={busy ? 'loading' : 'server'} iconSpin={busy} disabled={busy} onClick={() => !busy && onAddLocalOllama()}>
            {l10n.t('Add local Ollama')}
          </vscode-button>
        )}
        <vscode-button secondary={Boolean(ollama)} data-testid="add-connection-button" icon="add" disabled={busy} onClick={onAdd}>
          {l10n.t('Add connection…')}
        </vscode-button>
      </div>
      {ollama?.baseUrl && (
        <p class="empty-state-hint" data-testid="local-ollama-hint">
          {l10n.t('Add local Ollama connects to {0}; start Ollama first, then use Test.', ollama.baseUrl)}
        </p>
      )}
      {error && <FormError testId="empty-state-error" text={error} />}
    </section>
  );
}
