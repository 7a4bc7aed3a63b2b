import { RoomEnded, RoomNotLive } from '../errors';
import type { RoomStatus } from './rows';

/**
 * What only a live room allows (joining, questions): one rule for every route. A scheduled
 * room is not live yet (422 room_not_live), an ended one is over (422 room_ended).
 */
export function assertRoomLive(status: RoomStatus, endedMessage?: string): void {
  if (status === 'scheduled') throw new RoomNotLive();
  if (status !== 'live') throw new RoomEnded(endedMessage);
}

/** How far ahead a room may be scheduled. */
export const MAX_SCHEDULE_DAYS = 90;
