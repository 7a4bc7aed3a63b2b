import type { components } from './generated/api';

type Schemas = components['schemas'];

export type Message = Schemas['Message'];
export type Conversation = Schemas['Conversation'];
export type Question = Schemas['Question'];
export type Notice = Schemas['Notice'];
export type Me = Schemas['Me'];

export type MessageEvent = Schemas['MessageEvent'];
export type ConversationEvent = Schemas['ConversationEvent'];
export type QuestionEvent = Schemas['QuestionEvent'];
export type ReadEvent = Schemas['ReadEvent'];
export type NoticeEvent = Schemas['NoticeEvent'];

/** Every server → client event that carries a cursor: the same objects live and through sync. */
export type ServerEvent = MessageEvent | ConversationEvent | QuestionEvent | ReadEvent | NoticeEvent;
export type ServerEventType = ServerEvent['type'];

/** The event of one type: `EventOf<'message.created'>` is a MessageEvent whose `type` is that name. */
export type EventOf<K extends ServerEventType> = ServerEvent extends infer E
  ? E extends { type: infer T }
    ? K extends T
      ? Omit<E, 'type'> & { type: K }
      : never
    : never
  : never;

/**
 * Every cursor-carrying event type, in the server's order (EVENT_TYPES in
 * libs/messaging/src/events/event-types.ts, the one list). The SDK cannot import server code,
 * so it holds a copy, checked at compile time against ServerEventType (generated from the
 * OpenAPI document, which the server derives from that list): a type missing here or unknown
 * there does not compile.
 */
const EVERY_SERVER_EVENT_TYPE: { [K in ServerEventType]: true } = {
  'message.created': true,
  'message.updated': true,
  'conversation.updated': true,
  'request.created': true,
  'question.created': true,
  'question.updated': true,
  'read.updated': true,
  'notice.created': true,
};
export const SERVER_EVENT_TYPES = Object.keys(EVERY_SERVER_EVENT_TYPE) as readonly ServerEventType[];

/** `typing` is relayed live only: no cursor, never in sync. */
export interface TypingEvent {
  conversationId: string;
  userId: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** What a BackchannelClient emits; `on(name, handler)` is typed by this map. */
export type ClientEventMap = {
  [K in ServerEventType]: EventOf<K>;
} & {
  /** Every cursor-carrying event, exactly once and in cursor order. */
  event: ServerEvent;
  typing: TypingEvent;
  connection: { state: ConnectionState; reason?: string };
  /** A queued send was stored by the server (first answer or a retry's 200). */
  'send.succeeded': { clientId: string; message: Message };
  /** A queued send was refused for good (a rule, bad input); it left the outbox. */
  'send.failed': { clientId: string; conversationId: string; error: Error };
  /** A sync (on connect, or to fill a gap) caught up with the server. */
  synced: { cursor: string | null; applied: number };
  /** The stored cursor was too old or unknown: local state must be reloaded from the lists. */
  reset: { reason: string };
  /** Signed in, tokens refreshed, or signed out (with the reason). */
  session: { signedIn: boolean; reason?: string };
  /** Something went wrong that the client handles itself (kept for logs). */
  warning: { message: string; error?: unknown };
};

export type ClientEventName = keyof ClientEventMap;
export type Handler<K extends ClientEventName> = (payload: ClientEventMap[K]) => void;

/** A tiny typed emitter: works the same in Node and browsers. A handler that throws is reported, not fatal. */
export class Emitter {
  private readonly handlers: { [K in ClientEventName]?: Set<Handler<K>> } = {};

  on<K extends ClientEventName>(name: K, handler: Handler<K>): () => void {
    const set: Set<Handler<K>> = (this.handlers[name] as Set<Handler<K>> | undefined) ?? new Set();
    (this.handlers as Record<K, Set<Handler<K>>>)[name] = set;
    set.add(handler);
    return () => set.delete(handler);
  }

  emit<K extends ClientEventName>(name: K, payload: ClientEventMap[K]): void {
    for (const h of [...((this.handlers[name] as Set<Handler<K>> | undefined) ?? [])]) {
      try {
        h(payload);
      } catch (error) {
        if (name !== 'warning') this.emit('warning', { message: `a "${name}" handler threw`, error });
      }
    }
  }
}
