/** What a form needs to know about the element a key went to (the host element, for a shadow-DOM control). */
export interface KeyTargetInfo {
  tagName: string;
  /** A vscode select's `open`: its dropdown is showing. */
  open?: unknown;
}

const SELECTS = new Set(['vscode-single-select', 'vscode-multi-select']);

/**
 * Whether Escape on `target` closes the form around it. A vscode select swallows Escape
 * (it stops its propagation even when its dropdown is closed), so the form listens in the
 * capture phase and decides here: an open dropdown takes Escape to close itself, anything
 * else leaves the form.
 */
export function escapeClosesForm(target: KeyTargetInfo | null | undefined): boolean {
  if (!target) return true;
  return !(SELECTS.has(target.tagName.toLowerCase()) && target.open === true);
}
