/**
 * The page's language, for numbers and dates: `<html lang>`, which the host sets to VS Code's
 * display language (src/vscode/webviewHtml.ts), so "131,072" reads "131.072" in a German VS Code
 * whatever the browser's own locale. Outside a page (the unit tests) it is English.
 */
export function pageLocale(): string {
  return (typeof document === 'undefined' ? '' : document.documentElement.lang) || 'en';
}

/** A count as the page's language writes it: `2,000` in English. */
export function formatCount(value: number, locale = pageLocale()): string {
  return value.toLocaleString(locale);
}

/** A number with exactly `digits` decimals as the page's language writes it: `1.3` in English, `1,3` in German. */
export function formatDecimal(value: number, digits: number, locale = pageLocale()): string {
  return value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
