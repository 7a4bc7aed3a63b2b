import { Injectable } from '@nestjs/common';
import { Db } from '../db/db.service';
import type { RequestsHiddenByRule } from '../conversations/conversation-extensions';
import { requestsHiddenByRule } from './rules.repository';

/**
 * Action `hide`: a request is in the viewer's hidden folder while a visible message they may
 * read (the one visibility predicate, as for hidden words) is one a live hide rule matched.
 * Per message and per viewer: a member added later, who never reads that message, is not
 * hidden from, nor is anyone once it is gone. Provided as REQUESTS_HIDDEN_BY_RULE.
 */
@Injectable()
export class RuleHiddenRequests implements RequestsHiddenByRule {
  constructor(private readonly db: Db) {}

  hiddenRequests(viewerId: string, conversationIds: string[]): Promise<string[]> {
    return requestsHiddenByRule(this.db, viewerId, conversationIds);
  }
}
