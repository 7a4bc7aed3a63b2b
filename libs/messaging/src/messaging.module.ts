import { Global, Module } from '@nestjs/common';
import { EventsService } from './events/events.service';
import { OutboxRelay } from './events/outbox-relay';
import { ConversationsService } from './conversations/conversations.service';
import { MessagesService } from './messages/messages.service';
import { RetainedMessages } from './messages/retained-messages';
import { HeldLinks } from './messages/held-links';
import { MessageEditsService } from './messages/message-edits.service';
import { MessageReactionsService } from './messages/message-reactions.service';
import { MessageSearchService } from './messages/message-search.service';
import { RequestProtectionService } from './conversations/request-protection.service';

/** Conversations, messages and the event outbox: the heart of Backchannel, used by REST, sockets and workers. */
@Global()
@Module({
  providers: [
    OutboxRelay,
    EventsService,
    ConversationsService,
    RequestProtectionService,
    MessagesService,
    RetainedMessages,
    HeldLinks,
    MessageEditsService,
    MessageReactionsService,
    MessageSearchService,
  ],
  exports: [
    OutboxRelay,
    EventsService,
    ConversationsService,
    RequestProtectionService,
    MessagesService,
    RetainedMessages,
    HeldLinks,
    MessageEditsService,
    MessageReactionsService,
    MessageSearchService,
  ],
})
export class MessagingModule {}
