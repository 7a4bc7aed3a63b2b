/**
 * The message-request cap (API.md): while any recipient has not accepted (a declined one,
 * and one held for review, looks pending to the creator), the creator may send at most MAX_REQUEST_MESSAGES messages
 * (the next: 403 request_pending_limit), and a pending member reads at most the first
 * MAX_REQUEST_MESSAGES messages posted since they joined (visibility.ts). One number, one
 * predicate for each side.
 */
export const MAX_REQUEST_MESSAGES = 3;

/**
 * The sender (`senderId`, a SQL expression) is the creator of conversation `c` and someone
 * there has not accepted. `conversationId` may name `c.id` by a parameter (SEND_SQL: `$1`);
 * `members` names the membership rows to look in (SEND_SQL: its one scan of the conversation's).
 */
export const creatorCappedSql = (
  c: string,
  senderId: string,
  conversationId = `${c}.id`,
  members = 'conversation_member',
): string => `(${c}.creator_id = ${senderId} AND EXISTS (
            SELECT 1 FROM ${members} o
             WHERE o.conversation_id = ${conversationId} AND o.user_id <> ${senderId} AND o.state IN ('pending', 'declined', 'held')))`;

/** The last seq member row `m` reads: a pending member only the first MAX_REQUEST_MESSAGES since they joined. */
export const readCeilingSql = (m: string, otherwise: string): string =>
  `(CASE WHEN ${m}.state = 'pending' THEN ${m}.visible_from_seq + ${MAX_REQUEST_MESSAGES} ELSE ${otherwise} END)`;
