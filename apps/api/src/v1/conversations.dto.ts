import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { MAX_MESSAGE_CHARS } from '@app/messaging/messages/message-text';
import { EXAMPLE_USER_ID } from './accounts.schemas';

// Bodies are validated by the domain services (the socket path shares them), so the DTOs
// only document the shape and let every field through to them. Types are explicit: a field
// declared `unknown` would otherwise be documented as an object.

export class CreateConversationDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    description:
      'The other participants: one → the direct conversation of the pair; two or more → a group (15 members at most, you included)',
    example: [EXAMPLE_USER_ID],
  })
  @Allow()
  participantIds!: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 100, description: 'Group title', example: 'Weekend plans' })
  @Allow()
  title?: unknown;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description:
      'A room both attended: the conversation carries context {roomId, roomTitle}. Left out: the most recent room shared in the last 7 days, if any',
  })
  @Allow()
  roomId?: unknown;
}

export class MembersDto {
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, example: [EXAMPLE_USER_ID] })
  @Allow()
  userIds!: unknown;
}

export class ReadDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The highest seq read', example: 1 })
  @Allow()
  seq!: unknown;
}

export class SendMessageDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 100,
    description: 'Idempotency key chosen by the client: the same key again returns the stored message (200)',
    example: 'c7f1e1a4-msg-0001',
  })
  @Allow()
  clientId!: unknown;

  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: MAX_MESSAGE_CHARS,
    description: 'Trimmed; no control characters but \\n and \\t; links are found and scanned',
    example: 'Hi! Loved your point about https://example.com/talk',
  })
  @Allow()
  text!: unknown;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    nullable: true,
    description:
      'Reply: the seq of a message of this conversation that you can see (else 422 reply_target_not_found); absent or null: not a reply',
    default: null,
  })
  @Allow()
  replyTo?: unknown;

  // Not documented: present only so that "any attachments/image/video/media field" is refused with 422.
  @Allow() attachments?: unknown;
  @Allow() image?: unknown;
  @Allow() video?: unknown;
  @Allow() media?: unknown;
}

export class EditMessageDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: MAX_MESSAGE_CHARS,
    description: 'The new text: the same rules as a send; links are found and scanned again',
    example: 'Hi! Loved your point about https://example.com/talk (edited)',
  })
  @Allow()
  text!: unknown;

  // Not documented: present only so that "any attachments/image/video/media field" is refused with 422.
  @Allow() attachments?: unknown;
  @Allow() image?: unknown;
  @Allow() video?: unknown;
  @Allow() media?: unknown;
}

export class DeclineAllDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    description: 'The sender whose pending requests to me are declined',
    example: EXAMPLE_USER_ID,
  })
  @Allow()
  senderId!: unknown;
}
