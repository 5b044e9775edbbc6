// JSX types for the vscode-elements tags the Agents view uses that webview/shared/elements.ts
// does not declare yet. Kept here so the Agents view does not edit the shared file while the
// Connections view is changing it; move these there when both settle.
import type { JSX } from 'preact';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';

type Handler<T extends EventTarget, E extends Event = Event> = (event: E & { currentTarget: T }) => void;
type TextareaProps = Omit<JSX.HTMLAttributes<VscodeTextarea>, 'onInput' | 'onChange' | 'rows'>;

declare module 'preact' {
  // Preact types JSX as a namespace, so augmenting it takes one.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'vscode-textarea': TextareaProps & {
        'data-testid'?: string;
        value?: string;
        placeholder?: string;
        disabled?: boolean;
        invalid?: boolean;
        label?: string;
        rows?: number;
        monospace?: boolean;
        resize?: 'both' | 'horizontal' | 'vertical' | 'none';
        onInput?: Handler<VscodeTextarea>;
      };
    }
  }
}
