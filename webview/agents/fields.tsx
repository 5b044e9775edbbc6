import { textAreaRows, type SelectOption } from './agentModel';

interface FieldBase {
  id: string;
  testId: string;
  label: string;
  required?: boolean;
  description?: string;
  error?: string;
  errorTestId: string;
}

/** An error line: under a field, or (`alert`) under a form, read out when it appears. */
export function FieldError({ testId, text, alert }: { testId: string; text: string; alert?: boolean }) {
  return alert ? (
    <p class="form-error" data-testid={testId} role="alert">
      <vscode-icon name="error" class="message-icon" />
      <span>{text}</span>
    </p>
  ) : (
    <div class="field-error" data-testid={testId}>
      {text}
    </div>
  );
}

function FieldFooter({ id, description, error, errorTestId }: Pick<FieldBase, 'id' | 'description' | 'error' | 'errorTestId'>) {
  return (
    <>
      {description && (
        <vscode-form-helper id={`${id}-help`} class="field-description">
          {description}
        </vscode-form-helper>
      )}
      {error && <FieldError testId={errorTestId} text={error} />}
    </>
  );
}

export function TextField(props: FieldBase & { value: string; placeholder?: string; onInput(value: string): void }) {
  return (
    <div class="form-field">
      <vscode-label htmlFor={props.id} required={props.required}>
        {props.label}
      </vscode-label>
      <vscode-textfield
        id={props.id}
        data-testid={props.testId}
        label={props.label}
        value={props.value}
        placeholder={props.placeholder}
        invalid={Boolean(props.error)}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <FieldFooter {...props} />
    </div>
  );
}

export function TextAreaField(props: FieldBase & { value: string; rows: number; maxRows?: number; placeholder?: string; onInput(value: string): void }) {
  return (
    <div class="form-field">
      <vscode-label htmlFor={props.id} required={props.required}>
        {props.label}
      </vscode-label>
      <vscode-textarea
        id={props.id}
        class="agents-textarea"
        data-testid={props.testId}
        label={props.label}
        value={props.value}
        rows={textAreaRows(props.value, props.rows, props.maxRows ?? 20)}
        resize="none"
        placeholder={props.placeholder}
        invalid={Boolean(props.error)}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <FieldFooter {...props} />
    </div>
  );
}

/**
 * A vscode-single-select whose first option is the empty value ("use the default ..."). Each
 * option also carries `selected`, because the select reads its state from its options when
 * they are slotted in, before `value` can match one of them.
 */
export function SelectField(
  props: FieldBase & {
    value: string;
    emptyLabel: string;
    emptyDescription?: string;
    options: readonly SelectOption[];
    disabled?: boolean;
    onChange(value: string): void;
  },
) {
  return (
    <div class="form-field">
      <vscode-label htmlFor={props.id} required={props.required}>
        {props.label}
      </vscode-label>
      <vscode-single-select
        id={props.id}
        data-testid={props.testId}
        label={props.label}
        value={props.value}
        disabled={props.disabled}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        <vscode-option value="" selected={props.value === ''} description={props.emptyDescription}>
          {props.emptyLabel}
        </vscode-option>
        {props.options.map((option) => (
          <vscode-option key={option.value} value={option.value} selected={option.value === props.value} description={option.description}>
            {option.label}
          </vscode-option>
        ))}
      </vscode-single-select>
      <FieldFooter {...props} />
    </div>
  );
}
