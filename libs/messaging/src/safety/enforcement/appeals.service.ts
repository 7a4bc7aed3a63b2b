import { Injectable } from '@nestjs/common';
import { Db, PG_UNIQUE_VIOLATION } from '../../db/db.service';
import { AlreadyAppealed, AppealWindowPassed, Conflict, NotFound, Unprocessable } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../../audit/audit-log.service';
import { EnforcementService } from './enforcement.service';
import { NoticesService } from './notices.service';
import type { ListPage, ListQuery } from '../../db/staff-list';
import type { StaffActor } from '../reports/reports.service';
import type { AppealDecision } from '../vocabulary';
import * as appeals from './appeals.repository';
import type { AppealRow, StaffAppealRow } from './appeals.repository';

const DECISION_TEXT: Record<AppealDecision, string> = {
  upheld: 'We reviewed your appeal and agree with you: the action against your account has been lifted.',
  denied: 'We reviewed your appeal and the action against your account stands.',
};

/** One appeal per action, by the person it was taken against; staff uphold (lift) or deny it. */
@Injectable()
export class AppealsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly enforcement: EnforcementService,
    private readonly notices: NoticesService,
    private readonly audit: AuditLogService,
  ) {}

  async file(userId: string, input: { actionId: string; text: string }): Promise<AppealRow> {
    const notYours = () => new NotFound('No such action against your account.');
    if (!isUuid(input.actionId)) throw notYours();
    const action = await appeals.appealableAction(this.db, input.actionId);
    if (!action || action.userId !== userId) throw notYours();
    const prior = await appeals.appealIdOfAction(this.db, input.actionId);
    if (prior) throw new AlreadyAppealed();
    if (action.liftedAt) throw new Unprocessable('This action was already lifted.');
    // The window the statement of reasons promised (fixed when the action was taken).
    if (action.windowPassed) {
      throw new AppealWindowPassed(`The time to appeal this action ended at ${new Date(action.appealUntil!).toISOString()}.`, {
        appealUntil: new Date(action.appealUntil!).toISOString(),
      });
    }
    try {
      return await this.db.tx(async (q) => {
        const row = await appeals.insert(q, { id: newId(), actionId: input.actionId, userId, text: input.text, action: action.action });
        // Filed by the user, recorded for the transparency report (which counts the audit log's records).
        await this.audit.record(q, {
          staffId: null,
          action: 'appeal.create',
          subjectType: 'appeal',
          subjectId: row.id,
          after: { actionId: input.actionId, action: action.action, userId },
        });
        return row;
      });
    } catch (err: any) {
      // Two appeals racing: the unique index on action_id lets exactly one in.
      if (err?.code === PG_UNIQUE_VIOLATION) throw new AlreadyAppealed();
      throw err;
    }
  }

  /**
   * Decides an open appeal. Upheld lifts the action: it stops counting as a strike and the
   * account's standing is recomputed (an un-suspension signs nobody out, it lets them in).
   */
  async decide(appealId: string, staff: StaffActor, decision: AppealDecision, note: string | null): Promise<AppealRow> {
    if (!isUuid(appealId)) throw new NotFound('No such appeal.');
    const done = await this.db.tx(async (q) => {
      const ap = await appeals.lockById(q, appealId);
      if (!ap) throw new NotFound('No such appeal.');
      if (ap.status !== 'open') throw new Conflict(`This appeal was already decided (${ap.status}).`);
      const lifted = decision === 'upheld' ? await this.enforcement.lift(q, ap.actionId, 'appeal_upheld') : null;
      await appeals.setDecision(q, appealId, decision, staff.id, note);
      await this.audit.record(q, {
        staffId: staff.id,
        action: `appeal.${decision === 'upheld' ? 'uphold' : 'deny'}`,
        subjectType: 'appeal',
        subjectId: appealId,
        before: { status: 'open', ...(lifted ? { standing: lifted.before } : {}) },
        after: { status: decision, note, actionId: ap.actionId, ...(lifted ? { standing: lifted.after } : {}) },
      });
      const events = await this.notices.create(q, [
        {
          userId: ap.userId,
          kind: 'appeal_decision',
          text: DECISION_TEXT[decision],
          data: { appealId, actionId: ap.actionId, decision },
        },
      ]);
      const outboxId = await this.events.append(q, events, lifted?.jobs ?? []);
      const row = await appeals.byId(q, appealId);
      return { row, lifted, outboxId };
    });
    this.events.published(done.outboxId);
    if (done.lifted) await this.enforcement.afterCommit(done.lifted.userId, done.lifted.before, done.lifted.after);
    return done.row;
  }

  list(query: ListQuery): Promise<ListPage<StaffAppealRow>> {
    return appeals.list(this.db.replica, query);
  }

  /** One appeal for staff, with names. */
  async one(id: string): Promise<StaffAppealRow> {
    if (!isUuid(id)) throw new NotFound('No such appeal.');
    const row = await appeals.staffById(this.db, id);
    if (!row) throw new NotFound('No such appeal.');
    return row;
  }

  /** The person's own appeals (GET /v1/appeals). */
  async mine(userId: string): Promise<AppealRow[]> {
    return appeals.ofUser(this.db, userId);
  }
}
