import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROOM_ROLES } from '@app/messaging/rooms/room-views';
import { Link } from './conversations.schemas';

/** Response shapes of the audio-room routes (API.md, "Audio rooms"). */

export class Room {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, example: 'Friday night show' }) title!: string;
  @ApiProperty({ type: String, format: 'uuid' }) hostId!: string;
  @ApiProperty({ enum: ['scheduled', 'live', 'ended'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a scheduled room is meant to start (v1.2)' })
  startsAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt!: string | null;
  @ApiProperty({ enum: ROOM_ROLES, nullable: true, description: "The caller's role; null when never in the room" }) myRole!: string | null;
}

export class RoomListItem {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, example: 'Friday night show' }) title!: string;
  @ApiProperty({ enum: ['scheduled', 'live'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ enum: ['moderator', 'speaker'], description: 'My role in it (the host is a moderator)' }) myRole!: string;
}

export class RoomList {
  @ApiProperty({ type: [RoomListItem], description: 'Live rooms first (newest first), then scheduled ones by start time; at most 200' })
  items!: RoomListItem[];
}

export class Question {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid' }) roomId!: string;
  @ApiProperty({ type: String, format: 'uuid' }) authorId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once removed' }) text!: string | null;
  @ApiProperty({ type: [Link] }) links!: Link[];
  @ApiProperty({ enum: ['open', 'pinned', 'answered', 'dismissed'] }) status!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) upvotes!: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: ['visible', 'removed'] }) state!: string;
  @ApiPropertyOptional({ type: String }) removedReason?: string;
  @ApiPropertyOptional({ type: Boolean }) upvotedByMe?: boolean;
}

export class QuestionPage {
  @ApiProperty({ type: [Question], description: 'Pinned, open, answered, dismissed; then most upvoted' }) items!: Question[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class Attendee {
  @ApiProperty({ type: String, format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String }) handle!: string;
  @ApiProperty({ type: String }) displayName!: string;
  @ApiProperty({ enum: ROOM_ROLES }) role!: string;
  @ApiProperty({ type: Boolean, description: 'In the room now' }) present!: boolean;
}

export class AttendeePage {
  @ApiProperty({ type: [Attendee] }) items!: Attendee[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
