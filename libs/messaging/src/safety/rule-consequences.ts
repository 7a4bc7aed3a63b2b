import { Injectable } from '@nestjs/common';
import type { Queryable } from '../db/db.service';
import type { HeldRejections, RuleFlagReports } from '../rules/rule-consequences';
import { EnforcementService } from './enforcement/enforcement.service';
import { SystemReports } from './reports/system-reports';

/** A flag rule's system report (see rules/rule-consequences.ts), provided as RULE_FLAG_REPORTS. */
@Injectable()
export class SafetyRuleFlagReports implements RuleFlagReports {
  constructor(private readonly system: SystemReports) {}

  async fileFlagReport(q: Queryable, flag: Parameters<RuleFlagReports['fileFlagReport']>[1]) {
    const report = await this.system.openSystemReport(q, {
      subjectType: flag.subjectType,
      subjectId: flag.subjectId,
      subjectUserId: flag.subjectUserId,
      reason: 'other',
      note: `Flagged by rule "${flag.ruleName}": ${flag.ruleReason}`,
    });
    return { outboxId: report.outboxId };
  }
}

/** A held message's rejection, enforced (see rules/rule-consequences.ts), provided as HELD_REJECTIONS. */
@Injectable()
export class SafetyHeldRejections implements HeldRejections {
  constructor(private readonly enforcement: EnforcementService) {}

  async enforceHeldRejection(q: Queryable, r: Parameters<HeldRejections['enforceHeldRejection']>[1]) {
    // The sender's statement of reasons (API.md v1.1): a removal decided by staff on a
    // message a rule held. Recorded as an action (appealable) without removing again.
    const names = r.rules.map((x) => x.name).join(', ');
    const applied = await this.enforcement.apply(q, {
      userId: r.senderId,
      action: 'remove_content',
      reason: 'rule',
      note: r.note,
      staffId: r.staffId,
      subject: { type: 'message', id: r.messageId },
      alreadyRemoved: true,
      auditDetail: { heldMessageId: r.messageId, rules: r.rules.map((x) => x.id) },
      facts: `Your message was held by a safety rule (${names || 'a rule'}) and a moderator reviewed it and did not deliver it; it was removed.`,
      notice: {
        kind: 'content_removed',
        text: 'A message you sent was held for review and was not delivered.',
        data: { subjectType: 'message', subjectId: r.messageId, conversationId: r.conversationId, reason: 'rule' },
      },
    });
    return { events: applied.events, jobs: applied.jobs, outboxIds: applied.outboxIds };
  }
}
