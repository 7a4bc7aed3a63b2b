import { Global, Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { AppealsService } from './enforcement/appeals.service';
import { AuditLogService } from '../audit/audit-log.service';
import { CaseSnapshot } from './reports/case-snapshot';
import { CasesService } from './reports/cases.service';
import { DmControlsService } from './enforcement/dm-controls.service';
import { EnforcementService } from './enforcement/enforcement.service';
import { LinkReviewService } from './reports/link-review.service';
import { ModerationStatsService } from './audit/moderation-stats.service';
import { NoticesService } from './enforcement/notices.service';
import { ReportersService } from './reports/reporters.service';
import { ReportsService } from './reports/reports.service';
import { SpamQueueService } from './reports/spam-queue.service';
import { StaffService } from './staff/staff.service';
import { TemplatesService } from './enforcement/templates.service';
import { PoliciesService } from './enforcement/policies.service';
import { TransparencyService } from './audit/transparency.service';
import { QueueStatsService } from './audit/queue-stats.service';
import { CaseViewers } from './staff/case-viewers';
import { UserReviewService } from './reports/user-review.service';
import { PlatformWebhooks } from '../platform/platform-webhook';
import { LINK_REMOVALS } from '../links/link-consequences';
import { HELD_REJECTIONS, RULE_FLAG_REPORTS, RULE_POLICIES } from '../rules/rule-consequences';
import { SafetyHeldRejections, SafetyLinkRemovals, SafetyRuleFlagReports, SafetyRulePolicies } from './rule-consequences';
import { SystemReports } from './reports/system-reports';
import { ModerationEvents } from './reports/moderation-events';
import { LegalHoldsService } from './reports/legal-holds.service';
import { ErasedEvidence } from './reports/erased-evidence.service';
import { TdbStatementsService } from './dsa/tdb-statements.service';
import { TdbSubmitter } from './dsa/tdb-submitter';
import { SafetyProtectionNotices } from './protection-notices';
import { PROTECTION_NOTICES } from '../conversations/conversation-extensions';

const SERVICES = [
  AuditLogService,
  NoticesService,
  CaseSnapshot,
  EnforcementService,
  ReportsService,
  AppealsService,
  StaffService,
  UserReviewService,
  SpamQueueService,
  LinkReviewService,
  ModerationStatsService,
  PlatformWebhooks,
  CasesService,
  DmControlsService,
  ReportersService,
  TemplatesService,
  PoliciesService,
  TransparencyService,
  QueueStatsService,
  CaseViewers,
  SystemReports,
  ModerationEvents,
  SafetyRuleFlagReports,
  SafetyHeldRejections,
  SafetyLinkRemovals,
  LegalHoldsService,
  ErasedEvidence,
  SafetyRulePolicies,
  TdbStatementsService,
  TdbSubmitter,
  SafetyProtectionNotices,
];

/** Handed down to rules and links (lower layers): what a flag rule, a held message's rejection or a malicious link's removal sets off here. */
const RULE_CONSEQUENCES = [
  { provide: RULE_FLAG_REPORTS, useExisting: SafetyRuleFlagReports },
  { provide: HELD_REJECTIONS, useExisting: SafetyHeldRejections },
  { provide: LINK_REMOVALS, useExisting: SafetyLinkRemovals },
  { provide: RULE_POLICIES, useExisting: SafetyRulePolicies },
  { provide: PROTECTION_NOTICES, useExisting: SafetyProtectionNotices },
];

/**
 * Trust and safety, for every role: the API's report and staff routes and the workers
 * (expiry and deadline jobs, the link scanner's removals) share these services. Global so
 * other features can inject ReportsService without importing this module, and so rules and
 * links (below safety) get RULE_FLAG_REPORTS, HELD_REJECTIONS and LINK_REMOVALS without
 * importing it. Jobs it writes to the outbox need
 * the queues, hence QueuesModule (a module imported twice is still one instance).
 */
@Global()
@Module({
  imports: [QueuesModule],
  providers: [...SERVICES, ...RULE_CONSEQUENCES],
  exports: [...SERVICES, RULE_FLAG_REPORTS, HELD_REJECTIONS, LINK_REMOVALS, RULE_POLICIES, PROTECTION_NOTICES],
})
export class SafetyModule {}
