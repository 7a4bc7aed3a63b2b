import { readCeilingSql } from '../../policy/request-cap';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { blockIn } from '../../accounts/accounts.service';
import { ConversationsService } from '../../conversations/conversations.service';
import { Db, type Queryable } from '../../db/db.service';
import { CannotTargetSelf, Conflict, DomainError, NotFound, Unprocessable } from '../../errors';
import type { UserEvent } from '../../events/event-types';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { RateLimitsService } from '../../limits/rate-limits.service';
import { JobName, type OutboxJob } from '../../queues';
import { AuditLogService } from '../audit/audit-log.service';
import { attachToCase, closeSettledCases, lockCasesOfReports } from './case-queue.sql';
import { deadlineJob, lockSubject, reprioritize } from './report-queue.sql';
import { SystemReports } from './system-reports';
import { ModerationEvents } from './moderation-events';
import { nextReportState } from './moderation-state';
import { CaseSnapshot, type CaseSubject, type Evidence } from './case-snapshot';
import { EnforcementService, type Applied } from '../enforcement/enforcement.service';
import { NoticesService, type NoticeDraft } from '../enforcement/notices.service';
import { EFFECTIVE_PRIORITY_SQL } from './report-priority';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import { REPORT_STATUSES, SUBJECT_TYPES, type ReportReason, type ResolveAction, type SubjectType } from '../vocabulary';

export interface StaffActor {
  id: string;
  role: 'admin' | 'moderator' | 'triage';
}

export interface ReportRow {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  subjectUserId: string | null;
  /** The case this report belongs to (every report about a user has one). */
  caseId: string | null;
  conversationId: string | null;
  reason: string;
  note: string | null;
  source: 'user' | 'system';
  reporterId: string | null;
  /** The contract's two states: an escalated report is still open. */
  status: 'open' | 'resolved';
  /** The review state (Ozone's vocabulary): open, escalated or resolved. */
  reviewState: 'open' | 'escalated' | 'resolved';
  escalated: boolean;
  priority: number;
  assigneeId: string | null;
  claimedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  firstResponseAt: string | null;
  escalatedAt: string | null;
  escalatedBy: string | null;
  escalationNote: string | null;
  /** The frozen case snapshot; only GET one returns it (a staff read of content, audited). */
  evidence: Evidence | Record<string, unknown> | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  subjectHandle: string | null;
  subjectDisplayName: string | null;
  reporterHandle: string | null;
  assigneeName: string | null;
  resolvedByName: string | null;
}

export interface ResolveBody {
  action: ResolveAction;
  durationHours?: number | null;
  note?: string | null;
  /** A notice template for the actioned person (every variable it uses must be filled: 422 template_variable_missing). */
  templateId?: string | null;
}

export interface BulkOutcome {
  succeeded: string[];
  failed: Array<{ id: string; code: string; message: string }>;
  actionIds: string[];
}

/**
 * Overdue: no first response (claim, escalate, resolve) by the deadline, or a late one.
 * Computed when read as well as flagged by the deadline job, so the queue is right even
 * when a job was lost.
 */
const OVERDUE_SQL = `(r.overdue OR (r.due_at IS NOT NULL AND (
    (r.first_response_at IS NULL AND r.status <> 'resolved' AND r.due_at <= now()) OR coalesce(r.first_response_at > r.due_at, false))))`;

const COLUMNS = `r.id, r.subject_type, r.subject_id, r.subject_user_id, r.case_id, r.conversation_id, r.reason, r.note, r.source, r.reporter_id,
  r.status, ${EFFECTIVE_PRIORITY_SQL} AS priority, r.assignee_id, r.claimed_at, r.due_at, ${OVERDUE_SQL} AS overdue, r.first_response_at,
  r.escalated_at, r.escalated_by, r.escalation_note, r.created_at, r.resolved_at, r.resolved_by, r.resolution,
  su.handle AS subject_handle, su.display_name AS subject_display_name, ru.handle AS reporter_handle,
  (SELECT s.display_name FROM staff s WHERE s.id = r.assignee_id) AS assignee_name,
  (SELECT s.display_name FROM staff s WHERE s.id = r.resolved_by) AS resolved_by_name`;
