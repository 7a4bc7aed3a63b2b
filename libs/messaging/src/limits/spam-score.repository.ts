import type { Queryable } from '../db/db.service';

/**
 * The spam scorer's SQL (STYLE.md 9, 12): the signals read for one sender, and the stored score,
 * request-limit factor and its audit entry. Functions take a Queryable so the writes run in one
 * db.tx; rows come back typed and camelCased.
 */

/**
 * Request conversations of `$1`: started by them, with another member who is or was pending.
 * The one definition of "a request they sent" (spam score, the staff's DM statistics).
 */
export const REQUESTS_CTE = `
reqs AS (
  SELECT c.id, c.created_at, bool_or(m.state = 'declined') AS declined
    FROM conversation c
    JOIN conversation_member m ON m.conversation_id = c.id AND m.user_id <> c.creator_id
   WHERE c.creator_id = $1 AND c.kind <> 'room'
   GROUP BY c.id
  HAVING bool_or(m.state IN ('pending', 'declined', 'held')) OR max(c.request_msgs) > 0)`;

const COUNTS_SQL = `
WITH ${REQUESTS_CTE},
reporters AS (
  SELECT r.reporter_id FROM report r
   WHERE r.subject_user_id = $1 AND r.source <> 'system' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM report r
   WHERE r.subject_type = 'user' AND r.subject_id = $1 AND r.source <> 'system' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM message x JOIN report r ON r.subject_type = 'message' AND r.subject_id = x.id
   WHERE x.sender_id = $1 AND r.source <> 'system' AND r.reason IN ('spam', 'scam')
  UNION
  SELECT r.reporter_id FROM conversation c JOIN report r ON r.subject_type = 'conversation' AND r.subject_id = c.id
   WHERE c.creator_id = $1 AND r.source <> 'system' AND r.reason IN ('spam', 'scam'))
SELECT (SELECT count(*)::int FROM reqs) AS requests_sent,
       (SELECT count(*)::int FROM reqs WHERE declined) AS declined,
       (SELECT count(*)::int FROM reporters WHERE reporter_id IS NOT NULL) AS reported,
       (SELECT max(created_at) FROM reqs) AS last_request_at,
       s.reported AS stored_reported,
       u.request_limit_factor
  FROM app_user u LEFT JOIN sender_stats s ON s.sender_id = u.id
 WHERE u.id = $1`;

/** The sender's texts in request conversations over the last 24 h, newest first, with who got each. */
const RECENT_REQUEST_TEXTS_SQL = `
WITH ${REQUESTS_CTE}
SELECT x.text, x.created_at,
       (SELECT array_agg(m.user_id::text) FROM conversation_member m WHERE m.conversation_id = x.conversation_id AND m.user_id <> $1) AS recipients
  FROM message x JOIN reqs ON reqs.id = x.conversation_id
 WHERE x.sender_id = $1 AND x.created_at > now() - interval '24 hours' AND x.text IS NOT NULL
 ORDER BY x.created_at DESC
 LIMIT 500`;

/** Null for an account that is gone; else the sender's stored request-limit factor (a `real`: 0.2 reads back as 0.2000000029…). */
export async function findRequestLimitFactor(q: Queryable, userId: string): Promise<number | null> {
  const [row] = await q.query<{ request_limit_factor: number | null }>('SELECT request_limit_factor FROM app_user WHERE id = $1', [userId]);
  return row?.request_limit_factor == null ? null : Number(row.request_limit_factor);
}

/** What the database counts for one sender (SenderSignals before the duplicate-text fan-out). */
export interface SenderCounts {
  /** Request conversations the sender started (REQUESTS_CTE). */
  requestsSent: number;
  declined: number;
  /** Distinct users who reported the sender, their messages or requests as spam or scam. */
  reported: number;
  /** When the newest request conversation was started. */
  lastRequestAt: Date | null;
  /** `sender_stats.reported` as stored (the reports feature may know of more); null without a row. */
  storedReported: number | null;
  requestLimitFactor: number;
}

