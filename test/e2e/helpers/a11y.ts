/**
 * Checks that a webview reads well and works from the keyboard, run in its document:
 * the contrast of every visible piece of text against what is drawn behind it (WCAG 2.x),
 * the Tab order over every control with a visible focus indicator, and the live regions
 * that tell a screen reader what changed.
 *
 * Page-side code is passed as strings: this project's TypeScript has no DOM library.
 */
import * as assert from 'node:assert/strict';
import type { Frame, Locator, Page } from 'playwright-core';
import type { Webview } from './webviews';

/** Helpers shared by the page-side scripts below (an expression that defines `sb`). */
const PAGE_KIT = `const sb = (() => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const parsed = new Map();
  // Any CSS colour (rgb(), hex, color(srgb …), color-mix results) as [r, g, b, a], a in 0..1.
  const colour = (css) => {
    if (parsed.has(css)) return parsed.get(css);
    let rgba;
    const match = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(css.trim());
    if (match) rgba = [Number(match[1]), Number(match[2]), Number(match[3]), match[4] === undefined ? 1 : Number(match[4])];
    else if (!css.trim() || css.trim() === 'transparent') rgba = [0, 0, 0, 0];
    else {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = 'rgba(0, 0, 0, 0)';
      context.fillStyle = css.trim();
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      rgba = [r, g, b, a / 255];
    }
    parsed.set(css, rgba);
    return rgba;
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const luminance = ([r, g, b]) => {
    const channel = (value) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const hex = (rgba) => '#' + rgba.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  // The element a node is drawn inside: its slot when slotted, its shadow host at a shadow root's top.
  const up = (node) => node.assignedSlot || node.parentElement || (node.parentNode && node.parentNode.host) || null;
  const chain = (node) => {
    const out = [];
    for (let element = node.nodeType === 1 ? node : up(node); element; element = up(element)) out.push(element);
    return out;
  };
  const describe = (element) =>
    chain(element)
      .slice(0, 4)
      .reverse()
      .map((e) => {
        const testId = e.getAttribute('data-testid');
        const classes = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '';
        return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + classes + (testId ? '[data-testid="' + testId + '"]' : '');
      })
      .join(' > ');
  const visible = (element) => element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true, opacityProperty: true, visibilityProperty: true });
  const disabled = (element) => chain(element).some((e) => e.hasAttribute('disabled') || e.getAttribute('aria-disabled') === 'true');
  // Every element, light DOM and open shadow roots, in document order.
  const all = (root = document, out = []) => {
    for (const element of root.querySelectorAll('*')) {
      out.push(element);
      if (element.shadowRoot) all(element.shadowRoot, out);
    }
    return out;
  };
  const variable = (name) => colour(getComputedStyle(document.documentElement).getPropertyValue(name));
  return { colour, over, ratio, hex, up, chain, describe, visible, disabled, all, variable };
})();`;

export interface ContrastOffender {
  selector: string;
  text: string;
  foreground: string;
  background: string;
  ratio: number;
  required: number;
}

export interface ContrastReport {
  checked: number;
  offenders: ContrastOffender[];
  /** Texts left out, by reason (e.g. disabled controls, which WCAG exempts). */
  skipped: Record<string, number>;
  /** Every visible text, for the checks on what a person reads (names, never ids). */
  texts: string[];
}

/**
 * Contrast of every visible text node and filled-in field. The background is found by walking
 * up (through slots and shadow hosts) to the first opaque background, blending the
 * translucent ones on the way; below the document is the workbench part the webview sits on,
 * whose colour the first opaque one of `backdropVariables` gives (e.g. --vscode-sideBar-background).
 */
