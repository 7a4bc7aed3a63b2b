import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../db/db.service';
import type { ConversationView } from '../conversations/conversation-view';
import { ConversationsService } from '../conversations/conversations.service';
import { Forbidden, InvalidRequest, NotFound, RoomEnded } from '../errors';
import { assertRoomLive, MAX_SCHEDULE_DAYS } from './room-status';
import { EventsService } from '../events/events.service';
import { isUuid, newId } from '../ids';
import { BackchannelMembership } from './backchannel-membership';
import { OffsetCursor } from './offset-cursor';
import * as repo from './rooms.repository';
import type { LockedRoom } from './rows';
import { attendeeView, roomListItem, roomView, type AttendeeView, type RoomListItem, type RoomRole, type RoomView } from './room-views';

export const MAX_ROOM_TITLE_CHARS = 100;
const TITLE_CONTROLS = /[\u0000-\u001F\u007F]/;

export type { LockedRoom } from './rows';

export const isCurrentModerator = (r: { myRole: RoomRole | null; myPresent: boolean | null }) =>
  r.myRole === 'moderator' && r.myPresent === true;

/**
 * Rooms, membership and roles. Every transaction that changes who is in a room or what
 * role they hold starts by locking the room row, so role changes, joins, leaves and the end
 * of a room take turns, and the backchannel (see BackchannelMembership) is reconciled
 * inside the same transaction: it cannot drift from the moderators, even under races.
 */
