import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { keyTarget, revealDelta, windowRange, type WindowRange } from './windowing';

interface VirtualListProps<T> {
  /** Every row's item; or, for rows the host pages, `rows` below. */
  items?: readonly T[];
  /**
   * Rows read a page at a time: how many there are, each that has arrived (undefined: not yet,
   * drawn by `placeholder`), and `onRange`, told which rows are drawn so their pages are asked for.
   */
  rows?: { count: number; at(index: number): T | undefined; placeholder(index: number): ComponentChildren; onRange(start: number, end: number): void };
  /** Every row is exactly this tall (px); the CSS of a row must not make it taller. */
  rowHeight: number;
  /**
   * `window`: the page scrolls and the list is part of it (a tab's main list). `self`: the
   * list is its own scroll box, as tall as its CSS `max-height` allows (a list inside a row).
   */
  scroller: 'window' | 'self';
  /** The accessible name of the list. */
  label: string;
  itemKey(item: T): string;
  renderRow(item: T, index: number): ComponentChildren;
  overscan?: number;
  /**
   * Column headings above the rows, inside the scroll box (`self`), where they stay in view
   * while the rows scroll under them and move sideways with them.
   */
  header?: ComponentChildren;
  class?: string;
  'data-testid'?: string;
}

/** What to focus once a row is rendered: the control with this test id in row `index`. */
interface PendingFocus {
  index: number;
  testId: string | undefined;
}

const FOCUSABLE = 'vscode-checkbox, vscode-button, vscode-textfield, button, input, [tabindex]:not([tabindex="-1"])';

