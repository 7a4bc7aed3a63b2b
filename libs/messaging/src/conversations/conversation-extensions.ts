/**
 * What conversations asks of the layers above it (issue #27: no start-up callbacks, no
 * upward import). Rooms provides ROOM_CONTEXT (rooms/room-context.ts), rules provides
 * REQUESTS_HIDDEN_BY_RULE (rules/hidden-requests.ts); both are global modules every role loads.
 */

export const ROOM_CONTEXT = Symbol('ROOM_CONTEXT');

export interface RoomContextSource {
  /**
   * `context` for a conversation started from a room: the named room when everyone was in it,
   * or with `roomId` null the most recent room everyone shared lately; null when none.
   */
  sharedRoomContext(userIds: string[], roomId: string | null): Promise<Record<string, unknown> | null>;
}

export const REQUESTS_HIDDEN_BY_RULE = Symbol('REQUESTS_HIDDEN_BY_RULE');

export interface RequestsHiddenByRule {
  /** Of these pending requests of `viewerId`, the ids a live staff rule with action `hide` hides. */
  hiddenRequests(viewerId: string, conversationIds: string[]): Promise<Iterable<string>>;
}
