import type { RefObject } from 'preact';

/** A control to focus again: its test id, and a selector for the row it is in (none: anywhere in the view). */
export interface FocusTarget {
  testId: string;
  row?: string;
}

/** After the render that closes a form or panel: focus the control that opened it. */
export function focusAfterRender(container: RefObject<HTMLElement>, target: FocusTarget | undefined): void {
  if (!target) return;
  setTimeout(() => {
    const scope = target.row ? container.current?.querySelector(target.row) : container.current;
    scope?.querySelector<HTMLElement>(`[data-testid="${target.testId}"]`)?.focus();
  }, 0);
}
