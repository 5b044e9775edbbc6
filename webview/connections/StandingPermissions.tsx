import * as l10n from '@vscode/l10n';
import type { StandingPermission } from '../../src/contracts/connectionsView';
import { RowAction } from '../shared/RowAction';
import { formatRelativeTime } from './format';

interface StandingPermissionsProps {
  /** The connection's standing permissions (the snapshot's, for this connection). */
  permissions: readonly StandingPermission[];
  connectionName: string;
  now: number;
  busy: boolean;
  onRevoke(requesterId: string): void;
}

/**
 * Who may use a connection's key without asking ("Always Allow"): each with since when, for
 * which key and origin, and a button that revokes it (the next use asks again).
 */
export function StandingPermissions({ permissions, connectionName, now, busy, onRevoke }: StandingPermissionsProps) {
  if (!permissions.length) return null;
  return (
    <ul class="standing-permissions" data-testid="standing-permissions" aria-label={l10n.t('Always allowed to use the key of {0}', connectionName)}>
      {permissions.map((permission) => (
        <li key={permission.requesterId} class="standing-permission" data-testid="standing-permission" data-requester-id={permission.requesterId} title={permission.grantedAt}>
          <vscode-icon name="shield" class="detail-icon" />
          <span class="standing-permission-text">{describe(permission, now)}</span>
          <RowAction
            testId="revoke-permission-button"
            icon="close"
            label={l10n.t('Revoke the permission of {0} to use the key of {1}', permission.requesterName, connectionName)}
            title={l10n.t('Revoke: the next use asks again')}
            disabled={busy}
            onClick={() => onRevoke(permission.requesterId)}
          />
        </li>
      ))}
    </ul>
  );
}

function describe(permission: StandingPermission, now: number): string {
  const since = formatRelativeTime(permission.grantedAt, now);
  const origin = permission.origin ?? l10n.t('an unrecorded address');
  return permission.keyHint
    ? l10n.t('{0} may use key {1} with {2} without asking (allowed {3}).', permission.requesterName, permission.keyHint, origin, since)
    : l10n.t('{0} was allowed an earlier key with {1} ({2}); it no longer applies.', permission.requesterName, origin, since);
}
