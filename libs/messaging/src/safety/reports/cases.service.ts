import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { AlreadyReplied, Conflict, NotFound, NotInCase, Unprocessable } from '../../errors';
import { EnforcementService } from '../enforcement/enforcement.service';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import { ModerationEvents } from './moderation-events';
import { NoticesService, type Notice } from '../enforcement/notices.service';
import { toNotice, type NoticeRecord } from '../enforcement/notices.repository';
import { CASE_PRIORITY_SQL } from './report-priority';
import { ReportsService, toReportRow, type ReportRow, type ResolveBody, type StaffActor } from './reports.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';

/** The queue by subject user (API.md "Cases", v1.1). */
export interface CaseRow {
  id: string;
  subjectUserId: string;
  /** An open case: its open reports; a resolved one: every report it resolved. */
  reportIds: string[];
  reportCount: number;
  reasons: string[];
  priority: number;
  status: 'open' | 'resolved';
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  /** Distinct people among the reporters (muted reporters not counted). */
  reporterCount: number;
  /** A trusted flagger reported this user. */
  trustedFlagger: boolean;
  /** The subject is hosting a live room right now. */
  hostingLiveRoom: boolean;
  /** The subject's spam signal (the spam-requests score), null when they sent no requests. */
  spamScore: number | null;
  /** System reports (malicious links, rules) among the reports. */
  systemReports: number;
  subjectHandle: string | null;
  subjectDisplayName: string | null;
  assigneeName: string | null;
}

/** A case with its reports, for the console's case view. */
export interface CaseDetail extends CaseRow {
  reports: ReportRow[];
}

/** Mod mail: a staff message to the subject or a reporter, sent from the team (no staff name shown to users). */
export interface CaseMessageRow {
  id: string;
  caseId: string;
  recipientId: string;
  recipientRole: 'subject' | 'reporter';
  text: string;
  staffId: string;
  staffName: string | null;
  noticeId: string;
  reply: string | null;
  repliedAt: string | null;
  createdAt: string;
}

/** Users see staff messages as coming from the team. */
export const TEAM_IDENTITY = 'Backchannel Trust & Safety';

/** The reports a case shows: open ones while open, all of them once resolved. */
const CASE_REPORTS = `FROM report r WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved')`;

const COLUMNS = `c.*, ${CASE_PRIORITY_SQL} AS priority,
  coalesce((SELECT array_agg(r.id ORDER BY r.created_at, r.id) ${CASE_REPORTS}), '{}') AS report_ids,
  coalesce((SELECT array_agg(DISTINCT r.reason ORDER BY r.reason) ${CASE_REPORTS}), '{}') AS reasons,
  (SELECT count(*) FILTER (WHERE r.source = 'system') ${CASE_REPORTS})::int AS system_reports,
  (SELECT count(DISTINCT r.reporter_id) FROM report r JOIN app_user rp ON rp.id = r.reporter_id
    WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved') AND NOT rp.reports_muted)::int AS reporter_count,
  EXISTS (SELECT 1 FROM report r JOIN app_user rp ON rp.id = r.reporter_id
    WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved') AND rp.trusted_flagger) AS trusted_flagger,
  EXISTS (SELECT 1 FROM room lr WHERE lr.host_id = c.subject_user_id AND lr.status = 'live') AS hosting_live_room,
  (SELECT ss.score FROM sender_stats ss WHERE ss.sender_id = c.subject_user_id) AS spam_score,
  su.handle AS subject_handle, su.display_name AS subject_display_name,
  (SELECT s.display_name FROM staff s WHERE s.id = c.assignee_id) AS assignee_name`;