@Injectable()
export class RoomsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly conversations: ConversationsService,
  ) {}

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
    const room = await repo.lockRoom(q, roomId, mode);
    if (!room) throw new NotFound('No such room.');
    const me = await repo.membership(q, roomId, userId);
    return { ...room, myRole: me?.role ?? null, myPresent: me?.present ?? null };
  }

  private static requireMember(room: LockedRoom): void {
    if (room.myRole === null) throw new NotFound('No such room.');
  }

  /**
   * A live room, or with `startsAt` a scheduled one (status `scheduled` until its host or a
   * moderator starts it; nothing starts it by the clock: people go live, a timer does not).
   */
  async create(hostId: string, rawTitle: string, rawStartsAt?: unknown): Promise<RoomView> {
    const title = validateRoomTitle(rawTitle);
    const startsAt = rawStartsAt === undefined || rawStartsAt === null ? null : validateStartsAt(rawStartsAt);
    const roomId = newId();
    const backchannelId = newId();
    const { room, outboxId } = await this.db.tx(async (q) => {
      // The host is a moderator of the room and of its backchannel from the start.
      const room = await repo.insertRoom(q, { roomId, backchannelId, title, hostId, startsAt });
      const events = await this.conversations.eventsFor(q, backchannelId, [hostId]);
      return { room, outboxId: await this.events.append(q, events) };
    });
    this.events.published(outboxId);
    return roomView(room, 'moderator');
  }

  /** The room as the caller sees it: for anyone who is or was in it; everyone else 404. */
  async get(userId: string, roomId: string): Promise<RoomView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const row = await repo.roomOfMember(this.db, roomId, userId);
    if (!row) throw new NotFound('No such room.');
    return roomView(row, row.myRole);
  }

  /**
   * Join as a listener while the room is live; idempotent. Someone who left and comes back
   * keeps the role they had, and a returning moderator is back in the backchannel.
   */
  async join(userId: string, roomId: string): Promise<RoomView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    // Already here: nothing to write, so no lock to queue behind on a busy room.
    const here = await repo.roomOfPresentMember(this.db, roomId, userId);
    if (here?.status === 'live') return roomView(here, here.myRole);

    const { room, role, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, userId);
      assertRoomLive(room.status);
      const role = await repo.joinAsListener(q, roomId, userId);
      const outboxId = role === 'moderator' ? await this.reconcile(q, room) : null;
      return { room, role, outboxId };
    });
    this.events.published(outboxId);
    return roomView(room, role);
  }

  /** Leave (not in the contract): no longer present; a moderator leaves the backchannel with it. */
  async leave(userId: string, roomId: string): Promise<RoomView> {
    const { room, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, userId);
      RoomsService.requireMember(room);
      if (!room.myPresent) return { room, outboxId: null };
      await repo.markLeft(q, roomId, userId);
      const outboxId = room.myRole === 'moderator' ? await this.reconcile(q, room) : null;
      return { room, outboxId };
    });
    this.events.published(outboxId);
    return roomView(room, room.myRole);
  }

  /**
   * Moderators (present, role moderator) set anyone's role who is or was in the room; the
   * host always stays a moderator. While the room is scheduled they also name people who are
   * not in it yet (anyone not blocked either way with them): the lineup, who then organize in
   * the backchannel before going live. The backchannel follows in the same transaction.
   */
  async setRole(actorId: string, roomId: string, targetId: string, role: RoomRole): Promise<AttendeeView> {
    const { target, outboxId } = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId);
      RoomsService.requireMember(room);
      if (!isCurrentModerator(room)) throw new Forbidden('Only the room’s moderators can change roles.');
      if (room.status === 'ended') throw new RoomEnded();
      if (!isUuid(targetId)) throw new NotFound('That person is not in this room.');
      if (targetId === room.hostId && role !== 'moderator') throw new Forbidden('The host is always a moderator.');
      const target =
        room.status === 'scheduled'
          ? await repo.nameMember(q, roomId, actorId, targetId, role)
          : await repo.setMemberRole(q, roomId, targetId, role);
      if (!target) throw new NotFound(room.status === 'scheduled' ? 'No such person.' : 'That person is not in this room.');
      return { target, outboxId: await this.reconcile(q, room) };
    });
    this.events.published(outboxId);
    return attendeeView(target);
  }

  /** The host or a moderator starts a scheduled room; starting a live one is a no-op, an ended one 422. */
  async start(actorId: string, roomId: string): Promise<RoomView> {
    const room = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId);
      RoomsService.requireMember(room);
      if (room.hostId !== actorId && !isCurrentModerator(room)) throw new Forbidden('Only the host or a moderator can start the room.');
      if (room.status === 'ended') throw new RoomEnded('This room has ended; an ended room does not go live again.');
      if (room.status === 'live') return room;
      return { ...room, ...(await repo.startRoom(q, roomId)) };
    });
    return roomView(room, room.myRole);
  }

  /** The rooms I host, moderate or speak in that are not over (`status` narrows to one kind). */
  async list(userId: string, rawStatus: unknown): Promise<{ items: RoomListItem[] }> {
    if (rawStatus !== undefined && rawStatus !== 'scheduled' && rawStatus !== 'live') {
      throw new InvalidRequest('status must be scheduled or live.', [{ field: 'status', problems: ['scheduled | live'] }]);
    }
    const rows = await repo.roomsOf(this.db, userId, (rawStatus as 'scheduled' | 'live' | undefined) ?? null, MAX_LISTED_ROOMS);
    return { items: rows.map(roomListItem) };
  }

  /** The host or a moderator ends the room; ending an ended room is a no-op. */
  async end(actorId: string, roomId: string): Promise<RoomView> {
    const room = await this.db.tx(async (q) => {
      const room = await RoomsService.lock(q, roomId, actorId);
      RoomsService.requireMember(room);
      if (room.hostId !== actorId && !isCurrentModerator(room)) throw new Forbidden('Only the host or a moderator can end the room.');
      if (room.status === 'ended') return room;
      const ended = await repo.endRoom(q, roomId);
      return { ...room, ...ended };
    });
    return roomView(room, room.myRole);
  }

  /** The moderators-only conversation: active backchannel members only (= current moderators). */
  async backchannel(userId: string, roomId: string): Promise<ConversationView> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const backchannelId = await repo.backchannelOfModerator(this.db, roomId, userId);
    if (!backchannelId) throw new NotFound('No such room.');
    return this.conversations.view(backchannelId, userId);
  }

  /** Everyone who was ever in the room, for people who were in it. */
  async attendees(
    userId: string,
    roomId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: AttendeeView[]; nextCursor: string | null }> {
    if (!isUuid(roomId)) throw new NotFound('No such room.');
    const offset = OffsetCursor.decode(cursor);
    const rows = await repo.attendees(this.db, roomId, userId, limit + 1, offset);
    // A member always sees at least themselves on the first page; nothing at all means not a member.
    if (rows.length === 0 && !(await repo.wasIn(this.db, roomId, userId))) throw new NotFound('No such room.');
    return OffsetCursor.page(rows.map(attendeeView), offset, limit);
  }

  /** Brings the backchannel in line with the moderators and writes the events; returns the outbox id. */
  private async reconcile(q: Queryable, room: LockedRoom): Promise<string | null> {
    const change = await BackchannelMembership.reconcile(q, room.backchannelId, room.id);
    const recipients = BackchannelMembership.recipients(change);
    return this.events.append(q, await this.conversations.eventsFor(q, room.backchannelId, recipients));
  }
}

/** At most this many rooms in `GET /v1/rooms` (upcoming and live: a person is in few at a time). */
export const MAX_LISTED_ROOMS = 200;

/** A start time: ISO-8601 with a date and a time, in the future (unless told otherwise), at most MAX_SCHEDULE_DAYS ahead. */
export function validateStartsAt(raw: unknown, opts: { future: boolean } = { future: true }): Date {
  const problem = (msg: string) => new InvalidRequest(`startsAt ${msg}`, [{ field: 'startsAt', problems: [msg] }]);
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
    throw problem('must be an ISO-8601 date and time with a zone, e.g. 2026-12-24T18:00:00Z');
  }
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) throw problem('is not a real date and time');
  if (opts.future && at.getTime() <= Date.now()) throw problem('must be in the future');
  if (at.getTime() > Date.now() + MAX_SCHEDULE_DAYS * 86_400_000) throw problem(`must be at most ${MAX_SCHEDULE_DAYS} days ahead`);
  return at;
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
