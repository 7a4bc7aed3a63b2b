import type { Queryable } from '../../db/db.service';
import { questionRow, type QuestionRecord, type QuestionRow } from '../../views/question-view';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';

/**
 * Enforcement's SQL (STYLE.md §9, §12): moderation actions (strikes), the account standing
 * recomputed from them, and the removal of a question. Functions take a Queryable, so they
 * run inside the caller's `db.tx` with its locks, and hand back typed camelCase rows; what an
 * action does and what the person is told are EnforcementService's rules.
 */

/** The account's standing, as the audit log records it before and after an action. */
export interface Standing {
  status: string;
  suspendedUntil: string | null;
  restrictedUntil: string | null;
}

export interface ActionRow {
  id: string;
  userId: string;
  action: string;
  reason: string | null;
  note: string | null;
  staffId: string | null;
  reportId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  createdAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftedReason: string | null;
  active: boolean;
  automated: boolean;
  appealUntil: string | null;
  /** The policy and severity the decision named (keys), and the policy's DSA category then. */
  policy: string | null;
  severity: string | null;
  category: string | null;
  /** Strikes the action gave, in force until strikesExpireAt unless it is lifted. */
  strikes: number;
  strikesExpireAt: string | null;
  /** Names beside the ids, for the console (null where the read did not join them). */
  userHandle: string | null;
  userDisplayName: string | null;
  staffName: string | null;
}

/** A `moderation_action` row, with the names of ACTION_NAMES_SQL where they were joined. */
export interface ActionRecord {
  id: string;
  user_id: string;
  action: string;
  reason: string | null;
  note: string | null;
  staff_id: string | null;
  report_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  created_at: Date | string;
  expires_at: Date | string | null;
  lifted_at: Date | string | null;
  lifted_reason: string | null;
  automated: boolean;
  appeal_until: Date | string | null;
  policy: string | null;
  severity: string | null;
  category: string | null;
  strikes: number;
  strikes_expire_at: Date | string | null;
  user_handle?: string | null;
  user_display_name?: string | null;
  staff_name?: string | null;
}

export const toActionRow = (r: ActionRecord): ActionRow => ({
  id: r.id,
  userId: r.user_id,
  action: r.action,
  reason: r.reason,
  note: r.note,
  staffId: r.staff_id,
  reportId: r.report_id,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  liftedAt: iso(r.lifted_at),
  liftedReason: r.lifted_reason ?? null,
  automated: r.automated === true,
  appealUntil: iso(r.appeal_until),
  policy: r.policy ?? null,
  severity: r.severity ?? null,
  category: r.category ?? null,
  strikes: Number(r.strikes ?? 0),
  strikesExpireAt: iso(r.strikes_expire_at),
  active: !r.lifted_at && (!r.expires_at || new Date(r.expires_at).getTime() > Date.now()),
  userHandle: r.user_handle ?? null,
  userDisplayName: r.user_display_name ?? null,
  staffName: r.staff_name ?? null,
});

/** The action with the names of its user and staff member. */
export const ACTION_NAMES_SQL = `a.*, u.handle AS user_handle, u.display_name AS user_display_name, s.display_name AS staff_name
  FROM moderation_action a LEFT JOIN app_user u ON u.id = a.user_id LEFT JOIN staff s ON s.id = a.staff_id`;

const ACTIONS_LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'a.id' },
    userId: { kind: 'uuid', sql: 'a.user_id' },
    userQ: {
      kind: 'search',
      columns: [
        '(SELECT x.handle FROM app_user x WHERE x.id = a.user_id)',
        '(SELECT x.display_name FROM app_user x WHERE x.id = a.user_id)',
      ],
    },
    action: { kind: 'text', sql: 'a.action' },
    staffId: { kind: 'uuid', sql: 'a.staff_id' },
    reportId: { kind: 'uuid', sql: 'a.report_id' },
    policy: { kind: 'text', sql: 'a.policy' },
    subjectId: { kind: 'uuid', sql: 'a.subject_id' },
    active: { kind: 'bool', sql: 'a.lifted_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())' },
  },
  sorts: {
    createdAt: 'a.created_at',
    action: 'a.action',
    reason: 'a.reason',
    policy: 'a.policy',
    note: 'a.note',
    expiresAt: 'a.expires_at',
    liftedAt: 'a.lifted_at',
    userId: 'a.user_id',
    staffId: 'a.staff_id',
    reportId: 'a.report_id',
    id: 'a.id',
  },
  tiebreak: 'a.id DESC',
};

interface StandingRecord {
  status: string;
  suspended_until: Date | string | null;
  restricted_until: Date | string | null;
}

const standingOf = (r: StandingRecord): Standing => ({
  status: r.status,
  suspendedUntil: iso(r.suspended_until),
  restrictedUntil: iso(r.restricted_until),
});

// ---- standing -------------------------------------------------------------------------------

