import { MessagingRestricted } from '../errors';
import type { Queryable } from '../db/db.service';

/**
 * An account's standing as the write policy reads it: "restricted from messaging" (staff's
 * restrict_messaging, until `restricted_until`). One SQL predicate and one check, used by
 * every write (send, edit, react, reply, question, create, add member), with one refusal:
 * 403 messaging_restricted.
 */

/** The account (alias `u`, an app_user row) is restricted from messaging now. */
export const restrictedSql = (u: string): string => `(${u}.restricted_until IS NOT NULL AND ${u}.restricted_until > now())`;

/** The one refusal of a restricted account, whatever it tried to write. */
export const messagingRestricted = (until: Date | string): InstanceType<typeof MessagingRestricted> =>
  new MessagingRestricted(`You may not start conversations or send messages until ${new Date(until).toISOString()}.`);

/**
 * For a row read without restrictedSql (e.g. `SELECT restricted_until FROM app_user`): the
 * same rule in TypeScript, the clock being the database's when `restricted` is given.
 */
export function assertNotRestricted(row: { restricted?: boolean; restricted_until: Date | string | null } | undefined): void {
  if (!row?.restricted_until) return;
  const restricted = row.restricted ?? new Date(row.restricted_until).getTime() > Date.now();
  if (restricted) throw messagingRestricted(row.restricted_until);
}

/**
 * Starting conversations (create, add members) asks one thing more of the account: staff
 * have not switched off its DM access (`PUT /admin/v1/users/:id/dm-access`). Replies where it
 * is already active stay open, so every other write reads only the restriction above.
 * Refusal: the same 403 messaging_restricted, worded for what is still allowed.
 */
export const dmAccessRevokedSql = (u: string): string => `(${u}.dm_access_revoked_at IS NOT NULL)`;

export const dmAccessRevoked = (): InstanceType<typeof MessagingRestricted> =>
  new MessagingRestricted('You may not start conversations or add people right now. You can still reply in your existing conversations.');

/** The write policy for starting a conversation or adding members: not restricted, DM access not switched off. */
export function assertMayStartConversations(
  row: { restricted?: boolean; restricted_until: Date | string | null; dm_access_revoked?: boolean } | undefined,
): void {
  assertNotRestricted(row);
  if (row?.dm_access_revoked) throw dmAccessRevoked();
}

/** The standing check on its own, for a write that reads nothing else of the account (a room question). */
export async function assertAccountMayWrite(q: Queryable, userId: string): Promise<void> {
  const [row] = await q.query(`SELECT ${restrictedSql('u')} AS restricted, u.restricted_until FROM app_user u WHERE u.id = $1`, [userId]);
  assertNotRestricted(row);
}
