interface RowActionProps {
  testId: string;
  icon: string;
  /** The accessible name, e.g. "Delete Local Ollama". */
  label: string;
  title: string;
  disabled?: boolean;
  /** For an action that opens a panel under the row. */
  expanded?: boolean;
  onClick(): void;
}

/** An icon-only action in a row's toolbar, like VS Code's action bar; it does nothing while disabled. */
export function RowAction({ testId, icon, label, title, disabled, expanded, onClick }: RowActionProps) {
  return (
    <vscode-button
      class="action"
      data-testid={testId}
      icon={icon}
      iconOnly
      secondary
      disabled={disabled}
      aria-expanded={expanded === undefined ? undefined : expanded ? 'true' : 'false'}
      aria-label={label}
      title={title}
      onClick={() => !disabled && onClick()}
    />
  );
}
