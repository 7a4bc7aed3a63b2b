import { Blocked, ConversationLocked, RequestPendingLimit } from '../errors';
import { MAX_REQUEST_MESSAGES, creatorCappedSql } from './request-cap';
import { assertNotRestricted, restrictedSql } from './standing';

/**
 * "May this user write here now" (STYLE.md, convention 11): one definition for every write
 * members hear of: send (SEND_SQL and its slow path, REST and socket alike), reply, edit,
 * react, and (through assertNotRestricted and the block predicates) create, add member and
 * room questions. The writer is not restricted (standing.ts), no block stands between them
 * and the other member of a direct conversation, and a creator whose request is not yet
 * accepted has sent fewer than MAX_REQUEST_MESSAGES (request-cap.ts; a send's rule only:
 * an edit or a reaction adds no message). Which member states may write is each write's own
 * rule (a send and a reaction need `active`; a pending member's reply is an accept first);
 * what the writer may not see is 404 before any of these.
 * A conversation staff locked (`POST /admin/v1/conversations/:id/lock`) takes no write at
 * all: no send, edit, reaction or added member (conversationLockedSql; SEND_SQL checks it on
 * the conversation row its seq UPDATE locks, so no send is accepted after a lock commits).
 * Refusals, in this order: 403 messaging_restricted, 403 conversation_locked, 403 blocked,
 * 403 request_pending_limit.
 */

/** Conversation `c` is locked by staff. */
export const conversationLockedSql = (c: string): string => `(${c}.locked_at IS NOT NULL)`;

/** The one refusal of a write in a locked conversation. */
export const conversationLocked = () =>
  new ConversationLocked('This conversation has been locked by moderators: nobody can send, edit, react or add people here for now.');

/** For a write that reads the conversation row itself (adding members): 403 conversation_locked when staff locked it. */
export function assertConversationOpen(row: { locked: boolean } | undefined): void {
  if (row?.locked) throw conversationLocked();
}

/** A block row `b` lies between users `x` and `y` (SQL expressions), whoever made it. */
export const blockEitherWaySql = (b: string, x: string, y: string): string =>
  `(${b}.blocker_id = ${x} AND ${b}.blocked_id = ${y}) OR (${b}.blocked_id = ${x} AND ${b}.blocker_id = ${y})`;

/** Either of users `x` and `y` blocks the other. */
export const pairBlockedSql = (x: string, y: string): string => `EXISTS (SELECT 1 FROM block b WHERE ${blockEitherWaySql('b', x, y)})`;

/** Someone of the uuid[] `xs` blocks, or is blocked by, someone of the uuid[] `ys` (a group as it would be). */
export const blockAmongSql = (xs: string, ys: string): string => `EXISTS (SELECT 1 FROM block b
                       WHERE (b.blocker_id = ANY(${xs}) AND b.blocked_id = ANY(${ys}))
                          OR (b.blocked_id = ANY(${xs}) AND b.blocker_id = ANY(${ys})))`;

/**
 * A block, either way, between the writer (`writerId`, a SQL expression) and the other member of
 * direct conversation `c`; `members` names the membership rows to look in (SEND_SQL: its one
 * scan of the conversation's).
 */
export const directBlockSql = (c: string, writerId: string, members = 'conversation_member'): string => `(${c}.kind = 'direct' AND EXISTS (
  SELECT 1 FROM ${members} o JOIN block b
    ON ${blockEitherWaySql('b', writerId, 'o.user_id')}
   WHERE o.conversation_id = ${c}.id AND o.user_id <> ${writerId}))`;

/**
 * The columns `assertMayWrite` reads, for a query joining the writer as `u` and the
 * conversation as `c`; with `send`, also whether the request cap stops one more message.
 */
export const writeCheckColumns = (u: string, c: string, writerId: string, opts: { send?: boolean } = {}): string =>
  `${restrictedSql(u)} AS restricted, ${u}.restricted_until, ${conversationLockedSql(c)} AS locked, ${directBlockSql(c, writerId)} AS blocked` +
  (opts.send ? `, (${creatorCappedSql(c, writerId)} AND ${c}.request_msgs >= ${MAX_REQUEST_MESSAGES}) AS over_request_cap` : '');

export interface WriteCheckRow {
  restricted: boolean;
  restricted_until: Date | string | null;
  /** Staff locked the conversation (conversationLockedSql). */
  locked: boolean;
  blocked: boolean;
  over_request_cap?: boolean;
}

/** The one refusal of a send past the request cap. */
export const requestPendingLimit = () =>
  new RequestPendingLimit(`Until your request is accepted you can send at most ${MAX_REQUEST_MESSAGES} messages.`);

/** 403 messaging_restricted, 403 conversation_locked, 403 blocked (`blockedMessage` words it for the write), then 403 request_pending_limit. */
export function assertMayWrite(row: WriteCheckRow, blockedMessage?: string): void {
  assertNotRestricted(row);
  if (row.locked) throw conversationLocked();
  if (row.blocked) throw new Blocked(blockedMessage);
  if (row.over_request_cap) throw requestPendingLimit();
}
