/** "Entries 51–100 of 2,345" (`noun` capitalised, plural), or `none` when nothing matches. */
export function pageLabel(offset: number, shown: number, total: number, words: { noun: string; none: string }, locale?: string): string {
  if (total === 0) return words.none;
  const n = (value: number) => value.toLocaleString(locale);
  return `${words.noun} ${n(offset + 1)}–${n(offset + shown)} of ${n(total)}`;
}
