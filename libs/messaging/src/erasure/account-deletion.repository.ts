import type { Queryable } from '../db/db.service';
import { underLegalHoldSql } from '../accounts/legal-holds.repository';
import { DELETED_DISPLAY_NAME } from '../views/erased-account';

/**
 * The SQL of account deletion (API.md v1.2 "Your data"): the account's own rows, changed in
 * the request's transaction, and the reads the erasure job walks in batches. What other
 * domains already know how to undo (a message's removal, a reaction, leaving a group, a
 * question's removal) is done through their services, not here.
 */

export interface DeletableUserRow {
  id: string;
  handle: string | null;
  passwordHash: string | null;
  deletedAt: Date | string | null;
}

interface DeletableRecord {
  id: string;
  handle: string | null;
  password_hash: string | null;
  deleted_at: Date | string | null;
}
const toDeletable = (r: DeletableRecord): DeletableUserRow => ({
  id: r.id,
  handle: r.handle,
  passwordHash: r.password_hash,
  deletedAt: r.deleted_at,
});

const EXTERNAL_HASH_SQL = (p: string) => `encode(sha256(convert_to(${p}, 'UTF8')), 'hex')`;

export async function userForDeletion(q: Queryable, userId: string, lock: boolean): Promise<DeletableUserRow | undefined> {
  const [row] = await q.query<DeletableRecord>(
    `SELECT id, handle, password_hash, deleted_at FROM app_user WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [userId],
  );
  return row && toDeletable(row);
}

/**
 * The host account of `externalId`, or the one deleted under it (its id kept as a digest),
 * locked: of two parallel deletions the second waits, then finds it already deleted.
 */
export async function externalUserForDeletion(q: Queryable, externalId: string): Promise<DeletableUserRow | undefined> {
  const [row] = await q.query<DeletableRecord>(
    `SELECT id, handle, password_hash, deleted_at FROM app_user
      WHERE external_id = $1 OR erased_external_id = ${EXTERNAL_HASH_SQL('$1')}
      ORDER BY deleted_at NULLS FIRST LIMIT 1 FOR UPDATE`,
    [externalId],
  );
  return row && toDeletable(row);
}

/**
 * The profile becomes "Deleted account" with no handle; password, hidden words and the host's
 * id go (the id's digest stays, for a repeated platform deletion); nobody may start a
 * conversation with it.
 */
export async function anonymise(q: Queryable, userId: string): Promise<void> {
  await q.query(
    `UPDATE app_user SET handle = NULL, display_name = $2, password_hash = NULL, hidden_words = '{}', allow_incoming = 'none',
            erased_external_id = CASE WHEN external_id IS NOT NULL THEN ${EXTERNAL_HASH_SQL('external_id')} END,
            external_id = NULL, deleted_at = now()
      WHERE id = $1`,
    [userId, DELETED_DISPLAY_NAME],
  );
}

/** Revokes every live refresh token; the sign-ins (families) that ended. */
export async function revokeSignIns(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ family_id: string }>(
    `UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING family_id`,
    [userId],
  );
  return [...new Set(rows.map((r) => r.family_id))];
}

/**
 * Rows that are only about the account, gone with it: follows, blocks and restricts both
 * ways, its data exports, the words of its reports' notes, appeals and mod-mail replies.
 */
export async function deleteOwnRows(q: Queryable, userId: string): Promise<void> {
  await q.query(`DELETE FROM follow WHERE follower_id = $1 OR followee_id = $1`, [userId]);
  await q.query(`DELETE FROM block WHERE blocker_id = $1 OR blocked_id = $1`, [userId]);
  await q.query(`DELETE FROM restrict WHERE restrictor_id = $1 OR restricted_id = $1`, [userId]);
  await q.query(`DELETE FROM data_export WHERE user_id = $1`, [userId]);
  await q.query(`UPDATE report SET note = NULL WHERE reporter_id = $1 AND note IS NOT NULL`, [userId]);
  await q.query(`UPDATE appeal SET text = '' WHERE user_id = $1`, [userId]);
  await q.query(`UPDATE case_message SET reply_text = '' WHERE recipient_id = $1 AND reply_text IS NOT NULL`, [userId]);
}

/** Up to `limit` messages the account sent that end users may still read (visible or held). */
export async function readableMessagesOf(q: Queryable, userId: string, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM message WHERE sender_id = $1 AND state IN ('visible', 'held') LIMIT $2`, [
    userId,
    limit,
  ]);
  return rows.map((r) => r.id);
}

/**
 * The staff-only copies of the account's messages (retained text, earlier versions) and their
 * link occurrences and sightings (link_seen), unless a legal hold keeps them. Returns how many copies went.
 */
