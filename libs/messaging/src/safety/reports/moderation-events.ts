import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import { setCaseAssignee } from './case-queue.sql';
import {
  nextCaseState,
  nextReportState,
  type CaseEvent,
  type Decided,
  type ReportEvent,
  type ReportState,
  type CaseState,
} from './moderation-state';
import { claimReport, escalateReport } from './report-queue.sql';

export type ModerationSubject = { type: 'report'; id: string; event: ReportEvent } | { type: 'case'; id: string; event: CaseEvent };

const MISSING = { report: 'No such report.', case: 'No such case.' };
const TABLE = { report: 'report', case: 'moderation_case' };

/**
 * The one writer of staff events on reports and cases (Ozone's logEvent): inside the
 * caller's transaction it locks the row, asks nextReportState / nextCaseState, and when the
 * event changes something stores the change and its audit entry together. A refusal is
 * thrown as the route's error; a repeat that changes nothing writes nothing.
 *
 * Resolving is the one event whose change is more than a state (an enforcement action,
 * notices, the reporters' weights): `check` locks and refuses as here, and the resolve path
 * (ReportsService.resolveLocked) stores it and writes its audit entries.
 */
@Injectable()
export class ModerationEvents {
  constructor(private readonly audit: AuditLogService) {}

  /** Locks the subject's row and applies its event; answers the row as it was before. */
  async log(q: Queryable, subject: ModerationSubject): Promise<any> {
    const { row, transition } = await this.lockAndDecide(q, subject);
    if (!transition.changed) return row;
    const staffId = subject.event.staff.id;
    const audit = { staffId, action: `${subject.type}.${subject.event.type}`, subjectType: subject.type, subjectId: subject.id };
    if (subject.type === 'report') {
      const e = subject.event;
      if (e.type === 'claim') {
        await claimReport(q, subject.id, staffId);
        await this.audit.record(q, {
          ...audit,
          before: { assigneeId: null, status: row.status },
          after: { assigneeId: staffId, status: row.status },
        });
      } else if (e.type === 'escalate') {
        await escalateReport(q, subject.id, staffId, e.note);
        await this.audit.record(q, {
          ...audit,
          before: { status: row.status, assigneeId: row.assignee_id },
          after: { status: 'escalated', assigneeId: null, note: e.note },
        });
      } else throw new Error('resolve is stored by the resolve path; use check');
    } else {
      const e = subject.event;
      if (e.type === 'resolve') throw new Error('resolve is stored by the resolve path; use check');
      const { assigneeId } = transition.next;
      await setCaseAssignee(q, subject.id, assigneeId);
      await this.audit.record(q, { ...audit, before: { assigneeId: row.assignee_id }, after: { assigneeId } });
    }
    return row;
  }

  /** Locks the subject's row and refuses the event if it may not happen; stores nothing. */
  async check(q: Queryable, subject: ModerationSubject): Promise<any> {
    return (await this.lockAndDecide(q, subject)).row;
  }

  private async lockAndDecide(
    q: Queryable,
    subject: ModerationSubject,
  ): Promise<{ row: any; transition: Decided<ReportState | CaseState> }> {
    if (!isUuid(subject.id)) throw new NotFound(MISSING[subject.type]);
    const [row] = await q.query(`SELECT * FROM ${TABLE[subject.type]} WHERE id = $1 FOR UPDATE`, [subject.id]);
    if (!row) throw new NotFound(MISSING[subject.type]);
    const current = { status: row.status, assigneeId: row.assignee_id ?? null };
    const transition = subject.type === 'report' ? nextReportState(current, subject.event) : nextCaseState(current, subject.event);
    if (transition.refused) throw transition.refused;
    return { row, transition };
  }
}