const CONTRAST_CHECK = `(backdropVariables) => {
  ${PAGE_KIT}
  const backdrop = backdropVariables.map(sb.variable).find((c) => c[3] >= 1);
  if (!backdrop) throw new Error('none of ' + backdropVariables.join(', ') + ' is an opaque colour in this webview');
  const result = { checked: 0, offenders: [], skipped: {}, texts: [] };
  const skip = (reason) => (result.skipped[reason] = (result.skipped[reason] || 0) + 1);
  const check = (element, text) => {
    if (!sb.visible(element)) return;
    const box = element.getBoundingClientRect();
    // The visually-hidden text for screen readers is clipped to a pixel.
    if (box.width <= 1 || box.height <= 1) return skip('visually hidden');
    result.texts.push(text);
    if (sb.disabled(element)) return skip('disabled control (WCAG 1.4.3 exempts inactive controls)');
    const layers = [];
    let opacity = 1;
    for (const e of sb.chain(element)) {
      const style = getComputedStyle(e);
      opacity *= Number(style.opacity);
      const background = sb.colour(style.backgroundColor);
      if (background[3] > 0) layers.push(background);
      if (background[3] >= 1) break;
    }
    const behind = layers.reduceRight((below, layer) => sb.over(layer, below), backdrop);
    const style = getComputedStyle(element);
    const ink = sb.colour(style.color);
    const drawn = sb.over([ink[0], ink[1], ink[2], ink[3] * opacity], behind);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const required = large ? 3 : 4.5;
    const ratio = sb.ratio(drawn, behind);
    result.checked++;
    if (ratio < required) {
      result.offenders.push({ selector: sb.describe(element), text: text.slice(0, 60), foreground: sb.hex(drawn), background: sb.hex(behind), ratio: Math.round(ratio * 100) / 100, required });
    }
  };
  for (const element of sb.all()) {
    if (/^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT)$/.test(element.tagName)) continue;
    for (const node of element.childNodes) {
      const text = node.nodeType === 3 ? node.textContent.trim() : '';
      if (!text) continue;
      // A slotted text node is drawn, and inherits its colour, where its slot is.
      check(node.assignedSlot || element, text);
    }
    if ((element.tagName === 'INPUT' && !/^(checkbox|radio|hidden)$/.test(element.type)) || element.tagName === 'TEXTAREA') {
      if (element.value) check(element, element.value);
      else if (element.placeholder && sb.visible(element)) skip('placeholder of an empty field (the field\\'s label names it)');
    }
  }
  const seen = new Set();
  result.offenders = result.offenders.filter((o) => !seen.has(o.selector + o.text) && seen.add(o.selector + o.text));
  return result;
}`;

export async function checkContrast(frame: Frame, backdropVariables: readonly string[]): Promise<ContrastReport> {
  return (await frame.evaluate(`(${CONTRAST_CHECK})(${JSON.stringify(backdropVariables)})`)) as ContrastReport;
}

export function formatOffenders(offenders: readonly ContrastOffender[]): string {
  return offenders.map((o) => `  ${o.selector} "${o.text}": ${o.foreground} on ${o.background}, ratio ${o.ratio} < ${o.required}`).join('\n');
}

/** The controls a person must be able to reach with Tab: visible, enabled, each marked with a key. */
const LIST_CONTROLS = `(() => {
  ${PAGE_KIT}
  const selector = 'button, a[href], input:not([type=hidden]), select, textarea, vscode-button, vscode-textfield, vscode-textarea, vscode-checkbox, vscode-tab-header, [tabindex]';
  const controls = [];
  let next = 0;
  for (const element of document.querySelectorAll(selector)) {
    if (!sb.visible(element) || element.hasAttribute('disabled')) continue;
    // Tabs move with the arrow keys (one tab stop for the tab list), as in VS Code.
    if (element.tagName === 'VSCODE-TAB-HEADER' && element.getAttribute('aria-selected') !== 'true') continue;
    if (!element.dataset.a11yKey) element.dataset.a11yKey = 'c' + Date.now().toString(36) + '-' + next++;
    controls.push({ key: element.dataset.a11yKey, name: sb.describe(element) });
  }
  return controls;
})()`;

/**
 * Where focus is in the document: the control (the light-DOM element, e.g. a vscode-textfield
 * whose inner input has it) and whether anything drawn for it shows the focus border.
 */
