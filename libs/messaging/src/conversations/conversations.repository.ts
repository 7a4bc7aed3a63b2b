import type { Queryable } from '../db/db.service';
import { readCeilingSql } from '../policy/request-cap';
import { dmAccessRevokedSql, restrictedSql } from '../policy/standing';
import { hearsPresenceSql, leftSeqSql, memberSeesMessageSql, requestFromBlockedSql, restrictsSql } from '../policy/visibility';
import { blockAmongSql, conversationLockedSql, pairBlockedSql } from '../policy/write-policy';
import { limitsExcludeSql } from '../policy/limits';
import type { RecipientFacts } from './message-request-policy';
import type {
  FolderRow,
  LockedMemberRow,
  MemberState,
  MemberStateRow,
  MessagingStandingRow,
  NewConversation,
  NewMember,
  RequestTextRow,
  Timestamp,
} from './rows';

/**
 * The conversations domain's SQL (STYLE.md §9, §12): conversations, their members, read
 * markers, decline counts. Functions take a Queryable, so they run on the pool or inside
 * `db.tx`, and hand back typed camelCase rows; the message-request policy, the group size,
 * the block checks and hidden words are decided in ConversationsService. The policy
 * predicates (policy/*) are interpolated here, so every path shares one rule.
 * The Conversation view's statement stays in conversation-view.ts, beside the mapping that
 * reads it (a view loader).
 */

// ---- the write policy's reads -----------------------------------------------------------------

interface StandingRecord {
  restricted: boolean;
  restricted_until: Timestamp | null;
  dm_access_revoked: boolean;
  request_limit_factor: number | null;
}

/** The account's messaging standing (policy/standing.ts); undefined for an unknown user. */
export async function messagingStanding(q: Queryable, userId: string): Promise<MessagingStandingRow | undefined> {
  const [r] = await q.query<StandingRecord>(
    `SELECT ${restrictedSql('u')} AS restricted, u.restricted_until, ${dmAccessRevokedSql('u')} AS dm_access_revoked, u.request_limit_factor
       FROM app_user u WHERE u.id = $1`,
    [userId],
  );
  return (
    r && {
      restricted: r.restricted,
      restrictedUntil: r.restricted_until,
      dmAccessRevoked: r.dm_access_revoked,
      requestLimitFactor: r.request_limit_factor,
    }
  );
}

interface FactsRecord {
  id: string;
  allow_incoming: RecipientFacts['allowIncoming'];
  allow_group_invites: NonNullable<RecipientFacts['allowGroupInvites']>;
  limited_out: boolean;
  follows_creator: boolean;
  blocked: boolean;
  restricts_creator: boolean;
}

/** Facts about each of `ids` relative to `actorId`, in one query; an unknown id has no row. */
export async function recipientFacts(q: Queryable, actorId: string, ids: string[]): Promise<RecipientFacts[]> {
  const rows = await q.query<FactsRecord>(
    `SELECT u.id, u.allow_incoming, u.allow_group_invites, ${limitsExcludeSql('u', '$1')} AS limited_out,
              EXISTS (SELECT 1 FROM follow f WHERE f.follower_id = u.id AND f.followee_id = $1) AS follows_creator,
              ${pairBlockedSql('u.id', '$1')} AS blocked,
              ${restrictsSql('u.id', '$1')} AS restricts_creator
         FROM app_user u WHERE u.id = ANY($2::uuid[])`,
    [actorId, ids],
  );
  return rows.map((r) => ({
    userId: r.id,
    allowIncoming: r.allow_incoming,
    allowGroupInvites: r.allow_group_invites,
    limitedOut: r.limited_out,
    followsCreator: r.follows_creator,
    blocked: r.blocked,
    restrictsCreator: r.restricts_creator,
  }));
}

/** A block in either direction between any of `newcomers` and anyone of `everyone` (policy/write-policy.ts). */
export async function blockAmong(q: Queryable, newcomers: string[], everyone: string[]): Promise<boolean> {
  const [row] = await q.query<{ blocked: boolean }>(`SELECT ${blockAmongSql('$1::uuid[]', '$2::uuid[]')} AS blocked`, [
    newcomers,
    everyone,
  ]);
  return Boolean(row?.blocked);
}

