import type { Queryable } from '../db/db.service';
import { pairBlockedSql } from '../policy/write-policy';
import { QUESTION_ORDER_SQL, ROLE_ORDER_SQL, type RoomRole, type SettableQuestionStatus } from './room-views';
import { questionRow, type QuestionRecord, type QuestionRow } from '../views/question-view';
import type { AttendeeRow, RoomListRow, RoomRow, RoomStanding, RoomStatus } from './rows';

/**
 * The rooms domain's SQL (STYLE.md §9, §12): rooms, room members, the backchannel a room
 * creates. Functions take a Queryable, so they run on the pool or inside `db.tx`, and hand
 * back typed camelCase rows; who may do what in a room is decided in the services.
 * (The backchannel's reconcile statement lives in backchannel-membership.ts.)
 */

interface RoomRecord {
  id: string;
  title: string;
  host_id: string;
  status: RoomRow['status'];
  backchannel_id: string;
  created_at: Date | string;
  ended_at: Date | string | null;
  external_id: string | null;
  starts_at: Date | string | null;
  started_at: Date | string | null;
}

const toRoom = (r: RoomRecord): RoomRow => ({
  id: r.id,
  title: r.title,
  hostId: r.host_id,
  status: r.status,
  backchannelId: r.backchannel_id,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  externalId: r.external_id,
  startsAt: r.starts_at,
  startedAt: r.started_at,
});

interface AttendeeRecord {
  user_id: string;
  handle: string;
  display_name: string;
  role: RoomRole;
  present: boolean;
}

const toAttendee = (r: AttendeeRecord): AttendeeRow => ({
  userId: r.user_id,
  handle: r.handle,
  displayName: r.display_name,
  role: r.role,
  present: r.present,
});

/** Locks the room row (FOR UPDATE or FOR SHARE); undefined for an unknown room. */
export async function lockRoom(q: Queryable, roomId: string, mode: 'UPDATE' | 'SHARE'): Promise<RoomRow | undefined> {
  const [room] = await q.query<RoomRecord>(`SELECT * FROM room WHERE id = $1 FOR ${mode}`, [roomId]);
  return room && toRoom(room);
}

