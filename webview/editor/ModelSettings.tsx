import * as l10n from '@vscode/l10n';
import { useState } from 'preact/hooks';
import type { RegisteredModel } from '../../src/contracts/models';
import { errorMessage } from '../shared/errors';
import { FormError, TextField } from '../shared/fields';
import type { RowMessage } from '../shared/messages';
import type { EditorClient } from './client';
import { formatDollars, isPrice } from '../connections/modelFormat';
import { parsePrice, parseSettings, priceFields, settingsFields, type PriceField } from './modelsTable';

interface ModelSettingsProps {
  client: EditorClient;
  model: RegisteredModel;
  /** Told what came of a save, for the tab's message line. */
  onSaved(message: RowMessage): void;
}

/**
 * The person's settings for calls to one model, shown when one model is selected: how much it
 * reasons (an effort or a thinking budget; which one its provider takes, the host checks) and
 * its output limit, and its price. Empty fields go back to the provider's own.
 */
export function ModelSettings({ client, model, onSaved }: ModelSettingsProps) {
  const [fields, setFields] = useState(() => settingsFields(model));
  const [prices, setPrices] = useState(() => priceFields(model));
  const [problem, setProblem] = useState<{ field?: 'reasoning' | 'outputLimit' | PriceField; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const parsed = parseSettings(fields);
    const price = parsePrice(prices);
    if ('error' in parsed || 'error' in price) {
      const wrong = 'error' in parsed ? parsed : (price as { field: PriceField; error: string });
      setProblem({ field: wrong.field, text: wrong.error });
      return;
    }
    const before = priceFields(model);
    const priceChanged = before.input.trim() !== prices.input.trim() || before.output.trim() !== prices.output.trim();
    setBusy(true);
    setProblem(undefined);
    try {
      // Both at once: the host checks them together, and a refusal changes neither.
      await client.request('setModelCallSettings', { id: model.id, reasoning: parsed.reasoning, outputLimit: parsed.outputLimit });
      // The price only when it changed: saving the others never turns a provider's price into the person's.
      if (priceChanged) await client.request('setModelPrice', { id: model.id, price: price.price });
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
        description={l10n.t('low, medium, high, or a thinking budget in tokens')}
        {...(problem?.field === 'reasoning' ? { error: problem.text } : {})}
        onInput={(reasoning) => setFields({ ...fields, reasoning })}
      />
      <TextField
        id="model-settings-output"
        testId="model-settings-output"
        label={l10n.t('Output limit')}
        value={fields.outputLimit}
        placeholder={l10n.t("provider's limit")}
        description={l10n.t('the most tokens an answer may take, e.g. 8k')}
        {...(problem?.field === 'outputLimit' ? { error: problem.text } : {})}
        onInput={(outputLimit) => setFields({ ...fields, outputLimit })}
      />
      <TextField
        id="model-settings-price-input"
        testId="model-settings-price-input"
        label={l10n.t('Input price')}
        value={prices.input}
        placeholder={otherPrice(model, model.inputCostPer1k)}
        description={l10n.t('dollars per 1,000 tokens')}
        {...(problem?.field === 'priceInput' ? { error: problem.text } : {})}
        onInput={(input) => setPrices({ ...prices, input })}
      />
      <TextField
        id="model-settings-price-output"
        testId="model-settings-price-output"
        label={l10n.t('Output price')}
        value={prices.output}
        placeholder={otherPrice(model, model.outputCostPer1k)}
        description={l10n.t('dollars per 1,000 tokens')}
        {...(problem?.field === 'priceOutput' ? { error: problem.text } : {})}
        onInput={(output) => setPrices({ ...prices, output })}
      />
      <vscode-button data-testid="model-settings-save" type="submit" disabled={busy} onClick={() => void save()}>
        {l10n.t('Save')}
      </vscode-button>
      {problem && !problem.field && <FormError testId="model-settings-error" text={problem.text} />}
    </form>
  );
}

/** What a price field shows while empty: the price that applies without the person's, or that none is known (a local model is then free). */
function otherPrice(model: RegisteredModel, price: number | undefined): string {
  return model.sources.costs !== 'user' && isPrice(price) ? formatDollars(price) : l10n.t('none');
}
