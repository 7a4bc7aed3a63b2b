import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { AlreadyReplied, Conflict, NotFound, NotInCase, Unprocessable } from '../../errors';
import { EnforcementService, type Worded } from '../enforcement/enforcement.service';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { ModerationEvents } from './moderation-events';
import { NoticesService, type Notice } from '../enforcement/notices.service';
import { ReportsService, type ResolveBody, type StaffActor } from './reports.service';
import { lockOpenReportsOfCase, openReportsOfCase, reportsOfCaseView } from './reports.repository';
import { lockCase, type StoredCase } from './case-queue.sql';
import {
  assigneeCandidate,
  caseMessages,
  caseView,
  conversationsOfReports,
  insertCaseMessage,
  isReporterInCase,
  listCases,
  noticeForReply,
  staffDisplayName,
  storeCaseResolution,
  storeReply,
  touchCase,
  type CaseDetail,
  type CaseMessageRow,
  type CaseRow,
} from './cases.repository';
import type { ListPage, ListQuery } from '../../db/staff-list';

/** Users see staff messages as coming from the team. */
export const TEAM_IDENTITY = 'Backchannel Trust & Safety';

/**
 * Cases: one open case per subject user gathers every open report about them (user reports
 * and system reports alike; ReportsService files them into it). Staff claim, assign and
 * resolve a case as one decision, and write to its people (mod mail).
 */
