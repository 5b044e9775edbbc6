import * as l10n from '@vscode/l10n';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BudgetStatus } from '../../src/contracts/usage';
import { SelectField } from '../agents/fields';
import { errorMessage } from '../shared/errors';
import { FormActions, FormError, FormField, FormPanel, Select, TextField } from '../shared/fields';
import { MessageLine, type RowMessage } from '../shared/messages';
import { RowAction } from '../shared/RowAction';
import type { EditorClient, EditorSnapshot } from './client';
import {
  BUDGET_PERIOD_OPTIONS,
  BUDGET_UNIT_OPTIONS,
  budgetFields,
  budgetInput,
  budgetLevel,
  budgetLimit,
  budgetLine,
  budgetScopeLine,
  EMPTY_BUDGET_FIELDS,
  SCOPE_KIND_OPTIONS,
  scopeOptions,
  type BudgetErrors,
  type BudgetFields,
  type BudgetLevel,
  type BudgetScopeKind,
} from './usageFormat';
import { usePage } from './usePage';

interface BudgetsSectionProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  /** Changes each time the tab is shown, so the budgets are read afresh. */
  visits: number;
  /** Changes when the host says a budget changed (or calls were recorded against one). */
  changes: number;
  /** The requesters known so far, by id: a budget may be set for any of them. */
  requesters: Readonly<Record<string, string>>;
}

const LEVEL_WORDS: Record<BudgetLevel, string | undefined> = {
  ok: undefined,
  warn: l10n.t('Past its warning share'),
  over: l10n.t('At its limit: calls are refused until it resets'),
};

/**
 * The budgets with what this period used of each, and a form to add or change one. The host
 * keeps and enforces them; the view lists, validates what the person types, and asks.
 */