/**
 * A list that renders only the rows in view (plus a few), so thousands of rows cost what
 * thirty do. Rows have one fixed height, which makes the window plain arithmetic
 * (windowing.ts). The up and down arrows, Page Up/Down, Home and End move focus between rows,
 * onto the same control, scrolling the row into view first; Tab walks the rendered rows, and
 * the browser's scroll-into-view on focus brings the next ones in.
 *
 * Our own, not react-window or TanStack Virtual: those need preact/compat or an adapter, and a
 * fixed-height window is forty lines. Positions are set through the CSSOM (`style` objects),
 * which the view's CSP allows; it forbids only inline style attributes in markup.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { rowHeight, scroller, overscan = 6 } = props;
  const count = props.rows?.count ?? props.items?.length ?? 0;
  const outer = useRef<HTMLDivElement>(null);
  const header = useRef<HTMLDivElement>(null);
  const pending = useRef<PendingFocus | undefined>(undefined);
  const [range, setRange] = useState<WindowRange>(() => windowRange({ scrollOffset: 0, viewportHeight: 0, rowHeight, count, overscan }));

  /** Where the viewport is relative to the list: the scroll box's own, or the page's. */
  const viewport = useCallback((): { scrollOffset: number; viewportHeight: number } => {
    const element = outer.current;
    if (!element) return { scrollOffset: 0, viewportHeight: 0 };
    // The sticky header covers the top of the box: the rows are seen below it.
    if (scroller === 'self') return { scrollOffset: element.scrollTop, viewportHeight: element.clientHeight - (header.current?.offsetHeight ?? 0) };
    // A hidden tab has no box: treat it as scrolled to the top with a window-high viewport.
    if (!element.getClientRects().length) return { scrollOffset: 0, viewportHeight: window.innerHeight };
    return { scrollOffset: -element.getBoundingClientRect().top, viewportHeight: window.innerHeight };
  }, [scroller]);

  const measure = useCallback(() => {
    const next = windowRange({ ...viewport(), rowHeight, count, overscan });
    setRange((current) => (current.start === next.start && current.end === next.end && current.totalHeight === next.totalHeight ? current : next));
  }, [viewport, rowHeight, count, overscan]);

  // After every render: the list may have moved (content above it changed) or changed length.
  useLayoutEffect(() => {
    measure();
  });

  useEffect(() => {
    const element = outer.current;
    if (!element) return undefined;
    const target: EventTarget = scroller === 'self' ? element : window;
    target.addEventListener('scroll', measure, { passive: true });
    window.addEventListener('resize', measure);
    // Fires when a hidden tab is shown and when the width changes.
    const observer = new ResizeObserver(() => measure());
    observer.observe(element);
    return () => {
      target.removeEventListener('scroll', measure);
      window.removeEventListener('resize', measure);
      observer.disconnect();
    };
  }, [scroller, measure]);

  const focusPending = () => {
    const want = pending.current;
    const row = want && outer.current?.querySelector<HTMLElement>(`[data-index="${want.index}"]`);
    if (!want || !row) return;
    pending.current = undefined;
    const control = (want.testId && row.querySelector<HTMLElement>(`[data-testid="${want.testId}"]`)) || row.querySelector<HTMLElement>(FOCUSABLE);
    if (!control) return;
    control.focus();
    // A row just rendered holds elements whose shadow DOM Lit renders a moment later; until
    // then a delegatesFocus element has nothing to focus.
    const pendingUpdate = (control as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
    if (!control.matches(':focus-within') && pendingUpdate) void pendingUpdate.then(() => control.focus());
  };

  /** The control last focused in the list, so focus can stay in the list when its row goes away. */
  const lastFocused = useRef<{ element: HTMLElement; index: number; testId: string | undefined } | undefined>(undefined);

  useLayoutEffect(() => {
    const last = lastFocused.current;
    // The focused row was deleted (or filtered away): focus the row that took its place, so a
    // keyboard user is not thrown back to the top of the page.
    if (!pending.current && last && !last.element.isConnected && (document.activeElement === document.body || !document.activeElement) && count) {
      lastFocused.current = undefined;
      pending.current = { index: Math.min(last.index, count - 1), testId: last.testId };
    }
    focusPending();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    const from = event.target instanceof HTMLElement ? event.target : undefined;
    const row = from?.closest<HTMLElement>('[data-index]');
    // Keys typed into a field, or with a modifier, are not list moves.
    if (!from || !row || from.matches('vscode-textfield, input, textarea') || event.altKey || event.ctrlKey || event.metaKey) return;
    const { scrollOffset, viewportHeight } = viewport();
    const index = Number(row.dataset.index);
    const next = keyTarget(event.key, index, count, Math.floor(viewportHeight / rowHeight) - 1);
    if (next === undefined || next === index) return;
    event.preventDefault();
    pending.current = { index: next, testId: from.closest('[data-testid]')?.getAttribute('data-testid') ?? undefined };
    const delta = revealDelta(next, rowHeight, scrollOffset, viewportHeight);
    if (delta) {
      if (scroller === 'self') outer.current?.scrollBy(0, delta);
      else window.scrollBy(0, delta);
    }
    measure();
    focusPending();
  };

  const { start, end, offsetTop, totalHeight } = range.totalHeight === count * rowHeight ? range : windowRange({ ...viewport(), rowHeight, count, overscan });
  const onRange = props.rows?.onRange;
  useEffect(() => onRange?.(start, end), [onRange, start, end]);
  const rows: ComponentChildren[] = [];
  for (let index = start; index < Math.min(end, count); index++) {
    const item = props.rows ? props.rows.at(index) : props.items![index]!;
    rows.push(
      // A row not yet arrived is keyed by its place, so the row that replaces it is a new element.
      <div key={item === undefined ? `\u0000${index}` : props.itemKey(item)} class="virtual-row" role="listitem" aria-setsize={count} aria-posinset={index + 1} data-index={index} style={{ height: `${rowHeight}px` }}>
        {item === undefined ? props.rows!.placeholder(index) : props.renderRow(item, index)}
      </div>,
    );
  }

  return (
    <div
      ref={outer}
      class={`virtual-list${scroller === 'self' ? ' scroll-self' : ''}${props.class ? ` ${props.class}` : ''}`}
      data-testid={props['data-testid']}
      data-rendered={`${start}-${end}`}
      onKeyDown={onKeyDown}
      onFocusIn={(event) => {
        const element = event.target instanceof HTMLElement ? event.target : undefined;
        const row = element?.closest<HTMLElement>('[data-index]');
        // `data-focus-return` names the control that stands in for a transient one (an edit field).
        const testId = element?.dataset.focusReturn ?? element?.closest('[data-testid]')?.getAttribute('data-testid') ?? undefined;
        if (element && row) lastFocused.current = { element, index: Number(row.dataset.index), testId };
      }}
    >
      {props.header && (
        <div ref={header} class="virtual-list-header">
          {props.header}
        </div>
      )}
      <div class="virtual-list-spacer" role="list" aria-label={props.label} style={{ height: `${totalHeight}px` }}>
        <div class="virtual-list-window" style={{ transform: `translateY(${offsetTop}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
