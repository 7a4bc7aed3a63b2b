import { Injectable } from '@nestjs/common';
import { Db, type Queryable } from '../../db/db.service';
import { ForbiddenRole, NotFound } from '../../errors';
import { isUuid } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { reporterAccuracy } from './report-priority';
import { lockReporterFlags, reporterRecord, setReporterFlags } from './reporters.repository';
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
