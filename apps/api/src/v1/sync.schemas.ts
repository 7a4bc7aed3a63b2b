import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { EVENT_TYPES, type EventType } from '@app/messaging/events/event-types';
import { Conversation, Message } from './conversations.schemas';
import { Question } from './rooms.schemas';
import { Notice } from './safety.schemas';

/**
 * The events of `GET /v1/sync` (the socket sends the same objects, with `type` as the event
 * name): `{type, cursor, ...payload}`, one class per payload, joined by `type`.
 */
const CURSOR = { type: String, description: "Opaque; this user's position in their event stream" } as const;

/**
 * Which schema carries each event type: the one place the events are grouped. The event list
 * itself is EVENT_TYPES (event-types.ts); `satisfies` makes a type missing here, or one that is
 * not in the list, a compile error. The classes' `type` enums, the sync discriminator and the
 * AsyncAPI messages (docs/asyncapi.ts) all derive from it.
 */
export const EVENT_SCHEMA = {
  'message.created': 'MessageEvent',
  'message.updated': 'MessageEvent',
  'conversation.updated': 'ConversationEvent',
  'request.created': 'ConversationEvent',
  'question.created': 'QuestionEvent',
  'question.updated': 'QuestionEvent',
  'read.updated': 'ReadEvent',
  'notice.created': 'NoticeEvent',
} as const satisfies Record<EventType, string>;

type EventSchemaName = (typeof EVENT_SCHEMA)[EventType];
/** The event types one schema carries, e.g. 'message.created' | 'message.updated'. */
type TypesOf<S extends EventSchemaName> = { [K in EventType]: (typeof EVENT_SCHEMA)[K] extends S ? K : never }[EventType];
/** The same, as the schema's `type` enum, in EVENT_TYPES order. */
const typesOf = <S extends EventSchemaName>(schema: S): Array<TypesOf<S>> =>
  EVENT_TYPES.filter((t): t is TypesOf<S> => EVENT_SCHEMA[t] === schema);

export class MessageEvent {
  @ApiProperty({ enum: typesOf('MessageEvent') }) type!: TypesOf<'MessageEvent'>;
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Message }) message!: Message;
}

export class ConversationEvent {
  @ApiProperty({ enum: typesOf('ConversationEvent') }) type!: TypesOf<'ConversationEvent'>;
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Conversation }) conversation!: Conversation;
}

export class QuestionEvent {
  @ApiProperty({ enum: typesOf('QuestionEvent') }) type!: TypesOf<'QuestionEvent'>;
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Question }) question!: Question;
}

export class ReadEvent {
  @ApiProperty({ enum: typesOf('ReadEvent') }) type!: TypesOf<'ReadEvent'>;
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: String, format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: String, format: 'uuid', description: 'The member who read' }) userId!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Their read marker' }) seq!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Same as seq' }) readSeq!: number;
}

export class NoticeEvent {
  @ApiProperty({ enum: typesOf('NoticeEvent') }) type!: TypesOf<'NoticeEvent'>;
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Notice }) notice!: Notice;
}

export const SYNC_EVENT_MODELS = [MessageEvent, ConversationEvent, QuestionEvent, ReadEvent, NoticeEvent];

export class SyncPage {
  @ApiProperty({
    type: 'array',
    description: 'Every event after the cursor, in order',
    items: {
      oneOf: SYNC_EVENT_MODELS.map((m) => ({ $ref: getSchemaPath(m) })),
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(EVENT_TYPES.map((t) => [t, getSchemaPath(EVENT_SCHEMA[t])])),
      },
    },
  })
  events!: Array<MessageEvent | ConversationEvent | QuestionEvent | ReadEvent | NoticeEvent>;

  @ApiProperty({ type: String, description: 'Sync from here next time (the last event, or the current head)' }) cursor!: string;
  @ApiProperty({ type: Boolean, description: 'More events wait: call again with `cursor`' }) hasMore!: boolean;
}
