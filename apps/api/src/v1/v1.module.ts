import { Module } from '@nestjs/common';
import { ConversationsController } from './conversations.controller';
import { RequestsController } from './requests.controller';
import { SearchController } from './search.controller';

/** End-user conversation and message routes (the domain lives in libs/messaging). */
@Module({ controllers: [ConversationsController, RequestsController, SearchController] })
export class ConversationsHttpModule {}
