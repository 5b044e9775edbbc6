import { formatCount, pageLocale } from './locale';

/** How a pager names its rows: the whole sentence for a range (first, last, total), and the one for none. */
export interface PageWords {
  range(first: string, last: string, total: string): string;
  none: string;
}

/** "Entries 51–100 of 2,345", or `none` when nothing matches. */
export function pageLabel(offset: number, shown: number, total: number, words: PageWords, locale = pageLocale()): string {
  if (total === 0) return words.none;
  const n = (value: number) => formatCount(value, locale);
  return words.range(n(offset + 1), n(offset + shown), n(total));
}
