import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { ForbiddenRole, NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import { reporterAccuracy } from './report-priority';
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
  ) {}

  async standing(userId: string, q: Queryable = this.db): Promise<ReporterStanding> {
    if (!isUuid(userId)) throw new NotFound('No such user.');
    const [r] = await q.query(
      `SELECT u.id, u.trusted_flagger, u.reports_muted,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status = 'resolved')::int AS judged,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status = 'resolved'
                  AND coalesce(p.resolution ->> 'action', 'dismiss') <> 'dismiss')::int AS founded,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status <> 'resolved')::int AS open_reports
         FROM app_user u WHERE u.id = $1`,
      [userId],
    );
    if (!r) throw new NotFound('No such user.');
    return {
      userId: r.id,
      trustedFlagger: r.trusted_flagger,
      muted: r.reports_muted,
      judged: r.judged,
      founded: r.founded,
      accuracy: Math.round(reporterAccuracy(r.judged, r.founded) * 1000) / 1000,
      openReports: r.open_reports,
    };
  }

  async set(staff: StaffActor, userId: string, input: { trustedFlagger?: boolean; muted?: boolean }): Promise<ReporterStanding> {
    if (input.trustedFlagger !== undefined && staff.role !== 'admin')
      throw new ForbiddenRole('Only an admin can make someone a trusted flagger.');
    if (!isUuid(userId)) throw new NotFound('No such user.');
    return this.db.tx(async (q) => {
      const [u] = await q.query('SELECT trusted_flagger, reports_muted FROM app_user WHERE id = $1 FOR UPDATE', [userId]);
      if (!u) throw new NotFound('No such user.');
      const next = { trustedFlagger: input.trustedFlagger ?? u.trusted_flagger, muted: input.muted ?? u.reports_muted };
      if (next.trustedFlagger !== u.trusted_flagger || next.muted !== u.reports_muted) {
        await q.query('UPDATE app_user SET trusted_flagger = $2, reports_muted = $3 WHERE id = $1', [
          userId,
          next.trustedFlagger,
          next.muted,
        ]);
        await this.reports.reweighReporter(q, userId);
        await this.audit.record(q, {
          staffId: staff.id,
          action: 'user.reporter_standing',
          subjectType: 'user',
          subjectId: userId,
          before: { trustedFlagger: u.trusted_flagger, muted: u.reports_muted },
          after: next,
        });
      }
      return this.standing(userId, q);
    });
  }
}
