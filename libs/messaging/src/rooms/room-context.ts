import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import { isUuid } from '../ids';
import type { RoomContextSource } from '../conversations/conversation-extensions';
import * as repo from './rooms.repository';

/** How far back "a room everyone shared lately" reaches. */
export const SHARED_ROOM_DAYS = 7;

/**
 * Room context for conversations started from a room, and who was on a room's stage lately
 * (the pile-on breaker); provided as ROOM_CONTEXT (conversations/conversation-extensions.ts).
 */
@Injectable()
export class RoomContext implements RoomContextSource {
  constructor(private readonly db: Db) {}

  /**
   * With a `roomId`, that room when every user was in it; without, the most recent room they
   * were all in that was live within the last SHARED_ROOM_DAYS days (still live, or ended
   * since): one query, driven by the first user's rooms.
   */
  async sharedRoomContext(userIds: string[], roomId: string | null): Promise<{ roomId: string; roomTitle: string } | null> {
    const ids = [...new Set(userIds)];
    if ((roomId !== null && !isUuid(roomId)) || ids.length === 0 || !ids.every(isUuid)) return null;
    const row = await repo.sharedRoom(this.db, ids, roomId, SHARED_ROOM_DAYS);
    return row ? { roomId: row.id, roomTitle: row.title } : null;
  }

  /** Who was on a room's stage (host, moderator, speaker) when it ended, within the last `withinMinutes`. */
  async recentlyOnStage(userIds: string[], withinMinutes: number): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    return new Set(await repo.onStageInRecentlyEnded(this.db, userIds, withinMinutes));
  }
}
