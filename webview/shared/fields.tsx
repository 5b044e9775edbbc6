import type { ComponentChildren, Ref } from 'preact';

/** The error under a field. */
export function FieldError({ testId, text }: { testId?: string; text: string }) {
  return (
    <div class="field-error" data-testid={testId}>
      {text}
    </div>
  );
}

/** An error under a form or an action, read out when it appears. */
export function FormError({ testId, text }: { testId: string; text: string }) {
  return (
    <p class="form-error" data-testid={testId} role="alert">
      <vscode-icon name="error" class="message-icon" />
      <span>{text}</span>
    </p>
  );
}

/** What every form field has around its control. */
export interface FieldFrame {
  /** The control's id, which the label points to. */
  id: string;
  label: string;
  required?: boolean;
  description?: string;
  error?: string;
  errorTestId?: string;
}

/** A labelled control, with its description and its error under it. */
export function FormField({ id, label, required, description, error, errorTestId, children }: FieldFrame & { children: ComponentChildren }) {
  return (
    <div class="form-field">
      <vscode-label htmlFor={id} required={required}>
        {label}
      </vscode-label>
      {children}
      {description && (
        <vscode-form-helper id={`${id}-help`} class="field-description">
          {description}
        </vscode-form-helper>
      )}
      {error && <FieldError testId={errorTestId} text={error} />}
    </div>
  );
}

export function TextField(props: FieldFrame & { testId: string; value: string; type?: 'text' | 'url'; placeholder?: string; onInput(value: string): void }) {
  return (
    <FormField {...props}>
      <vscode-textfield
        id={props.id}
        data-testid={props.testId}
        type={props.type}
        label={props.label}
        value={props.value}
        placeholder={props.placeholder}
        invalid={Boolean(props.error)}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </FormField>
  );
}

interface FormPanelProps {
  formRef: Ref<HTMLFormElement>;
  class: string;
  testId: string;
  /** The form's accessible name. */
  label: string;
  heading: ComponentChildren;
  onSubmit(): void;
  /** Escape: close the form without saving. */
  onCancel(): void;
  /** Ctrl+Enter (Cmd+Enter) submits too, also from a multi-line field. */
  submitOnCtrlEnter?: boolean;
  children: ComponentChildren;
}

/** A form that opens inside the view, e.g. under a row: the submit button submits it, Escape cancels it (from any control, unless a dropdown is open). */
export function FormPanel({ formRef, class: className, testId, label, heading, onSubmit, onCancel, submitOnCtrlEnter, children }: FormPanelProps) {
  return (
    <form
      ref={formRef}
      class={className}
      data-testid={testId}
      aria-label={label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      onKeyDown={(event) => {
        // An open native select takes Escape itself: the page never sees it.
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        } else if (submitOnCtrlEnter && event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          onSubmit();
        }
      }}
    >
      <h3 class="form-title">{heading}</h3>
      {children}
    </form>
  );
}

/**
 * A form's two buttons: submit, which spins and says `busyLabel` while the form is `busy` (and
 * stays focusable, aria-disabled, so focus is not lost), and a secondary one that cancels or
 * closes, disabled meanwhile.
 */
export function FormActions(props: {
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  submitTestId: string;
  /** The submit button's codicon when the form is not busy. */
  submitIcon?: string;
  submitDisabled?: boolean;
  cancelLabel: string;
  cancelTestId: string;
  onCancel(): void;
}) {
  const { busy } = props;
  return (
    <div class="form-actions">
      <vscode-button type="submit" data-testid={props.submitTestId} disabled={props.submitDisabled} aria-disabled={busy ? 'true' : undefined} icon={busy ? 'loading' : (props.submitIcon ?? '')} iconSpin={busy}>
        {busy ? props.busyLabel : props.submitLabel}
      </vscode-button>
      <vscode-button secondary type="button" data-testid={props.cancelTestId} disabled={busy} onClick={props.onCancel}>
        {props.cancelLabel}
      </vscode-button>
    </div>
  );
}

/** One choice of a Select; the description follows the label, as VS Code's own pickers show it. */
export interface Choice {
  value: string;
  label: string;
  description?: string;
}

/**
 * A native select in VS Code's dropdown colours. Native, not vscode-single-select: that element
 * and the scrolling list it brings were a third of each view's bundle, and the browser's own
 * select already has everything a person expects of one (type to find, arrow keys, Alt+Down,
 * the screen reader's list).
 */
export function Select(props: {
  id?: string;
  testId: string;
  value: string;
  choices: readonly Choice[];
  disabled?: boolean;
  title?: string;
  /** The accessible name when no visible label points at the select. */
  ariaLabel?: string;
  class?: string;
  onChange(value: string): void;
}) {
  return (
    <select
      id={props.id}
      class={props.class ? `select ${props.class}` : 'select'}
      data-testid={props.testId}
      value={props.value}
      disabled={props.disabled}
      title={props.title}
      aria-label={props.ariaLabel}
      onChange={(event) => props.onChange(event.currentTarget.value)}
    >
      {props.choices.map((choice) => (
        <option key={choice.value} value={choice.value} selected={choice.value === props.value}>
          {choice.description ? `${choice.label} (${choice.description})` : choice.label}
        </option>
      ))}
    </select>
  );
}
