import { readCeilingSql } from './request-cap';
import { pairBlockedSql } from './write-policy';

/**
 * Which messages a member may read, as one SQL predicate used by every reader (message list,
 * lastMessage, unreadCount, read markers) and every writer of message events (send, unsend,
 * link verdicts), so lists, sync and live cannot disagree. `m` is the reader's
 * conversation_member row, `x` the message:
 * - history: only messages posted after they joined (`visible_from_seq`, set when a member is
 *   added to a group; 0 for founders, direct conversations and the room backchannel);
 * - requests: a `pending` member reads at most the first MAX_REQUEST_MESSAGES messages posted (request-cap.ts)
 *   since they joined, whoever sent them (a puppet cannot carry a spammer past the cap);
 *   the rest once they accept. Seqs are gapless, so "the first three" is a seq bound;
 * - held links: a `pending` member does not read a message whose links await their verdict
 *   (`link_hold`) until the verdict or the held-link sweep releases it (HeldLinks), so a
 *   stranger's phishing text never reaches them; holding changes no seq bound, so a held
 *   message still counts among the first three;
 * - blocks: never a message from someone the reader blocks (a block made after both were in
 *   the group). Decided at read time from the current block rows, so an unblock shows those
 *   messages in lists again; events skipped while blocked are not replayed.
 * - staff rules: a message a live `hold` rule stopped (state `held`), and one staff then
 *   rejected (removed with reason `rule`), is read by its sender only (rules/held-messages.ts).
 * Both seq bounds are plain comparisons so the (conversation_id, seq) index serves them.
 */
export const memberSeesMessageSql = (m: string, x: string): string => `(
  ${deliveredToMemberSql(m, x)}
  AND ((${x}.state <> 'held' AND ${x}.removed_reason IS DISTINCT FROM 'rule') OR ${x}.sender_id = ${m}.user_id)
  AND NOT EXISTS (SELECT 1 FROM block vb WHERE vb.blocker_id = ${m}.user_id AND vb.blocked_id = ${x}.sender_id))`;

/**
 * The part of the rule above that says whether message `x` was ever delivered to member row
 * `m` at all (history, the request cap, held links), without the read-time parts (blocks, staff
 * holds). The report path (reports.repository.ts, reportableMessage) asks this: whoever was
 * shown a message may report it, even after blocking its sender or after staff removed it.
 */
export const deliveredToMemberSql = (m: string, x: string): string => `(
  ${x}.seq > ${m}.visible_from_seq
  AND ${x}.seq <= ${readCeilingSql(m, '9223372036854775807')}
  AND (${m}.state <> 'pending' OR NOT ${x}.link_hold))`;

/**
 * A message request (the viewer's membership `m` is pending in conversation `c`) from someone
 * the viewer blocks: not listed in Requests or Hidden (read time, like the message rule
 * above, so an unblock lists it again). Blocking from a request, or reporting it with
 * `block: true`, makes it go away for good without a decline the sender could notice.
 */
export const requestFromBlockedSql = (m: string, c: string): string =>
  `EXISTS (SELECT 1 FROM block rb WHERE rb.blocker_id = ${m}.user_id AND rb.blocked_id = ${c}.creator_id)`;

/**
 * Whether member row `m` reads message `x` now, as the lists decide it: a member who may open
 * the conversation (`active` or `pending`; a declined or departed member gets 404) and may see
 * that message (memberSeesMessageSql). The one rule for every door that shows a message to a
 * member: the message list, who is written a message event (send, edit, reaction, unsend,
 * verdict, release, approval) and how sync renders an event at read time (EventsService.sync:
 * an event of a message the reader no longer reads shows it withheld, message-view.ts).
 */
export const memberReadsMessageSql = (m: string, x: string): string =>
  `(${m}.state IN ('active', 'pending') AND ${memberSeesMessageSql(m, x)})`;

/**
 * Who hears of a change to message $1 (message.updated): the members who read it now
 * (memberReadsMessageSql), so never a departed or declined member, one who since blocked the
 * sender, or a pending one while it is held from them.
 */
export const MESSAGE_AUDIENCE_SQL = `
SELECT m.user_id FROM message x JOIN conversation_member m ON m.conversation_id = x.conversation_id
 WHERE x.id = $1 AND ${memberReadsMessageSql('m', 'x')}`;

/**
 * Restrict (v1.1): `restrictor` has restricted `restricted` (both user-id SQL expressions). The
 * restricted person then does not see the restrictor's read markers, hears no typing from
 * them (hearsPresenceSql), and their requests to the restrictor go to its hidden folder. One predicate for all.
 */
export const restrictsSql = (restrictor: string, restricted: string): string =>
  `EXISTS (SELECT 1 FROM restrict r WHERE r.restrictor_id = ${restrictor} AND r.restricted_id = ${restricted})`;

/**
 * Presence: who may learn that `actor` (a user-id SQL expression) is reading (their read
 * marker: read.updated live and in sync, `members[].readSeq` in conversation views) or typing.
 * The one rule for all of them: member row `m` is `active` (a pending member hears nothing of
 * the conversation's presence until they accept; the actor themself does, for their other
 * devices, but typing is never relayed back to the typist), no block stands between them in
 * either direction (pairBlockedSql: a block made later inside a group, API.md v1.1; the
 * blocked person must not learn that the blocker is reading or typing, and the blocker, who
 * no longer reads the blocked person's messages, does not follow them either), and the actor
 * does not restrict them (restrictsSql). Decided when the signal is sent (a read.updated
 * event's audience is fixed at its write) and, for views, when they are read.
 */
export const hearsPresenceSql = (m: string, actor: string): string =>
  `(${m}.state = 'active' AND NOT ${pairBlockedSql(actor, `${m}.user_id`)} AND NOT ${restrictsSql(actor, `${m}.user_id`)})`;

/** Who hears of reader `reader`'s read marker (read.updated): hearsPresenceSql. */
export const hearsReadMarkerSql = hearsPresenceSql;

/**
 * `left_seq` for member row `m` as it leaves conversation `c`: the last seq it could read then
 * (a pending member: at most its request ceiling). Set by every statement that makes a member
 * `left`, so memberExportsMessageSql can hold a left conversation up to when they left.
 */
export const leftSeqSql = (m: string, c: string): string => `LEAST(${readCeilingSql(m, `${c}.last_seq`)}, ${c}.last_seq)`;

/**
 * Which messages of a conversation a data export (exports/) holds for member row `m`: every
 * message they sent; while they may open it, what they read now (memberReadsMessageSql, so a
 * pending member's export holds no more than the request cap lets them read); after leaving,
 * what they could see up to when they left (`left_seq`). A declined member: their own only.
 */
export const memberExportsMessageSql = (m: string, x: string): string => `(
  ${x}.sender_id = ${m}.user_id
  OR ${memberReadsMessageSql(m, x)}
  OR (${m}.state = 'left' AND ${x}.seq <= ${m}.left_seq AND ${memberSeesMessageSql(m, x)}))`;
