import type { AuditLogService } from '../../audit/audit-log.service';
import type { Queryable } from '../../db/db.service';
import { attachToCase } from './case-queue.sql';
import { reprioritize } from './report-queue.sql';
import type { ReportSource } from '../vocabulary';

/**
 * What every new report goes through once it is stored, whoever filed it (a user:
 * ReportsService.file; the platform: SystemReports): into its subject user's case (lock order:
 * case, then reports), the queue weights of its subject recomputed, and the audit entry.
 * Returns the case id (null for a report with no subject user).
 */
export async function queueNewReport(
  q: Queryable,
  audit: AuditLogService,
  r: { id: string; source: ReportSource; reason: string; subjectType: string; subjectId: string; subjectUserId: string | null },
): Promise<string | null> {
  const caseId = r.subjectUserId ? await attachToCase(q, r.id, r.subjectUserId) : null;
  await reprioritize(q, { subjectType: r.subjectType, subjectId: r.subjectId });
  await audit.record(q, {
    staffId: null,
    action: 'report.create',
    subjectType: 'report',
    subjectId: r.id,
    after: {
      source: r.source,
      reason: r.reason,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      subjectUserId: r.subjectUserId,
      caseId,
    },
  });
  return caseId;
}
