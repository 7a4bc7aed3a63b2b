import { Injectable } from '@nestjs/common';
import { assertExternalId } from '../accounts/external-accounts.service';
import { ConversationsService } from '../conversations/conversations.service';
import { Db, type Queryable } from '../db/db.service';
import { InvalidRequest, RoomEnded, RoomHostRequired, UnknownUser } from '../errors';
import { EventsService } from '../events/events.service';
import { newId } from '../ids';
import { BackchannelMembership } from './backchannel-membership';
import type { RoomRole } from './room-views';
import { validateRoomTitle } from './rooms.service';

export const EXTERNAL_ROOM_ROLES = ['host', 'moderator', 'speaker', 'listener'] as const;
export type ExternalRoomRole = (typeof EXTERNAL_ROOM_ROLES)[number];
/** Members one PUT may list (an audio room's audience included). */
export const MAX_EXTERNAL_ROOM_MEMBERS = 5000;

export interface ExternalRoomState {
  title: string;
  status: 'live' | 'ended';
  members: Array<{ userExternalId: string; role: ExternalRoomRole }>;
}

/** A host is a moderator here: the backchannel is its moderators, host included. */
const roleOf = (r: ExternalRoomRole): RoomRole => (r === 'host' ? 'moderator' : r);

/**
 * A room that lives in the host app's audio service, pushed here as its whole current state
 * (PUT /platform/v1/rooms/:externalId). It becomes an ordinary Backchannel room: the listed
 * members are its present attendees with their roles (a host is a moderator and the room's
 * host), members no longer listed have left (their row stays: they were attendees), ended
 * means ended, and the backchannel is reconciled from the moderators in the same
 * transaction under the same room-row lock as native role changes (BackchannelMembership).
 * Only what differs is written, so an identical repeat writes nothing and emits nothing.
 * Parallel PUTs of one room take turns (an advisory lock on the externalId covers the
 * room's creation, the row lock everything after): the last applied state wins entirely.
 */
