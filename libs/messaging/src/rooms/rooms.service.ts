import { Injectable, OnModuleInit } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import type { ConversationView } from '../conversations/conversation-view';
import { ConversationsService } from '../conversations/conversations.service';
import { Forbidden, InvalidRequest, NotFound, RoomEnded } from '../errors';
import { EventsService } from '../events/events.service';
import { isUuid, newId } from '../ids';
import { BackchannelMembership } from './backchannel-membership';
import { OffsetCursor } from './offset-cursor';
import { attendeeView, ROLE_ORDER_SQL, roomView, type AttendeeView, type RoomRole, type RoomView } from './room-views';

export const MAX_ROOM_TITLE_CHARS = 100;
/** A conversation started without `roomId` takes its context from a room shared this recently. */
export const SHARED_ROOM_DAYS = 7;
const TITLE_CONTROLS = /[\u0000-\u001F\u007F]/;

/** A room row locked for the transaction, with the caller's membership (null when never in it). */
export interface LockedRoom {
  id: string;
  title: string;
  host_id: string;
  status: 'live' | 'ended';
  backchannel_id: string;
  created_at: Date;
  ended_at: Date | null;
  my_role: RoomRole | null;
  my_present: boolean | null;
}

export const isCurrentModerator = (r: { my_role: RoomRole | null; my_present: boolean | null }) =>
  r.my_role === 'moderator' && r.my_present === true;

/**
 * Rooms, membership and roles. Every transaction that changes who is in a room or what
 * role they hold starts by locking the room row, so role changes, joins, leaves and the end
 * of a room take turns, and the backchannel (see BackchannelMembership) is reconciled
 * inside the same transaction: it cannot drift from the moderators, even under races.
 */
