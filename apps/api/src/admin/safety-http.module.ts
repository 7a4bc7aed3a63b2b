import { Module } from '@nestjs/common';
import { SafetyModule } from '@app/messaging/safety/safety.module';
import { AppealsController } from '../v1/appeals.controller';
import { NoticesController } from '../v1/notices.controller';
import { ReportsController } from '../v1/reports.controller';
import { AuditLogAdminController } from './audit-log.admin.controller';
import { ConversationsAdminController } from './conversations.admin.controller';
import {
  CasesAdminController,
  ReportersAdminController,
  TemplatesAdminController,
  TransparencyAdminController,
} from './cases.admin.controller';
import {
  ReporterPrecisionAdminController,
  ReportingSuspensionAdminController,
  TdbStatementsAdminController,
  TrustedFlaggersAdminController,
} from './dsa.admin.controller';
import { ActionsAdminController, AppealsAdminController } from './enforcement.admin.controller';
import { BlocklistAdminController, LinksAdminController } from './links.admin.controller';
import { PoliciesAdminController } from './policies.admin.controller';
import { ReportsAdminController } from './reports.admin.controller';
import { HeldMessagesAdminController, RuleHitsAdminController, RulesAdminController } from './rules.admin.controller';
import { StaffAuthController } from './staff-auth.controller';
import { StaffAdminController } from './staff.admin.controller';
import { StatsAdminController } from './stats.admin.controller';
import { QueueStatsAdminController } from './queue-stats.admin.controller';
import { SpamRequestsAdminController, UsersAdminController } from './users.admin.controller';

/**
 * Trust and safety over HTTP: the staff API (/admin/v1, react-admin simple REST) and the
 * end-user report, appeal and notice routes (/v1). Controllers are thin; the rules live in
 * libs/messaging/src/safety.
 */
@Module({
  imports: [SafetyModule],
  controllers: [
    StaffAuthController,
    ReportsAdminController,
    CasesAdminController,
    TemplatesAdminController,
    PoliciesAdminController,
    ReportersAdminController,
    TransparencyAdminController,
    TdbStatementsAdminController,
    TrustedFlaggersAdminController,
    ReporterPrecisionAdminController,
    ReportingSuspensionAdminController,
    UsersAdminController,
    ConversationsAdminController,
    SpamRequestsAdminController,
    LinksAdminController,
    BlocklistAdminController,
    ActionsAdminController,
    AppealsAdminController,
    AuditLogAdminController,
    StaffAdminController,
    StatsAdminController,
    QueueStatsAdminController,
    RulesAdminController,
    RuleHitsAdminController,
    HeldMessagesAdminController,
    ReportsController,
    AppealsController,
    NoticesController,
  ],
})
export class SafetyHttpModule {}