export async function membership(q: Queryable, roomId: string, userId: string): Promise<{ role: RoomRole; present: boolean } | undefined> {
  const [me] = await q.query<{ role: RoomRole; present: boolean }>(
    'SELECT role, present FROM room_member WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return me;
}

/** One statement: the backchannel, the room pointing at it, the host as moderator of both. */
export async function insertRoom(
  q: Queryable,
  r: { roomId: string; backchannelId: string; title: string; hostId: string; startsAt?: Date | null },
): Promise<RoomRow> {
  const [room] = await q.query<RoomRecord>(
    `WITH c AS (
           INSERT INTO conversation (id, kind, title, creator_id, room_id, context)
           VALUES ($2::uuid, 'room', $3::text, $4::uuid, $1::uuid, jsonb_build_object('roomId', $1::uuid, 'roomTitle', $3::text))
           RETURNING id),
         r AS (
           INSERT INTO room (id, title, host_id, backchannel_id, status, starts_at)
           SELECT $1::uuid, $3::text, $4::uuid, id, CASE WHEN $5::timestamptz IS NULL THEN 'live' ELSE 'scheduled' END, $5::timestamptz
             FROM c RETURNING *),
         m AS (
           INSERT INTO room_member (room_id, user_id, role) SELECT id, host_id, 'moderator' FROM r),
         cm AS (
           INSERT INTO conversation_member (conversation_id, user_id, state, role) SELECT id, $4::uuid, 'active', 'moderator' FROM c)
         SELECT * FROM r`,
    [r.roomId, r.backchannelId, r.title, r.hostId, r.startsAt ?? null],
  );
  return toRoom(room);
}

/**
 * A room of the host app and its backchannel (as insertRoom, without members: room sync
 * writes those from the pushed state).
 */
export async function insertExternalRoom(
  q: Queryable,
  r: {
    roomId: string;
    backchannelId: string;
    title: string;
    hostId: string;
    externalId: string;
    status: 'scheduled' | 'live';
    startsAt: Date | null;
  },
): Promise<RoomRow> {
  const [room] = await q.query<RoomRecord>(
    `WITH c AS (
         INSERT INTO conversation (id, kind, title, creator_id, room_id, context)
         VALUES ($2::uuid, 'room', $3::text, $4::uuid, $1::uuid, jsonb_build_object('roomId', $1::uuid, 'roomTitle', $3::text))
         RETURNING id)
       INSERT INTO room (id, title, host_id, backchannel_id, external_id, status, starts_at)
       SELECT $1::uuid, $3::text, $4::uuid, id, $5, $6::text, $7::timestamptz FROM c RETURNING *`,
    [r.roomId, r.backchannelId, r.title, r.hostId, r.externalId, r.status, r.startsAt],
  );
  return toRoom(room);
}

/** The room with the caller's role, for anyone who is or was in it. */
export async function roomOfMember(q: Queryable, roomId: string, userId: string): Promise<(RoomRow & { myRole: RoomRole }) | undefined> {
  const [row] = await q.query<RoomRecord & { my_role: RoomRole }>(
    `SELECT r.*, m.role AS my_role FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
    [roomId, userId],
  );
  return row && { ...toRoom(row), myRole: row.my_role };
}

/** The room with the caller's role, when the caller is present in it now. */
export async function roomOfPresentMember(
  q: Queryable,
  roomId: string,
  userId: string,
): Promise<(RoomRow & { myRole: RoomRole }) | undefined> {
  const [row] = await q.query<RoomRecord & { my_role: RoomRole }>(
    `SELECT r.*, m.role AS my_role FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 AND m.present
        WHERE r.id = $1`,
    [roomId, userId],
  );
  return row && { ...toRoom(row), myRole: row.my_role };
}

/** The room's state and the caller's role and presence; undefined unless the caller is or was in it. */
export async function standing(q: Queryable, roomId: string, userId: string): Promise<RoomStanding | undefined> {
  const [row] = await q.query<{ status: RoomStanding['status']; my_role: RoomRole; my_present: boolean }>(
    `SELECT r.status, m.role AS my_role, m.present AS my_present
         FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
    [roomId, userId],
  );
  return row && { status: row.status, myRole: row.my_role, myPresent: row.my_present };
}

/** Joins as a listener, or comes back present keeping the earlier role; the role held now. */
export async function joinAsListener(q: Queryable, roomId: string, userId: string): Promise<RoomRole> {
  const [member] = await q.query<{ role: RoomRole }>(
    `INSERT INTO room_member (room_id, user_id, role) VALUES ($1, $2, 'listener')
         ON CONFLICT (room_id, user_id) DO UPDATE SET present = true, left_at = NULL
         RETURNING role`,
    [roomId, userId],
  );
  return member.role;
}

export async function markLeft(q: Queryable, roomId: string, userId: string): Promise<void> {
  await q.query('UPDATE room_member SET present = false, left_at = now() WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
}

/** Sets a member's role; undefined when the user was never in the room. */
export async function setMemberRole(q: Queryable, roomId: string, userId: string, role: RoomRole): Promise<AttendeeRow | undefined> {
  const [row] = await q.query<AttendeeRecord>(
    `WITH upd AS (
           UPDATE room_member SET role = $3 WHERE room_id = $1 AND user_id = $2 RETURNING user_id, role, present)
         SELECT upd.*, u.handle, u.display_name FROM upd JOIN app_user u ON u.id = upd.user_id`,
    [roomId, userId, role],
  );
  return row && toAttendee(row);
}

/** A scheduled room goes live; the row as it is now. */
export async function startRoom(q: Queryable, roomId: string): Promise<RoomRow> {
  const [started] = await q.query<RoomRecord>(
    `UPDATE room SET status = 'live', started_at = now() WHERE id = $1 AND status = 'scheduled' RETURNING *`,
    [roomId],
  );
  return toRoom(started);
}

/** A scheduled room's start time (platform rooms move it). */
export async function setStartsAt(q: Queryable, roomId: string, startsAt: Date): Promise<void> {
  await q.query('UPDATE room SET starts_at = $2 WHERE id = $1', [roomId, startsAt]);
}

/**
 * Names someone to a role in a scheduled room: they become a member (present: being named is
 * being in the lineup), or their role changes. Undefined when the user does not exist or a
 * block stands between them and the person naming them.
 */
export async function nameMember(
  q: Queryable,
  roomId: string,
  actorId: string,
  userId: string,
  role: RoomRole,
): Promise<AttendeeRow | undefined> {
  const [row] = await q.query<AttendeeRecord>(
    `WITH target AS (
           SELECT u.id, u.handle, u.display_name FROM app_user u
            WHERE u.id = $2 AND u.status = 'active' AND NOT ${pairBlockedSql('$2::uuid', '$4::uuid')}),
         upd AS (
           INSERT INTO room_member (room_id, user_id, role) SELECT $1, id, $3 FROM target
           ON CONFLICT (room_id, user_id) DO UPDATE SET role = $3, present = true, left_at = NULL
           RETURNING user_id, role, present)
         SELECT upd.*, t.handle, t.display_name FROM upd JOIN target t ON t.id = upd.user_id`,
    [roomId, userId, role, actorId],
  );
  return row && toAttendee(row);
}

/**
 * The rooms someone hosts, moderates or speaks in that are not over: live ones first (newest
 * first), then scheduled ones by start time.
 */
export async function roomsOf(q: Queryable, userId: string, status: 'scheduled' | 'live' | null, limit: number): Promise<RoomListRow[]> {
  const rows = await q.query<{ id: string; title: string; status: RoomStatus; starts_at: Date | string | null; my_role: RoomRole }>(
    `SELECT r.id, r.title, r.status, r.starts_at, m.role AS my_role
         FROM room_member m JOIN room r ON r.id = m.room_id
        WHERE m.user_id = $1 AND m.role IN ('moderator', 'speaker')
          AND (r.status = $2 OR ($2 IS NULL AND r.status IN ('scheduled', 'live')))
        ORDER BY CASE r.status WHEN 'live' THEN 0 ELSE 1 END,
                 CASE WHEN r.status = 'live' THEN coalesce(r.started_at, r.created_at) END DESC,
                 r.starts_at, r.id
        LIMIT $3`,
    [userId, status, limit],
  );
  return rows.map((r) => ({ id: r.id, title: r.title, status: r.status, startsAt: r.starts_at, myRole: r.my_role }));
}

export async function endRoom(q: Queryable, roomId: string): Promise<RoomRow> {
  const [ended] = await q.query<RoomRecord>(`UPDATE room SET status = 'ended', ended_at = now() WHERE id = $1 RETURNING *`, [roomId]);
  return toRoom(ended);
}

/** The room's backchannel id, when the user is an active member of it (a current moderator). */
export async function backchannelOfModerator(q: Queryable, roomId: string, userId: string): Promise<string | undefined> {
  const [row] = await q.query<{ backchannel_id: string }>(
    `SELECT r.backchannel_id FROM room r
         JOIN conversation_member cm ON cm.conversation_id = r.backchannel_id AND cm.user_id = $2 AND cm.state = 'active'
        WHERE r.id = $1`,
    [roomId, userId],
  );
  return row?.backchannel_id;
}

/** A page of everyone who was ever in the room (moderators, speakers, listeners), if the viewer was. */
export async function attendees(q: Queryable, roomId: string, viewerId: string, limit: number, offset: number): Promise<AttendeeRow[]> {
  const rows = await q.query<AttendeeRecord>(
    `SELECT m.user_id, m.role, m.present, u.handle, u.display_name
         FROM room_member m JOIN app_user u ON u.id = m.user_id
        WHERE m.room_id = $1 AND EXISTS (SELECT 1 FROM room_member me WHERE me.room_id = $1 AND me.user_id = $2)
        ORDER BY ${ROLE_ORDER_SQL('m')}
        LIMIT $3 OFFSET $4`,
    [roomId, viewerId, limit, offset],
  );
  return rows.map(toAttendee);
}

export async function wasIn(q: Queryable, roomId: string, userId: string): Promise<boolean> {
  const [row] = await q.query<{ '?column?': number }>('SELECT 1 FROM room_member WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  return !!row;
}

/**
 * The room every one of `userIds` was in: this one (`roomId`), or else the most recent that
 * was live within `recentDays` (still live, or ended since), driven by the first user's rooms.
 */
export async function sharedRoom(
  q: Queryable,
  userIds: string[],
  roomId: string | null,
  recentDays: number,
): Promise<{ id: string; title: string } | undefined> {
  const [row] = await q.query<{ id: string; title: string }>(
    roomId !== null
      ? `SELECT r.id, r.title FROM room r
            WHERE r.id = $3
              AND (SELECT count(*) FROM room_member m WHERE m.room_id = r.id AND m.user_id = ANY($1::uuid[])) = $2`
      : `SELECT r.id, r.title FROM room_member me JOIN room r ON r.id = me.room_id
            WHERE me.user_id = ($1::uuid[])[1]
              AND (r.status = 'live' OR r.ended_at > now() - make_interval(days => ${recentDays}))
              AND (SELECT count(*) FROM room_member m WHERE m.room_id = r.id AND m.user_id = ANY($1::uuid[])) = $2
            ORDER BY coalesce(r.ended_at, now()) DESC, r.created_at DESC, r.id DESC
            LIMIT 1`,
    roomId !== null ? [userIds, userIds.length, roomId] : [userIds, userIds.length],
  );
  return row;
}

/** Of `userIds`, those who were host, moderator or speaker of a room that ended within the last `minutes` minutes. */
export async function onStageInRecentlyEnded(q: Queryable, userIds: string[], minutes: number): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(
    `SELECT r.host_id AS user_id FROM room r
      WHERE r.host_id = ANY($1::uuid[]) AND r.status = 'ended' AND r.ended_at > now() - make_interval(mins => $2)
     UNION
     SELECT m.user_id FROM room_member m JOIN room r ON r.id = m.room_id
      WHERE m.user_id = ANY($1::uuid[]) AND m.role IN ('moderator', 'speaker')
        AND r.status = 'ended' AND r.ended_at > now() - make_interval(mins => $2)`,
    [userIds, minutes],
  );
  return rows.map((r) => r.user_id);
}

// ---- rooms of the host app (room sync) ------------------------------------------------------

/** Serialises every PUT of one external room, its creation included (transaction-scoped). */
export async function lockExternalRoomId(q: Queryable, externalId: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended('platform-room:' || $1, 0))`, [externalId]);
}

export async function lockRoomByExternalId(q: Queryable, externalId: string): Promise<RoomRow | undefined> {
  const [room] = await q.query<RoomRecord>(`SELECT * FROM room WHERE external_id = $1 FOR UPDATE`, [externalId]);
  return room && toRoom(room);
}

/** Renames the room and its backchannel (title and context). */
export async function renameRoom(q: Queryable, room: { id: string; backchannelId: string }, title: string): Promise<void> {
  await q.query('UPDATE room SET title = $2 WHERE id = $1', [room.id, title]);
  await q.query(
    `UPDATE conversation SET title = $2, context = jsonb_build_object('roomId', $3::uuid, 'roomTitle', $2::text) WHERE id = $1`,
    [room.backchannelId, title, room.id],
  );
}

export async function setHost(q: Queryable, roomId: string, hostId: string): Promise<void> {
  await q.query('UPDATE room SET host_id = $2 WHERE id = $1', [roomId, hostId]);
}

/** Everyone listed is present with this role; a row is written only where something differs. */
export async function makePresent(q: Queryable, roomId: string, members: { userId: string; role: RoomRole }[]): Promise<void> {
  await q.query(
    `INSERT INTO room_member (room_id, user_id, role)
         SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m(user_id, role)
         ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role, present = true, left_at = NULL
          WHERE room_member.role <> excluded.role OR NOT room_member.present`,
    [roomId, members.map((m) => m.userId), members.map((m) => m.role)],
  );
}

/** Everyone present and not in `userIds` has left. */
export async function markLeftExcept(q: Queryable, roomId: string, userIds: string[]): Promise<void> {
  await q.query(
    `UPDATE room_member SET present = false, left_at = now() WHERE room_id = $1 AND present AND NOT (user_id = ANY($2::uuid[]))`,
    [roomId, userIds],
  );
}

// ---- questions ------------------------------------------------------------------------------

/**
 * Stores a question with its links `pending` (and their occurrences for the link scan);
 * returns it with the room's present moderators, who hear of it.
 */
export async function insertQuestion(
  q: Queryable,
  x: { id: string; roomId: string; authorId: string; text: string; links: string; occurrences: string },
): Promise<{ question: QuestionRow; moderators: string[] }> {
  const [row] = await q.query<QuestionRecord & { moderators: string[] }>(
    `WITH qn AS (
           INSERT INTO question (id, room_id, author_id, text, links) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING *),
         lo AS (
           INSERT INTO link_occurrence (url, host, question_id)
           SELECT l.url, l.host, qn.id FROM qn, jsonb_to_recordset($6::jsonb) AS l(url text, host text))
         SELECT qn.*,
                (SELECT coalesce(array_agg(m.user_id::text), '{}') FROM room_member m
                  WHERE m.room_id = qn.room_id AND m.role = 'moderator' AND m.present) AS moderators
           FROM qn`,
    [x.id, x.roomId, x.authorId, x.text, x.links, x.occurrences],
  );
  return { question: questionRow(row), moderators: row.moderators };
}

/** A page of a room's questions in list order: all of them (`everything`), else the viewer's own and the pinned ones. */
export async function questions(
  q: Queryable,
  roomId: string,
  viewerId: string,
  everything: boolean,
  limit: number,
  offset: number,
): Promise<QuestionRow[]> {
  const rows = await q.query<QuestionRecord>(
    `SELECT q.*, EXISTS (SELECT 1 FROM question_upvote u WHERE u.question_id = q.id AND u.user_id = $2) AS upvoted_by_me
         FROM question q
        WHERE q.room_id = $1 AND ($3::boolean OR q.author_id = $2 OR q.status = 'pinned')
        ORDER BY ${QUESTION_ORDER_SQL}
        LIMIT $4 OFFSET $5`,
    [roomId, viewerId, everything, limit, offset],
  );
  return rows.map(questionRow);
}

/**
 * The room's status for a member, and the state of the question if that member may see it
 * (null otherwise); undefined unless the user is or was in the room.
 */
export async function upvoteContext(
  q: Queryable,
  roomId: string,
  userId: string,
  questionId: string,
): Promise<{ status: RoomRow['status']; questionState: QuestionRow['state'] | null } | undefined> {
  const [ctx] = await q.query<{ status: RoomRow['status']; question_state: QuestionRow['state'] | null }>(
    `SELECT r.status, q.state AS question_state
         FROM room r
         JOIN room_member m ON m.room_id = r.id AND m.user_id = $2
         LEFT JOIN question q ON q.id = $3 AND q.room_id = r.id
                             AND ((m.role = 'moderator' AND m.present) OR q.author_id = $2 OR q.status = 'pinned')
        WHERE r.id = $1`,
    [roomId, userId, questionId],
  );
  return ctx && { status: ctx.status, questionState: ctx.question_state };
}

/** One upvote per user: the count moves only when the insert happened. undefined for a repeat. */
export async function upvote(q: Queryable, questionId: string, userId: string): Promise<QuestionRow | undefined> {
  const [row] = await q.query<QuestionRecord>(
    `WITH ins AS (
         INSERT INTO question_upvote (question_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING question_id)
       UPDATE question q SET upvotes = q.upvotes + 1 FROM ins WHERE q.id = ins.question_id RETURNING q.*`,
    [questionId, userId],
  );
  return row && questionRow(row);
}

export async function question(q: Queryable, questionId: string): Promise<QuestionRow | undefined> {
  const [row] = await q.query<QuestionRecord>('SELECT * FROM question WHERE id = $1', [questionId]);
  return row && questionRow(row);
}

/** Locks a question of this room, with whether the viewer upvoted it. */
export async function lockQuestion(q: Queryable, questionId: string, roomId: string, viewerId: string): Promise<QuestionRow | undefined> {
  const [row] = await q.query<QuestionRecord>(
    `SELECT q.*, EXISTS (SELECT 1 FROM question_upvote u WHERE u.question_id = q.id AND u.user_id = $3) AS upvoted_by_me
           FROM question q WHERE q.id = $1 AND q.room_id = $2 FOR UPDATE OF q`,
    [questionId, roomId, viewerId],
  );
  return row && questionRow(row);
}

/** Sets the status; returns the question and who is told: present moderators, and everyone present for a pin. */
export async function setQuestionStatus(
  q: Queryable,
  questionId: string,
  status: SettableQuestionStatus,
): Promise<{ question: QuestionRow; audience: string[] }> {
  const [row] = await q.query<QuestionRecord & { audience: string[] }>(
    `UPDATE question q SET status = $2, updated_at = now() WHERE q.id = $1
         RETURNING q.*,
           (SELECT coalesce(array_agg(m.user_id::text), '{}') FROM room_member m
             WHERE m.room_id = q.room_id AND m.present AND (m.role = 'moderator' OR $2 = 'pinned')) AS audience`,
    [questionId, status],
  );
  return { question: questionRow(row), audience: row.audience };
}

/** Who sees a question of this room: its present moderators, everyone present when it is pinned, and its author. */
export async function questionAudience(q: Queryable, roomId: string, pinned: boolean, authorId: string): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(
    `SELECT user_id FROM room_member WHERE room_id = $1 AND present AND (role = 'moderator' OR $2::boolean)
       UNION SELECT $3::uuid`,
    [roomId, pinned, authorId],
  );
  return rows.map((r) => r.user_id);
}
