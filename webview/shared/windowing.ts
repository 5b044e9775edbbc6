/**
 * The arithmetic of a windowed list with a fixed row height, kept free of the DOM so unit tests
 * run it in Node: which rows to render for a scroll position, how far to scroll to show a row,
 * and where the list keys move focus.
 */

export interface WindowInput {
  /** How far the top of the viewport is below the top of the list, in px (negative: the list starts lower down). */
  scrollOffset: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows rendered beyond each edge, so Tab and the arrow keys always find the next row in the DOM. */
  overscan: number;
}

export interface WindowRange {
  /** The first rendered row. */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Where the first rendered row sits, in px from the top of the list. */
  offsetTop: number;
  totalHeight: number;
}

/**
 * The rows in view plus `overscan` on each side. A list below the viewport renders its first
 * rows, one above renders its last, so the rows next to the viewport are always there.
 */
export function windowRange({ scrollOffset, viewportHeight, rowHeight, count, overscan }: WindowInput): WindowRange {
  if (count <= 0 || !(rowHeight > 0)) {
    return { start: 0, end: 0, offsetTop: 0, totalHeight: 0 };
  }
  const totalHeight = count * rowHeight;
  const top = clamp(scrollOffset, 0, totalHeight);
  const bottom = clamp(scrollOffset + Math.max(0, viewportHeight), 0, totalHeight);
  const first = Math.min(count, Math.floor(top / rowHeight));
  const last = Math.max(first, Math.ceil(bottom / rowHeight));
  const start = Math.max(0, Math.min(first, count - 1) - overscan);
  const end = Math.min(count, Math.max(last, start + 1) + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** The scroll (px, negative = up) that brings row `index` wholly into view; 0 when it already is. */
export function revealDelta(index: number, rowHeight: number, scrollOffset: number, viewportHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollOffset) return top - scrollOffset;
  if (bottom > scrollOffset + viewportHeight) return Math.min(top - scrollOffset, bottom - (scrollOffset + viewportHeight));
  return 0;
}

/** Where a list key moves from row `index`, or undefined for a key the list leaves alone. */
export function keyTarget(key: string, index: number, count: number, pageSize: number): number | undefined {
  if (count <= 0) return undefined;
  const page = Math.max(1, pageSize);
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'PageDown':
      return Math.min(count - 1, index + page);
    case 'PageUp':
      return Math.max(0, index - page);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
