import type { Queryable } from '../db/db.service';
import { iso } from '../db/row-values';
import { limitsExcludeSql, type LimitsFrom } from '../policy/limits';

/**
 * The SQL of the protections around requests (API.md v1.2): Limits, the requests they and the
 * pile-on breaker moved to the hidden folder (`request_hidden`), the breaker's trips, and the
 * fan-out burst shown in the spam-request queue. Functions take a Queryable, so they run
 * inside the request's transaction; the rules are in RequestProtectionService.
 */

export type HiddenReason = 'limits' | 'pile_on';

export interface LimitsRow {
  from: LimitsFrom | null;
  until: string | null;
}

const inForce = (r: { limits_from: LimitsFrom | null; limits_until: Date | string | null } | undefined): LimitsRow | undefined => {
  if (!r) return undefined;
  const on = r.limits_until && new Date(r.limits_until).getTime() > Date.now();
  return on ? { from: r.limits_from, until: iso(r.limits_until) } : { from: null, until: null };
};

/** The user's Limits in force (both null when off or ended); undefined for an unknown user. */
export async function limitsOf(q: Queryable, userId: string): Promise<LimitsRow | undefined> {
  const [r] = await q.query<{ limits_from: LimitsFrom | null; limits_until: Date | string | null }>(
    'SELECT limits_from, limits_until FROM app_user WHERE id = $1',
    [userId],
  );
  return inForce(r);
}

export async function setLimits(q: Queryable, userId: string, from: LimitsFrom, until: Date): Promise<LimitsRow | undefined> {
  const [r] = await q.query<{ limits_from: LimitsFrom; limits_until: Date }>(
    'UPDATE app_user SET limits_from = $2, limits_until = $3 WHERE id = $1 RETURNING limits_from, limits_until',
    [userId, from, until],
  );
  return inForce(r);
}

export async function endLimits(q: Queryable, userId: string): Promise<void> {
  await q.query('UPDATE app_user SET limits_from = NULL, limits_until = NULL WHERE id = $1', [userId]);
}

/**
 * The breaker switches Limits on until at least `until`: Limits already in force keep their
 * `from` (recent_followers holds back more) and a later end; otherwise non_followers.
 */
export async function switchLimitsOn(q: Queryable, userId: string, until: Date): Promise<LimitsRow> {
  const [r] = await q.query<{ limits_from: LimitsFrom; limits_until: Date }>(
    `UPDATE app_user SET
        limits_from = CASE WHEN limits_until > now() THEN limits_from ELSE 'non_followers' END,
        limits_until = CASE WHEN limits_until > $2 THEN limits_until ELSE $2 END
      WHERE id = $1 RETURNING limits_from, limits_until`,
    [userId, until],
  );
  return inForce(r)!;
}

/**
 * Moves the user's pending requests from the people their Limits hold back (limitsExcludeSql,
 * the same predicate that refuses new ones; the requester is the conversation's creator) to
 * the hidden folder; the conversations that moved.
 */
export async function hideRequestsFromLimited(q: Queryable, userId: string, reason: HiddenReason): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    `INSERT INTO request_hidden (user_id, conversation_id, reason)
     SELECT m.user_id, m.conversation_id, $2 FROM conversation_member m
       JOIN conversation c ON c.id = m.conversation_id JOIN app_user u ON u.id = m.user_id
      WHERE m.user_id = $1 AND m.state = 'pending' AND c.creator_id IS NOT NULL AND ${limitsExcludeSql('u', 'c.creator_id')}
     ON CONFLICT (user_id, conversation_id) DO NOTHING RETURNING conversation_id`,
    [userId, reason],
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * Hides these requests of the user (some may still be committing in another process: no check
 * that they exist); the ones newly hidden.
 */
