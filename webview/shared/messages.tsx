import type { ComponentChildren } from 'preact';

/** The outcome of something a row or panel did, shown inline under it. */
export interface RowMessage {
  kind: 'success' | 'error' | 'info';
  text: string;
}

const MESSAGE_ICONS: Record<RowMessage['kind'], string> = { success: 'pass', error: 'error', info: 'info' };

/** A message line with its icon: an error is read out at once (alert), anything else politely (status). */
export function MessageLine({ message, testId, children }: { message: RowMessage; testId: string; children?: ComponentChildren }) {
  return (
    <div class={`row-message ${message.kind}`} data-testid={testId} role={message.kind === 'error' ? 'alert' : 'status'}>
      <vscode-icon name={MESSAGE_ICONS[message.kind]} class="message-icon" />
      <span>{message.text}</span>
      {children}
    </div>
  );
}

/** What a view or tab shows until the host's first snapshot arrives; `text` is the whole sentence, e.g. "Loading agents…". */
export function Loading({ class: className, testId = 'loading', text }: { class: string; testId?: string; text: string }) {
  return (
    <div class={`${className} loading`} data-testid={testId} role="status">
      <vscode-progress-ring class="inline-progress" aria-label={text} />
      <span>{text}</span>
    </div>
  );
}

/**
 * A whole sentence from l10n.t, called without its arguments so that its `{0}`, `{1}`… are left
 * in, with each argument shown in bold where it stands: a translation may move them.
 */
export function WithStrong({ sentence, strong }: { sentence: string; strong: readonly string[] }) {
  return <>{sentence.split(/\{(\d+)\}/).map((part, index) => (index % 2 ? <strong key={index}>{strong[Number(part)] ?? ''}</strong> : part))}</>;
}
