import { FormField, Select, type FieldFrame } from '../shared/fields';
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

/** A select whose first choice is the empty value ("use the default ..."). */
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
      <Select
        id={props.id}
        testId={props.testId}
        ariaLabel={props.label}
        value={props.value}
        disabled={props.disabled}
        choices={[{ value: '', label: props.emptyLabel, description: props.emptyDescription }, ...props.options]}
        onChange={props.onChange}
      />
    </FormField>
  );
}