@Injectable()
export class RoomSyncService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly conversations: ConversationsService,
  ) {}

  async put(externalId: string, body: unknown): Promise<{ id: string }> {
    assertExternalId(externalId);
    const state = parseState(body);
    const ids = await this.userIds(state.members.map((m) => m.userExternalId));
    const members = state.members.map((m) => ({ userId: ids.get(m.userExternalId)!, role: roleOf(m.role), host: m.role === 'host' }));
    const hostId = members.find((m) => m.host)?.userId ?? null;

    const { id, outboxId } = await this.db.tx(async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(hashtextextended('platform-room:' || $1, 0))`, [externalId]);
      let [room] = await q.query(`SELECT * FROM room WHERE external_id = $1 FOR UPDATE`, [externalId]);
      let titleChanged = false;
      if (!room) {
        if (!hostId) throw new RoomHostRequired();
        room = await this.create(q, externalId, state.title, hostId);
      } else {
        if (room.status === 'ended' && state.status === 'live') throw new RoomEnded('This room has ended; an ended room does not go live again.');
        if (room.title !== state.title) {
          titleChanged = true;
          await q.query('UPDATE room SET title = $2 WHERE id = $1', [room.id, state.title]);
          await q.query(
            `UPDATE conversation SET title = $2, context = jsonb_build_object('roomId', $3::uuid, 'roomTitle', $2::text) WHERE id = $1`,
            [room.backchannel_id, state.title, room.id],
          );
        }
        if (hostId && room.host_id !== hostId) await q.query('UPDATE room SET host_id = $2 WHERE id = $1', [room.id, hostId]);
      }
      await q.query(
        `INSERT INTO room_member (room_id, user_id, role)
         SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m(user_id, role)
         ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role, present = true, left_at = NULL
          WHERE room_member.role <> excluded.role OR NOT room_member.present`,
        [room.id, members.map((m) => m.userId), members.map((m) => m.role)],
      );
      await q.query(
        `UPDATE room_member SET present = false, left_at = now() WHERE room_id = $1 AND present AND NOT (user_id = ANY($2::uuid[]))`,
        [room.id, members.map((m) => m.userId)],
      );
      if (state.status === 'ended' && room.status !== 'ended') {
        await q.query(`UPDATE room SET status = 'ended', ended_at = now() WHERE id = $1`, [room.id]);
      }
      const change = await BackchannelMembership.reconcile(q, room.backchannel_id, room.id);
      // A new title reaches every moderator (the backchannel's title and context changed).
      const recipients = titleChanged ? [...new Set([...BackchannelMembership.recipients(change), ...change.moderators])].sort() : BackchannelMembership.recipients(change);
      const outboxId = await this.events.append(q, await this.conversations.eventsFor(q, room.backchannel_id, recipients));
      return { id: room.id as string, outboxId };
    });
    this.events.published(outboxId);
    return { id };
  }

  /** The room and its backchannel, as RoomsService.create makes them; members follow in put(). */
  private async create(q: Queryable, externalId: string, title: string, hostId: string) {
    const roomId = newId();
    const backchannelId = newId();
    const [room] = await q.query(
      `WITH c AS (
         INSERT INTO conversation (id, kind, title, creator_id, room_id, context)
         VALUES ($2::uuid, 'room', $3::text, $4::uuid, $1::uuid, jsonb_build_object('roomId', $1::uuid, 'roomTitle', $3::text))
         RETURNING id)
       INSERT INTO room (id, title, host_id, backchannel_id, external_id) SELECT $1::uuid, $3::text, $4::uuid, id, $5 FROM c RETURNING *`,
      [roomId, backchannelId, title, hostId, externalId],
    );
    return room;
  }

  /** externalId → user id for every member; any unknown one is 422 unknown_user naming them all. */
  private async userIds(externalIds: string[]): Promise<Map<string, string>> {
    const rows = externalIds.length
      ? await this.db.query<{ id: string; external_id: string }>('SELECT id, external_id FROM app_user WHERE external_id = ANY($1::text[])', [externalIds])
      : [];
    const map = new Map(rows.map((r) => [r.external_id, r.id]));
    const unknown = externalIds.filter((e) => !map.has(e));
    if (unknown.length) throw new UnknownUser(undefined, { userExternalIds: unknown.slice(0, 100) });
    return map;
  }
}

function parseState(body: unknown): ExternalRoomState {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : null) as Record<string, unknown> | null;
  if (!b) throw new InvalidRequest('The body must be a JSON object {title, status, members}.');
  const title = validateRoomTitle(b.title);
  if (b.status !== 'live' && b.status !== 'ended') throw new InvalidRequest('status must be "live" or "ended".', [{ field: 'status', problems: ['must be live or ended'] }]);
  if (!Array.isArray(b.members) || b.members.length > MAX_EXTERNAL_ROOM_MEMBERS) {
    throw new InvalidRequest(`members must be an array of at most ${MAX_EXTERNAL_ROOM_MEMBERS}.`, [{ field: 'members', problems: ['must be an array'] }]);
  }
  const seen = new Set<string>();
  const members = b.members.map((m: any, i: number) => {
    const field = `members[${i}]`;
    if (!m || typeof m !== 'object') throw new InvalidRequest(`${field} must be an object {userExternalId, role}.`, [{ field, problems: ['must be an object'] }]);
    const userExternalId = assertExternalId(m.userExternalId, `${field}.userExternalId`);
    if (!(EXTERNAL_ROOM_ROLES as readonly unknown[]).includes(m.role)) {
      throw new InvalidRequest(`${field}.role must be host, moderator, speaker or listener.`, [{ field: `${field}.role`, problems: ['must be host, moderator, speaker or listener'] }]);
    }
    if (seen.has(userExternalId)) throw new InvalidRequest(`${field}: ${userExternalId} is listed twice.`, [{ field, problems: ['listed twice'] }]);
    seen.add(userExternalId);
    return { userExternalId, role: m.role as ExternalRoomRole };
  });
  return { title, status: b.status, members };
}
