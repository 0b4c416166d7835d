import { type AuditStamp, OWN_ADMIN_KEY } from '../protocol/index.js';
import type { Grant } from './auth/index.js';

/** A command's `audit` field: set for what an admin or submitter key asks, absent otherwise. */
export type Audited = { audit?: AuditStamp };

/**
 * Who asked and from where, for the audit log: the key (a managed key's id, `admin` for the
 * coordinator's own) and the connection's peer address. Workers' and members' traffic is not
 * audited.
 */
export function audited(grant: Pick<Grant, 'role' | 'keyId'>, from: string | undefined): Audited {
  if (grant.role !== 'admin' && grant.role !== 'submitter') return {};
  return {
    audit: { key: grant.keyId ?? OWN_ADMIN_KEY, role: grant.role, from: from ?? 'unknown' },
  };
}