/** The account's standing, its row locked for the rest of the transaction; undefined when there is no such account. */
export async function lockStanding(q: Queryable, userId: string): Promise<Standing | undefined> {
  const [u] = await q.query<StandingRecord>('SELECT status, suspended_until, restricted_until FROM app_user WHERE id = $1 FOR UPDATE', [
    userId,
  ]);
  return u && standingOf(u);
}

/** The account's standing, unlocked. */
export async function readStanding(q: Queryable, userId: string): Promise<Standing | undefined> {
  const [u] = await q.query<StandingRecord>('SELECT status, suspended_until, restricted_until FROM app_user WHERE id = $1', [userId]);
  return u && standingOf(u);
}

/**
 * Stores the standing the actions in force give: an unlifted ban, else the latest unlifted
 * suspension still running, else active; restricted until the latest unlifted restriction
 * ends. Returns the new standing.
 */
export async function reconcileStanding(q: Queryable, userId: string): Promise<Standing> {
  const [u] = await q.query<StandingRecord>(
    `WITH a AS (
         SELECT coalesce(bool_or(action = 'ban'), false) AS banned,
                max(expires_at) FILTER (WHERE action = 'suspend' AND expires_at > now()) AS suspended_until,
                max(expires_at) FILTER (WHERE action = 'restrict_messaging' AND expires_at > now()) AS restricted_until
           FROM moderation_action WHERE user_id = $1 AND lifted_at IS NULL)
       UPDATE app_user u SET
         status = CASE WHEN a.banned THEN 'banned' WHEN a.suspended_until IS NOT NULL THEN 'suspended' ELSE 'active' END,
         suspended_until = CASE WHEN a.banned THEN NULL ELSE a.suspended_until END,
         restricted_until = a.restricted_until
       FROM a WHERE u.id = $1
       RETURNING u.status, u.suspended_until, u.restricted_until`,
    [userId],
  );
  return standingOf(u);
}

