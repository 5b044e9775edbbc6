import * as l10n from '@vscode/l10n';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { SwitchboardError, errorText } from '../base/errors';

/** Which certificate authorities HTTPS to providers trusts beside Node's bundled roots. */
export interface TrustSettings {
  /** The operating system's store too, as VS Code's `http.systemCertificates` does. */
  systemCertificates: boolean;
  /** A PEM file of more authorities (`switchboard.caCertificatesFile`); '' for none. */
  caFile: string;
}

let systemStore: string[] | undefined;

/**
 * The authorities to trust, or undefined when Node's bundled roots alone will do (then nothing is
 * passed and Node uses its own). Giving `ca` replaces Node's roots, so they come first. The system
 * store is read once per process: Node 22.15+ and 24 have `tls.getCACertificates('system')`; an
 * older Node has no way to read it and keeps its bundled roots.
 */
export function trustedAuthorities(settings: TrustSettings): string[] | undefined {
  const extra: string[] = [];
  if (settings.systemCertificates) extra.push(...systemCertificates());
  if (settings.caFile) extra.push(...readCaFile(settings.caFile));
  if (extra.length === 0) return undefined;
  return [...new Set([...tls.rootCertificates, ...extra])];
}

function systemCertificates(): string[] {
  if (!systemStore) {
    const read = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
    try {
      systemStore = read ? read('system') : [];
    } catch {
      // A store the OS cannot open is the same as none: Node's roots still apply.
      systemStore = [];
    }
  }
  return systemStore;
}

/** The certificates of a PEM file, each whole; `invalid_input` with the reason when there are none or it cannot be read. */
function readCaFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SwitchboardError('invalid_input', l10n.t('The CA file "{0}" named in switchboard.caCertificatesFile could not be read ({1}). Fix the path, or clear the setting.', file, errorText(error)));
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certificates.length === 0) {
    throw new SwitchboardError('invalid_input', l10n.t('The CA file "{0}" named in switchboard.caCertificatesFile holds no PEM certificate (-----BEGIN CERTIFICATE-----). Name a PEM file, or clear the setting.', file));
  }
  return certificates;
}
