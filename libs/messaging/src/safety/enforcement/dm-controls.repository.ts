import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import { REQUESTS_CTE } from '../../limits/spam-score.repository';
import { memberSeesMessageSql } from '../../policy/visibility';

/**
 * The SQL of the moderators' DM tools (API.md v1.2, STYLE.md §9): switching one account's DM
 * access off and on, and its DM statistics. The rules these columns feed live in policy/
 * (standing.ts reads `dm_access_revoked_at`); the audit entries are written by DmControlsService.
 */

/** The number of UTC days DM statistics cover, today included. */
export const DM_STATS_DAYS = 30;

/** Sets (`revoked` true) or clears the account's DM-access switch; null for an unknown user, else the state before and after. */
export async function setDmAccessRevoked(
  q: Queryable,
  userId: string,
  revoked: boolean,
): Promise<{ before: string | null; after: string | null } | null> {
  const [r] = await q.query<{ before: Date | string | null; after: Date | string | null }>(
    `WITH old AS (SELECT id, dm_access_revoked_at FROM app_user WHERE id = $1 FOR UPDATE)
     UPDATE app_user u SET dm_access_revoked_at = CASE WHEN $2::boolean THEN coalesce(old.dm_access_revoked_at, now()) END
       FROM old WHERE u.id = old.id
     RETURNING old.dm_access_revoked_at AS before, u.dm_access_revoked_at AS after`,
    [userId, revoked],
  );
  return r ? { before: iso(r.before), after: iso(r.after) } : null;
}

export interface DmStatsDay {
  day: string;
  sent: number;
  requestsSent: number;
}

export interface DmStats {
  sent: number;
  received: number;
  conversationsStarted: number;
  requestsSent: number;
  requestsDeclined: number;
  requestsReported: number;
  byDay: DmStatsDay[];
}

/**
 * One account's DMs over the last DM_STATS_DAYS UTC days (today included, from 00:00 UTC of the
 * first): direct and group conversations only (a room's backchannel is staff-like work, not DMs).
 * - sent: messages they sent; received: messages others sent where they are a member and that
 *   reached them (policy/visibility.ts memberSeesMessageSql: not a blocked sender's, not past
 *   the first three of a request, from their join on);
 * - conversationsStarted: conversations they created; requestsSent / requestsDeclined: of those,
 *   the requests (REQUESTS_CTE, the spam score's definition) and the declined ones;
 * - requestsReported: those requests reported by a person (the conversation, or one of their
 *   messages in it; system reports such as a malicious link's are not counted);
 * - byDay: every one of the days, oldest first, zeros included.
 *
 * Cost: not on a hot path, and deliberately not made one. Its only caller is GET
 * /admin/v1/users/:id/dm-stats (moderators, the DM panel of one user's page), each call
 * audited (an audit-chain append); no end-user request, send or job runs it. `sent` reads the
 * user's last 30 days through message_sender_idx (sender_id, created_at); the requests read
 * the conversations the user created. `received` is the wide part: no index reaches "messages
 * of these conversations since a time", so PostgreSQL walks each of the user's conversations
 * by (conversation_id, seq) and filters created_at, or scans `message` (or all of
 * message_sender_idx) for created_at: its cost grows with the history of the user's
 * conversations or with the table, not with the user's 30 days. Measured on a seeded database
 * (EXPLAIN ANALYZE BUFFERS, one user in 20 groups of 20,000 old and 50 recent messages each):
 * 8,255 buffers, 0.4 s; with 60 more dormant groups of 20,000: 32,685 buffers, 1.4 s.
 * Bounding it would need an index on message (conversation_id, created_at) or a daily rollup,
 * both written by every send: a cost on the hottest path for a moderator's occasional read.
 * (Pre-filtering on conversation.last_activity_at was tried: the planner then chose
 * per-conversation index walks, 166k buffers on the same data, so it was left out.)
 */
const DM_STATS_SQL = `
WITH ${REQUESTS_CTE},
since AS (SELECT ((now() AT TIME ZONE 'UTC')::date - ${DM_STATS_DAYS - 1}) AS day),
since_ts AS (SELECT (day::timestamp AT TIME ZONE 'UTC') AS at FROM since),
sent AS (
  SELECT (x.created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
    FROM message x JOIN conversation c ON c.id = x.conversation_id AND c.kind <> 'room'
   WHERE x.sender_id = $1 AND x.created_at >= (SELECT at FROM since_ts)
   GROUP BY 1),
recent_reqs AS (SELECT * FROM reqs WHERE created_at >= (SELECT at FROM since_ts)),
req_days AS (
  SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n FROM recent_reqs GROUP BY 1),
days AS (
  SELECT d::date AS day FROM since, generate_series(since.day, since.day + ${DM_STATS_DAYS - 1}, interval '1 day') AS d)
SELECT
  (SELECT coalesce(sum(n), 0)::int FROM sent) AS sent,
  (SELECT count(*)::int
     FROM conversation_member me
     JOIN conversation c ON c.id = me.conversation_id AND c.kind <> 'room'
     JOIN message x ON x.conversation_id = me.conversation_id
    WHERE me.user_id = $1 AND x.sender_id <> $1 AND x.created_at >= (SELECT at FROM since_ts)
      AND ${memberSeesMessageSql('me', 'x')}) AS received,
  (SELECT count(*)::int FROM conversation c
    WHERE c.creator_id = $1 AND c.kind <> 'room' AND c.created_at >= (SELECT at FROM since_ts)) AS conversations_started,
  (SELECT count(*)::int FROM recent_reqs) AS requests_sent,
  (SELECT count(*)::int FROM recent_reqs WHERE declined) AS requests_declined,
  (SELECT count(*)::int FROM recent_reqs rq
    WHERE EXISTS (SELECT 1 FROM report r WHERE r.subject_type = 'conversation' AND r.subject_id = rq.id AND r.source <> 'system')
       OR EXISTS (SELECT 1 FROM message x JOIN report r ON r.subject_type = 'message' AND r.subject_id = x.id AND r.source <> 'system'
                   WHERE x.conversation_id = rq.id AND x.sender_id = $1)) AS requests_reported,
  (SELECT json_agg(json_build_object('day', to_char(days.day, 'YYYY-MM-DD'),
                                     'sent', coalesce(sent.n, 0),
                                     'requestsSent', coalesce(req_days.n, 0)) ORDER BY days.day)
     FROM days LEFT JOIN sent ON sent.day = days.day LEFT JOIN req_days ON req_days.day = days.day) AS by_day`;

interface DmStatsRecord {
  sent: number;
  received: number;
  conversations_started: number;
  requests_sent: number;
  requests_declined: number;
  requests_reported: number;
  by_day: DmStatsDay[];
}

/** DM statistics for an existing user (the caller checks that it exists). */
export async function dmStats(q: Queryable, userId: string): Promise<DmStats> {
  const [r] = await q.query<DmStatsRecord>(DM_STATS_SQL, [userId]);
  return {
    sent: r.sent,
    received: r.received,
    conversationsStarted: r.conversations_started,
    requestsSent: r.requests_sent,
    requestsDeclined: r.requests_declined,
    requestsReported: r.requests_reported,
    byDay: r.by_day,
  };
}

/** Whether the user exists. */
export async function userExists(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM app_user WHERE id = $1', [userId]);
  return rows.length > 0;
}
