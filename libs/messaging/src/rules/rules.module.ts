import { Global, Module } from '@nestjs/common';
import { REQUESTS_HIDDEN_BY_RULE } from '../conversations/conversation-extensions';
import { CONTENT_SCREEN } from '../messages/content-screen';
import { RuleHiddenRequests } from './hidden-requests';
import { RulesContentScreen } from './content-screen.service';
import { HeldMessagesService } from './held-messages.service';
import { RulesService } from './rules.service';

/**
 * Staff rules (AutoMod) and the held-messages queue, for every role: the send and the edit
 * (messages/) screen through CONTENT_SCREEN, questions (rooms/) through RulesService, wherever they run.
 * Global so the messaging services can inject it without importing this module. What a rule
 * sets off in trust and safety (RULE_FLAG_REPORTS, HELD_REJECTIONS) is provided by the global SafetyModule,
 * which the app loads beside this one: rules never imports safety.
 */
@Global()
@Module({
  providers: [
    RulesService,
    HeldMessagesService,
    RulesContentScreen,
    { provide: CONTENT_SCREEN, useExisting: RulesContentScreen },
    RuleHiddenRequests,
    { provide: REQUESTS_HIDDEN_BY_RULE, useExisting: RuleHiddenRequests },
  ],
  exports: [RulesService, HeldMessagesService, CONTENT_SCREEN, REQUESTS_HIDDEN_BY_RULE],
})
export class RulesModule {}
