import { Module } from '@nestjs/common';
import { QuestionsService } from './questions.service';
import { RoomsService } from './rooms.service';
import { RoomSyncService } from './room-sync.service';

/**
 * Audio rooms: membership and roles, the moderators' backchannel, questions, attendees.
 * RoomsService also gives ConversationsService its room-context resolver at init.
 */
@Module({
  providers: [RoomsService, QuestionsService, RoomSyncService],
  exports: [RoomsService, QuestionsService, RoomSyncService],
})
export class RoomsModule {}