/** Names for the console beside the ids (the ids stay the contract's fields). */
const NAMES = `LEFT JOIN app_user su ON su.id = r.subject_user_id LEFT JOIN app_user ru ON ru.id = r.reporter_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'r.id' },
    // The contract's status is open|resolved; escalated reports count as open.
    status: { kind: 'enum', sql: "(CASE WHEN r.status = 'resolved' THEN 'resolved' ELSE 'open' END)", values: ['open', 'resolved'] },
    reviewState: { kind: 'enum', sql: 'r.status', values: REPORT_STATUSES },
    escalated: { kind: 'bool', sql: "r.status = 'escalated'" },
    reason: { kind: 'text', sql: 'r.reason' },
    source: { kind: 'enum', sql: 'r.source', values: ['user', 'system'] },
    assigneeId: { kind: 'uuid', sql: 'r.assignee_id' },
    overdue: { kind: 'bool', sql: OVERDUE_SQL },
    subjectId: { kind: 'uuid', sql: 'r.subject_id' },
    subjectUserId: { kind: 'uuid', sql: 'r.subject_user_id' },
    caseId: { kind: 'uuid', sql: 'r.case_id' },
    subjectType: { kind: 'enum', sql: 'r.subject_type', values: SUBJECT_TYPES },
    reporterId: { kind: 'uuid', sql: 'r.reporter_id' },
    conversationId: { kind: 'uuid', sql: 'r.conversation_id' },
  },
  sorts: {
    priority: EFFECTIVE_PRIORITY_SQL,
    createdAt: 'r.created_at',
    dueAt: 'r.due_at',
    status: 'r.status',
    reason: 'r.reason',
    subjectType: 'r.subject_type',
    source: 'r.source',
    assigneeId: 'r.assignee_id',
    claimedAt: 'r.claimed_at',
    resolvedAt: 'r.resolved_at',
    id: 'r.id',
  },
  tiebreak: 'r.created_at ASC, r.id ASC',
};

export function toReportRow(r: any): ReportRow {
  return {
    id: r.id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectUserId: r.subject_user_id,
    caseId: r.case_id ?? null,
    conversationId: r.conversation_id,
    reason: r.reason,
    note: r.note,
    source: r.source,
    reporterId: r.reporter_id,
    status: r.status === 'resolved' ? 'resolved' : 'open',
    reviewState: r.status,
    escalated: r.status === 'escalated',
    priority: Number(r.priority),
    assigneeId: r.assignee_id,
    claimedAt: iso(r.claimed_at),
    dueAt: iso(r.due_at),
    overdue: r.overdue === true,
    firstResponseAt: iso(r.first_response_at),
    escalatedAt: iso(r.escalated_at),
    escalatedBy: r.escalated_by ?? null,
    escalationNote: r.escalation_note ?? null,
    evidence: r.evidence ?? null,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by ?? null,
    resolution: r.resolution ?? null,
    subjectHandle: r.subject_handle ?? null,
    subjectDisplayName: r.subject_display_name ?? null,
    reporterHandle: r.reporter_handle ?? null,
    assigneeName: r.assignee_name ?? null,
    resolvedByName: r.resolved_by_name ?? null,
  };
}

const RECEIPT_TEXT = 'Thanks for your report. We received it and will review it; we will tell you the outcome here.';

const OUTCOME_TEXT = {
  action_taken: 'Thanks for your report. We reviewed it and took action under our rules.',
  no_violation: 'Thanks for your report. We reviewed it and found no violation of our rules.',
};

/**
 * Reports from users and from the system, and the staff queue that works them: claim,
 * escalate, resolve (with an enforcement action), bulk resolve.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: RateLimitsService,
    private readonly events: EventsService,
    private readonly conversations: ConversationsService,
    private readonly snapshot: CaseSnapshot,
    private readonly enforcement: EnforcementService,
    private readonly notices: NoticesService,
    private readonly audit: AuditLogService,
    private readonly system: SystemReports,
    private readonly moderation: ModerationEvents,
  ) {}

  // ---------------------------------------------------------------- end users

  /**
   * POST /v1/reports. The same reporter on the same subject gets the same report back
   * (created: false), also when two such requests race: the unique index decides. Reporting
   * a pending request as spam also declines it, silently, like the decline route.
   */
  async file(
    reporterId: string,
    input: { subjectType: SubjectType; subjectId: string; reason: ReportReason; note?: string | null; block?: boolean },
  ): Promise<{ id: string; created: boolean }> {
    if (!isUuid(input.subjectId)) throw new NotFound('Nothing to report there.');
    const existing = await this.db.one('SELECT id FROM report WHERE reporter_id = $1 AND subject_type = $2 AND subject_id = $3', [
      reporterId,
      input.subjectType,
      input.subjectId,
    ]);
    if (existing) {
      // Reporting again with block: true still blocks (the report stays the same).
      if (input.block) {
        await this.db.tx(async (q) => {
          const subject = await this.visibleSubject(q, reporterId, input.subjectType, input.subjectId);
          if (subject.blockUserId) await blockIn(q, reporterId, subject.blockUserId);
        });
      }
      return { id: existing.id, created: false };
    }
    await this.limits.consume('reportsPerHour', reporterId);

    const outcome = await this.db.tx(async (q) => {
      const subject = await this.visibleSubject(q, reporterId, input.subjectType, input.subjectId);
      await lockSubject(q, subject.type, subject.id);
      const evidence = await this.snapshot.freeze(q, subject, reporterId);
      const id = newId();
      const [row] = await q.query(
        `INSERT INTO report (id, subject_type, subject_id, subject_user_id, conversation_id, reason, note, source, reporter_id,
                             priority, due_at, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'user', $8, 0, now() + make_interval(hours => $9), $10::jsonb)
         ON CONFLICT (reporter_id, subject_type, subject_id) WHERE reporter_id IS NOT NULL DO NOTHING
         RETURNING id, due_at`,
        [
          id,
          subject.type,
          subject.id,
          subject.subjectUserId,
          subject.conversationId,
          input.reason,
          input.note ?? null,
          reporterId,
          this.config.reportFirstResponseHours,
          JSON.stringify(evidence),
        ],
      );
      if (!row) {
        const [prior] = await q.query('SELECT id FROM report WHERE reporter_id = $1 AND subject_type = $2 AND subject_id = $3', [
          reporterId,
          subject.type,
          subject.id,
        ]);
        return { id: prior.id as string, created: false, outboxId: null };
      }
      // The case first (lock order: case, then reports), then the queue weights.
      const caseId = subject.subjectUserId ? await attachToCase(q, id, subject.subjectUserId) : null;
      await reprioritize(q, { subjectType: subject.type, subjectId: subject.id });
      await this.audit.record(q, {
        staffId: null,
        action: 'report.create',
        subjectType: 'report',
        subjectId: id,
        after: {
          source: 'user',
          reason: input.reason,
          subjectType: subject.type,
          subjectId: subject.id,
          subjectUserId: subject.subjectUserId,
          caseId,
        },
      });
      // The receipt (DSA Art. 16): the reporter is told their report arrived.
      const receipt = await this.notices.create(q, [
        {
          userId: reporterId,
          kind: 'report_received',
          text: RECEIPT_TEXT,
          data: { reportId: id, subjectType: subject.type, subjectId: subject.id, reason: input.reason },
        },
      ]);
      const jobs: OutboxJob[] = [deadlineJob(id, row.due_at)];
      const spamRequest = input.reason === 'spam' && subject.reporterState === 'pending' && subject.conversationId && subject.subjectUserId;
      if (spamRequest) {
        await this.conversations.decline(reporterId, subject.conversationId!, q);
        // One more distinct person calling this sender a spammer (the scorer recounts anyway).
        await q.query(
          `INSERT INTO sender_stats (sender_id, reported, last_at) VALUES ($1, 1, now())
           ON CONFLICT (sender_id) DO UPDATE SET
             reported = sender_stats.reported + CASE WHEN EXISTS (
               SELECT 1 FROM report p WHERE p.reporter_id = $2 AND p.subject_user_id = $1 AND p.reason IN ('spam', 'scam') AND p.id <> $3)
               THEN 0 ELSE 1 END,
             updated_at = now()`,
          [subject.subjectUserId, reporterId, id],
        );
        jobs.push({
          name: JobName.ScoreSender,
          data: { senderId: subject.subjectUserId! },
          jobId: `score-${subject.subjectUserId}-report-${id}`,
        });
      }
      if (input.block && subject.blockUserId) await blockIn(q, reporterId, subject.blockUserId);
      return { id, created: true, outboxId: await this.events.append(q, receipt, jobs) };
    });
    this.events.published(outcome.outboxId);
    return { id: outcome.id, created: outcome.created };
  }

  /**
   * What the reporter can see, else 404 (never confirming that something exists): a
   * message or conversation where they are an active or pending member, any existing
   * user, a question visible to them in its room. Reporting oneself is 422.
   */
  private async visibleSubject(q: Queryable, reporterId: string, type: SubjectType, id: string): Promise<CaseSubject> {
    const hidden = () => new NotFound('Nothing to report there.');
    if (type === 'message') {
      // FOR SHARE: an unsend (removeIn locks the row FOR UPDATE) commits wholly before this
      // read or waits until the report is written, so the snapshot below freezes either the
      // original text or its retained copy. Whoever could see the message may report it,
      // unsent or not: an active or pending member who was in the conversation when it was
      // sent (after their visible_from_seq; a pending member: the first messages they could
      // read, and not one held from them for its links, HeldLinks), and the room backchannel
      // shows its whole history to every current moderator.
      const [m] = await q.query(
        `SELECT m.id, m.conversation_id, m.sender_id, m.seq, c.room_id, cm.state AS my_state,
                (c.kind = 'room' OR (m.seq > cm.visible_from_seq
                  AND m.seq <= ${readCeilingSql('cm', '9223372036854775807')} AND (cm.state <> 'pending' OR NOT m.link_hold))) AS could_see
           FROM message m JOIN conversation c ON c.id = m.conversation_id
           LEFT JOIN conversation_member cm ON cm.conversation_id = m.conversation_id AND cm.user_id = $2
          WHERE m.id = $1
            FOR SHARE OF m`,
        [id, reporterId],
      );
      if (!m || !['active', 'pending'].includes(m.my_state) || !m.could_see) throw hidden();
      if (m.sender_id === reporterId) throw new CannotTargetSelf('You cannot report your own message.');
      return {
        type,
        id,
        subjectUserId: m.sender_id,
        conversationId: m.conversation_id,
        reporterState: m.my_state,
        messageSeq: Number(m.seq),
        roomId: m.room_id,
        blockUserId: m.sender_id,
      };
    }
    if (type === 'conversation') {
      const [c] = await q.query(
        `SELECT c.id, c.kind, c.creator_id, c.room_id, cm.state AS my_state,
                (SELECT o.user_id FROM conversation_member o WHERE o.conversation_id = c.id AND o.user_id <> $2 LIMIT 1) AS other_id
           FROM conversation c JOIN conversation_member cm ON cm.conversation_id = c.id AND cm.user_id = $2
          WHERE c.id = $1`,
        [id, reporterId],
      );
      if (!c || !['active', 'pending'].includes(c.my_state)) throw hidden();
      // Whom the report is about: the sender of a request, or the other side of a direct chat.
      const subjectUserId =
        c.my_state === 'pending' && c.creator_id !== reporterId ? c.creator_id : c.kind === 'direct' ? c.other_id : null;
      const blockUserId = c.kind === 'direct' ? c.other_id : null;
      return { type, id, subjectUserId, conversationId: c.id, reporterState: c.my_state, roomId: c.room_id, blockUserId };
    }
    if (type === 'user') {
      const [u] = await q.query('SELECT id FROM app_user WHERE id = $1', [id]);
      if (!u) throw hidden();
      if (id === reporterId) throw new CannotTargetSelf('You cannot report yourself.');
      return { type, id, subjectUserId: id, conversationId: null, reporterState: null, blockUserId: id };
    }
    const [qn] = await q.query(
      `SELECT qn.id, qn.room_id, qn.author_id, qn.status, rm.role
         FROM question qn LEFT JOIN room_member rm ON rm.room_id = qn.room_id AND rm.user_id = $2
        WHERE qn.id = $1`,
      [id, reporterId],
    );
    if (!qn || !qn.role || !(qn.role === 'moderator' || qn.status === 'pinned' || qn.author_id === reporterId)) throw hidden();
    if (qn.author_id === reporterId) throw new CannotTargetSelf('You cannot report your own question.');
    return {
      type,
      id,
      subjectUserId: qn.author_id,
      conversationId: null,
      reporterState: null,
      roomId: qn.room_id,
      blockUserId: qn.author_id,
    };
  }

  /** A report raised by the platform itself: see SystemReports.openSystemReport. */
  openSystemReport(q: Queryable, input: Parameters<SystemReports['openSystemReport']>[1]) {
    return this.system.openSystemReport(q, input);
  }

  /** Re-weighs a reporter's open reports (their standing changed: trusted, muted). */
  reweighReporter(q: Queryable, reporterId: string): Promise<void> {
    return reprioritize(q, { reporterIds: [reporterId] });
  }

  // ---------------------------------------------------------------- staff queue

  list(query: ListQuery): Promise<ListPage<ReportRow>> {
    return runList(
      this.db.replica,
      LIST,
      query,
      (c) => ({
        sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM report r ${NAMES} ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM report r ${c.where}`,
      }),
      toReportRow,
    );
  }

  /** One report with its frozen evidence: a staff read of message content, so it is audited. */
  async read(id: string, staff: StaffActor): Promise<ReportRow> {
    if (!isUuid(id)) throw new NotFound('No such report.');
    return this.db.tx(async (q) => {
      const [row] = await q.query(`SELECT ${COLUMNS}, r.evidence FROM report r ${NAMES} WHERE r.id = $1`, [id]);
      if (!row) throw new NotFound('No such report.');
      await this.audit.record(q, { staffId: staff.id, action: 'report.read', subjectType: 'report', subjectId: id });
      return toReportRow(row);
    });
  }

  private async reload(q: Queryable, id: string): Promise<ReportRow> {
    const [row] = await q.query(`SELECT ${COLUMNS} FROM report r ${NAMES} WHERE r.id = $1`, [id]);
    return toReportRow(row);
  }

  /**
   * Takes a report off the queue for oneself. Idempotent for the holder; anyone else gets
   * 409 already_claimed (the row lock makes two racing claims queue up, and the second
   * sees the first one's claim).
   */
  async claim(id: string, staff: StaffActor): Promise<ReportRow> {
    return this.db.tx(async (q) => {
      await this.moderation.log(q, { type: 'report', id, event: { type: 'claim', staff } });
      return this.reload(q, id);
    });
  }

  /**
   * Hands a report up: status escalated, unassigned so a senior moderator can claim it.
   * Escalating an escalated report changes nothing.
   */
  async escalate(id: string, staff: StaffActor, note: string | null): Promise<ReportRow> {
    return this.db.tx(async (q) => {
      await this.moderation.log(q, { type: 'report', id, event: { type: 'escalate', staff, note } });
      return this.reload(q, id);
    });
  }

  /** Resolves one report with an action (see resolveLocked); 404, 409 or 422 when it cannot. */
  async resolve(id: string, staff: StaffActor, body: ResolveBody): Promise<ReportRow> {
    const done = await this.db.tx(async (q) => {
      if (isUuid(id)) await lockCasesOfReports(q, [id]);
      const r = await this.moderation.check(q, { type: 'report', id, event: { type: 'resolve', staff } });
      const problem = this.cannotResolve(r, staff, body.action);
      if (problem) throw problem;
      const result = await this.resolveLocked(q, staff, [r], body, { bulk: false });
      return { ...result, row: await this.reload(q, id) };
    });
    await this.afterResolve(done);
    return done.row;
  }

  /**
   * Resolves many reports with one decision, e.g. every report about one spam message. The
   * action is applied once per person (one strike per person, not one per report); content
   * removal covers every reported message or question. Reports that cannot be resolved are
   * listed in `failed`; if none can, nothing happens and the answer is 409.
   */
  async bulkResolve(ids: string[], staff: StaffActor, body: ResolveBody): Promise<BulkOutcome> {
    const unique = [...new Set(ids)];
    const failed: BulkOutcome['failed'] = unique
      .filter((id) => !isUuid(id))
      .map((id) => ({ id, code: 'not_found', message: 'No such report.' }));
    const valid = unique.filter(isUuid);
    const done = await this.db.tx(async (q) => {
      await lockCasesOfReports(q, valid);
      const rows = await q.query('SELECT * FROM report WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [valid]);
      const found = new Map(rows.map((r) => [r.id as string, r]));
      const ok: any[] = [];
      for (const id of valid) {
        const r = found.get(id);
        const problem = r ? this.cannotResolve(r, staff, body.action) : new NotFound('No such report.');
        if (problem) failed.push({ id, code: problem.code, message: problem.message });
        else ok.push(r);
      }
      if (ok.length === 0) throw new Conflict('None of these reports can be resolved.', failed);
      return { ...(await this.resolveLocked(q, staff, ok, body, { bulk: true })), succeeded: ok.map((r) => r.id as string) };
    });
    await this.afterResolve(done);
    return { succeeded: done.succeeded, failed, actionIds: done.applied.map((a) => a.applied.actionId) };
  }

  private cannotResolve(r: any, staff: StaffActor, action: ResolveAction): DomainError | null {
    const transition = nextReportState({ status: r.status, assigneeId: r.assignee_id }, { type: 'resolve', staff });
    if (transition.refused) return transition.refused;
    if (action === 'remove_content' && r.subject_type !== 'message' && r.subject_type !== 'question') {
      return new Unprocessable('remove_content applies to a reported message or question.');
    }
    if (action !== 'dismiss' && !r.subject_user_id)
      return new Unprocessable('This report names nobody to act against; dismiss it or act on a user.');
    return null;
  }

  /**
   * Inside the transaction, with the reports locked: applies the action (once per person),
   * closes every report, tells each reporter the outcome without naming the action, writes
   * the audit log, and re-weighs the reporters' other open reports (their track record just
   * changed).
   */
  async resolveLocked(q: Queryable, staff: StaffActor, reports: any[], body: ResolveBody, opts: { bulk: boolean; caseId?: string }) {
    const bulk = opts.bulk;
    const template = await this.templateFor(q, body);
    const applied: Array<{ userId: string; applied: Applied }> = [];
    const actionByUser = new Map<string, string>();
    if (body.action !== 'dismiss') {
      const byUser = new Map<string, any[]>();
      for (const r of reports) byUser.set(r.subject_user_id, [...(byUser.get(r.subject_user_id) ?? []), r]);
      for (const [userId, group] of byUser) {
        const first = group[0];
        const result = await this.enforcement.apply(q, {
          userId,
          action: body.action,
          durationHours: body.durationHours,
          note: body.note ?? null,
          reason: first.reason,
          staffId: staff.id,
          reportId: first.id,
          subject: { type: first.subject_type, id: first.subject_id },
          removeSubjects: group.map((r) => ({ type: r.subject_type, id: r.subject_id })),
          reports: group.length,
          template,
          auditDetail: {
            reportIds: group.map((r) => r.id),
            ...(opts.caseId ? { caseId: opts.caseId } : {}),
            ...(template ? { templateId: template.id } : {}),
          },
        });
        applied.push({ userId, applied: result });
        actionByUser.set(userId, result.actionId);
      }
    }
    const hours = EnforcementService.duration(body.action, body.durationHours);
    const resolutions = reports.map((r) => ({
      id: r.id,
      resolution: {
        action: body.action,
        ...(hours ? { durationHours: hours } : {}),
        note: body.note ?? null,
        actionId: body.action === 'dismiss' ? null : (actionByUser.get(r.subject_user_id) ?? null),
        staffId: staff.id,
        ...(bulk ? { bulk: true } : {}),
        ...(opts.caseId ? { caseId: opts.caseId } : {}),
        ...(template ? { templateId: template.id } : {}),
      },
    }));
    await q.query(
      `UPDATE report r SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = x.resolution,
              first_response_at = coalesce(r.first_response_at, now()), assignee_id = coalesce(r.assignee_id, $2),
              claimed_at = coalesce(r.claimed_at, now())
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, resolution jsonb) WHERE r.id = x.id`,
      [JSON.stringify(resolutions), staff.id],
    );
    for (const [i, r] of reports.entries()) {
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'report.resolve',
        subjectType: 'report',
        subjectId: r.id,
        before: { status: r.status, assigneeId: r.assignee_id },
        after: { status: 'resolved', resolution: resolutions[i].resolution },
      });
    }
    const outcome = body.action === 'dismiss' ? 'no_violation' : 'action_taken';
    const drafts: NoticeDraft[] = reports
      .filter((r) => r.reporter_id)
      .map((r) => ({
        userId: r.reporter_id,
        kind: 'report_outcome',
        text: OUTCOME_TEXT[outcome],
        data: { reportId: r.id, outcome, subjectType: r.subject_type, subjectId: r.subject_id },
      }));
    const events: UserEvent[] = [...applied.flatMap((a) => a.applied.events), ...(await this.notices.create(q, drafts))];
    await reprioritize(q, { reporterIds: [...new Set(reports.map((r) => r.reporter_id).filter(Boolean))] as string[] });
    await closeSettledCases(q, [...new Set(reports.map((r) => r.case_id).filter(Boolean))] as string[], staff.id);
    const jobs = applied.flatMap((a) => a.applied.jobs);
    const outboxIds = [...applied.flatMap((a) => a.applied.outboxIds), await this.events.append(q, events, jobs)];
    return { applied, outboxIds };
  }

  /** The chosen notice template; a template only words a notice to an actioned person, so dismiss takes none. */
  private async templateFor(q: Queryable, body: ResolveBody): Promise<{ id: string; body: string } | null> {
    if (!body.templateId) return null;
    if (body.action === 'dismiss') throw new Unprocessable('A dismissal sends no notice to the subject; resolve without templateId.');
    const [t] = isUuid(body.templateId) ? await q.query('SELECT id, body FROM notice_template WHERE id = $1', [body.templateId]) : [];
    if (!t) throw new Unprocessable('No such notice template.');
    return { id: t.id, body: t.body };
  }

  async afterResolve(done: { applied: Array<{ userId: string; applied: Applied }>; outboxIds: Array<string | null> }) {
    for (const id of done.outboxIds) this.events.published(id);
    for (const a of done.applied) await this.enforcement.afterCommit(a.userId, a.applied.before, a.applied.after);
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * The first-response deadline job: flags the report overdue when nobody claimed,
   * escalated or resolved it in time. Idempotent; an early run changes nothing.
   */
  async flagOverdue(reportId: string): Promise<boolean> {
    if (!isUuid(reportId)) return false;
    const rows = await this.db.query(
      `UPDATE report SET overdue = true
        WHERE id = $1 AND NOT overdue AND status <> 'resolved' AND first_response_at IS NULL AND due_at <= now()
        RETURNING id`,
      [reportId],
    );
    return rows.length > 0;
  }

  /** Flags every report past its deadline (a safety net for lost jobs). */
  async flagAllOverdue(): Promise<number> {
    const rows = await this.db.query(
      `UPDATE report SET overdue = true
        WHERE NOT overdue AND status <> 'resolved' AND first_response_at IS NULL AND due_at <= now()
        RETURNING id`,
    );
    return rows.length;
  }
}
