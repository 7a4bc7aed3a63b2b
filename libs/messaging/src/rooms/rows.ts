/** A member's role in a room (rows and views both speak of it; declared here, the lower of the two). */
export type RoomRole = 'moderator' | 'speaker' | 'listener';

/** The rooms domain's rows as rooms.repository.ts hands them to services: typed and camelCased. */

export type RoomStatus = 'scheduled' | 'live' | 'ended';

export interface RoomRow {
  id: string;
  title: string;
  hostId: string;
  status: RoomStatus;
  backchannelId: string;
  createdAt: Date | string;
  endedAt: Date | string | null;
  externalId: string | null;
  /** When a scheduled room is meant to start (null for rooms created live). */
  startsAt: Date | string | null;
  /** When it went live (null while scheduled, and for rooms created live: their createdAt). */
  startedAt: Date | string | null;
}

/** A line of someone's list of upcoming and live rooms. */
export interface RoomListRow {
  id: string;
  title: string;
  status: RoomStatus;
  startsAt: Date | string | null;
  myRole: RoomRole;
}

/** A room row locked for the transaction, with the caller's membership (null when never in it). */
export interface LockedRoom extends RoomRow {
  myRole: RoomRole | null;
  myPresent: boolean | null;
}

/** The caller's standing in a room, with the room's state, in one read. */
export interface RoomStanding {
  status: RoomStatus;
  myRole: RoomRole | null;
  myPresent: boolean | null;
}

export interface AttendeeRow {
  userId: string;
  handle: string;
  displayName: string;
  role: RoomRole;
  present: boolean;
}
