/**
 * Limits (API.md v1.2, Instagram's "Limits"): for a while, nobody in `from` may start a
 * conversation with me (refused as allowIncoming=none refuses, by MessageRequestPolicy), and
 * their pending requests move to my hidden folder. One predicate says who is in `from`, used
 * by the refusal (recipientFacts) and by the move (hideRequestsFromLimited), so the two never
 * disagree:
 * - `non_followers`: people who do not follow me;
 * - `recent_followers`: people who do not follow me, or started following me less than
 *   RECENT_FOLLOWER_DAYS days ago.
 */
export const LIMITS_FROM = ['non_followers', 'recent_followers'] as const;
export type LimitsFrom = (typeof LIMITS_FROM)[number];

/** How far ahead Limits may be set. */
export const LIMITS_MAX_DAYS = 28;
/** A follower of fewer days than this is a "recent follower". */
export const RECENT_FOLLOWER_DAYS = 7;

/**
 * The Limits of `u` (an app_user row alias) are on now and `creatorId` (a SQL expression) is
 * among the people they hold back.
 */
export const limitsExcludeSql = (u: string, creatorId: string): string => `(${u}.limits_until > now() AND NOT EXISTS (
  SELECT 1 FROM follow lf WHERE lf.follower_id = ${creatorId} AND lf.followee_id = ${u}.id
     AND (${u}.limits_from = 'non_followers' OR lf.created_at <= now() - interval '${RECENT_FOLLOWER_DAYS} days')))`;
