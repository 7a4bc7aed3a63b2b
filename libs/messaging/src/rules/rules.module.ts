import { Global, Module } from '@nestjs/common';
import { HeldMessagesService } from './held-messages.service';
import { RulesService } from './rules.service';

/**
 * Staff rules (AutoMod) and the held-messages queue, for every role: the send path
 * (MessagesService, QuestionsService) screens through RulesService wherever it runs.
 * Global so the messaging services can inject it without importing this module. What a rule
 * sets off in trust and safety (RULE_FLAG_REPORTS, HELD_REJECTIONS) is provided by the global SafetyModule,
 * which the app loads beside this one: rules never imports safety.
 */
@Global()
@Module({
  providers: [RulesService, HeldMessagesService],
  exports: [RulesService, HeldMessagesService],
})
export class RulesModule {}