export function BudgetsSection({ client, snapshot, visits, changes, requesters }: BudgetsSectionProps) {
  const [message, setMessage] = useState<RowMessage | undefined>(undefined);
  const [refreshes, setRefreshes] = useState(0);
  const { page } = usePage(() => client.request('budgets', {}), String(visits), (error) => setMessage({ kind: 'error', text: errorMessage(error) }), undefined, changes + refreshes);
  const [form, setForm] = useState<BudgetFields | undefined>(undefined);
  const section = useRef<HTMLElement>(null);
  // An answer without a list (a host older than this view) shows no budgets rather than failing the tab.
  const budgets = Array.isArray(page?.budgets) ? page.budgets : undefined;
  // A budget names its requester even before a report grouped by requester has.
  const known = { ...requesters, ...Object.fromEntries((budgets ?? []).flatMap((status) => (status.budget.scope.kind === 'requester' ? [[status.budget.scope.requesterId, status.label]] : []))) };

  const focus = (selector: string) => setTimeout(() => section.current?.querySelector<HTMLElement>(selector)?.focus(), 0);
  const close = (focusOn = '[data-testid="budget-add"]') => {
    setForm(undefined);
    focus(focusOn);
  };
  const saved = (text: string) => {
    setMessage({ kind: 'success', text });
    setRefreshes((n) => n + 1);
  };
  const remove = async (status: BudgetStatus) => {
    setMessage(undefined);
    try {
      const { deleted } = await client.request('deleteBudget', { id: status.budget.id });
      if (deleted) saved(l10n.t('Deleted the budget of {0}.', status.label));
      focus('[data-testid="budget-add"]');
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    }
  };

  return (
    <section class="usage-budgets" ref={section} aria-labelledby="usage-budgets-heading" data-testid="usage-budgets">
      <div class="editor-toolbar">
        <h3 class="editor-heading" id="usage-budgets-heading">
          {l10n.t('Budgets')}
        </h3>
        <span class="toolbar-spacer" />
        <vscode-button data-testid="budget-add" icon="add" disabled={Boolean(form && !form.id)} onClick={() => setForm(EMPTY_BUDGET_FIELDS)}>
          {l10n.t('Add Budget…')}
        </vscode-button>
      </div>
      {message && <MessageLine testId="budget-message" message={message} />}
      {form && !form.id && <BudgetForm key="new" client={client} snapshot={snapshot} requesters={known} initial={form} onSaved={(text) => (saved(text), close())} onCancel={() => close()} />}
      {budgets && budgets.length === 0 && !form && (
        <p class="usage-budgets-empty" data-testid="budgets-empty">
          {l10n.t('No budgets. A budget limits what a connection, an agent or a requester may spend a day or a month, in dollars or tokens: past its warning share you are told once, and at its limit a call is refused before it is sent.')}
        </p>
      )}
      {budgets && budgets.length > 0 && (
        <ul class="usage-budget-list" aria-label={l10n.t('Budgets')}>
          {budgets.map((status) => {
            const level = budgetLevel(status);
            const line = budgetLine(status);
            const scope = budgetScopeLine(status);
            const editing = form?.id === status.budget.id;
            return (
              <li key={status.budget.id} class={`usage-budget usage-budget-${level}`} data-testid="budget-row" data-budget-id={status.budget.id} data-level={level}>
                <div class="usage-budget-head">
                  <span class="usage-budget-scope" data-testid="budget-scope">
                    {scope}
                  </span>
                  <span class="toolbar-spacer" />
                  <RowAction testId="budget-edit" icon="edit" label={l10n.t('Edit the budget of {0}', status.label)} title={l10n.t('Edit')} expanded={editing} onClick={() => setForm(editing ? undefined : budgetFields(status))} />
                  <RowAction testId="budget-delete" icon="trash" label={l10n.t('Delete the budget of {0}', status.label)} title={l10n.t('Delete')} onClick={() => void remove(status)} />
                </div>
                <meter class={`usage-budget-meter usage-budget-meter-${level}`} min={0} max={budgetLimit(status.budget)} value={Math.min(status.used, budgetLimit(status.budget))} aria-label={scope} aria-valuetext={line} />
                <span class="usage-budget-line" data-testid="budget-line">
                  {line}
                </span>
                {LEVEL_WORDS[level] && (
                  <span class="usage-budget-level" data-testid="budget-level">
                    <vscode-icon name={level === 'over' ? 'error' : 'warning'} class="status-icon" />
                    {LEVEL_WORDS[level]}
                  </span>
                )}
                {editing && form && (
                  <BudgetForm key={status.budget.id} client={client} snapshot={snapshot} requesters={known} initial={form} onSaved={(text) => (saved(text), close(`[data-budget-id="${status.budget.id}"] [data-testid="budget-edit"]`))} onCancel={() => close(`[data-budget-id="${status.budget.id}"] [data-testid="budget-edit"]`)} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface BudgetFormProps {
  client: EditorClient;
  snapshot: EditorSnapshot;
  requesters: Readonly<Record<string, string>>;
  initial: BudgetFields;
  onSaved(text: string): void;
  onCancel(): void;
}

/** Add or change a budget: what it is for, per day or month, in dollars or tokens, how much, and when to warn. */
function BudgetForm({ client, snapshot, requesters, initial, onSaved, onCancel }: BudgetFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const [fields, setFields] = useState(initial);
  const [errors, setErrors] = useState<BudgetErrors>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const editing = Boolean(initial.id);
  const id = editing ? `budget-${initial.id}` : 'budget-new';
  const title = editing ? l10n.t('Edit budget') : l10n.t('New budget');
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[data-testid="budget-scope-kind"]')?.focus();
  }, []);

  const set = (patch: Partial<BudgetFields>) => {
    setFields((current) => ({ ...current, ...patch }));
    // A field's error goes once the person changes it; the others stay until the next save.
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !(key in patch) && !(key === 'scopeId' && 'scopeKind' in patch))));
  };

  const submit = async () => {
    if (saving) return;
    const made = budgetInput(fields);
    if ('errors' in made) {
      setErrors(made.errors);
      const first = (['scopeId', 'amount', 'warnAtPercent'] as const).find((key) => made.errors[key]);
      formRef.current?.querySelector<HTMLElement>(`[data-testid="budget-${first === 'scopeId' ? 'scope' : first === 'amount' ? 'amount' : 'warn'}"]`)?.focus();
      return;
    }
    setSaving(true);
    setFormError(undefined);
    try {
      await client.request('setBudget', made.input);
      onSaved(editing ? l10n.t('Saved the budget.') : l10n.t('Added the budget.'));
    } catch (error) {
      setFormError(errorMessage(error));
      setSaving(false);
    }
  };

  const scopeChoices = scopeOptions(fields.scopeKind, snapshot, requesters);
  const scopeLabel = fields.scopeKind === 'connection' ? l10n.t('Connection') : fields.scopeKind === 'agent' ? l10n.t('Agent') : l10n.t('Requester');
  return (
    <FormPanel formRef={formRef} class="usage-budget-form" testId="budget-form" label={title} heading={title} onSubmit={() => void submit()} onCancel={onCancel}>
      <div class="usage-budget-fields">
        <FormField id={`${id}-kind`} label={l10n.t('For')}>
          <Select id={`${id}-kind`} testId="budget-scope-kind" ariaLabel={l10n.t('For')} value={fields.scopeKind} choices={SCOPE_KIND_OPTIONS} onChange={(scopeKind) => set({ scopeKind: scopeKind as BudgetScopeKind, scopeId: '' })} />
        </FormField>
        <SelectField
          id={`${id}-scope`}
          testId="budget-scope"
          label={scopeLabel}
          required
          value={fields.scopeId}
          emptyLabel={l10n.t('Choose…')}
          options={scopeChoices}
          error={errors.scopeId}
          errorTestId="budget-error-scope"
          onChange={(scopeId) => set({ scopeId })}
        />
        <FormField id={`${id}-period`} label={l10n.t('Period')}>
          <Select id={`${id}-period`} testId="budget-period" ariaLabel={l10n.t('Period')} value={fields.period} choices={BUDGET_PERIOD_OPTIONS} onChange={(period) => set({ period: period as BudgetFields['period'] })} />
        </FormField>
        <FormField id={`${id}-unit`} label={l10n.t('In')}>
          <Select id={`${id}-unit`} testId="budget-unit" ariaLabel={l10n.t('In')} value={fields.unit} choices={BUDGET_UNIT_OPTIONS} onChange={(unit) => set({ unit: unit as BudgetFields['unit'] })} />
        </FormField>
        <TextField
          id={`${id}-amount`}
          testId="budget-amount"
          label={fields.unit === 'usd' ? l10n.t('Limit in US dollars') : l10n.t('Limit in tokens')}
          required
          value={fields.amount}
          placeholder={fields.unit === 'usd' ? l10n.t('e.g. 10.00') : l10n.t('e.g. 500000')}
          error={errors.amount}
          errorTestId="budget-error-amount"
          onInput={(amount) => set({ amount })}
        />
        <TextField
          id={`${id}-warn`}
          testId="budget-warn"
          label={l10n.t('Warn at (% of the limit)')}
          value={fields.warnAtPercent}
          error={errors.warnAtPercent}
          errorTestId="budget-error-warn"
          onInput={(warnAtPercent) => set({ warnAtPercent })}
        />
      </div>
      {formError && <FormError testId="budget-form-error" text={formError} />}
      <FormActions
        busy={saving}
        submitLabel={editing ? l10n.t('Save changes') : l10n.t('Add budget')}
        busyLabel={l10n.t('Saving…')}
        submitTestId="budget-save"
        cancelLabel={l10n.t('Cancel')}
        cancelTestId="budget-cancel"
        onCancel={onCancel}
      />
    </FormPanel>
  );
}