/** The ids `userId` restricts: they do not hear of this user's read marker. */
export async function restrictedIds(q: Queryable, userId: string): Promise<string[]> {
  return (await q.query<{ restricted_id: string }>('SELECT restricted_id FROM restrict WHERE restrictor_id = $1', [userId])).map(
    (r) => r.restricted_id,
  );
}

// ---- conversations ----------------------------------------------------------------------------

/** A new conversation row (call inside `db.tx`, with its members). */
export async function insertConversation(q: Queryable, c: NewConversation): Promise<void> {
  await q.query(
    `INSERT INTO conversation (id, kind, title, creator_id, direct_key, room_id, context) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.id, c.kind, c.title, c.creatorId, c.directKey, c.roomId, c.context],
  );
}

/** The members of a new conversation, in one statement. */
export async function insertMembers(q: Queryable, conversationId: string, members: NewMember[]): Promise<void> {
  await q.query(
    `INSERT INTO conversation_member (conversation_id, user_id, state, role)
           SELECT $1, x.user_id, x.state, x.role FROM jsonb_to_recordset($2::jsonb) AS x(user_id uuid, state text, role text)`,
    [conversationId, JSON.stringify(members.map((m) => ({ user_id: m.userId, state: m.state, role: m.role })))],
  );
}

/** The direct conversation of a pair (`directKey`: both ids sorted, joined by ':'). */
export async function directConversationId(q: Queryable, directKey: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>('SELECT id FROM conversation WHERE direct_key = $1', [directKey]);
  return row?.id;
}

/** Locks the conversation row: concurrent adds are serialized on it. */
/** Takes the conversation row's lock; says whether staff locked it (policy/write-policy.ts conversationLockedSql). */
export async function lockConversation(q: Queryable, conversationId: string): Promise<{ locked: boolean }> {
  const [r] = await q.query<{ locked: boolean }>(
    `SELECT ${conversationLockedSql('c')} AS locked FROM conversation c WHERE c.id = $1 FOR UPDATE`,
    [conversationId],
  );
  return { locked: Boolean(r?.locked) };
}

/**
 * Staff lock or unlock (`locked_at` set or cleared) under the row lock, so it waits for a send
 * in flight and every later send's seq UPDATE sees it; whether it changed anything.
 */
export async function setConversationLocked(
  q: Queryable,
  conversationId: string,
  locked: boolean,
): Promise<{ found: boolean; changed: boolean; was: boolean | null }> {
  const [r] = await q.query<{ was: boolean }>(
    `WITH old AS (SELECT c.id, ${conversationLockedSql('c')} AS was FROM conversation c WHERE c.id = $1 FOR UPDATE)
     UPDATE conversation c SET locked_at = CASE WHEN $2::boolean THEN coalesce(c.locked_at, now()) END
       FROM old WHERE c.id = old.id
     RETURNING old.was`,
    [conversationId, locked],
  );
  return { found: Boolean(r), changed: Boolean(r) && r.was !== locked, was: r ? r.was : null };
}

export async function touchConversation(q: Queryable, conversationId: string): Promise<void> {
  await q.query('UPDATE conversation SET last_activity_at = now() WHERE id = $1', [conversationId]);
}

/** A page of the viewer's conversations with their membership in `state`, newest activity first, after the keyset `after`. */
export async function folderPage(
  q: Queryable,
  viewerId: string,
  state: 'active' | 'pending',
  after: { at: string; id: string } | null,
  limit: number,
): Promise<FolderRow[]> {
  const rows = await q.query<{ id: string; last_activity_at: Timestamp }>(
    `SELECT c.id, c.last_activity_at FROM conversation_member m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.user_id = $1 AND m.state = $2
          AND ($2 <> 'pending' OR NOT ${requestFromBlockedSql('m', 'c')})
          AND ($3::timestamptz IS NULL OR (c.last_activity_at, c.id) < ($3::timestamptz, $4::uuid))
        ORDER BY c.last_activity_at DESC, c.id DESC LIMIT $5`,
    [viewerId, state, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows.map((r) => ({ id: r.id, lastActivityAt: r.last_activity_at }));
}

/** The visible messages of these pending requests of `viewerId` that they may read (policy/visibility.ts). */
export async function pendingRequestTexts(q: Queryable, viewerId: string, conversationIds: string[]): Promise<RequestTextRow[]> {
  const rows = await q.query<{ conversation_id: string; text: string }>(
    `SELECT x.conversation_id, x.text FROM conversation_member m JOIN message x ON x.conversation_id = m.conversation_id
          WHERE m.user_id = $1 AND m.conversation_id = ANY($2::uuid[]) AND m.state = 'pending' AND x.state = 'visible'
            AND ${memberSeesMessageSql('m', 'x')}`,
    [viewerId, conversationIds],
  );
  return rows.map((r) => ({ conversationId: r.conversation_id, text: r.text }));
}

// ---- members ----------------------------------------------------------------------------------

/** Locks the user's membership row (FOR UPDATE OF m); undefined when there is none. */
export async function lockMember(q: Queryable, conversationId: string, userId: string): Promise<LockedMemberRow | undefined> {
  const [m] = await q.query<{ state: MemberState; read_seq: string; kind: LockedMemberRow['kind']; creator_id: string | null }>(
    `SELECT m.state, m.read_seq, c.kind, c.creator_id FROM conversation_member m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.conversation_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
    [conversationId, userId],
  );
  return m && { state: m.state, readSeq: m.read_seq, kind: m.kind, creatorId: m.creator_id };
}

