import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { blockIn } from '../../accounts/accounts.service';
import { ConversationsService } from '../../conversations/conversations.service';
import { Db, type Queryable } from '../../db/db.service';
import { CannotTargetSelf, Conflict, DomainError, NotFound, ReportingSuspended, Unprocessable } from '../../errors';
import type { UserEvent } from '../../events/event-types';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { RateLimitsService } from '../../limits/rate-limits.service';
import { JobName, type OutboxJob } from '../../queues';
import { AuditLogService } from '../../audit/audit-log.service';
import { closeSettledCases, lockCasesOfReports } from './case-queue.sql';
import { queueNewReport } from './report-intake';
import { deadlineJob, lockSubject, reprioritize } from './report-queue.sql';
import { SystemReports } from './system-reports';
import { ModerationEvents } from './moderation-events';
import { nextReportState } from './moderation-state';
import { CaseSnapshot, type CaseSubject } from './case-snapshot';
import { EnforcementService, type Applied, type ApplyInput, type Worded } from '../enforcement/enforcement.service';
import { NoticesService, type NoticeDraft } from '../enforcement/notices.service';
import { PoliciesService } from '../enforcement/policies.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import {
  TRUSTED_FLAGGER_DEADLINE_FACTOR,
  type EnforcementAction,
  type ReportReason,
  type ResolveAction,
  type SubjectType,
} from '../vocabulary';
import { reporterFiling } from './reporters.repository';
import {
  countSpamReport,
  flagAllOverdue,
  flagOverdue,
  insertUserReport,
  listReports,
  lockReports,
  noticeTemplate,
  reportableConversation,
  reportableMessage,
  reportableQuestion,
  reportIdOf,
  reportView,
  reportWithEvidence,
  storeResolutions,
  userExists,
  type NoticeTemplate,
  type ReportRow,
  type StoredReport,
} from './reports.repository';

export interface StaffActor {
  id: string;
  role: 'admin' | 'moderator' | 'triage';
}

export interface ResolveBody {
  action: ResolveAction;
  durationHours?: number | null;
  note?: string | null;
  /** A notice template for the actioned person (every variable it uses must be filled: 422 template_variable_missing). */
  templateId?: string | null;
  /** The policy (key) and severity (key) of the decision; left out, the report's reason's policy at its first severity. */
  policy?: string | null;
  severity?: string | null;
  /**
   * The statement's facts as the moderator words them (a template's facts, edited), with the
   * notice templates' {{variables}}; left out: the template's facts, else the standard wording.
   */
  facts?: string | null;
}

export interface BulkOutcome {
  succeeded: string[];
  failed: Array<{ id: string; code: string; message: string }>;
  actionIds: string[];
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
    private readonly policies: PoliciesService,
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
    const filing = await reporterFiling(this.db, reporterId);
    if (filing?.reportingSuspendedUntil) {
      throw new ReportingSuspended(
        `You can't file reports until ${filing.reportingSuspendedUntil.toUTCString()}, because earlier reports of yours were manifestly unfounded.`,
        { until: filing.reportingSuspendedUntil.toISOString() },
      );
    }
    if (!isUuid(input.subjectId)) throw new NotFound('Nothing to report there.');
    const existing = await reportIdOf(this.db, reporterId, input.subjectType, input.subjectId);
    if (existing) {
      // Reporting again with block: true still blocks (the report stays the same).
      if (input.block) {
        await this.db.tx(async (q) => {
          const subject = await this.visibleSubject(q, reporterId, input.subjectType, input.subjectId);
          if (subject.blockUserId) await blockIn(q, reporterId, subject.blockUserId);
        });
      }
      return { id: existing, created: false };
    }
    await this.limits.consume('reportsPerHour', reporterId);

