import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../db/db.service';
import { NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { lockCase, setCaseAssignee, type StoredCase } from './case-queue.sql';
import {
  nextCaseState,
  nextReportState,
  type CaseEvent,
  type Decided,
  type ReportEvent,
  type ReportState,
  type CaseState,
  type Transition,
} from './moderation-state';
import { claimReport, escalateReport } from './report-queue.sql';
import { lockReport, type StoredReport } from './reports.repository';

export type ReportModeration = { type: 'report'; id: string; event: ReportEvent };
export type CaseModeration = { type: 'case'; id: string; event: CaseEvent };
export type ModerationSubject = ReportModeration | CaseModeration;

const MISSING = { report: 'No such report.', case: 'No such case.' };

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
/** A refused transition is thrown as the route's error. */
function decided<S>(transition: Transition<S>): Decided<S> {
  if (transition.refused) throw transition.refused;
  return transition;
}

@Injectable()
export class ModerationEvents {
  constructor(private readonly audit: AuditLogService) {}

  /** Locks the subject's row and applies its event; answers the row as it was before. */
  log(q: Queryable, subject: ReportModeration): Promise<StoredReport>;
  log(q: Queryable, subject: CaseModeration): Promise<StoredCase>;
  async log(q: Queryable, subject: ModerationSubject): Promise<StoredReport | StoredCase> {
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
          before: { status: row.status, assigneeId: row.assigneeId },
          after: { status: 'escalated', assigneeId: null, note: e.note },
        });
      } else throw new Error('resolve is stored by the resolve path; use check');
    } else {
      const e = subject.event;
      if (e.type === 'resolve') throw new Error('resolve is stored by the resolve path; use check');
      const { assigneeId } = transition.next;
      await setCaseAssignee(q, subject.id, assigneeId);
      await this.audit.record(q, { ...audit, before: { assigneeId: row.assigneeId }, after: { assigneeId } });
    }
    return row;
  }

  /** Locks the subject's row and refuses the event if it may not happen; stores nothing. */
  check(q: Queryable, subject: ReportModeration): Promise<StoredReport>;
  check(q: Queryable, subject: CaseModeration): Promise<StoredCase>;
  async check(q: Queryable, subject: ModerationSubject): Promise<StoredReport | StoredCase> {
    return (await this.lockAndDecide(q, subject)).row;
  }

  private async lockAndDecide(
    q: Queryable,
    subject: ModerationSubject,
  ): Promise<{ row: StoredReport | StoredCase; transition: Decided<ReportState | CaseState> }> {
    if (!isUuid(subject.id)) throw new NotFound(MISSING[subject.type]);
    if (subject.type === 'report') {
      const row = await lockReport(q, subject.id);
      if (!row) throw new NotFound(MISSING.report);
      return { row, transition: decided(nextReportState({ status: row.status, assigneeId: row.assigneeId ?? null }, subject.event)) };
    }
    const row = await lockCase(q, subject.id);
    if (!row) throw new NotFound(MISSING.case);
    return { row, transition: decided(nextCaseState({ status: row.status, assigneeId: row.assigneeId ?? null }, subject.event)) };
  }
}
