import { Injectable } from '@nestjs/common';
import { assertExternalId } from '../accounts/external-accounts.service';
import { ConversationsService } from '../conversations/conversations.service';
import { userIdsByExternalIds } from '../accounts/accounts.repository';
import { Db } from '../db/db.service';
import { Conflict, InvalidRequest, RoomEnded, RoomHostRequired, UnknownUser } from '../errors';
import { EventsService } from '../events/events.service';
import { newId } from '../ids';
import { BackchannelMembership } from './backchannel-membership';
import * as repo from './rooms.repository';
import type { RoomRole } from './room-views';
import { validateRoomTitle, validateStartsAt } from './rooms.service';

export const EXTERNAL_ROOM_ROLES = ['host', 'moderator', 'speaker', 'listener'] as const;
export type ExternalRoomRole = (typeof EXTERNAL_ROOM_ROLES)[number];
/** Members one PUT may list (an audio room's audience included). */
export const MAX_EXTERNAL_ROOM_MEMBERS = 5000;

export interface ExternalRoomState {
  title: string;
  status: 'scheduled' | 'live' | 'ended';
  /** When a scheduled room is meant to start, if the host app knows (ISO-8601). */
  startsAt: Date | null;
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
      await repo.lockExternalRoomId(q, externalId);
      let room = await repo.lockRoomByExternalId(q, externalId);
      let titleChanged = false;
      if (!room) {
        if (!hostId) throw new RoomHostRequired();
        room = await repo.insertExternalRoom(q, {
          roomId: newId(),
          backchannelId: newId(),
          title: state.title,
          hostId,
          externalId,
          status: state.status === 'scheduled' ? 'scheduled' : 'live',
          startsAt: state.startsAt,
        });
      } else {
        if (room.status === 'ended' && state.status !== 'ended')
          throw new RoomEnded('This room has ended; an ended room does not go live again.');
        if (room.status === 'live' && state.status === 'scheduled')
          throw new Conflict('This room is live; a live room does not go back to scheduled.');
        if (room.status === 'scheduled' && state.status === 'live') await repo.startRoom(q, room.id);
        if (
          state.status === 'scheduled' &&
          state.startsAt &&
          (!room.startsAt || new Date(room.startsAt).getTime() !== state.startsAt.getTime())
        )
          await repo.setStartsAt(q, room.id, state.startsAt);
        if (room.title !== state.title) {
          titleChanged = true;
          await repo.renameRoom(q, room, state.title);
        }
        if (hostId && room.hostId !== hostId) await repo.setHost(q, room.id, hostId);
      }
      await repo.makePresent(q, room.id, members);
      await repo.markLeftExcept(
        q,
        room.id,
        members.map((m) => m.userId),
      );
      if (state.status === 'ended' && room.status !== 'ended') await repo.endRoom(q, room.id);
      const change = await BackchannelMembership.reconcile(q, room.backchannelId, room.id);
      // A new title reaches every moderator (the backchannel's title and context changed).
      const recipients = titleChanged
        ? [...new Set([...BackchannelMembership.recipients(change), ...change.moderators])].sort()
        : BackchannelMembership.recipients(change);
      const outboxId = await this.events.append(q, await this.conversations.eventsFor(q, room.backchannelId, recipients));
      return { id: room.id, outboxId };
    });
    this.events.published(outboxId);
    return { id };
  }

  /** externalId → user id for every member; any unknown one is 422 unknown_user naming them all. */
  private async userIds(externalIds: string[]): Promise<Map<string, string>> {
    const map = externalIds.length ? await userIdsByExternalIds(this.db, externalIds) : new Map<string, string>();
    const unknown = externalIds.filter((e) => !map.has(e));
    if (unknown.length) throw new UnknownUser(undefined, { userExternalIds: unknown.slice(0, 100) });
    return map;
  }
}

function parseState(body: unknown): ExternalRoomState {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : null) as Record<string, unknown> | null;
  if (!b) throw new InvalidRequest('The body must be a JSON object {title, status, members}.');
  const title = validateRoomTitle(b.title);
  if (b.status !== 'scheduled' && b.status !== 'live' && b.status !== 'ended')
    throw new InvalidRequest('status must be "scheduled", "live" or "ended".', [
      { field: 'status', problems: ['must be scheduled, live or ended'] },
    ]);
  const startsAt = b.startsAt === undefined || b.startsAt === null ? null : validateStartsAt(b.startsAt, { future: false }); // a room running late keeps its start time
  if (!Array.isArray(b.members) || b.members.length > MAX_EXTERNAL_ROOM_MEMBERS) {
    throw new InvalidRequest(`members must be an array of at most ${MAX_EXTERNAL_ROOM_MEMBERS}.`, [
      { field: 'members', problems: ['must be an array'] },
    ]);
  }
  const seen = new Set<string>();
  const members = (b.members as unknown[]).map((raw, i) => {
    const field = `members[${i}]`;
    const m = raw as Record<string, unknown> | null;
    if (!m || typeof m !== 'object')
      throw new InvalidRequest(`${field} must be an object {userExternalId, role}.`, [{ field, problems: ['must be an object'] }]);
    const userExternalId = assertExternalId(m.userExternalId, `${field}.userExternalId`);
    if (!(EXTERNAL_ROOM_ROLES as readonly unknown[]).includes(m.role)) {
      throw new InvalidRequest(`${field}.role must be host, moderator, speaker or listener.`, [
        { field: `${field}.role`, problems: ['must be host, moderator, speaker or listener'] },
      ]);
    }
    if (seen.has(userExternalId))
      throw new InvalidRequest(`${field}: ${userExternalId} is listed twice.`, [{ field, problems: ['listed twice'] }]);
    seen.add(userExternalId);
    return { userExternalId, role: m.role as ExternalRoomRole };
  });
  return { title, status: b.status, startsAt, members };
}