const FROM = `FROM moderation_case c LEFT JOIN app_user su ON su.id = c.subject_user_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'c.id' },
    status: { kind: 'enum', sql: 'c.status', values: ['open', 'resolved'] },
    subjectUserId: { kind: 'uuid', sql: 'c.subject_user_id' },
    assigneeId: { kind: 'uuid', sql: 'c.assignee_id' },
    subjectQ: { kind: 'search', columns: ['su.handle', 'su.display_name'] },
  },
  sorts: {
    priority: CASE_PRIORITY_SQL,
    createdAt: 'c.created_at',
    updatedAt: 'c.updated_at',
    status: 'c.status',
    assigneeId: 'c.assignee_id',
    resolvedAt: 'c.resolved_at',
    id: 'c.id',
  },
  tiebreak: 'c.created_at ASC, c.id ASC',
};

const toCase = (r: any): CaseRow => ({
  id: r.id,
  subjectUserId: r.subject_user_id,
  reportIds: r.report_ids ?? [],
  reportCount: (r.report_ids ?? []).length,
  reasons: r.reasons ?? [],
  priority: Number(r.priority),
  status: r.status,
  assigneeId: r.assignee_id,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  claimedAt: iso(r.claimed_at),
  resolvedAt: iso(r.resolved_at),
  resolvedBy: r.resolved_by ?? null,
  resolution: r.resolution ?? null,
  reporterCount: Number(r.reporter_count ?? 0),
  trustedFlagger: r.trusted_flagger === true,
  hostingLiveRoom: r.hosting_live_room === true,
  spamScore: r.spam_score === null || r.spam_score === undefined ? null : Number(r.spam_score),
  systemReports: Number(r.system_reports ?? 0),
  subjectHandle: r.subject_handle ?? null,
  subjectDisplayName: r.subject_display_name ?? null,
  assigneeName: r.assignee_name ?? null,
});

const toMessage = (r: any): CaseMessageRow => ({
  id: r.id,
  caseId: r.case_id,
  recipientId: r.recipient_id,
  recipientRole: r.recipient_role,
  text: r.text,
  staffId: r.staff_id,
  staffName: r.staff_name ?? null,
  noticeId: r.notice_id,
  reply: r.reply_text ?? null,
  repliedAt: iso(r.replied_at),
  createdAt: iso(r.created_at)!,
});

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
    return runList(
      this.db,
      LIST,
      query,
      (c) => ({
        sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total ${FROM} ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n ${FROM} ${c.where}`,
      }),
      toCase,
    );
  }

  /** One case with its reports (without their evidence: opening a report reads it, audited). */
  async one(id: string): Promise<CaseDetail> {
    const row = await this.load(this.db, id);
    const reports = await this.db.query(
      `SELECT r.id, r.subject_type, r.subject_id, r.subject_user_id, r.case_id, r.conversation_id, r.reason, r.note, r.source, r.reporter_id,
              r.status, r.priority, r.assignee_id, r.claimed_at, r.due_at, r.overdue, r.first_response_at, r.escalated_at, r.escalated_by,
              r.escalation_note, r.created_at, r.resolved_at, r.resolved_by, r.resolution, ru.handle AS reporter_handle
         FROM report r LEFT JOIN app_user ru ON ru.id = r.reporter_id
        WHERE r.id = ANY($1::uuid[]) ORDER BY r.priority DESC, r.created_at`,
      [row.reportIds],
    );
    return {
      ...row,
      reports: reports.map((r) => ({ ...toReportRow(r), subjectHandle: row.subjectHandle, subjectDisplayName: row.subjectDisplayName })),
    };
  }

  private async load(q: Queryable, id: string): Promise<CaseRow> {
    if (!isUuid(id)) throw new NotFound('No such case.');
    const [row] = await q.query(`SELECT ${COLUMNS} ${FROM} WHERE c.id = $1`, [id]);
    if (!row) throw new NotFound('No such case.');
    return toCase(row);
  }

  private async lock(q: Queryable, id: string): Promise<any> {
    if (!isUuid(id)) throw new NotFound('No such case.');
    const [c] = await q.query('SELECT * FROM moderation_case WHERE id = $1 FOR UPDATE', [id]);
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
      const [assignee] =
        assigneeId !== null && isUuid(assigneeId) ? await q.query('SELECT role, disabled FROM staff WHERE id = $1', [assigneeId]) : [];
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
      const reports = await q.query(`SELECT * FROM report WHERE case_id = $1 AND status <> 'resolved' ORDER BY id FOR UPDATE`, [id]);
      if (reports.length === 0) throw new Conflict('This case has no open reports.');
      if (body.action === 'remove_content' && !reports.some((r) => r.subject_type === 'message' || r.subject_type === 'question')) {
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
        staffId: staff.id,
      };
      await q.query(
        `UPDATE moderation_case SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = $3::jsonb, updated_at = now(),
                assignee_id = coalesce(assignee_id, $2)
          WHERE id = $1`,
        [id, staff.id, JSON.stringify(resolution)],
      );
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'case.resolve',
        subjectType: 'case',
        subjectId: id,
        before: { status: 'open', assigneeId: c.assignee_id },
        after: { status: 'resolved', resolution, reportIds: reports.map((r) => r.id) },
      });
      return { ...result, row: await this.load(q, id) };
    });
    await this.reports.afterResolve(done);
    return done.row;
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
      const rows = (
        await q.query(
          `SELECT m.*, s.display_name AS staff_name FROM case_message m LEFT JOIN staff s ON s.id = m.staff_id WHERE m.case_id = $1 ORDER BY m.created_at, m.id`,
          [id],
        )
      ).map(toMessage);
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
      if (input.recipientId === c.subject_user_id) role = 'subject';
      else if (isUuid(input.recipientId)) {
        const [r] = await q.query('SELECT 1 FROM report WHERE case_id = $1 AND reporter_id = $2 LIMIT 1', [id, input.recipientId]);
        if (r) role = 'reporter';
      }
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
      const [row] = await q.query(
        `INSERT INTO case_message (id, case_id, staff_id, recipient_id, recipient_role, text, notice_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [messageId, id, staff.id, input.recipientId, role, input.text, noticeId],
      );
      await q.query('UPDATE moderation_case SET updated_at = now() WHERE id = $1', [id]);
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'case.message',
        subjectType: 'case',
        subjectId: id,
        after: { messageId, recipientId: input.recipientId, recipientRole: role, text: input.text },
      });
      const outboxId = await this.events.append(q, events);
      const [named] = await q.query('SELECT display_name FROM staff WHERE id = $1', [staff.id]);
      return { row: toMessage({ ...row, staff_name: named?.display_name }), outboxId };
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
      const [n] = await q.query(
        `SELECT n.*, m.id AS message_id, m.case_id FROM notice n LEFT JOIN case_message m ON m.notice_id = n.id WHERE n.id = $1 AND n.user_id = $2`,
        [noticeId, userId],
      );
      if (!n) throw new NotFound('No such notice.');
      if (!n.message_id) throw new Unprocessable('Only a message from the team can be answered.');
      const [m] = await q.query(
        `UPDATE case_message SET reply_text = $2, replied_at = now() WHERE id = $1 AND replied_at IS NULL RETURNING reply_text, replied_at`,
        [n.message_id, text],
      );
      if (!m) throw new AlreadyReplied();
      await q.query('UPDATE moderation_case SET updated_at = now() WHERE id = $1', [n.case_id]);
      await this.audit.record(q, {
        staffId: null,
        action: 'case.reply',
        subjectType: 'case',
        subjectId: n.case_id,
        after: { messageId: n.message_id, userId, text },
      });
      return toNotice({ ...n, reply_text: m.reply_text, replied_at: m.replied_at } as NoticeRecord);
    });
  }
}
