import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { ForbiddenRole, NotFound, WarningRequired } from '../../errors';
import { EventsService } from '../../events/events.service';
import { EnforcementService, type ActionRow } from '../enforcement/enforcement.service';
import { PoliciesService } from '../enforcement/policies.service';
import { UNFOUNDED_REPORTS_POLICY } from '../vocabulary';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { reporterAccuracy } from './report-priority';
import {
  hasUnfoundedReportsWarning,
  lockReporterFlags,
  reporterRecord,
  setReporterFlags,
  setTrustedFlagger,
  type TrustedFlaggerRow,
} from './reporters.repository';
import { ReportsService, type StaffActor } from './reports.service';

/** A user as a reporter: their track record and the flags staff set. */
export interface ReporterStanding {
  userId: string;
  trustedFlagger: boolean;
  muted: boolean;
  /** Their reports that were decided, and how many of those were founded (led to an action). */
  judged: number;
  founded: number;
  /** Laplace-smoothed share founded (0.5 for a newcomer); weighs their reports in the queue. */
  accuracy: number;
  openReports: number;
}

/** GET /admin/v1/reporters/:userId (DSA Art. 23): how often a person's closed reports were upheld. */
export interface ReporterPrecision {
  /** Every report they filed. */
  reports: number;
  /** Closed reports that led to an action / that did not. */
  upheld: number;
  dismissed: number;
  /** upheld / (upheld + dismissed); null before any closed report. */
  precision: number | null;
}

/**
 * Reporter standing. Accuracy follows every decision (founded: resolved with an action;
 * unfounded: dismissed) and weighs the reporter's open reports. Admins make an account a
 * trusted flagger (its reports go first, DSA Art. 22); moderators may mute a reporter whose
 * reports are repeatedly unfounded (their reports still arrive and get answers, but weigh
 * nothing in the queue). Both changes are audited and re-weigh the open reports at once.
 */
