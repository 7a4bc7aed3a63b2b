import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { Queryable } from '../../db/db.service';
import { EventsService } from '../../events/events.service';
import { newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { attachToCase } from './case-queue.sql';
import { CaseSnapshot, type CaseSubject } from './case-snapshot';
import { deadlineJob, lockSubject, reprioritize } from './report-queue.sql';
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
    const [prior] = await q.query(
      `SELECT id FROM report WHERE source = 'system' AND subject_type = $1 AND subject_id = $2 AND reason = $3`,
      [input.subjectType, input.subjectId, input.reason],
    );
    if (prior) return { id: prior.id, created: false, outboxId: null };
    const facts = await this.subjectFacts(q, input.subjectType, input.subjectId, input.subjectUserId);
    const evidence = input.evidence ?? (await this.snapshot.freeze(q, facts, null));
    const id = newId();
    const [row] = await q.query(
      `INSERT INTO report (id, subject_type, subject_id, subject_user_id, conversation_id, reason, note, source, priority, due_at, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'system', 0, now() + make_interval(hours => $8), $9::jsonb)
       ON CONFLICT (subject_type, subject_id, reason) WHERE source = 'system' DO NOTHING
       RETURNING id, due_at`,
      [
        id,
        input.subjectType,
        input.subjectId,
        facts.subjectUserId,
        facts.conversationId,
        input.reason,
        input.note ?? null,
        this.config.reportFirstResponseHours,
        JSON.stringify(evidence),
      ],
    );
    if (!row) {
      const [again] = await q.query(
        `SELECT id FROM report WHERE source = 'system' AND subject_type = $1 AND subject_id = $2 AND reason = $3`,
        [input.subjectType, input.subjectId, input.reason],
      );
      return { id: again.id, created: false, outboxId: null };
    }
    const caseId = facts.subjectUserId ? await attachToCase(q, id, facts.subjectUserId) : null;
    await reprioritize(q, { subjectType: input.subjectType, subjectId: input.subjectId });
    await this.audit.record(q, {
      staffId: null,
      action: 'report.create',
      subjectType: 'report',
      subjectId: id,
      after: {
        source: 'system',
        reason: input.reason,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        subjectUserId: facts.subjectUserId,
        caseId,
      },
    });
    return { id, created: true, outboxId: await this.events.append(q, [], [deadlineJob(id, row.due_at)]) };
  }

  /** The subject's conversation and author, without any viewer (for system reports). */
  private async subjectFacts(q: Queryable, type: SubjectType, id: string, subjectUserId: string | null): Promise<CaseSubject> {
    if (type === 'message') {
      const [m] = await q.query(
        'SELECT m.conversation_id, m.sender_id, m.seq, c.room_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.id = $1',
        [id],
      );
      if (m)
        return {
          type,
          id,
          subjectUserId: subjectUserId ?? m.sender_id,
          conversationId: m.conversation_id,
          reporterState: null,
          messageSeq: Number(m.seq),
          roomId: m.room_id,
        };
    } else if (type === 'conversation') {
      const [c] = await q.query('SELECT id, creator_id, room_id FROM conversation WHERE id = $1', [id]);
      if (c)
        return { type, id, subjectUserId: subjectUserId ?? c.creator_id, conversationId: c.id, reporterState: null, roomId: c.room_id };
    } else if (type === 'question') {
      const [qn] = await q.query('SELECT author_id, room_id FROM question WHERE id = $1', [id]);
      if (qn)
        return { type, id, subjectUserId: subjectUserId ?? qn.author_id, conversationId: null, reporterState: null, roomId: qn.room_id };
    }
    return { type, id, subjectUserId: subjectUserId ?? (type === 'user' ? id : null), conversationId: null, reporterState: null };
  }
}