    const outcome = await this.db.tx(async (q) => {
      const subject = await this.visibleSubject(q, reporterId, input.subjectType, input.subjectId);
      await lockSubject(q, subject.type, subject.id);
      const evidence = await this.snapshot.freeze(q, subject, reporterId);
      const id = newId();
      // A trusted flagger's report (DSA Art. 22) says so for good, and is due in a quarter of the time.
      const trusted = (await reporterFiling(q, reporterId))?.trustedFlagger === true;
      const source = trusted ? 'trusted_flagger' : 'user';
      const row = await insertUserReport(q, {
        id,
        subjectType: subject.type,
        subjectId: subject.id,
        subjectUserId: subject.subjectUserId,
        conversationId: subject.conversationId,
        reason: input.reason,
        note: input.note ?? null,
        reporterId,
        source,
        firstResponseHours: this.config.reportFirstResponseHours * (trusted ? TRUSTED_FLAGGER_DEADLINE_FACTOR : 1),
        evidence,
      });
      if (!row) {
        // The same reporter's racing request inserted it first.
        const prior = (await reportIdOf(q, reporterId, subject.type, subject.id))!;
        return { id: prior, created: false, outboxId: null };
      }
      await queueNewReport(q, this.audit, {
        id,
        source,
        reason: input.reason,
        subjectType: subject.type,
        subjectId: subject.id,
        subjectUserId: subject.subjectUserId,
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
      const jobs: OutboxJob[] = [deadlineJob(id, row.dueAt)];
      const spamRequest = input.reason === 'spam' && subject.reporterState === 'pending' && subject.conversationId && subject.subjectUserId;
      if (spamRequest) {
        await this.conversations.decline(reporterId, subject.conversationId!, q);
        // One more distinct person calling this sender a spammer (the scorer recounts anyway).
        await countSpamReport(q, subject.subjectUserId!, reporterId, id);
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
      // Read FOR SHARE, so the snapshot freezes either the original text or its retained
      // copy. Whoever could see the message may report it, unsent or not.
      const m = await reportableMessage(q, id, reporterId);
      if (!m || m.myState === null || !['active', 'pending'].includes(m.myState) || !m.couldSee) throw hidden();
      if (m.senderId === reporterId) throw new CannotTargetSelf('You cannot report your own message.');
      return {
        type,
        id,
        subjectUserId: m.senderId,
        conversationId: m.conversationId,
        reporterState: m.myState,
        messageSeq: m.seq,
        roomId: m.roomId,
        blockUserId: m.senderId,
      };
    }
    if (type === 'conversation') {
      const c = await reportableConversation(q, id, reporterId);
      if (!c || !['active', 'pending'].includes(c.myState)) throw hidden();
      // Whom the report is about: the sender of a request, or the other side of a direct chat.
      const subjectUserId = c.myState === 'pending' && c.creatorId !== reporterId ? c.creatorId : c.kind === 'direct' ? c.otherId : null;
      const blockUserId = c.kind === 'direct' ? c.otherId : null;
      return { type, id, subjectUserId, conversationId: c.id, reporterState: c.myState, roomId: c.roomId, blockUserId };
    }
    if (type === 'user') {
      if (!(await userExists(q, id))) throw hidden();
      if (id === reporterId) throw new CannotTargetSelf('You cannot report yourself.');
      return { type, id, subjectUserId: id, conversationId: null, reporterState: null, blockUserId: id };
    }
    const qn = await reportableQuestion(q, id, reporterId);
    if (!qn || !qn.role || !(qn.role === 'moderator' || qn.status === 'pinned' || qn.authorId === reporterId)) throw hidden();
    if (qn.authorId === reporterId) throw new CannotTargetSelf('You cannot report your own question.');
    return {
      type,
      id,
      subjectUserId: qn.authorId,
      conversationId: null,
      reporterState: null,
      roomId: qn.roomId,
      blockUserId: qn.authorId,
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
    return listReports(this.db.replica, query);
  }

  /** One report with its frozen evidence: a staff read of message content, so it is audited. */
  async read(id: string, staff: StaffActor): Promise<ReportRow> {
    if (!isUuid(id)) throw new NotFound('No such report.');
    return this.db.tx(async (q) => {
      const row = await reportWithEvidence(q, id);
      if (!row) throw new NotFound('No such report.');
      await this.audit.record(q, { staffId: staff.id, action: 'report.read', subjectType: 'report', subjectId: id });
      return row;
    });
  }

  private reload(q: Queryable, id: string): Promise<ReportRow> {
    return reportView(q, id);
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
   * The statement of reasons (and notice) resolving this report with `body` would give its
   * subject, worded by the resolve's own code; the resolve's refusals (404, 409, 422), and
   * nothing written.
   */
  async previewStatement(id: string, staff: StaffActor, body: ResolveBody): Promise<Worded> {
    return this.db.tx(async (q) => {
      const r = (await this.moderation.check(q, { type: 'report', id, event: { type: 'resolve', staff } })) as StoredReport;
      const problem = this.cannotResolve(r, staff, body.action);
      if (problem) throw problem;
      return this.previewLocked(q, staff, [r], body);
    });
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
      const rows = await lockReports(q, valid);
      const found = new Map(rows.map((r) => [r.id, r]));
      const ok: StoredReport[] = [];
      for (const id of valid) {
        const r = found.get(id);
        const problem = r ? this.cannotResolve(r, staff, body.action) : new NotFound('No such report.');
        if (problem) failed.push({ id, code: problem.code, message: problem.message });
        else ok.push(r!);
      }
      if (ok.length === 0) throw new Conflict('None of these reports can be resolved.', failed);
      return { ...(await this.resolveLocked(q, staff, ok, body, { bulk: true })), succeeded: ok.map((r) => r.id) };
    });
    await this.afterResolve(done);
    return { succeeded: done.succeeded, failed, actionIds: done.applied.map((a) => a.applied.actionId) };
  }

  private cannotResolve(r: StoredReport, staff: StaffActor, action: ResolveAction): DomainError | null {
    const transition = nextReportState({ status: r.status, assigneeId: r.assigneeId }, { type: 'resolve', staff });
    if (transition.refused) return transition.refused;
    if (action === 'remove_content' && r.subjectType !== 'message' && r.subjectType !== 'question') {
      return new Unprocessable('remove_content applies to a reported message or question.');
    }
    if (action !== 'dismiss' && !r.subjectUserId)
      return new Unprocessable('This report names nobody to act against; dismiss it or act on a user.');
    return null;
  }

  /**
   * Inside the transaction, with the reports locked: applies the action (once per person),
   * closes every report, tells each reporter the outcome without naming the action, writes
   * the audit log, and re-weighs the reporters' other open reports (their track record just
   * changed).
   */
  async resolveLocked(
    q: Queryable,
    staff: StaffActor,
    reports: StoredReport[],
    body: ResolveBody,
    opts: { bulk: boolean; caseId?: string },
  ) {
    const bulk = opts.bulk;
    const template = await this.templateFor(q, body);
    const applied: Array<{ userId: string; applied: Applied }> = [];
    const actionByUser = new Map<string, string>();
    const policyByUser = new Map<string, { policy: string; severity: string }>();
    if (body.action !== 'dismiss') {
      // Every report here names a person (cannotResolve, or the case's subject).
      const byUser = new Map<string, StoredReport[]>();
      for (const r of reports) byUser.set(r.subjectUserId!, [...(byUser.get(r.subjectUserId!) ?? []), r]);
      for (const [userId, group] of byUser) {
        const decision = await this.decisionFor(q, staff, userId, group, body, template, opts.caseId);
        const result = await this.enforcement.apply(q, decision);
        const policy = decision.policy;
        applied.push({ userId, applied: result });
        actionByUser.set(userId, result.actionId);
        policyByUser.set(userId, { policy: policy.policy.key, severity: policy.severity.key });
      }
    }
    const hours = EnforcementService.duration(body.action, body.durationHours);
    const resolutions = reports.map((r) => ({
      id: r.id,
      resolution: {
        action: body.action,
        ...(hours ? { durationHours: hours } : {}),
        note: body.note ?? null,
        actionId: body.action === 'dismiss' || !r.subjectUserId ? null : (actionByUser.get(r.subjectUserId) ?? null),
        ...(r.subjectUserId && policyByUser.has(r.subjectUserId) ? policyByUser.get(r.subjectUserId) : {}),
        staffId: staff.id,
        ...(bulk ? { bulk: true } : {}),
        ...(opts.caseId ? { caseId: opts.caseId } : {}),
        ...(template ? { templateId: template.id } : {}),
      },
    }));
    await storeResolutions(q, resolutions, staff.id);
    for (const [i, r] of reports.entries()) {
      await this.audit.record(q, {
        staffId: staff.id,
        action: 'report.resolve',
        subjectType: 'report',
        subjectId: r.id,
        before: { status: r.status, assigneeId: r.assigneeId },
        after: { status: 'resolved', resolution: resolutions[i].resolution },
      });
    }
    const outcome = body.action === 'dismiss' ? 'no_violation' : 'action_taken';
    const drafts: NoticeDraft[] = reports
      .filter((r) => r.reporterId)
      .map((r) => ({
        userId: r.reporterId!,
        kind: 'report_outcome',
        text: OUTCOME_TEXT[outcome],
        data: { reportId: r.id, outcome, subjectType: r.subjectType, subjectId: r.subjectId },
      }));
    const events: UserEvent[] = [...applied.flatMap((a) => a.applied.events), ...(await this.notices.create(q, drafts))];
    await reprioritize(q, { reporterIds: [...new Set(reports.map((r) => r.reporterId).filter((x): x is string => Boolean(x)))] });
    await closeSettledCases(q, [...new Set(reports.map((r) => r.caseId).filter((x): x is string => Boolean(x)))], staff.id);
    const jobs = applied.flatMap((a) => a.applied.jobs);
    const outboxIds = [...applied.flatMap((a) => a.applied.outboxIds), await this.events.append(q, events, jobs)];
    return { applied, outboxIds };
  }

  /**
   * The decision against one person that a resolve of these reports (all about them) applies:
   * one builder for resolveLocked and for the statement preview, so a preview is worded from
   * exactly what the resolve will apply.
   */
  private async decisionFor(
    q: Queryable,
    staff: StaffActor,
    userId: string,
    group: StoredReport[],
    body: ResolveBody,
    template: NoticeTemplate | null,
    caseId?: string,
  ): Promise<ApplyInput> {
    const first = group[0];
    const policy = await this.policies.choose(q, { policy: body.policy, severity: body.severity, reason: first.reason });
    return {
      userId,
      action: body.action as EnforcementAction,
      durationHours: body.durationHours,
      note: body.note ?? null,
      reason: first.reason,
      policy,
      staffId: staff.id,
      reportId: first.id,
      subject: { type: first.subjectType, id: first.subjectId },
      removeSubjects: group.map((r) => ({ type: r.subjectType, id: r.subjectId })),
      reports: group.length,
      template,
      factsWording: body.facts ?? template?.facts ?? null,
      auditDetail: {
        reportIds: group.map((r) => r.id),
        ...(caseId ? { caseId } : {}),
        ...(template ? { templateId: template.id } : {}),
      },
    };
  }

  /**
   * What resolving these open reports (about one person) with `body` would tell that person:
   * the statement of reasons and the notice, worded by the code the resolve runs. Nothing is
   * written. A dismissal tells the subject nothing (422).
   */
  async previewLocked(q: Queryable, staff: StaffActor, reports: StoredReport[], body: ResolveBody, caseId?: string): Promise<Worded> {
    if (body.action === 'dismiss') throw new Unprocessable('A dismissal sends the subject no statement of reasons.');
    const template = await this.templateFor(q, body);
    const group = reports.filter((r) => r.subjectUserId);
    if (group.length === 0) throw new Unprocessable('This report names nobody to act against; dismiss it or act on a user.');
    const decision = await this.decisionFor(q, staff, group[0].subjectUserId!, group, body, template, caseId);
    return this.enforcement.preview(q, decision);
  }

  /** The chosen notice template; a template only words a notice to an actioned person, so dismiss takes none. */
  private async templateFor(q: Queryable, body: ResolveBody): Promise<NoticeTemplate | null> {
    if (!body.templateId) return null;
    if (body.action === 'dismiss') throw new Unprocessable('A dismissal sends no notice to the subject; resolve without templateId.');
    const t = isUuid(body.templateId) ? await noticeTemplate(q, body.templateId) : undefined;
    if (!t) throw new Unprocessable('No such notice template.');
    return t;
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
    return flagOverdue(this.db, reportId);
  }

  /** Flags every report past its deadline (a safety net for lost jobs). */
  flagAllOverdue(): Promise<number> {
    return flagAllOverdue(this.db);
  }
}
