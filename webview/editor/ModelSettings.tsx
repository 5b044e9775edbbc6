import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import type { RegisteredModel } from '../../src/contracts/models';
import { errorMessage } from '../shared/errors';
import { FormError, TextField } from '../shared/fields';
import type { RowMessage } from '../shared/messages';
import type { EditorClient } from './client';
import { parseSettings, settingsFields } from './modelsTable';

interface ModelSettingsProps {
  client: EditorClient;
  model: RegisteredModel;
  /** Told what came of a save, for the tab's message line. */
  onSaved(message: RowMessage): void;
}

/**
 * The person's settings for calls to one model, shown when one model is selected: how much it
 * reasons (an effort or a thinking budget; which one its provider takes, the host checks) and
 * its output limit. Empty fields go back to the provider's own.
 */
export function ModelSettings({ client, model, onSaved }: ModelSettingsProps) {
  const [fields, setFields] = useState(() => settingsFields(model));
  const [problem, setProblem] = useState<{ field?: 'reasoning' | 'outputLimit'; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const parsed = parseSettings(fields);
    if ('error' in parsed) {
      setProblem({ field: parsed.field, text: parsed.error });
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      // Both at once: the host checks them together, and a refusal changes neither.
      await client.request('setModelCallSettings', { id: model.id, reasoning: parsed.reasoning, outputLimit: parsed.outputLimit });
      onSaved({ kind: 'success', text: l10n.t('Saved the settings of {0}.', model.displayName) });
    } catch (error) {
      setProblem({ text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="model-settings"
      data-testid="model-settings"
      aria-label={l10n.t('Settings of {0}', model.displayName)}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <TextField
        id="model-settings-reasoning"
        testId="model-settings-reasoning"
        label={l10n.t('Reasoning')}
        value={fields.reasoning}
        placeholder={l10n.t("provider's default")}
        description={l10n.t('low, medium or high (OpenAI, Azure, Ollama), or a thinking budget in tokens (Anthropic, Gemini)')}
        {...(problem?.field === 'reasoning' ? { error: problem.text } : {})}
        onInput={(reasoning) => setFields({ ...fields, reasoning })}
      />
      <TextField
        id="model-settings-output"
        testId="model-settings-output"
        label={l10n.t('Output limit')}
        value={fields.outputLimit}
        placeholder={l10n.t("provider's limit")}
        description={l10n.t('the most tokens one answer may take, e.g. 8192 or 8k')}
        {...(problem?.field === 'outputLimit' ? { error: problem.text } : {})}
        onInput={(outputLimit) => setFields({ ...fields, outputLimit })}
      />
      <vscode-button data-testid="model-settings-save" type="submit" disabled={busy} onClick={() => void save()}>
        {l10n.t('Save')}
      </vscode-button>
      {problem && !problem.field && <FormError testId="model-settings-error" text={problem.text} />}
    </form>
  );
}