const FOCUS_STATE = `(() => {
  ${PAGE_KIT}
  const focused = document.activeElement;
  if (!document.hasFocus() || !focused || focused === document.body) return { inside: false };
  // A focusable element the control list left out gets a key too, so the walks can compare orders.
  if (!focused.dataset.a11yKey) focused.dataset.a11yKey = 'unlisted-' + Math.random().toString(36).slice(2, 8);
  const focusBorder = sb.variable('--vscode-focusBorder');
  const same = (css) => {
    const c = sb.colour(css);
    return c[3] > 0 && [0, 1, 2].every((i) => Math.abs(c[i] - focusBorder[i]) <= 2);
  };
  // The focused element, the one inside its shadow root that has focus, and what that root draws.
  const drawn = [];
  for (let e = focused; e; e = e.shadowRoot && e.shadowRoot.activeElement) {
    drawn.push(e);
    if (e.shadowRoot) drawn.push(...sb.all(e.shadowRoot));
  }
  const shows = drawn.find((e) => {
    if (!sb.visible(e)) return false;
    const s = getComputedStyle(e);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && same(s.outlineColor)) return true;
    if (s.boxShadow !== 'none' && /rgba?\\([^)]*\\)/.test(s.boxShadow) && same(/rgba?\\([^)]*\\)/.exec(s.boxShadow)[0])) return true;
    return ['Top', 'Right', 'Bottom', 'Left'].some((side) => s['border' + side + 'Style'] !== 'none' && parseFloat(s['border' + side + 'Width']) > 0 && same(s['border' + side + 'Color']));
  });
  return { inside: true, key: focused.dataset.a11yKey, name: sb.describe(focused), indicator: Boolean(shows), focusBorder: sb.hex(focusBorder) };
})()`;

interface FocusState {
  inside: boolean;
  key?: string;
  name?: string;
  indicator?: boolean;
  focusBorder?: string;
}

export interface TabWalk {
  controls: number;
  unreachable: string[];
  invisible: string[];
  /** The order Shift+Tab gave differs from Tab's, reversed. */
  orderMismatch: string | undefined;
}

/**
 * Walks the webview's controls with Tab from the first one to where focus leaves the
 * document, then back with Shift+Tab from the last one; each control focused on the way must
 * show the focus border. The ends are focused by script, so their indicators are judged on the
 * walk that arrives at them.
 */
export async function walkTabOrder(page: Page, webview: Webview): Promise<TabWalk> {
  const frame = await webview.frame();
  const controls = (await frame.evaluate(LIST_CONTROLS)) as Array<{ key: string; name: string }>;
  assert.ok(controls.length > 0, `webview ${webview.name} has no control to walk`);
  const invisible = new Set<string>();
  const names = new Map(controls.map((control) => [control.key, control.name]));
  const walk = async (key: string, from: string): Promise<string[]> => {
    const order = [from];
    for (let step = 0; step < controls.length + 15; step++) {
      await page.keyboard.press(key);
      const state = (await frame.evaluate(FOCUS_STATE)) as FocusState;
      if (!state.inside) break;
      if (!state.indicator) invisible.add(`${state.name} (focus border ${state.focusBorder})`);
      if (state.key === order[0] && order.length > 1) break;
      names.set(state.key!, state.name!);
      order.push(state.key!);
    }
    return order;
  };
  const first = controls[0]!;
  await frame.locator(`[data-a11y-key="${first.key}"]`).focus();
  const forward = await walk('Tab', first.key);
  // The last Tab left the document; the way back starts from its last control again.
  const last = forward[forward.length - 1]!;
  await frame.locator(`[data-a11y-key="${last}"]`).focus();
  const backward = await walk('Shift+Tab', last);
  const reached = new Set([...forward, ...backward]);
  const named = (key: string) => names.get(key) ?? key;
  const reversed = [...backward].reverse();
  return {
    controls: controls.length,
    unreachable: controls.filter((control) => !reached.has(control.key)).map((control) => control.name),
    invisible: [...invisible],
    orderMismatch: reversed.join() === forward.join() ? undefined : `\n  Tab: ${forward.map(named).join('\n    ')}\n  Shift+Tab reversed: ${reversed.map(named).join('\n    ')}`,
  };
}

/**
 * Fails unless the element is, or sits in, a region that screen readers announce when its
 * text changes (aria-live polite or assertive, or role status, alert or log).
 */
export async function assertLiveRegion(region: Locator, what: string): Promise<void> {
  const live = await region.evaluate((element) => {
    for (let e: Element | null = element; e; e = e.parentElement) {
      const polite = e.getAttribute('aria-live');
      if (polite === 'polite' || polite === 'assertive') return true;
      if (/^(status|alert|log)$/.test(e.getAttribute('role') ?? '')) return true;
    }
    return false;
  });
  assert.ok(live, `${what} is not in a live region (aria-live or role=status/alert): a screen reader does not hear it change`);
}
