import { Global, Module } from '@nestjs/common';
import { EventsService } from './events/events.service';
import { OutboxRelay } from './events/outbox-relay';
import { ConversationsService } from './conversations/conversations.service';
import { MessagesService } from './messages/messages.service';

/** Conversations, messages and the event outbox: the heart of Backchannel, used by REST, sockets and workers. */
@Global()
@Module({
  providers: [OutboxRelay, EventsService, ConversationsService, MessagesService],
  exports: [OutboxRelay, EventsService, ConversationsService, MessagesService],
})
export class MessagingModule {}
