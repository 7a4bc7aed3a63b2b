import { Injectable } from '@nestjs/common';
import type { Queryable } from '../db/db.service';
import { EventsService } from '../events/events.service';
import type { LinkRemovals, RemovedContent } from '../links/link-consequences';
import type { HeldRejections, RuleFlagReports, RulePolicies } from '../rules/rule-consequences';
import { EnforcementService } from './enforcement/enforcement.service';
import { PoliciesService } from './enforcement/policies.service';
import { SystemReports } from './reports/system-reports';
import { REPORT_REASONS, type ReportReason } from './vocabulary';

/** A flag rule's system report (see rules/rule-consequences.ts), provided as RULE_FLAG_REPORTS. */
@Injectable()
export class SafetyRuleFlagReports implements RuleFlagReports {
  constructor(private readonly system: SystemReports) {}

  async fileFlagReport(q: Queryable, flag: Parameters<RuleFlagReports['fileFlagReport']>[1]) {
    const report = await this.system.openSystemReport(q, {
      subjectType: flag.subjectType,
      subjectId: flag.subjectId,
      subjectUserId: flag.subjectUserId,
      reason: (REPORT_REASONS as readonly string[]).includes(flag.rulePolicy ?? '') ? (flag.rulePolicy as ReportReason) : 'other',
      note: `Flagged by rule "${flag.ruleName}": ${flag.ruleReason}`,
    });
    return { outboxId: report.outboxId };
  }
}

/** The policies a rule names (see rules/rule-consequences.ts), provided as RULE_POLICIES. */
@Injectable()
export class SafetyRulePolicies implements RulePolicies {
  constructor(private readonly policies: PoliciesService) {}

  async choose(q: Queryable, asked: { policy?: string | null; severity?: string | null }) {
    const c = await this.policies.choose(q, asked, { share: true });
    return { policy: c.policy.key, severity: c.severity.key };
  }
}

/** A held message's rejection, enforced (see rules/rule-consequences.ts), provided as HELD_REJECTIONS. */
@Injectable()
export class SafetyHeldRejections implements HeldRejections {
  constructor(
    private readonly enforcement: EnforcementService,
    private readonly policies: PoliciesService,
  ) {}

  async enforceHeldRejection(q: Queryable, r: Parameters<HeldRejections['enforceHeldRejection']>[1]) {
    // The sender's statement of reasons (API.md v1.1): a removal decided by staff on a
    // message a rule held. Recorded as an action (appealable) without removing again.
    const names = r.rules.map((x) => x.name).join(', ');
    // Staff name the policy (and severity), or else the first holding rule's applies.
    const policy = await this.policies.choose(q, {
      policy: r.policy,
      severity: r.severity,
      ruleDefault: r.rules.find((x) => x.policy) ?? null,
    });
    const applied = await this.enforcement.apply(q, {
      userId: r.senderId,
      action: 'remove_content',
      reason: 'rule',
      policy,
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

const REMOVAL_NOTICE = {
  message: 'A message you sent was removed for everyone because it contains a link known to be harmful.',
  question: 'A question you asked was removed because it contains a link known to be harmful.',
};

/** What a malicious link's removal sets off here (see links/link-consequences.ts), provided as LINK_REMOVALS. */
@Injectable()
export class SafetyLinkRemovals implements LinkRemovals {
  constructor(
    private readonly system: SystemReports,
    private readonly enforcement: EnforcementService,
    private readonly events: EventsService,
    private readonly policies: PoliciesService,
  ) {}

  async reportRemoval(q: Queryable, s: RemovedContent): Promise<string | null> {
    const report = await this.system.openSystemReport(q, {
      subjectType: s.kind,
      subjectId: s.id,
      subjectUserId: s.authorId,
      reason: 'scam',
      note: `Removed automatically: malicious link ${s.malicious.map((l) => `${l.url} (${l.reason ?? 'malicious'})`).join(', ')}`,
    });
    return report.outboxId;
  }

  /**
   * The author is told, with a `notice.created` event. Called after the removal's own events,
   * whose user_cursor locks already cover the author, so no second lock order arises.
   */
  async enforceRemoval(q: Queryable, s: RemovedContent): Promise<string | null> {
    // Recorded as an automated remove_content action: the author's notice carries the
    // statement of reasons (automated, appealable) and the audit log has the action.
    const urls = s.malicious.map((l) => l.url);
    const applied = await this.enforcement.recordAutomated(q, {
      userId: s.authorId,
      action: 'remove_content',
      reason: 'malicious_link',
      // API.md v1.2: malicious-link removals fall under `scam` (its first severity).
      policy: await this.policies.choose(q, { policy: 'scam' }),
      facts: `Your ${s.kind} contained a link that our link scanner classified as malicious (${urls.join(', ')}); it was removed for everyone.`,
      subject: { type: s.kind, id: s.id },
      alreadyRemoved: true,
      notice: {
        kind: 'content_removed',
        text: REMOVAL_NOTICE[s.kind],
        data: {
          subjectType: s.kind,
          subjectId: s.id,
          ...(s.conversationId ? { conversationId: s.conversationId } : {}),
          reason: 'malicious_link',
          urls,
        },
      },
      detail: { urls },
    });
    return this.events.append(q, applied.events, applied.jobs);
  }
}
