import { FormField, type FieldFrame } from '../shared/fields';
import { textAreaRows, type SelectOption } from './agentModel';

export function TextAreaField(props: FieldFrame & { testId: string; value: string; rows: number; maxRows?: number; placeholder?: string; onInput(value: string): void }) {
  return (
    <FormField {...props}>
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
    </FormField>
  );
}

/**
 * A vscode-single-select whose first option is the empty value ("use the default ..."). Each
 * option also carries `selected`, because the select reads its state from its options when
 * they are slotted in, before `value` can match one of them.
 */
export function SelectField(
  props: FieldFrame & {
    testId: string;
    value: string;
    emptyLabel: string;
    emptyDescription?: string;
    options: readonly SelectOption[];
    disabled?: boolean;
    onChange(value: string): void;
  },
) {
  return (
    <FormField {...props}>
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
    </FormField>
  );
}