/** The user's membership state, unlocked; undefined when there is none. */
export async function memberState(q: Queryable, conversationId: string, userId: string): Promise<MemberState | undefined> {
  const [row] = await q.query<{ state: MemberState }>('SELECT state FROM conversation_member WHERE conversation_id = $1 AND user_id = $2', [
    conversationId,
    userId,
  ]);
  return row?.state;
}

export async function activeMemberIds(q: Queryable, conversationId: string): Promise<string[]> {
  return (
    await q.query<{ user_id: string }>(`SELECT user_id FROM conversation_member WHERE conversation_id = $1 AND state = 'active'`, [
      conversationId,
    ])
  ).map((r) => r.user_id);
}

/** Every membership of the conversation, whatever its state. */
export async function memberStates(q: Queryable, conversationId: string): Promise<MemberStateRow[]> {
  const rows = await q.query<{ user_id: string; state: MemberState }>(
    `SELECT user_id, state FROM conversation_member WHERE conversation_id = $1`,
    [conversationId],
  );
  return rows.map((r) => ({ userId: r.user_id, state: r.state }));
}

/** declined, left (or held: they start it themselves) → active for the user; true when a row changed. */
export async function reopenMember(q: Queryable, conversationId: string, userId: string): Promise<boolean> {
  const reopened = await q.query(
    `UPDATE conversation_member SET state = 'active', updated_at = now()
          WHERE conversation_id = $1 AND user_id = $2 AND state IN ('declined', 'left', 'held') RETURNING 1`,
    [conversationId, userId],
  );
  return reopened.length > 0;
}

/** pending → active (a pending member accepts, or replies). */
export async function activatePendingMember(q: Queryable, conversationId: string, userId: string): Promise<void> {
  await q.query(
    `UPDATE conversation_member SET state = 'active', updated_at = now() WHERE conversation_id = $1 AND user_id = $2 AND state = 'pending'`,
    [conversationId, userId],
  );
}

export async function declineMember(q: Queryable, conversationId: string, userId: string): Promise<void> {
  await q.query(`UPDATE conversation_member SET state = 'declined', updated_at = now() WHERE conversation_id = $1 AND user_id = $2`, [
    conversationId,
    userId,
  ]);
}

export async function leaveMember(q: Queryable, conversationId: string, userId: string): Promise<void> {
  await q.query(
    `UPDATE conversation_member cm SET state = 'left', left_seq = ${leftSeqSql('cm', 'c')}, updated_at = now()
       FROM conversation c WHERE c.id = cm.conversation_id AND cm.conversation_id = $1 AND cm.user_id = $2`,
    [conversationId, userId],
  );
}

/**
 * Locks (FOR UPDATE OF cm, in conversation order) the memberships of `userId` still pending
 * in conversations `senderId` created; their conversation ids.
 */
