import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { Queryable } from '../../db/db.service';
import { EventsService } from '../../events/events.service';
import { newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { CaseSnapshot, type CaseSubject } from './case-snapshot';
import { deadlineJob, lockSubject } from './report-queue.sql';
import { queueNewReport } from './report-intake';
import { insertSystemReport, subjectFacts, systemReportId } from './reports.repository';
import type { SubjectType } from '../vocabulary';

/**
 * Reports the platform files itself (a malicious link, a flag rule). Apart from
 * ReportsService because it needs no enforcement: the send path (messages → rules) files
 * them, and enforcement depends on messages, so depending on it here would be a circle.
 */
@Injectable()
export class SystemReports {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsService,
    private readonly snapshot: CaseSnapshot,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * A report raised by the platform itself (e.g. the link scanner found a malicious link),
   * inside the caller's transaction. Idempotent on (subject, reason): a second call returns
   * the first report. The caller publishes `outboxId` after commit (it carries the
   * first-response deadline job).
   */
  async openSystemReport(
    q: Queryable,
    input: {
      subjectType: SubjectType;
      subjectId: string;
      subjectUserId: string | null;
      reason: string;
      note?: string | null;
      evidence?: Record<string, unknown> | null;
    },
  ): Promise<{ id: string; created: boolean; outboxId: string | null }> {
    await lockSubject(q, input.subjectType, input.subjectId);
    const prior = await systemReportId(q, input.subjectType, input.subjectId, input.reason);
    if (prior) return { id: prior, created: false, outboxId: null };
    const facts = await this.subjectFacts(q, input.subjectType, input.subjectId, input.subjectUserId);
    const evidence = input.evidence ?? (await this.snapshot.freeze(q, facts, null));
    const id = newId();
    const row = await insertSystemReport(q, {
      id,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      subjectUserId: facts.subjectUserId,
      conversationId: facts.conversationId,
      reason: input.reason,
      note: input.note ?? null,
      firstResponseHours: this.config.reportFirstResponseHours,
      evidence,
    });
    if (!row) {
      // A racing call inserted it first.
      return { id: (await systemReportId(q, input.subjectType, input.subjectId, input.reason))!, created: false, outboxId: null };
    }
    await queueNewReport(q, this.audit, {
      id,
      source: 'system',
      reason: input.reason,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      subjectUserId: facts.subjectUserId,
    });
    return { id, created: true, outboxId: await this.events.append(q, [], [deadlineJob(id, row.dueAt)]) };
  }

  /** The subject's conversation and author, without any viewer (for system reports). */
  private async subjectFacts(q: Queryable, type: SubjectType, id: string, subjectUserId: string | null): Promise<CaseSubject> {
    const f = await subjectFacts(q, type, id);
    if (!f) return { type, id, subjectUserId: subjectUserId ?? (type === 'user' ? id : null), conversationId: null, reporterState: null };
    return {
      type,
      id,
      subjectUserId: subjectUserId ?? f.authorId,
      conversationId: f.conversationId,
      reporterState: null,
      roomId: f.roomId,
      ...(f.messageSeq === undefined ? {} : { messageSeq: f.messageSeq }),
    };
  }
}
