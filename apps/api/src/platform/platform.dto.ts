import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { EXTERNAL_ROOM_ROLES, MAX_EXTERNAL_ROOM_MEMBERS } from '@app/messaging/rooms/room-sync.service';
import { MAX_ROOM_TITLE_CHARS } from '@app/messaging/rooms/rooms.service';

export class PutExternalUserDto {
  @ApiProperty({ type: String, pattern: '^[a-z0-9_]{3,30}$', example: 'alice_01', description: 'Same rules as registration; unique' })
  @IsString()
  @Matches(/^[a-z0-9_]{3,30}$/, { message: 'handle must be 3-30 of a-z, 0-9 and _' })
  handle!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 60, example: 'Alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'displayName must not contain control characters' })
  displayName!: string;
}

export class ExternalRoomMemberDto {
  @ApiProperty({ type: String, example: 'host-user-42', description: 'The externalId of a user upserted before' }) userExternalId!: string;
  @ApiProperty({ enum: EXTERNAL_ROOM_ROLES, example: 'host' }) role!: string;
}

/** Validated by RoomSyncService (per-member details). */
export class PutExternalRoomDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: MAX_ROOM_TITLE_CHARS, example: 'Friday night show' })
  @Allow()
  title!: string;

  @ApiProperty({
    enum: ['scheduled', 'live', 'ended'],
    example: 'live',
    description: 'scheduled → live → ended; an ended room stays ended (422 room_ended), a live one does not go back to scheduled (409)',
  })
  @Allow()
  status!: 'scheduled' | 'live' | 'ended';

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a scheduled room is meant to start (v1.2)',
    example: '2026-12-24T18:00:00Z',
  })
  @Allow()
  startsAt?: string | null;

  @ApiProperty({
    type: [ExternalRoomMemberDto],
    maxItems: MAX_EXTERNAL_ROOM_MEMBERS,
    example: [{ userExternalId: 'host-user-42', role: 'host' }],
    description: 'Everyone in the room now; the moderators (host included) are the backchannel',
  })
  @Allow()
  members!: ExternalRoomMemberDto[];
}