@Injectable()
export class RoomsService implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly conversations: ConversationsService,
  ) {}

  /** A conversation started with `roomId` carries the room as context when everyone was in it. */
  onModuleInit() {
    this.conversations.setRoomContextResolver((userIds, roomId) => this.sharedRoomContext(userIds, roomId));
  }

  /**
   * Locks the room row, then reads the caller's membership. Two statements on purpose: under
   * READ COMMITTED a statement that waited for the lock re-checks only the locked row, and a
   * membership joined into it would come from the snapshot taken before the wait (a role
   * another transaction just changed would look unchanged). The second statement reads
   * after the lock is held, so it sees every change committed before us. A malformed or
   * unknown id is 404; what a caller who was never in the room gets is the caller's call
   * (join lets them in, everything else answers 404 as for an unknown room).
   */
  static async lock(q: Queryable, roomId: string, userId: string, mode: 'UPDATE' | 'SHARE' = 'UPDATE'): Promise<LockedRoom> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const [room] = await q.query(`SELECT * FROM room WHERE id = $1 FOR ${mode}`, [roomId]);
    if (!room) throw new NotFound('No such room.');
    const [me] = await q.query('SELECT role, present FROM room_member WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
    return { ...room, my_role: me?.role ?? null, my_present: me?.present ?? null };
  }

  private static requireMember(room: LockedRoom): void {
    if (room.my_role === null) throw new NotFound('No such room.');
  }

  async create(hostId: string, rawTitle: string): Promise<RoomView> {
    const title = validateRoomTitle(rawTitle);
    const roomId = newId();
    const backchannelId = newId();
    const { room, outboxId } = await this.db.tx(async (q) => {
      // One statement: the backchannel, the room pointing at it, the host as moderator of both.
      const [room] = await q.query(
        `WITH c AS (
           INSERT INTO conversation (id, kind, title, creator_id, room_id, context)
           VALUES ($2::uuid, 'room', $3::text, $4::uuid, $1::uuid, jsonb_build_object('roomId', $1::uuid, 'roomTitle', $3::text))
           RETURNING id),
         r AS (
           INSERT INTO room (id, title, host_id, backchannel_id) SELECT $1::uuid, $3::text, $4::uuid, id FROM c RETURNING *),
         m AS (
           INSERT INTO room_member (room_id, user_id, role) SELECT id, host_id, 'moderator' FROM r),
         cm AS (
           INSERT INTO conversation_member (conversation_id, user_id, state, role) SELECT id, $4::uuid, 'active', 'moderator' FROM c)
         SELECT * FROM r`,
        [roomId, backchannelId, title, hostId],
      );
      const events = await this.conversations.eventsFor(q, backchannelId, [hostId]);
      return { room, outboxId: await this.events.append(q, events) };
    });
    this.events.published(outboxId);
    return roomView(room, 'moderator');
  }

  /** The room as the caller sees it: for anyone who is or was in it; everyone else 404. */
  async get(userId: string, roomId: string): Promise<RoomView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const row = await this.db.one(
      `SELECT r.*, m.role AS my_role FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
      [roomId, userId],
    );
    if (!row) throw new NotFound('No such room.');
    return roomView(row, row.my_role);
  }

  /**
   * Join as a listener while the room is live; idempotent. Someone who left and comes back
   * keeps the role they had, and a returning moderator is back in the backchannel.
   */
  async join(userId: string, roomId: string): Promise<RoomView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    // Already here: nothing to write, so no lock to queue behind on a busy room.
    const here = await this.db.one(
      `SELECT r.*, m.role AS my_role FROM room r JOIN room_member m ON m.room_id = r.id AND m.user_id = $2 AND m.present
        WHERE r.id = $1`,
      [roomId, userId],
    );
    if (here?.status === 'live') return roomView(here, here.my_role);

    const { room, role, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, userId);
      if (room.status !== 'live') throw new RoomEnded();
      const [member] = await q.query<{ role: RoomRole }>(
        `INSERT INTO room_member (room_id, user_id, role) VALUES ($1, $2, 'listener')
         ON CONFLICT (room_id, user_id) DO UPDATE SET present = true, left_at = NULL
         RETURNING role`,
        [roomId, userId],
      );
      const outboxId = member.role === 'moderator' ? await this.reconcile(q, room) : null;
      return { room, role: member.role, outboxId };
    });
    this.events.published(outboxId);
    return roomView(room, role);
  }

  /** Leave (not in the contract): no longer present; a moderator leaves the backchannel with it. */
  async leave(userId: string, roomId: string): Promise<RoomView> {
    const { room, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, userId);
      RoomsService.requireMember(room);
      if (!room.my_present) return { room, outboxId: null };
      await q.query('UPDATE room_member SET present = false, left_at = now() WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
      const outboxId = room.my_role === 'moderator' ? await this.reconcile(q, room) : null;
      return { room, outboxId };
    });
    this.events.published(outboxId);
    return roomView(room, room.my_role);
  }

  /**
   * Moderators (present, role moderator) set anyone's role who is or was in the room; the
   * host always stays a moderator. The backchannel follows in the same transaction.
   */
  async setRole(actorId: string, roomId: string, targetId: string, role: RoomRole): Promise<AttendeeView> {
    const { target, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId);
      RoomsService.requireMember(room);
      if (!isCurrentModerator(room)) throw new Forbidden('Only the room’s moderators can change roles.');
      if (room.status !== 'live') throw new RoomEnded();
      if (!isUuid(targetId)) throw new NotFound('That person is not in this room.');
      if (targetId === room.host_id && role !== 'moderator') throw new Forbidden('The host is always a moderator.');
      const [target] = await q.query(
        `WITH upd AS (
           UPDATE room_member SET role = $3 WHERE room_id = $1 AND user_id = $2 RETURNING user_id, role, present)
         SELECT upd.*, u.handle, u.display_name FROM upd JOIN app_user u ON u.id = upd.user_id`,
        [roomId, targetId, role],
      );
      if (!target) throw new NotFound('That person is not in this room.');
      return { target, outboxId: await this.reconcile(q, room) };
    });
    this.events.published(outboxId);
    return attendeeView(target);
  }

  /** The host or a moderator ends the room; ending an ended room is a no-op. */
  async end(actorId: string, roomId: string): Promise<RoomView> {
    const room = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId);
      RoomsService.requireMember(room);
      if (room.host_id !== actorId && !isCurrentModerator(room)) throw new Forbidden('Only the host or a moderator can end the room.');
      if (room.status === 'ended') return room;
      const [ended] = await q.query(`UPDATE room SET status = 'ended', ended_at = now() WHERE id = $1 RETURNING *`, [roomId]);
      return { ...room, ...ended };
    });
    return roomView(room, room.my_role);
  }

  /** The moderators-only conversation: active backchannel members only (= current moderators). */
  async backchannel(userId: string, roomId: string): Promise<ConversationView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const row = await this.db.one<{ backchannel_id: string }>(
      `SELECT r.backchannel_id FROM room r
         JOIN conversation_member cm ON cm.conversation_id = r.backchannel_id AND cm.user_id = $2 AND cm.state = 'active'
        WHERE r.id = $1`,
      [roomId, userId],
    );
    if (!row) throw new NotFound('No such room.');
    return this.conversations.view(row.backchannel_id, userId);
  }

  /** Everyone who was ever in the room, for people who were in it. */
  async attendees(userId: string, roomId: string, limit: number, cursor?: string): Promise<{ items: AttendeeView[]; nextCursor: string | null }> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const offset = OffsetCursor.decode(cursor);
    const rows = await this.db.query(
      `SELECT m.user_id, m.role, m.present, u.handle, u.display_name
         FROM room_member m JOIN app_user u ON u.id = m.user_id
        WHERE m.room_id = $1 AND EXISTS (SELECT 1 FROM room_member me WHERE me.room_id = $1 AND me.user_id = $2)
        ORDER BY ${ROLE_ORDER_SQL('m')}
        LIMIT $3 OFFSET $4`,
      [roomId, userId, limit + 1, offset],
    );
    // A member always sees at least themselves on the first page; nothing at all means not a member.
    if (rows.length === 0 && !(await this.wasIn(userId, roomId))) throw new NotFound('No such room.');
    return OffsetCursor.page(rows.map(attendeeView), offset, limit);
  }

  /**
   * For a new conversation started "from" a room: `{roomId, roomTitle}` when every one of
   * `userIds` (the creator and the participants) was in that room, otherwise null. Without
   * a `roomId`, the most recent room they were all in that was live within the last
   * SHARED_ROOM_DAYS days (still live, or ended since): one query, driven by the first
   * user's rooms.
   */
  async sharedRoomContext(userIds: string[], roomId: string | null): Promise<{ roomId: string; roomTitle: string } | null> {
    const ids = [...new Set(userIds)];
    if ((roomId !== null && !isUuid(roomId)) || ids.length === 0 || !ids.every(isUuid)) return null;
    const row = await this.db.one<{ id: string; title: string }>(
      roomId !== null
        ? `SELECT r.id, r.title FROM room r
            WHERE r.id = $3
              AND (SELECT count(*) FROM room_member m WHERE m.room_id = r.id AND m.user_id = ANY($1::uuid[])) = $2`
        : `SELECT r.id, r.title FROM room_member me JOIN room r ON r.id = me.room_id
            WHERE me.user_id = ($1::uuid[])[1]
              AND (r.status = 'live' OR r.ended_at > now() - make_interval(days => ${SHARED_ROOM_DAYS}))
              AND (SELECT count(*) FROM room_member m WHERE m.room_id = r.id AND m.user_id = ANY($1::uuid[])) = $2
            ORDER BY coalesce(r.ended_at, now()) DESC, r.created_at DESC, r.id DESC
            LIMIT 1`,
      roomId !== null ? [ids, ids.length, roomId] : [ids, ids.length],
    );
    return row ? { roomId: row.id, roomTitle: row.title } : null;
  }

  private async wasIn(userId: string, roomId: string): Promise<boolean> {
    return !!(await this.db.one('SELECT 1 FROM room_member WHERE room_id = $1 AND user_id = $2', [roomId, userId]));
  }

  /** Brings the backchannel in line with the moderators and writes the events; returns the outbox id. */
  private async reconcile(q: Queryable, room: LockedRoom): Promise<string | null> {
    const change = await BackchannelMembership.reconcile(q, room.backchannel_id, room.id);
    const recipients = BackchannelMembership.recipients(change);
    return this.events.append(q, await this.conversations.eventsFor(q, room.backchannel_id, recipients));
  }
}

export function validateRoomTitle(raw: unknown): string {
  const problem = (msg: string) => new InvalidRequest(`title ${msg}`, [{ field: 'title', problems: [msg] }]);
  if (typeof raw !== 'string') throw problem('must be a string');
  if (TITLE_CONTROLS.test(raw)) throw problem('must not contain control characters');
  const title = raw.trim();
  const length = [...title].length;
  if (length < 1 || length > MAX_ROOM_TITLE_CHARS) throw problem(`must be 1-${MAX_ROOM_TITLE_CHARS} characters after trimming`);
  return title;
}
