import { Blocked, MessagingRestricted } from '../errors';

/**
 * "May this user write in this conversation now" (STYLE.md, convention 11), one definition for
 * every write members hear of: send (SEND_SQL and its slow path), edit and react. The writer is
 * not restricted, and no block stands between them and the other member of a direct
 * conversation. Which member states may write is each write's own rule (a send and a reaction
 * need `active`; a pending member's reply is an accept first).
 */

/** The writer (alias `u`, an app_user row) is restricted from messaging now. */
export const writerRestrictedSql = (u: string): string => `(${u}.restricted_until IS NOT NULL AND ${u}.restricted_until > now())`;

/** A block, either way, between the writer (`writerId`, a SQL expression) and the other member of direct conversation `c`. */
export const directBlockSql = (c: string, writerId: string): string => `(${c}.kind = 'direct' AND EXISTS (
  SELECT 1 FROM conversation_member o JOIN block b
    ON (b.blocker_id = ${writerId} AND b.blocked_id = o.user_id) OR (b.blocked_id = ${writerId} AND b.blocker_id = o.user_id)
   WHERE o.conversation_id = ${c}.id AND o.user_id <> ${writerId}))`;

/** The columns `assertMayWrite` reads, for a query joining the writer as `u` and the conversation as `c`. */
export const writeCheckColumns = (u: string, c: string, writerId: string): string =>
  `${writerRestrictedSql(u)} AS restricted, ${u}.restricted_until, ${directBlockSql(c, writerId)} AS blocked`;

export interface WriteCheckRow {
  restricted: boolean;
  restricted_until: Date | string | null;
  blocked: boolean;
}

/** 403 messaging_restricted, then 403 blocked (`blockedMessage` words it for the write). */
export function assertMayWrite(row: WriteCheckRow, blockedMessage?: string): void {
  if (row.restricted) throw new MessagingRestricted(`You may not send messages until ${new Date(row.restricted_until!).toISOString()}.`);
  if (row.blocked) throw new Blocked(blockedMessage);
}
