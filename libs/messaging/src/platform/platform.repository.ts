import type { Queryable } from '../db/db.service';

/** The platform webhook's SQL (STYLE.md 9, 12): what the host app is told about one of its users. */

/** A host-app user's id there and their standing here. */
export interface HostUserStanding {
  externalId: string;
  status: string;
  suspendedUntil: Date | null;
  restrictedUntil: Date | null;
}

/** Null for an account the host app did not create (no externalId), or one that is gone. */
export async function findHostUserStanding(q: Queryable, userId: string): Promise<HostUserStanding | null> {
  const [u] = await q.query<{ external_id: string | null; status: string; suspended_until: Date | null; restricted_until: Date | null }>(
    `SELECT external_id, status, suspended_until, restricted_until FROM app_user WHERE id = $1`,
    [userId],
  );
  if (!u?.external_id) return null;
  return { externalId: u.external_id, status: u.status, suspendedUntil: u.suspended_until, restrictedUntil: u.restricted_until };
}