/** The accounts whose suspension or restriction has run out (at most `limit`). */
export async function dueForExpiry(q: Queryable, limit: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM app_user WHERE status = 'suspended' AND suspended_until <= now()
       UNION SELECT id FROM app_user WHERE restricted_until <= now() LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** The handle and display name a template's variables are filled from. */
export async function userNames(q: Queryable, userId: string): Promise<{ handle: string; displayName: string } | undefined> {
  const [u] = await q.query<{ handle: string; display_name: string }>('SELECT handle, display_name FROM app_user WHERE id = $1', [userId]);
  return u && { handle: u.handle, displayName: u.display_name };
}

// ---- actions --------------------------------------------------------------------------------

/**
 * When an action taken now would end (`hours`, none for an untimed one) and until when it could
 * be appealed: the same expressions insertAction stores, for a preview.
 */
export async function actionTimes(
  q: Queryable,
  hours: number | null,
  appealWindowDays: number,
): Promise<{ expiresAt: string | null; appealUntil: string | null }> {
  const [row] = await q.query<{ expires_at: Date | string | null; appeal_until: Date | string }>(
    `SELECT CASE WHEN $1::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $1::float8 * 3600) END AS expires_at,
            now() + make_interval(days => $2::int) AS appeal_until`,
    [hours, appealWindowDays],
  );
  return { expiresAt: iso(row.expires_at), appealUntil: iso(row.appeal_until) };
}

/** A new action; a timed one ends `hours` from now, and it may be appealed for `appealWindowDays`. */
export async function insertAction(
  q: Queryable,
  a: {
    id: string;
    userId: string;
    action: string;
    reason: string | null;
    note: string | null;
    staffId: string | null;
    reportId: string | null;
    subjectType: string | null;
    subjectId: string | null;
    hours: number | null;
    automated: boolean;
    appealWindowDays: number;
    policy: string;
    severity: string;
    category: string;
    strikes: number;
    strikeDays: number;
  },
): Promise<ActionRow> {
  const [row] = await q.query<ActionRecord>(
    `INSERT INTO moderation_action (id, user_id, action, reason, note, staff_id, report_id, subject_type, subject_id, expires_at, automated, appeal_until,
                                    policy, severity, category, strikes, strikes_expire_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
               CASE WHEN $10::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $10::float8 * 3600) END,
               $11, now() + make_interval(days => $12::int),
               $13, $14, $15, $16, CASE WHEN $16::int > 0 THEN now() + make_interval(days => $17::int) END)
       RETURNING *`,
    [
      a.id,
      a.userId,
      a.action,
      a.reason,
      a.note,
      a.staffId,
      a.reportId,
      a.subjectType,
      a.subjectId,
      a.hours,
      a.automated,
      a.appealWindowDays,
      a.policy,
      a.severity,
      a.category,
      a.strikes,
      a.strikeDays,
    ],
  );
  return toActionRow(row);
}

/** What a lift needs of the action (undefined when there is none). */
export async function actionToLift(
  q: Queryable,
  actionId: string,
): Promise<{ userId: string; action: string; reason: string | null; expiresAt: string | null } | undefined> {
  const [a] = await q.query<Pick<ActionRecord, 'user_id' | 'action' | 'reason' | 'expires_at'>>(
    'SELECT user_id, action, reason, expires_at FROM moderation_action WHERE id = $1',
    [actionId],
  );
  return a && { userId: a.user_id, action: a.action, reason: a.reason, expiresAt: iso(a.expires_at) };
}

/** Marks the action lifted, unless it already was. */
export async function markLifted(q: Queryable, actionId: string, reason: string): Promise<void> {
  await q.query('UPDATE moderation_action SET lifted_at = now(), lifted_reason = $2 WHERE id = $1 AND lifted_at IS NULL', [
    actionId,
    reason,
  ]);
}

/** The user the action was taken against (undefined when there is no such action). */
export async function actionOwner(q: Queryable, actionId: string): Promise<string | undefined> {
  const [row] = await q.query<{ user_id: string }>('SELECT user_id FROM moderation_action WHERE id = $1', [actionId]);
  return row?.user_id;
}

/** The action, locked for the rest of the transaction (the caller knows it exists). */
export async function lockAction(q: Queryable, actionId: string): Promise<ActionRow> {
  const [a] = await q.query<ActionRecord>('SELECT * FROM moderation_action WHERE id = $1 FOR UPDATE', [actionId]);
  return toActionRow(a);
}

/** Marks the action lifted by staff (the caller holds its lock and checked it was not). */
export async function markLiftedByStaff(q: Queryable, actionId: string): Promise<void> {
  await q.query(`UPDATE moderation_action SET lifted_at = now(), lifted_reason = 'staff_lift' WHERE id = $1`, [actionId]);
}

/** The action with the names of its user and staff member. */
export async function actionWithNames(q: Queryable, actionId: string): Promise<ActionRow | undefined> {
  const [row] = await q.query<ActionRecord>(`SELECT ${ACTION_NAMES_SQL} WHERE a.id = $1`, [actionId]);
  return row && toActionRow(row);
}

/** Whose action it is and when it ends (undefined when there is none). */
export async function actionExpiry(
  q: Queryable,
  actionId: string,
): Promise<{ userId: string; expiresAt: Date | string | null } | undefined> {
  const [a] = await q.query<Pick<ActionRecord, 'user_id' | 'expires_at'>>(
    'SELECT user_id, expires_at FROM moderation_action WHERE id = $1',
    [actionId],
  );
  return a && { userId: a.user_id, expiresAt: a.expires_at };
}

// ---- strikes --------------------------------------------------------------------------------

/**
 * Whether the strikes of action `a` count now: it gave some, it is not lifted, and they have
 * not expired. The one definition, used by the standing, the user list and the history.
 */
export const strikesInForceSql = (a: string) => `${a}.strikes > 0 AND ${a}.lifted_at IS NULL AND ${a}.strikes_expire_at > now()`;

/** The strikes in force on the user whose id is the SQL expression `userId`, as an int expression. */
export const activeStrikesSql = (userId: string) =>
  `(SELECT coalesce(sum(s.strikes), 0) FROM moderation_action s WHERE s.user_id = ${userId} AND ${strikesInForceSql('s')})::int`;

/** One action's strikes in force. */
export interface StrikeRow {
  actionId: string;
  policy: string | null;
  severity: string | null;
  count: number;
  expiresAt: string;
}

/** The strikes in force on the user, the soonest to expire first. */
export async function strikesInForce(q: Queryable, userId: string): Promise<StrikeRow[]> {
  const rows = await q.query<{
    id: string;
    policy: string | null;
    severity: string | null;
    strikes: number;
    strikes_expire_at: Date | string;
  }>(
    `SELECT a.id, a.policy, a.severity, a.strikes, a.strikes_expire_at FROM moderation_action a
      WHERE a.user_id = $1 AND ${strikesInForceSql('a')} ORDER BY a.strikes_expire_at, a.id`,
    [userId],
  );
  return rows.map((r) => ({
    actionId: r.id,
    policy: r.policy,
    severity: r.severity,
    count: Number(r.strikes),
    expiresAt: iso(r.strikes_expire_at)!,
  }));
}

export function listActions(q: Queryable, query: ListQuery): Promise<ListPage<ActionRow>> {
  return runList(
    q,
    ACTIONS_LIST,
    query,
    (c) => ({
      sql: `SELECT ${ACTION_NAMES_SQL.replace(' FROM', ', count(*) OVER () AS _total FROM')} ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM moderation_action a ${c.where}`,
    }),
    toActionRow,
  );
}

// ---- questions ------------------------------------------------------------------------------

/** Takes a visible question down (text and links gone); undefined when it was not visible. */
export async function removeQuestion(q: Queryable, questionId: string, reason = 'moderation'): Promise<QuestionRow | undefined> {
  const [row] = await q.query<QuestionRecord>(
    `UPDATE question SET state = 'removed', removed_reason = $2, text = NULL, links = '[]'::jsonb, updated_at = now()
        WHERE id = $1 AND state = 'visible' RETURNING *`,
    [questionId, reason],
  );
  return row && questionRow(row);
}
