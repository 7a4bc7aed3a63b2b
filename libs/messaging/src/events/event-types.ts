/** Server → client event types of the contract (API.md, "Real time"), plus notices. */
export type EventType =
  | 'message.created'
  | 'message.updated'
  | 'conversation.updated'
  | 'request.created'
  | 'question.created'
  | 'question.updated'
  | 'read.updated'
  | 'notice.created';

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

export interface DeliveredEvent extends WireEvent {
  userId: string;
}