@Injectable()
export class ReportersService {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportsService,
    private readonly audit: AuditLogService,
    private readonly enforcement: EnforcementService,
    private readonly policies: PoliciesService,
    private readonly events: EventsService,
  ) {}

  /**
   * POST /admin/v1/users/:id/reporting-suspension (DSA Art. 23): after a warning under
   * `unfounded_reports` (409 warning_required otherwise; a lifted warning does not count),
   * the person may not file reports for `days` (POST /v1/reports: 403 reporting_suspended).
   * A `suspend_reporting` action like any other: its notice with a statement of reasons, its
   * strikes, the audit entry, an appeal; lifting it (an upheld appeal) ends it.
   */
  async suspendReporting(
    staff: StaffActor,
    userId: string,
    body: { days: number; note: string | null; policy?: string; severity?: string },
  ): Promise<{ action: ActionRow }> {
    if (!isUuid(userId)) throw new NotFound('No such user.');
    const done = await this.db.tx(async (q) => {
      // The account's row lock first (as apply() takes it), so a warning lifted meanwhile is seen.
      await this.enforcement.lockStanding(q, userId);
      if (!(await hasUnfoundedReportsWarning(q, userId))) {
        throw new WarningRequired(
          `This person has no warning under the ${UNFOUNDED_REPORTS_POLICY} policy; warn them first, then suspend their reporting.`,
        );
      }
      const applied = await this.enforcement.apply(q, {
        userId,
        action: 'suspend_reporting',
        durationHours: body.days * 24,
        note: body.note,
        reason: UNFOUNDED_REPORTS_POLICY,
        policy: await this.policies.choose(q, { policy: body.policy ?? UNFOUNDED_REPORTS_POLICY, severity: body.severity }),
        staffId: staff.id,
      });
      const outboxId = await this.events.append(q, applied.events, applied.jobs);
      return { applied, outboxIds: [...applied.outboxIds, outboxId] };
    });
    for (const o of done.outboxIds) this.events.published(o);
    return { action: await this.enforcement.oneAction(done.applied.actionId) };
  }

  async standing(userId: string, q: Queryable = this.db): Promise<ReporterStanding> {
    if (!isUuid(userId)) throw new NotFound('No such user.');
    const r = await reporterRecord(q, userId);
    if (!r) throw new NotFound('No such user.');
    return {
      userId: r.userId,
      trustedFlagger: r.trustedFlagger,
      muted: r.muted,
      judged: r.judged,
      founded: r.founded,
      accuracy: Math.round(reporterAccuracy(r.judged, r.founded) * 1000) / 1000,
      openReports: r.openReports,
    };
  }

  async precision(userId: string): Promise<ReporterPrecision> {
    if (!isUuid(userId)) throw new NotFound('No such user.');
    const r = await reporterRecord(this.db, userId);
    if (!r) throw new NotFound('No such user.');
    return {
      reports: r.judged + r.openReports,
      upheld: r.founded,
      dismissed: r.judged - r.founded,
      precision: r.judged === 0 ? null : r.founded / r.judged,
    };
  }

  /**
   * PUT /admin/v1/trusted-flaggers/:userId (admin, DSA Art. 22): the account's reports from now
   * on are a trusted flagger's (source trusted_flagger, a quarter of the deadline, the front of
   * the queue). Renaming keeps the original date. Audited.
   */
  async designateTrustedFlagger(staff: StaffActor, userId: string, name: string): Promise<TrustedFlaggerRow> {
    return this.changeTrustedFlagger(staff, userId, name);
  }

  /** DELETE /admin/v1/trusted-flaggers/:userId (admin): reports filed from now on are ordinary ones; 404 when not designated. */
  async revokeTrustedFlagger(staff: StaffActor, userId: string): Promise<void> {
    await this.changeTrustedFlagger(staff, userId, null);
  }

  private async changeTrustedFlagger(staff: StaffActor, userId: string, name: string | null): Promise<TrustedFlaggerRow> {
    if (staff.role !== 'admin') throw new ForbiddenRole('Only an admin can designate trusted flaggers.');
    if (!isUuid(userId)) throw new NotFound('No such user.');
    return this.db.tx(async (q) => {
      const u = await lockReporterFlags(q, userId);
      if (!u) throw new NotFound('No such user.');
      if (name === null && !u.trustedFlagger) throw new NotFound('This user is not a trusted flagger.');
      const row = await setTrustedFlagger(q, userId, name);
      await this.audit.record(q, {
        staffId: staff.id,
        action: name === null ? 'user.trusted_flagger_revoke' : 'user.trusted_flagger',
        subjectType: 'user',
        subjectId: userId,
        before: { trustedFlagger: u.trustedFlagger },
        after: { trustedFlagger: name !== null, name },
      });
      return row;
    });
  }

  async set(staff: StaffActor, userId: string, input: { trustedFlagger?: boolean; muted?: boolean }): Promise<ReporterStanding> {
    if (input.trustedFlagger !== undefined && staff.role !== 'admin')
      throw new ForbiddenRole('Only an admin can make someone a trusted flagger.');
    if (!isUuid(userId)) throw new NotFound('No such user.');
    return this.db.tx(async (q) => {
      const u = await lockReporterFlags(q, userId);
      if (!u) throw new NotFound('No such user.');
      const next = { trustedFlagger: input.trustedFlagger ?? u.trustedFlagger, muted: input.muted ?? u.muted };
      if (next.trustedFlagger !== u.trustedFlagger || next.muted !== u.muted) {
        await setReporterFlags(q, userId, next);
        await this.reports.reweighReporter(q, userId);
        await this.audit.record(q, {
          staffId: staff.id,
          action: 'user.reporter_standing',
          subjectType: 'user',
          subjectId: userId,
          before: { trustedFlagger: u.trustedFlagger, muted: u.muted },
          after: next,
        });
      }
      return this.standing(userId, q);
    });
  }
}
