import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsString } from 'class-validator';
import { ROOM_ROLES, SETTABLE_QUESTION_STATUSES, type RoomRole, type SettableQuestionStatus } from '@app/messaging/rooms/room-views';
import { MAX_ROOM_TITLE_CHARS } from '@app/messaging/rooms/rooms.service';

export class CreateRoomDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: MAX_ROOM_TITLE_CHARS,
    description: 'Trimmed; no control characters',
    example: 'Friday night show',
  })
  @IsString()
  title!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description:
      'v1.2: schedule the room instead of going live now (ISO-8601 with a zone, in the future, at most 90 days ahead); it is `scheduled` until POST /v1/rooms/:id/start',
    example: '2026-12-24T18:00:00Z',
  })
  @Allow()
  startsAt?: unknown;
}

export class SetRoleDto {
  @ApiProperty({ enum: ROOM_ROLES, example: 'speaker' })
  @IsIn(ROOM_ROLES)
  role!: RoomRole;
}

/** Validated by QuestionsService (text rules shared with messages; media fields refused with 422). */
export class AskQuestionDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 500, example: 'How did you get started?' }) @Allow() text!: unknown;
  @Allow() attachments?: unknown;
  @Allow() image?: unknown;
  @Allow() video?: unknown;
  @Allow() media?: unknown;
}

export class SetQuestionStatusDto {
  @ApiProperty({ enum: SETTABLE_QUESTION_STATUSES, example: 'pinned' })
  @IsIn(SETTABLE_QUESTION_STATUSES)
  status!: SettableQuestionStatus;
}