export async function hideRequests(q: Queryable, userId: string, conversationIds: string[], reason: HiddenReason): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await q.query<{ conversation_id: string }>(
    `INSERT INTO request_hidden (user_id, conversation_id, reason) SELECT $1, x, $3 FROM unnest($2::uuid[]) AS x
     ON CONFLICT (user_id, conversation_id) DO NOTHING RETURNING conversation_id`,
    [userId, conversationIds, reason],
  );
  return rows.map((r) => r.conversation_id);
}

/** Of these conversations, the ones hidden for the user by Limits or the breaker. */
export async function hiddenRequestIds(q: Queryable, userId: string, conversationIds: string[]): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    'SELECT conversation_id FROM request_hidden WHERE user_id = $1 AND conversation_id = ANY($2::uuid[])',
    [userId, conversationIds],
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * The breaker's turn on each of these recipients (in the order given, sorted by the caller so
 * no two transactions wait on each other in a cycle), until the transaction ends: exclusive
 * for a recipient whose breaker this request trips, shared for the others. So a trip and
 * the requests that join its window serialize: a request that committed first is in the
 * trip's view and gets its conversation.updated, one that commits after reads the trip's
 * hidden rows when it builds its request.created.
 */
export async function takeBreakerTurns(q: Queryable, turns: ReadonlyArray<{ userId: string; trips: boolean }>): Promise<void> {
  if (turns.length === 0) return;
  await q.query(
    `SELECT CASE WHEN x.trips THEN pg_advisory_xact_lock(hashtextextended('pileon:' || x.u::text, 0))::text
                 ELSE pg_advisory_xact_lock_shared(hashtextextended('pileon:' || x.u::text, 0))::text END
       FROM unnest($1::uuid[], $2::boolean[]) WITH ORDINALITY AS x(u, trips, ord) ORDER BY x.ord`,
    [turns.map((t) => t.userId), turns.map((t) => t.trips)],
  );
}

export interface PileOnTrip {
  id: string;
  userId: string;
  requests: number;
  threshold: number;
  windowMinutes: number;
  halved: boolean;
  limitsUntil: Date;
}

export async function insertTrip(q: Queryable, t: PileOnTrip): Promise<void> {
  await q.query(
    `INSERT INTO pile_on_trip (id, user_id, requests, threshold, window_minutes, halved, limits_until) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [t.id, t.userId, t.requests, t.threshold, t.windowMinutes, t.halved, t.limitsUntil],
  );
}

/** The fan-out burst that held a sender's requests, kept on their spam-queue row. */
export async function recordBurst(q: Queryable, senderId: string, count: number, windowMinutes: number): Promise<void> {
  await q.query(
    `INSERT INTO sender_stats (sender_id, burst_count, burst_window_minutes, burst_at, last_at) VALUES ($1, $2, $3, now(), now())
     ON CONFLICT (sender_id) DO UPDATE SET burst_count = greatest(excluded.burst_count,
         CASE WHEN sender_stats.burst_at > now() - make_interval(mins => $3) THEN sender_stats.burst_count ELSE 0 END),
       burst_window_minutes = excluded.burst_window_minutes, burst_at = now(), updated_at = now()`,
    [senderId, count, windowMinutes],
  );
}

/** Held requests of a sender → `state` (pending: released; declined: refused), locked in conversation order; the rows changed. */
export async function settleHeld(
  q: Queryable,
  senderId: string,
  state: 'pending' | 'declined',
): Promise<Array<{ conversationId: string; userId: string }>> {
  const rows = await q.query<{ conversation_id: string; user_id: string }>(
    `WITH held AS (
       SELECT m.conversation_id, m.user_id FROM conversation_member m JOIN conversation c ON c.id = m.conversation_id
        WHERE c.creator_id = $1 AND m.state = 'held' ORDER BY m.conversation_id, m.user_id FOR UPDATE OF m)
     UPDATE conversation_member m SET state = $2, updated_at = now() FROM held
      WHERE m.conversation_id = held.conversation_id AND m.user_id = held.user_id
     RETURNING m.conversation_id, m.user_id`,
    [senderId, state],
  );
  return rows.map((r) => ({ conversationId: r.conversation_id, userId: r.user_id }));
}