@Injectable()
export class CasesService {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportsService,
    private readonly notices: NoticesService,
    private readonly events: EventsService,
    private readonly audit: AuditLogService,
    private readonly moderation: ModerationEvents,
  ) {}

  list(query: ListQuery): Promise<ListPage<CaseRow>> {
    return listCases(this.db, query);
  }

  /** One case with its reports (without their evidence: opening a report reads it, audited). */
  async one(id: string): Promise<CaseDetail> {
    const row = await this.load(this.db, id);
    const reports = await reportsOfCaseView(this.db, row.reportIds);
    return {
      ...row,
      reports: reports.map((r) => ({ ...r, subjectHandle: row.subjectHandle, subjectDisplayName: row.subjectDisplayName })),
      conversations: await conversationsOfReports(this.db, row.reportIds),
    };
  }

  private async load(q: Queryable, id: string): Promise<CaseRow> {
    if (!isUuid(id)) throw new NotFound('No such case.');
    const row = await caseView(q, id);
    if (!row) throw new NotFound('No such case.');
    return row;
  }

  private async lock(q: Queryable, id: string): Promise<StoredCase> {
    if (!isUuid(id)) throw new NotFound('No such case.');
    const c = await lockCase(q, id);
    if (!c) throw new NotFound('No such case.');
    return c;
  }

  /** Takes the case (and its open reports) for oneself; idempotent for the holder, 409 already_claimed for others. */
  async claim(id: string, staff: StaffActor): Promise<CaseRow> {
    return this.db.tx(async (q) => {
      await this.moderation.log(q, { type: 'case', id, event: { type: 'claim', staff } });
      return this.load(q, id);
    });
  }

  /** Hands the case to a moderator or admin (or back to the queue with null). */
  async assign(id: string, staff: StaffActor, assigneeId: string | null): Promise<CaseRow> {
    return this.db.tx(async (q) => {
      const assignee = assigneeId !== null && isUuid(assigneeId) ? await assigneeCandidate(q, assigneeId) : undefined;
      await this.moderation.log(q, { type: 'case', id, event: { type: 'assign', staff, assigneeId, assignee: assignee ?? null } });
      return this.load(q, id);
    });
  }

  /**
   * Resolves the case: every open report in it, with one action against the subject (one
   * strike, one notice with its statement of reasons), one audit entry per report plus one
   * for the case, and each reporter told the outcome without naming the action.
   */
  async resolve(id: string, staff: StaffActor, body: ResolveBody): Promise<CaseRow> {
    const done = await this.db.tx(async (q) => {
      const c = await this.moderation.check(q, { type: 'case', id, event: { type: 'resolve', staff } });
      const reports = await lockOpenReportsOfCase(q, id);
      if (reports.length === 0) throw new Conflict('This case has no open reports.');
      if (body.action === 'remove_content' && !reports.some((r) => r.subjectType === 'message' || r.subjectType === 'question')) {
        throw new Unprocessable('remove_content needs a reported message or question in the case.');
      }
      const result = await this.reports.resolveLocked(q, staff, reports, body, { bulk: false, caseId: id });
      const actionId = result.applied[0]?.applied.actionId ?? null;
      const hours = EnforcementService.duration(body.action, body.durationHours);
      const resolution = {
        action: body.action,
        ...(hours ? { durationHours: hours } : {}),
        note: body.note ?? null,
        actionId,
        templateId: body.templateId ?? null,
        ...(result.applied[0] ? { policy: result.applied[0].applied.policy, severity: result.applied[0].applied.severity } : {}),
        staffId: staff.id,
      };
      await storeCaseResolution(q, id, staff.id, resolution);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'case.resolve',
        subjectType: 'case',
        subjectId: id,
        before: { status: 'open', assigneeId: c.assigneeId },
        after: { status: 'resolved', resolution, reportIds: reports.map((r) => r.id) },
      });
      return { ...result, row: await this.load(q, id) };
    });
    await this.reports.afterResolve(done);
    return done.row;
  }

  /**
   * The statement of reasons (and notice) the case's subject would receive if the case were
   * resolved with `body` now: the resolve's own decision builder and wording, nothing written.
   * The same refusals as the resolve (404, 409 no open reports, 400 policy, 422 template).
   */
  async previewStatement(id: string, staff: StaffActor, body: ResolveBody): Promise<Worded> {
    return this.db.tx(async (q) => {
      // The resolve's own refusals (a resolved case, one another moderator holds), nothing changed.
      await this.moderation.check(q, { type: 'case', id, event: { type: 'resolve', staff } });
      const reports = await openReportsOfCase(q, id);
      if (reports.length === 0) throw new Conflict('This case has no open reports.');
      if (body.action === 'remove_content' && !reports.some((r) => r.subjectType === 'message' || r.subjectType === 'question')) {
        throw new Unprocessable('remove_content needs a reported message or question in the case.');
      }
      return this.reports.previewLocked(q, staff, reports, body, id);
    });
  }

  // ---------------------------------------------------------------- mod mail

  /**
   * The case's mod mail with the people's answers: private words of users, so, like a
   * report's evidence, every staff role may read it and every read is one audit entry
   * (`case.messages.read`, the messages and how many answers were shown).
   */
  async messages(id: string, staff: StaffActor): Promise<CaseMessageRow[]> {
    return this.db.tx(async (q) => {
      await this.load(q, id);
      const rows = await caseMessages(q, id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'case.messages.read',
        subjectType: 'case',
        subjectId: id,
        after: { messageIds: rows.map((m) => m.id), replies: rows.filter((m) => m.reply !== null).length },
      });
      return rows;
    });
  }

  /**
   * Writes to the case's subject or one of its reporters. The person sees a notice from the
   * team (TEAM_IDENTITY; never the staff member's name) that they can answer once; the
   * message and the answer live on the case and in the audit log.
   */
  async sendMessage(id: string, staff: StaffActor, input: { recipientId: string; text: string }): Promise<CaseMessageRow> {
    const done = await this.db.tx(async (q) => {
      const c = await this.lock(q, id);
      let role: 'subject' | 'reporter' | null = null;
      if (input.recipientId === c.subjectUserId) role = 'subject';
      else if (isUuid(input.recipientId) && (await isReporterInCase(q, id, input.recipientId))) role = 'reporter';
      if (!role) throw new NotInCase();
      const messageId = newId();
      const events = await this.notices.create(q, [
        {
          userId: input.recipientId,
          kind: 'case_message',
          text: input.text,
          data: { caseMessageId: messageId, from: TEAM_IDENTITY, canReply: true },
        },
      ]);
      const noticeId = (events[0].payload as any).notice.id as string;
      const row = await insertCaseMessage(q, {
        id: messageId,
        caseId: id,
        staffId: staff.id,
        recipientId: input.recipientId,
        recipientRole: role,
        text: input.text,
        noticeId,
      });
      await touchCase(q, id);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'case.message',
        subjectType: 'case',
        subjectId: id,
        after: { messageId, recipientId: input.recipientId, recipientRole: role, text: input.text },
      });
      const outboxId = await this.events.append(q, events);
      return { row: { ...row, staffName: await staffDisplayName(q, staff.id) }, outboxId };
    });
    this.events.published(done.outboxId);
    return done.row;
  }

  /**
   * The person answers a staff message (POST /v1/notices/:id/reply): once per message (409
   * already_replied after; one conditional UPDATE, so two racing answers store one). Their
   * own notices only (else 404); only a staff message can be answered (422).
   */
  async reply(userId: string, noticeId: string, text: string): Promise<Notice> {
    if (!isUuid(noticeId)) throw new NotFound('No such notice.');
    return this.db.tx(async (q) => {
      const n = await noticeForReply(q, noticeId, userId);
      if (!n) throw new NotFound('No such notice.');
      if (!n.messageId || !n.caseId) throw new Unprocessable('Only a message from the team can be answered.');
      const reply = await storeReply(q, n.messageId, text);
      if (!reply) throw new AlreadyReplied();
      await touchCase(q, n.caseId);
      await this.audit.record(q, {
        staffId: null,
        action: 'case.reply',
        subjectType: 'case',
        subjectId: n.caseId,
        after: { messageId: n.messageId, userId, text },
      });
      // Answered: it cannot be answered again.
      return { ...n.notice, replyable: false, reply: { text: reply.text, createdAt: reply.repliedAt } };
    });
  }
}
