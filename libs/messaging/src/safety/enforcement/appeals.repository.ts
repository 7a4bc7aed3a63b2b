import type { Queryable } from '../../db/db.service';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import { APPEAL_DECISIONS, type AppealDecision } from '../vocabulary';

/**
 * The appeals' SQL (STYLE.md §9, §12). Functions take a Queryable, so they run on the pool or
 * inside `db.tx`, and hand back typed camelCase rows; who may appeal, the window and what a
 * decision does are AppealsService's rules.
 */

export interface AppealRow {
  id: string;
  actionId: string;
  action: string | null;
  /** When the appealed action was taken (present where the action was joined). */
  actionCreatedAt: string | null;
  userId: string;
  text: string;
  status: 'open' | 'upheld' | 'denied';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
}

/** A staff row: the appellant and the deciding staff member named beside their ids. */
export interface StaffAppealRow extends AppealRow {
  userHandle: string | null;
  userDisplayName: string | null;
  decidedByName: string | null;
}

/** What filing an appeal needs to know of the action appealed. */
export interface AppealableAction {
  id: string;
  userId: string;
  action: string;
  liftedAt: Date | string | null;
  appealUntil: Date | string | null;
  /** The appeal window has ended (null when the action has no window). */
  windowPassed: boolean | null;
}

interface AppealRecord {
  id: string;
  action_id: string;
  /** Present where the action was joined (or named on insert). */
  action?: string | null;
  action_created_at?: Date | string | null;
  user_id: string;
  text: string;
  status: AppealRow['status'];
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
  created_at: Date | string;
}

interface StaffAppealRecord extends AppealRecord {
  user_handle: string | null;
  user_display_name: string | null;
  decided_by_name: string | null;
}

const toAppeal = (r: AppealRecord): AppealRow => ({
  id: r.id,
  actionId: r.action_id,
  action: r.action ?? null,
  actionCreatedAt: iso(r.action_created_at ?? null),
  userId: r.user_id,
  text: r.text,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: iso(r.decided_at),
  decisionNote: r.decision_note ?? null,
  createdAt: iso(r.created_at)!,
});

const toStaffAppeal = (r: StaffAppealRecord): StaffAppealRow => ({
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

const SELECT = `SELECT ap.*, a.action, a.created_at AS action_created_at FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id`;

export async function appealableAction(q: Queryable, actionId: string): Promise<AppealableAction | undefined> {
  const [a] = await q.query<{
    id: string;
    user_id: string;
    action: string;
    lifted_at: Date | string | null;
    appeal_until: Date | string | null;
    window_passed: boolean | null;
  }>('SELECT id, user_id, action, lifted_at, appeal_until, appeal_until <= now() AS window_passed FROM moderation_action WHERE id = $1', [
    actionId,
  ]);
  return (
    a && {
      id: a.id,
      userId: a.user_id,
      action: a.action,
      liftedAt: a.lifted_at,
      appealUntil: a.appeal_until,
      windowPassed: a.window_passed,
    }
  );
}

/** The id of the appeal of this action, if one was filed. */
export async function appealIdOfAction(q: Queryable, actionId: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>('SELECT id FROM appeal WHERE action_id = $1', [actionId]);
  return row?.id;
}

/** A new open appeal; a second one for the same action trips the unique index on action_id. */
export async function insert(
  q: Queryable,
  a: { id: string; actionId: string; userId: string; text: string; action: string },
): Promise<AppealRow> {
  const [row] = await q.query<AppealRecord>(
    `INSERT INTO appeal (id, action_id, user_id, text) VALUES ($1, $2, $3, $4) RETURNING *, $5::text AS action,
       (SELECT created_at FROM moderation_action WHERE id = $2) AS action_created_at`,
    [a.id, a.actionId, a.userId, a.text, a.action],
  );
  return toAppeal(row);
}

/** The appeal, locked for the rest of the transaction (without its action's name). */
export async function lockById(q: Queryable, id: string): Promise<AppealRow | undefined> {
  const [row] = await q.query<AppealRecord>('SELECT * FROM appeal WHERE id = $1 FOR UPDATE', [id]);
  return row && toAppeal(row);
}

export async function setDecision(q: Queryable, id: string, decision: AppealDecision, staffId: string, note: string | null): Promise<void> {
  await q.query(`UPDATE appeal SET status = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1`, [
    id,
    decision,
    staffId,
    note,
  ]);
}

/** The appeal with its action's name. */
export async function byId(q: Queryable, id: string): Promise<AppealRow> {
  const [row] = await q.query<AppealRecord>(`${SELECT} WHERE ap.id = $1`, [id]);
  return toAppeal(row);
}

export function list(q: Queryable, query: ListQuery): Promise<ListPage<StaffAppealRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ap.*, a.action, a.created_at AS action_created_at, ${STAFF_NAMES}, count(*) OVER () AS _total
                FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id ${STAFF_JOINS} ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM appeal ap ${c.where}`,
    }),
    toStaffAppeal,
  );
}

/** One appeal for staff, with names. */
export async function staffById(q: Queryable, id: string): Promise<StaffAppealRow | undefined> {
  const [row] = await q.query<StaffAppealRecord>(
    `SELECT ap.*, a.action, a.created_at AS action_created_at, ${STAFF_NAMES} FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id ${STAFF_JOINS} WHERE ap.id = $1`,
    [id],
  );
  return row && toStaffAppeal(row);
}

/** A person's own appeals, newest first (at most 100). */
export async function ofUser(q: Queryable, userId: string): Promise<AppealRow[]> {
  return (await q.query<AppealRecord>(`${SELECT} WHERE ap.user_id = $1 ORDER BY ap.created_at DESC LIMIT 100`, [userId])).map(toAppeal);
}
