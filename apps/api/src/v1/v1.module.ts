import { Module } from '@nestjs/common';
import { ConversationsController } from './conversations.controller';

/** End-user conversation and message routes (the domain lives in libs/messaging). */
@Module({ controllers: [ConversationsController] })
export class ConversationsHttpModule {}
