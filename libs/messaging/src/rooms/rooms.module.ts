import { Module } from '@nestjs/common';
import { QuestionsService } from './questions.service';
import { RoomsService } from './rooms.service';

/**
 * Audio rooms: membership and roles, the moderators' backchannel, questions, attendees.
 * RoomsService also gives ConversationsService its room-context resolver at init.
 */
@Module({
  providers: [RoomsService, QuestionsService],
  exports: [RoomsService, QuestionsService],
})
export class RoomsModule {}