export async function purgeMessageCopies(q: Queryable, userId: string): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `WITH mine AS (SELECT id, conversation_id FROM message WHERE sender_id = $1 AND NOT ${underLegalHoldSql('$1::uuid')}),
          r AS (DELETE FROM message_retained x USING mine WHERE x.message_id = mine.id AND x.conversation_id = mine.conversation_id RETURNING 1),
          v AS (DELETE FROM message_version x USING mine WHERE x.message_id = mine.id AND x.conversation_id = mine.conversation_id RETURNING 1),
          o AS (DELETE FROM link_occurrence x USING mine WHERE x.message_id = mine.id RETURNING 1),
          b AS (DELETE FROM link_backlog x USING mine WHERE x.message_id = mine.id AND x.conversation_id = mine.conversation_id RETURNING 1),
          -- the sightings of its links settled from the cache (one row per conversation and URL), and their fold's queue
          s AS (DELETE FROM link_seen x WHERE x.conversation_id IN (SELECT conversation_id FROM mine) AND x.sender_id = $1 RETURNING 1),
          sd AS (DELETE FROM link_seen_dirty x WHERE x.sender_id = $1 AND EXISTS (SELECT 1 FROM mine) RETURNING 1)
     SELECT (SELECT count(*) FROM r)::int AS n`,
    [userId],
  );
  return row?.n ?? 0;
}

/** Groups the account is still in (active or pending). */
export async function groupsOf(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    `SELECT cm.conversation_id FROM conversation_member cm JOIN conversation c ON c.id = cm.conversation_id
      WHERE cm.user_id = $1 AND cm.state IN ('active', 'pending') AND c.kind = 'group'`,
    [userId],
  );
  return rows.map((r) => r.conversation_id);
}

/** Message requests the account started that someone has not answered yet. */
export async function pendingRequestsFrom(q: Queryable, userId: string): Promise<Array<{ conversationId: string; recipientId: string }>> {
  const rows = await q.query<{ conversation_id: string; user_id: string }>(
    `SELECT cm.conversation_id, cm.user_id FROM conversation c
       JOIN conversation_member cm ON cm.conversation_id = c.id
      WHERE c.creator_id = $1 AND cm.user_id <> $1 AND cm.state = 'pending'`,
    [userId],
  );
  return rows.map((r) => ({ conversationId: r.conversation_id, recipientId: r.user_id }));
}

export async function visibleQuestionsOf(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM question WHERE author_id = $1 AND state = 'visible'`, [userId]);
  return rows.map((r) => r.id);
}

/** Live rooms the account hosts that Backchannel runs itself (a host app's rooms are the host's to end). */
export async function liveRoomsHostedBy(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM room WHERE host_id = $1 AND status = 'live' AND external_id IS NULL`, [
    userId,
  ]);
  return rows.map((r) => r.id);
}

export async function roomsPresentIn(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ room_id: string }>(`SELECT room_id FROM room_member WHERE user_id = $1 AND present`, [userId]);
  return rows.map((r) => r.room_id);
}

/**
 * After the rest: the account's own event stream and notices (a notice that mod mail points
 * at loses its words but stays, for the case), its spam signals (they sample its texts).
 */
export async function deleteOwnRecords(q: Queryable, userId: string): Promise<void> {
  await q.query(`DELETE FROM event WHERE user_id = $1`, [userId]);
  await q.query(`DELETE FROM notice n WHERE n.user_id = $1 AND NOT EXISTS (SELECT 1 FROM case_message cm WHERE cm.notice_id = n.id)`, [
    userId,
  ]);
  await q.query(`UPDATE notice SET text = '', data = NULL WHERE user_id = $1`, [userId]);
  await q.query(`DELETE FROM sender_stats WHERE sender_id = $1`, [userId]);
}

/** Up to `limit` other people's stored events after (userId, cursor) `after` whose payload mentions the account. */
export async function eventsNaming(
  q: Queryable,
  userId: string,
  after: { userId: string; cursor: string } | null,
  limit: number,
): Promise<Array<{ userId: string; cursor: string; payload: unknown }>> {
  const rows = await q.query<{ user_id: string; cursor: string; payload: unknown }>(
    `SELECT user_id, cursor::text AS cursor, payload FROM event
      WHERE ($2::uuid IS NULL OR (user_id, cursor) > ($2::uuid, $3::bigint))
        AND user_id <> $1::uuid AND payload::text LIKE '%' || $1::text || '%'
      ORDER BY user_id, cursor LIMIT $4`,
    [userId, after?.userId ?? null, after?.cursor ?? '0', limit],
  );
  return rows.map((r) => ({ userId: r.user_id, cursor: r.cursor, payload: r.payload }));
}

export async function storeEventPayload(q: Queryable, userId: string, cursor: string, payload: unknown): Promise<void> {
  await q.query(`UPDATE event SET payload = $3::jsonb WHERE user_id = $1 AND cursor = $2::bigint`, [
    userId,
    cursor,
    JSON.stringify(payload),
  ]);
}
