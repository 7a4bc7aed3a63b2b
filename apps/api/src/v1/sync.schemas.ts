import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Conversation, Message } from './conversations.schemas';
import { Question } from './rooms.schemas';
import { Notice } from './safety.schemas';

/**
 * The events of `GET /v1/sync` (the socket sends the same objects, with `type` as the event
 * name): `{type, cursor, ...payload}`, one class per payload, joined by `type`.
 */
const CURSOR = { type: String, description: "Opaque; this user's position in their event stream" } as const;

export class MessageEvent {
  @ApiProperty({ enum: ['message.created', 'message.updated'] }) type!: 'message.created' | 'message.updated';
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Message }) message!: Message;
}

export class ConversationEvent {
  @ApiProperty({ enum: ['conversation.updated', 'request.created'] }) type!: 'conversation.updated' | 'request.created';
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Conversation }) conversation!: Conversation;
}

export class QuestionEvent {
  @ApiProperty({ enum: ['question.created', 'question.updated'] }) type!: 'question.created' | 'question.updated';
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: Question }) question!: Question;
}

export class ReadEvent {
  @ApiProperty({ enum: ['read.updated'] }) type!: 'read.updated';
  @ApiProperty(CURSOR) cursor!: string;
  @ApiProperty({ type: String, format: 'uuid' }) conversationId!: string;
  @ApiProperty({ type: String, format: 'uuid', description: 'The member who read' }) userId!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Their read marker' }) seq!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Same as seq' }) readSeq!: number;
}

export class NoticeEvent {
  @ApiProperty({ enum: ['notice.created'] }) type!: 'notice.created';
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
        mapping: {
          'message.created': getSchemaPath(MessageEvent),
          'message.updated': getSchemaPath(MessageEvent),
          'conversation.updated': getSchemaPath(ConversationEvent),
          'request.created': getSchemaPath(ConversationEvent),
          'question.created': getSchemaPath(QuestionEvent),
          'question.updated': getSchemaPath(QuestionEvent),
          'read.updated': getSchemaPath(ReadEvent),
          'notice.created': getSchemaPath(NoticeEvent),
        },
      },
    },
  })
  events!: Array<MessageEvent | ConversationEvent | QuestionEvent | ReadEvent | NoticeEvent>;

  @ApiProperty({ type: String, description: 'Sync from here next time (the last event, or the current head)' }) cursor!: string;
  @ApiProperty({ type: Boolean, description: 'More events wait: call again with `cursor`' }) hasMore!: boolean;
}
