/** Server → client event types of the contract (API.md, "Real time"), plus notices. */
export const EVENT_TYPES = [
  'message.created',
  'message.updated',
  'conversation.updated',
  'request.created',
  'question.created',
  'question.updated',
  'read.updated',
  'notice.created',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types whose row references the message (event.message_id) instead of copying it. */
export const MESSAGE_EVENT_TYPES: readonly EventType[] = ['message.created', 'message.updated'];

/** One event for one user, before it has a cursor. payload: {message} | {conversation} | {question} | {notice} | ... */
export interface UserEvent {
  userId: string;
  type: EventType;
  payload: Record<string, unknown>;
}

/** The wire shape, live and synced: {type, cursor, ...payload}. */
export interface WireEvent {
  type: EventType;
  cursor: string;
  [key: string]: unknown;
}

/**
 * An event on its way to one user's sockets. The recipient travels beside the wire object,
 * never inside it: a payload with its own `userId` (read.updated names the reader) can then
 * never re-route the event.
 */
export interface DeliveredEvent {
  recipientId: string;
  /** The event with the recipient's per-user cursor (v1 sockets); its cursor is null when no member row was written for them. */
  event: { type: EventType; cursor: string | null; [key: string]: unknown };
  /** The event's stream position `p1.<tx>.<id>`, the cursor sockets in positions mode get instead. */
  position?: string | null;
}

/**
 * The one place a wire event is built, for sync and for the socket alike. A payload's own
 * `type` or `cursor` key is dropped, so nothing in a payload can override the routing fields.
 */
export function wireEvent(type: string, cursor: string, payload: Record<string, unknown> | null | undefined): WireEvent {
  const { type: _t, cursor: _c, ...rest } = payload ?? {};
  return { type: type as EventType, cursor, ...rest };
}