/** Null when the account is gone. */
export async function countSenderSignals(q: Queryable, senderId: string): Promise<SenderCounts | null> {
  const [row] = await q.query<{
    requests_sent: number;
    declined: number;
    reported: number;
    last_request_at: Date | null;
    stored_reported: number | null;
    request_limit_factor: number;
  }>(COUNTS_SQL, [senderId]);
  if (!row) return null;
  return {
    requestsSent: row.requests_sent,
    declined: row.declined,
    reported: row.reported,
    lastRequestAt: row.last_request_at,
    storedReported: row.stored_reported,
    requestLimitFactor: Number(row.request_limit_factor),
  };
}

/** A text the sender sent in a request conversation, and the other members who got it. */
export interface RequestText {
  text: string;
  createdAt: Date;
  recipients: string[];
}

/** The last 24 h of the sender's request texts, newest first (500 at most). */
export async function recentRequestTexts(q: Queryable, senderId: string): Promise<RequestText[]> {
  const rows = await q.query<{ text: string; created_at: Date; recipients: string[] | null }>(RECENT_REQUEST_TEXTS_SQL, [senderId]);
  return rows.map((r) => ({ text: r.text, createdAt: r.created_at, recipients: r.recipients ?? [] }));
}

/** One sender's row of the staff spam-requests queue. */
export interface SenderStats {
  senderId: string;
  requestsSent: number;
  declined: number;
  reported: number;
  duplicateTexts: number;
  score: number;
  sample: string[];
  lastAt: string | null;
  limitReason: string | null;
}

/**
 * Holds the sender's stats row (made if missing) until the transaction ends: the scorer counts
 * and stores under it, and the counters written beside their cause (a decline, a spam report:
 * INSERT … ON CONFLICT DO UPDATE on this row) wait for it, so a recount read before such a
 * change committed can never be stored over it (a lost update: `declined` back to 0).
 */
export async function lockSenderStats(q: Queryable, senderId: string): Promise<void> {
  await q.query(
    `INSERT INTO sender_stats (sender_id) SELECT u.id FROM app_user u WHERE u.id = $1
     ON CONFLICT (sender_id) DO UPDATE SET sender_id = excluded.sender_id`,
    [senderId],
  );
}

/** Stores the sender's score; `reported` never goes down (the reports feature may have counted more). */
export async function upsertSenderStats(q: Queryable, s: SenderStats): Promise<void> {
  await q.query(
    `INSERT INTO sender_stats (sender_id, requests_sent, declined, reported, duplicate_texts, score, sample, last_at, limit_reason, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, now())
         ON CONFLICT (sender_id) DO UPDATE SET
           requests_sent = excluded.requests_sent, declined = excluded.declined,
           reported = greatest(sender_stats.reported, excluded.reported),
           duplicate_texts = excluded.duplicate_texts, score = excluded.score, sample = excluded.sample,
           last_at = coalesce(excluded.last_at, sender_stats.last_at), limit_reason = excluded.limit_reason, updated_at = now()`,
    [s.senderId, s.requestsSent, s.declined, s.reported, s.duplicateTexts, s.score, JSON.stringify(s.sample), s.lastAt, s.limitReason],
  );
}

/**
 * Sets the sender's request-limit factor only if it is still `expected` (the one read), so two
 * racing scorers change it, and audit the change, once. True when this call changed it.
 */
export async function swapRequestLimitFactor(q: Queryable, senderId: string, factor: number, expected: number): Promise<boolean> {
  const changed = await q.query(
    `UPDATE app_user SET request_limit_factor = $2 WHERE id = $1 AND abs(request_limit_factor - $3) < 1e-3 RETURNING id`,
    [senderId, factor, expected],
  );
  return changed.length > 0;
}

/** The audit entry of an automatic request-limit change (no staff member: staff_id NULL). */
export async function insertAutoLimitAudit(
  q: Queryable,
  senderId: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (staff_id, action, subject_type, subject_id, before, after)
             VALUES (NULL, 'user.request_limit_auto', 'user', $1, $2::jsonb, $3::jsonb)`,
    [senderId, JSON.stringify(before), JSON.stringify(after)],
  );
}
