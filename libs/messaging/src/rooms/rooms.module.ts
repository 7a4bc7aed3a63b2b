import { Global, Module } from '@nestjs/common';
import { ROOM_CONTEXT } from '../conversations/conversation-extensions';
import { QUESTION_LINK_UPDATES } from '../links/link-consequences';
import { RoomContext } from './room-context';
import { RoomsQuestionLinkUpdates } from './question-link-updates';
import { QuestionsService } from './questions.service';
import { RoomsService } from './rooms.service';
import { RoomSyncService } from './room-sync.service';

/**
 * Audio rooms: membership and roles, the moderators' backchannel, questions, attendees.
 * Global and loaded by every role: conversations take their room context through
 * ROOM_CONTEXT, the link scanner (a worker) tells a question's audience through
 * QUESTION_LINK_UPDATES.
 */
@Global()
@Module({
  providers: [
    RoomsService,
    QuestionsService,
    RoomSyncService,
    RoomsQuestionLinkUpdates,
    { provide: QUESTION_LINK_UPDATES, useExisting: RoomsQuestionLinkUpdates },
    RoomContext,
    { provide: ROOM_CONTEXT, useExisting: RoomContext },
  ],
  exports: [RoomsService, QuestionsService, RoomSyncService, QUESTION_LINK_UPDATES, ROOM_CONTEXT],
})
export class RoomsModule {}