export async function lockPendingFrom(q: Queryable, userId: string, senderId: string): Promise<string[]> {
  const rows = await q.query<{ conversation_id: string }>(
    `SELECT cm.conversation_id FROM conversation_member cm JOIN conversation c ON c.id = cm.conversation_id
          WHERE cm.user_id = $1 AND cm.state = 'pending' AND c.creator_id = $2
          ORDER BY cm.conversation_id
            FOR UPDATE OF cm`,
    [userId, senderId],
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * Adds (or re-adds) members reading from the conversation's last seq on; a re-added
 * member's read marker never moves back. Lock the conversation row first, so no send slips
 * between that last_seq and the insert.
 */
export async function upsertAddedMembers(q: Queryable, conversationId: string, members: MemberStateRow[]): Promise<void> {
  await q.query(
    `INSERT INTO conversation_member (conversation_id, user_id, state, role, visible_from_seq, read_seq)
         SELECT $1, x.user_id, x.state, 'member', c.last_seq, c.last_seq
           FROM jsonb_to_recordset($2::jsonb) AS x(user_id uuid, state text), conversation c WHERE c.id = $1
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now(), joined_at = now(),
            visible_from_seq = EXCLUDED.visible_from_seq, read_seq = greatest(conversation_member.read_seq, EXCLUDED.read_seq)`,
    [conversationId, JSON.stringify(members.map((m) => ({ user_id: m.userId, state: m.state })))],
  );
}

// ---- read markers and sender stats ------------------------------------------------------------

/**
 * Moves the read marker forward only, clamped to the last seq and the reader's ceiling
 * (policy/request-cap.ts); the stored marker (a bigint, as text).
 */
export async function advanceReadMarker(q: Queryable, conversationId: string, userId: string, seq: number): Promise<string> {
  const [row] = await q.query<{ read_seq: string }>(
    `UPDATE conversation_member m SET read_seq = greatest(m.read_seq, least($3::bigint, c.last_seq, ${readCeilingSql('m', 'c.last_seq')}))
           FROM conversation c
          WHERE m.conversation_id = $1 AND m.user_id = $2 AND c.id = m.conversation_id
          RETURNING m.read_seq`,
    [conversationId, userId, seq],
  );
  return row.read_seq;
}

/** Messages after the member's read marker, from others, that they may read (policy/visibility.ts). */
export async function unreadCount(q: Queryable, conversationId: string, userId: string): Promise<number> {
  const [{ unread }] = await q.query<{ unread: number }>(
    `SELECT count(*)::int AS unread FROM message x JOIN conversation_member me ON me.conversation_id = x.conversation_id AND me.user_id = $2
          WHERE x.conversation_id = $1 AND x.seq > me.read_seq AND x.sender_id <> $2 AND x.state = 'visible' AND ${memberSeesMessageSql('me', 'x')}`,
    [conversationId, userId],
  );
  return unread;
}

/** One more declined request for the sender's spam score. */
export async function countDeclined(q: Queryable, senderId: string): Promise<void> {
  await q.query(
    `INSERT INTO sender_stats (sender_id, declined, last_at) VALUES ($1, 1, now())
           ON CONFLICT (sender_id) DO UPDATE SET declined = sender_stats.declined + 1, updated_at = now()`,
    [senderId],
  );
}

/**
 * Typing (ephemeral, never stored): the signaller's membership state and, when active, the
 * other members who may hear them (hearsPresenceSql: active, no block either way, not someone
 * the signaller restricted). Undefined when the signaller was never a member.
 */
export async function typingAudience(
  q: Queryable,
  conversationId: string,
  userId: string,
): Promise<{ state: MemberState; recipients: string[] } | undefined> {
  const [row] = await q.query<{ state: MemberState; recipients: string[] }>(
    `SELECT me.state,
            coalesce(array_agg(m.user_id) FILTER (WHERE m.user_id IS NOT NULL), '{}') AS recipients
       FROM conversation_member me
       LEFT JOIN conversation_member m
         ON me.state = 'active'
        AND m.conversation_id = me.conversation_id AND m.user_id <> me.user_id
        AND ${hearsPresenceSql('m', 'me.user_id')}
      WHERE me.conversation_id = $1 AND me.user_id = $2
      GROUP BY me.state`,
    [conversationId, userId],
  );
  return row;
}
