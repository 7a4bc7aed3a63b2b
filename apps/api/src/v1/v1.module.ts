import { Module } from '@nestjs/common';
import { ConversationsController } from './conversations.controller';
import { RequestsController } from './requests.controller';

/** End-user conversation and message routes (the domain lives in libs/messaging). */
@Module({ controllers: [ConversationsController, RequestsController] })
export class ConversationsHttpModule {}
