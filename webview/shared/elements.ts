// JSX types for the @vscode-elements/elements tags the views use. Preact sets a prop as a
// property when the element has one (all of these are defined before the first render), and
// `on<event-name>` listens to that event, e.g. `onvsc-tabs-select`.
import type { JSX } from 'preact';
import type { VscodeBadge } from '@vscode-elements/elements/dist/vscode-badge/vscode-badge.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeDivider } from '@vscode-elements/elements/dist/vscode-divider/vscode-divider.js';
import type { VscodeFormHelper } from '@vscode-elements/elements/dist/vscode-form-helper/vscode-form-helper.js';
import type { VscodeIcon } from '@vscode-elements/elements/dist/vscode-icon/vscode-icon.js';
import type { VscodeLabel } from '@vscode-elements/elements/dist/vscode-label/vscode-label.js';
import type { VscodeProgressRing } from '@vscode-elements/elements/dist/vscode-progress-ring/vscode-progress-ring.js';
import type { VscodeTabHeader } from '@vscode-elements/elements/dist/vscode-tab-header/vscode-tab-header.js';
import type { VscodeTabPanel } from '@vscode-elements/elements/dist/vscode-tab-panel/vscode-tab-panel.js';
import type { VscodeTabs, VscTabsSelectEvent } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

type ElementProps<T extends HTMLElement> = Omit<JSX.HTMLAttributes<T>, 'onInput' | 'onChange'> & { 'data-testid'?: string };
type Handler<T extends EventTarget, E extends Event = Event> = (event: E & { currentTarget: T }) => void;
/** What vscode-textfield and vscode-textarea have in common. */
type TextInputProps<T extends EventTarget> = {
  value?: string;
  placeholder?: string;
  disabled?: boolean;
  invalid?: boolean;
  label?: string;
  /** Keeps focus, unlike disabled: for a field that waits on the host. */
  readonly?: boolean;
  onInput?: Handler<T>;
};

declare module 'preact' {
  // Preact types JSX as a namespace, so augmenting it takes one.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'vscode-badge': ElementProps<VscodeBadge> & { variant?: VscodeBadge['variant'] };
      'vscode-button': ElementProps<VscodeButton> & {
        disabled?: boolean;
        secondary?: boolean;
        icon?: string;
        iconOnly?: boolean;
        iconSpin?: boolean;
        type?: 'submit' | 'reset' | 'button';
      };
      'vscode-checkbox': ElementProps<VscodeCheckbox> & {
        checked?: boolean;
        disabled?: boolean;
        indeterminate?: boolean;
        label?: string;
        /** Renders as a switch (role="switch"). */
        toggle?: boolean;
        onChange?: Handler<VscodeCheckbox>;
      };
      'vscode-divider': ElementProps<VscodeDivider>;
      'vscode-form-helper': ElementProps<VscodeFormHelper>;
      'vscode-icon': ElementProps<VscodeIcon> & { name: string; label?: string; size?: number; spin?: boolean; actionIcon?: boolean };
      'vscode-label': ElementProps<VscodeLabel> & { htmlFor?: string; required?: boolean };
      'vscode-progress-ring': ElementProps<VscodeProgressRing>;
      'vscode-tab-header': ElementProps<VscodeTabHeader> & { slot?: string };
      'vscode-tab-panel': ElementProps<VscodeTabPanel>;
      'vscode-tabs': ElementProps<VscodeTabs> & {
        selectedIndex?: number;
        panel?: boolean;
        'onvsc-tabs-select'?: Handler<VscodeTabs, VscTabsSelectEvent>;
      };
      'vscode-textarea': ElementProps<VscodeTextarea> &
        TextInputProps<VscodeTextarea> & {
          rows?: number;
          monospace?: boolean;
          resize?: 'both' | 'horizontal' | 'vertical' | 'none';
        };
      'vscode-textfield': ElementProps<VscodeTextfield> & TextInputProps<VscodeTextfield> & { type?: 'text' | 'url' | 'password' | 'search' };
    }
  }
}
