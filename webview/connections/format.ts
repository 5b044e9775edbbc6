import * as l10n from '@vscode/l10n';
import type { ConnectionStatus } from '../../src/contracts/connections';
import type { ProviderDescriptor } from '../../src/contracts/providers';
import { formatCount, formatDecimal, pageLocale } from '../shared/locale';

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "just now", "5 minutes ago", "yesterday", ... for an ISO time; "never" when there is none.
 * A time in the future (clock skew between host and webview) reads as "just now".
 */
export function formatRelativeTime(iso: string | undefined, now: number, locale = pageLocale()): string {
  if (!iso) {
    return l10n.t('never');
  }
  const then = Date.parse(iso);
  if (Number.isNaN(then)) {
    return l10n.t('never');
  }
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 45) {
    return l10n.t('just now');
  }
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      return format.format(-Math.floor(seconds / size), unit);
    }
  }
  return format.format(-1, 'minute');
}

/** `85 ms`, `1.3 s`; an empty string when no test has measured it. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return '';
  }
  return ms < 1000 ? l10n.t('{0} ms', formatCount(Math.round(ms))) : l10n.t('{0} s', formatDecimal(ms / 1000, 1));
}

/** The masked hint the host sends (`****abcd`), or "no key". */
export function formatKeyHint(keyHint: string | undefined): string {
  return keyHint ? keyHint : l10n.t('no key');
}

/** The words shown next to the status colour, so the status never relies on colour alone. */
export function statusLabel(status: ConnectionStatus): string {
  switch (status) {
    case 'valid':
      return l10n.t('Valid');
    case 'invalid':
      return l10n.t('Invalid');
    default:
      return l10n.t('Not tested');
  }
}

/** The codicon that goes with a status. */
export function statusIcon(status: ConnectionStatus): string {
  switch (status) {
    case 'valid':
      return 'pass';
    case 'invalid':
      return 'error';
    default:
      return 'circle-large-outline';
  }
}

/** The provider's display name, or its id with a note when no descriptor is registered for it any more. */
export function providerName(providers: readonly ProviderDescriptor[], providerId: string): string {
  return providers.find((provider) => provider.id === providerId)?.displayName ?? l10n.t('{0} (not available)', providerId);
}

/** The end of a cool-down as a clock time, `10:31`, in the page's locale. */
export function formatCooldownEnd(iso: string, locale = pageLocale()): string {
  return new Date(Date.parse(iso)).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}
