import type { ComponentChildren, Ref } from 'preact';
import { escapeClosesForm } from './keys';

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
      // Escape in the capture phase: a vscode select stops its propagation, even when closed.
      onKeyDownCapture={(event) => {
        if (event.key === 'Escape' && escapeClosesForm(event.target instanceof HTMLElement ? event.target : undefined)) {
          event.preventDefault();
          onCancel();
        }
      }}
      onKeyDown={(event) => {
        if (submitOnCtrlEnter && event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
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
