import { Injectable } from '@nestjs/common';
import type { Queryable } from '../db/db.service';
import type { ProtectionNotices } from '../conversations/conversation-extensions';
import type { UserEvent } from '../events/event-types';
import { NoticesService } from './enforcement/notices.service';

/**
 * The notice of the pile-on breaker (API.md v1.2): Limits switched on for the person's own
 * protection. Not an action against them, so no statement of reasons; `action` is
 * `limits_enabled`. Provided to conversations as PROTECTION_NOTICES.
 */
@Injectable()
export class SafetyProtectionNotices implements ProtectionNotices {
  constructor(private readonly notices: NoticesService) {}

  limitsEnabled(
    q: Queryable,
    userId: string,
    facts: { from: string; until: string; requests: number; windowMinutes: number },
  ): Promise<UserEvent[]> {
    const until = new Date(facts.until).toUTCString().replace(/:\d\d GMT$/, ' UTC');
    return this.notices.create(q, [
      {
        userId,
        kind: 'protection',
        text:
          `You received ${facts.requests} new message requests within ${facts.windowMinutes} minutes, so we turned on Limits for you ` +
          `until ${until}: people who don't follow you can't start new conversations with you, and the requests from that ` +
          `rush are in your hidden requests. You can change or end Limits in your settings.`,
        data: {
          action: 'limits_enabled',
          limits: { from: facts.from, until: facts.until },
          requests: facts.requests,
          windowMinutes: facts.windowMinutes,
        },
      },
    ]);
  }
}
