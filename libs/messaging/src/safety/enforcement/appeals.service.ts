import { Injectable } from '@nestjs/common';
import { Db, PG_UNIQUE_VIOLATION } from '../../db/db.service';
import { AlreadyAppealed, AppealWindowPassed, Conflict, NotFound, Unprocessable } from '../../errors';
import { EventsService } from '../../events/events.service';
import { isUuid, newId } from '../../ids';
import { AuditLogService } from '../audit/audit-log.service';
import { EnforcementService } from './enforcement.service';
import { NoticesService } from './notices.service';
import { iso } from '../rows';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../staff/staff-list';
import type { StaffActor } from '../reports/reports.service';
import { APPEAL_DECISIONS, type AppealDecision } from '../vocabulary';

export interface AppealRow {
  id: string;
  actionId: string;
  action: string | null;
  userId: string;
  text: string;
  status: 'open' | 'upheld' | 'denied';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
}

const toAppeal = (r: any): AppealRow => ({
  id: r.id,
  actionId: r.action_id,
  action: r.action ?? null,
  userId: r.user_id,
  text: r.text,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: iso(r.decided_at),
  decisionNote: r.decision_note ?? null,
  createdAt: iso(r.created_at)!,
});

/** A staff row: the appellant and the deciding staff member named beside their ids. */
export interface StaffAppealRow extends AppealRow {
  userHandle: string | null;
  userDisplayName: string | null;
  decidedByName: string | null;
}

const toStaffAppeal = (r: any): StaffAppealRow => ({
  ...toAppeal(r),
  userHandle: r.user_handle ?? null,
  userDisplayName: r.user_display_name ?? null,
  decidedByName: r.decided_by_name ?? null,
});

const STAFF_NAMES = `u.handle AS user_handle, u.display_name AS user_display_name, s.display_name AS decided_by_name`;
const STAFF_JOINS = `LEFT JOIN app_user u ON u.id = ap.user_id LEFT JOIN staff s ON s.id = ap.decided_by`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'ap.id' },
    status: { kind: 'enum', sql: 'ap.status', values: ['open', ...APPEAL_DECISIONS] },
    userId: { kind: 'uuid', sql: 'ap.user_id' },
    actionId: { kind: 'uuid', sql: 'ap.action_id' },
    decidedBy: { kind: 'uuid', sql: 'ap.decided_by' },
  },
  sorts: { createdAt: 'ap.created_at', status: 'ap.status', decidedAt: 'ap.decided_at', userId: 'ap.user_id', id: 'ap.id' },
  tiebreak: 'ap.id DESC',
};

const SELECT = `SELECT ap.*, a.action FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id`;

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
    const action = await this.db.one(
      'SELECT id, user_id, action, lifted_at, appeal_until, appeal_until <= now() AS window_passed FROM moderation_action WHERE id = $1',
      [input.actionId],
    );
    if (!action || action.user_id !== userId) throw notYours();
    const prior = await this.db.one('SELECT id FROM appeal WHERE action_id = $1', [input.actionId]);
    if (prior) throw new AlreadyAppealed();
    if (action.lifted_at) throw new Unprocessable('This action was already lifted.');
    // The window the statement of reasons promised (fixed when the action was taken).
    if (action.window_passed) {
      throw new AppealWindowPassed(`The time to appeal this action ended at ${new Date(action.appeal_until).toISOString()}.`, {
        appealUntil: new Date(action.appeal_until).toISOString(),
      });
    }
    try {
      return await this.db.tx(async (q) => {
        const [row] = await q.query(
          `INSERT INTO appeal (id, action_id, user_id, text) VALUES ($1, $2, $3, $4) RETURNING *, $5::text AS action`,
          [newId(), input.actionId, userId, input.text, action.action],
        );
        // Filed by the user, recorded for the transparency report (which counts the audit log's records).
        await this.audit.record(q, {
          staffId: null,
          action: 'appeal.create',
          subjectType: 'appeal',
          subjectId: row.id,
          after: { actionId: input.actionId, action: action.action, userId },
        });
        return toAppeal(row);
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
      const [ap] = await q.query('SELECT * FROM appeal WHERE id = $1 FOR UPDATE', [appealId]);
      if (!ap) throw new NotFound('No such appeal.');
      if (ap.status !== 'open') throw new Conflict(`This appeal was already decided (${ap.status}).`);
      const lifted = decision === 'upheld' ? await this.enforcement.lift(q, ap.action_id, 'appeal_upheld') : null;
      await q.query(`UPDATE appeal SET status = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1`, [
        appealId,
        decision,
        staff.id,
        note,
      ]);
      await this.audit.record(q, {
        staffId: staff.id,
        action: `appeal.${decision === 'upheld' ? 'uphold' : 'deny'}`,
        subjectType: 'appeal',
        subjectId: appealId,
        before: { status: 'open', ...(lifted ? { standing: lifted.before } : {}) },
        after: { status: decision, note, actionId: ap.action_id, ...(lifted ? { standing: lifted.after } : {}) },
      });
      const events = await this.notices.create(q, [
        {
          userId: ap.user_id,
          kind: 'appeal_decision',
          text: DECISION_TEXT[decision],
          data: { appealId, actionId: ap.action_id, decision },
        },
      ]);
      const outboxId = await this.events.append(q, events, lifted?.jobs ?? []);
      const [row] = await q.query(`${SELECT} WHERE ap.id = $1`, [appealId]);
      return { row: toAppeal(row), lifted, outboxId };
    });
    this.events.published(done.outboxId);
    if (done.lifted) await this.enforcement.afterCommit(done.lifted.userId, done.lifted.before, done.lifted.after);
    return done.row;
  }

  list(query: ListQuery): Promise<ListPage<StaffAppealRow>> {
    return runList(
      this.db.replica,
      LIST,
      query,
      (c) => ({
        sql: `SELECT ap.*, a.action, ${STAFF_NAMES}, count(*) OVER () AS _total
                FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id ${STAFF_JOINS} ${c.where} ${c.orderBy}`,
        countSql: `SELECT count(*)::int AS n FROM appeal ap ${c.where}`,
      }),
      toStaffAppeal,
    );
  }

  /** One appeal for staff, with names. */
  async one(id: string): Promise<StaffAppealRow> {
    if (!isUuid(id)) throw new NotFound('No such appeal.');
    const row = await this.db.one(
      `SELECT ap.*, a.action, ${STAFF_NAMES} FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id ${STAFF_JOINS} WHERE ap.id = $1`,
      [id],
    );
    if (!row) throw new NotFound('No such appeal.');
    return toStaffAppeal(row);
  }

  /** The person's own appeals (GET /v1/appeals). */
  async mine(userId: string): Promise<AppealRow[]> {
    return (await this.db.query(`${SELECT} WHERE ap.user_id = $1 ORDER BY ap.created_at DESC LIMIT 100`, [userId])).map(toAppeal);
  }
}
