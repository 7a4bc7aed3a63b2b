import { Global, Module } from '@nestjs/common';
import { SafetyModule } from '../safety/safety.module';
import { HeldMessagesService } from './held-messages.service';
import { RulesService } from './rules.service';

/**
 * Staff rules (AutoMod) and the held-messages queue, for every role: the send path
 * (MessagesService, QuestionsService) screens through RulesService wherever it runs.
 * Global so the messaging services can inject it without importing this module.
 */
@Global()
@Module({
  imports: [SafetyModule],
  providers: [RulesService, HeldMessagesService],
  exports: [RulesService, HeldMessagesService],
})
export class RulesModule {}
