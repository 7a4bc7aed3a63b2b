import type { Queryable } from '../db/db.service';
import type { UserEvent } from '../events/event-types';

/**
 * What conversations asks of the layers above it (issue #27: no start-up callbacks, no
 * upward import). Rooms provides ROOM_CONTEXT (rooms/room-context.ts), rules provides
 * REQUESTS_HIDDEN_BY_RULE (rules/hidden-requests.ts), safety provides PROTECTION_NOTICES
 * (safety/protection-notices.ts); all are global modules every role loads.
 */

export const ROOM_CONTEXT = Symbol('ROOM_CONTEXT');

export interface RoomContextSource {
  /**
   * `context` for a conversation started from a room: the named room when everyone was in it,
   * or with `roomId` null the most recent room everyone shared lately; null when none.
   */
  sharedRoomContext(userIds: string[], roomId: string | null): Promise<Record<string, unknown> | null>;
  /**
   * Of `userIds`, those who were host, moderator or speaker of a room that ended within the
   * last `withinMinutes` minutes (the pile-on breaker halves their threshold).
   */
  recentlyOnStage(userIds: string[], withinMinutes: number): Promise<Set<string>>;
}

export const REQUESTS_HIDDEN_BY_RULE = Symbol('REQUESTS_HIDDEN_BY_RULE');

export interface RequestsHiddenByRule {
  /** Of these pending requests of `viewerId`, the ids a live staff rule with action `hide` hides. */
  hiddenRequests(viewerId: string, conversationIds: string[]): Promise<Iterable<string>>;
}

export const PROTECTION_NOTICES = Symbol('PROTECTION_NOTICES');

export interface ProtectionNotices {
  /**
   * The pile-on breaker switched `userId`'s Limits on: their notice (`action: limits_enabled`),
   * stored in the caller's transaction; the `notice.created` events to append.
   */
  limitsEnabled(
    q: Queryable,
    userId: string,
    facts: { from: string; until: string; requests: number; windowMinutes: number },
  ): Promise<UserEvent[]>;
}
