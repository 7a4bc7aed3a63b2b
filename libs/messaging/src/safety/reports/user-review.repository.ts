import type { Queryable } from '../../db/db.service';
import { restrictedSql } from '../../policy/standing';
import { conversationLockedSql } from '../../policy/write-policy';
import { ACTION_NAMES_SQL, activeStrikesSql, toActionRow, type ActionRecord, type ActionRow } from '../enforcement/enforcement.repository';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';

/**
 * The staff view of accounts, as data (STYLE.md §9, §12): the user list and one user, and
 * the reads of a person's moderation history. Functions take a Queryable (the replica for
 * the list); what the history shows and its audit are in UserReviewService.
 */

export interface UserRow {
  id: string;
  /** null once the account is deleted. */
  handle: string | null;
  displayName: string;
  /** The host app's id for this account (platform API, host-issued tokens); null for native accounts. */
  externalId: string | null;
  status: 'active' | 'suspended' | 'banned';
  restrictedUntil: string | null;
  suspendedUntil: string | null;
  /** Since when staff switched off starting conversations (dm-access); null while on. */
  dmAccessRevokedAt: string | null;
  strikes: number;
  createdAt: string;
  /** When the person deleted the account (API.md v1.2), else null. */
  deletedAt: string | null;
  /** A legal hold keeping the account's evidence past its retention, else null. */
  legalHold: { note: string; createdAt: string } | null;
  /** The account's open cases, oldest first (a deleted account's evidence stays while they are open). */
  openCaseIds: string[];
}

/** A user with the settings the history shows. */
export interface UserSettingsRow extends UserRow {
  allowIncoming: string;
  requestLimitFactor: number;
}

/** A report about the user (with its reporter) or by the user (with its subject user). */
export interface UserReportRow {
  id: string;
  subjectType: string;
  subjectId: string;
  reason: string;
  source: string;
  status: string;
  outcome: string | null;
  createdAt: string | null;
  resolvedAt: string | null;
  reporterId?: string | null;
  subjectUserId?: string | null;
}

export interface UserAppealRow {
  id: string;
  actionId: string;
  action: string;
  status: string;
  text: string;
  createdAt: string | null;
  decidedAt: string | null;
}

/** The spam scorer's counters for a sender. */
export interface SenderStatsRow {
  requestsSent: number;
  declined: number;
  reported: number;
  duplicateTexts: number;
  score: number;
  sample: string[];
  lastAt: string | null;
}

/** A conversation the user opened that went to someone as a request. */
export interface SentRequestRow {
  conversationId: string;
  createdAt: string | null;
  context: unknown;
  recipients: Array<{ userId: string; handle: string; state: string }>;
  firstText: string | null;
  /** Staff locked the conversation. */
  locked: boolean;
}

interface UserRecord {
  id: string;
  handle: string | null;
  display_name: string;
  external_id: string | null;
  status: UserRow['status'];
  restricted_until: Date | string | null;
  suspended_until: Date | string | null;
  dm_access_revoked_at: Date | string | null;
  strikes: number | string;
  created_at: Date | string;
  deleted_at: Date | string | null;
  legal_hold: { note: string; createdAt: string } | null;
  open_case_ids: string[] | null;
}

interface UserSettingsRecord extends UserRecord {
  allow_incoming: string;
  request_limit_factor: number | string;
}

interface ReportRecord {
  id: string;
  subject_type: string;
  subject_id: string;
  reason: string;
  source: string;
  status: string;
  created_at: Date | string | null;
  resolved_at: Date | string | null;
  outcome: string | null;
  reporter_id?: string | null;
  subject_user_id?: string | null;
}

interface AppealRecord {
  id: string;
  action_id: string;
  action: string;
  status: string;
  text: string;
  created_at: Date | string | null;
  decided_at: Date | string | null;
}

interface SenderStatsRecord {
  requests_sent: number;
  declined: number;
  reported: number;
  duplicate_texts: number;
  score: number | string;
  sample: string[] | null;
  last_at: Date | string | null;
}

interface SentRequestRecord {
  id: string;
  created_at: Date | string | null;
  context: unknown;
  recipients: SentRequestRow['recipients'] | null;
  first_text: string | null;
  locked: boolean;
}

/** As enforced right now: a suspension whose time is up reads as active even before the expiry job ran. */
const STATUS_SQL = `(CASE WHEN u.status = 'suspended' AND u.suspended_until <= now() THEN 'active' ELSE u.status END)`;
const STRIKES_SQL = activeStrikesSql('u.id');
const COLUMNS = `u.id, u.handle, u.display_name, u.external_id, ${STATUS_SQL} AS status,
  CASE WHEN ${restrictedSql('u')} THEN u.restricted_until END AS restricted_until,
  CASE WHEN u.suspended_until > now() THEN u.suspended_until END AS suspended_until,
  u.dm_access_revoked_at, ${STRIKES_SQL} AS strikes, u.created_at, u.deleted_at,
  (SELECT jsonb_build_object('note', lh.note, 'createdAt', lh.created_at) FROM legal_hold lh WHERE lh.user_id = u.id) AS legal_hold,
  ARRAY(SELECT mc.id FROM moderation_case mc WHERE mc.subject_user_id = u.id AND mc.status = 'open' ORDER BY mc.created_at) AS open_case_ids`;

const toUser = (r: UserRecord): UserRow => ({
  id: r.id,
  handle: r.handle,
  displayName: r.display_name,
  externalId: r.external_id ?? null,
  status: r.status,
  restrictedUntil: iso(r.restricted_until),
  suspendedUntil: iso(r.suspended_until),
  dmAccessRevokedAt: iso(r.dm_access_revoked_at),
  strikes: Number(r.strikes),
  createdAt: iso(r.created_at)!,
  deletedAt: iso(r.deleted_at),
  legalHold: r.legal_hold ? { note: r.legal_hold.note, createdAt: iso(r.legal_hold.createdAt)! } : null,
  openCaseIds: r.open_case_ids ?? [],
});

const toReport = (r: ReportRecord): UserReportRow => ({
  id: r.id,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  reason: r.reason,
  source: r.source,
  status: r.status,
  outcome: r.outcome ?? null,
  createdAt: iso(r.created_at),
  resolvedAt: iso(r.resolved_at),
  ...(r.reporter_id !== undefined ? { reporterId: r.reporter_id } : {}),
  ...(r.subject_user_id !== undefined ? { subjectUserId: r.subject_user_id } : {}),
});

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'u.id' },
    q: { kind: 'search', columns: ['u.handle', 'u.display_name', 'u.external_id'] },
    handle: { kind: 'text', sql: 'u.handle' },
    externalId: { kind: 'text', sql: 'u.external_id' },
    status: { kind: 'enum', sql: STATUS_SQL, values: ['active', 'suspended', 'banned'] },
    restricted: { kind: 'bool', sql: restrictedSql('u') },
    deleted: { kind: 'bool', sql: '(u.deleted_at IS NOT NULL)' },
  },
  sorts: {
    createdAt: 'u.created_at',
    handle: 'u.handle',
    displayName: 'u.display_name',
    status: STATUS_SQL,
    strikes: STRIKES_SQL,
    restrictedUntil: 'u.restricted_until',
    suspendedUntil: 'u.suspended_until',
    id: 'u.id',
  },
  tiebreak: 'u.id ASC',
};

export function userPage(q: Queryable, query: ListQuery): Promise<ListPage<UserRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM app_user u ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM app_user u ${c.where}`,
    }),
    toUser,
  );
}

export async function userById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await q.query<UserRecord>(`SELECT ${COLUMNS} FROM app_user u WHERE u.id = $1`, [id]);
  return row && toUser(row);
}

export async function userWithSettings(q: Queryable, id: string): Promise<UserSettingsRow | undefined> {
  const [u] = await q.query<UserSettingsRecord>(
    `SELECT ${COLUMNS}, u.allow_incoming, u.request_limit_factor FROM app_user u WHERE u.id = $1`,
    [id],
  );
  return u && { ...toUser(u), allowIncoming: u.allow_incoming, requestLimitFactor: Number(u.request_limit_factor) };
}

const REPORT_COLUMNS = `r.id, r.subject_type, r.subject_id, r.reason, r.source, r.status, r.created_at, r.resolved_at, r.resolution ->> 'action' AS outcome`;

/** The latest 50 reports about the user, with who filed them. */
export async function reportsAbout(q: Queryable, userId: string): Promise<UserReportRow[]> {
  const rows = await q.query<ReportRecord>(
    `SELECT ${REPORT_COLUMNS}, r.reporter_id FROM report r WHERE r.subject_user_id = $1 ORDER BY r.created_at DESC LIMIT 50`,
    [userId],
  );
  return rows.map(toReport);
}

/** The latest 50 reports the user filed, with whom they were about. */
export async function reportsBy(q: Queryable, userId: string): Promise<UserReportRow[]> {
  const rows = await q.query<ReportRecord>(
    `SELECT ${REPORT_COLUMNS}, r.subject_user_id FROM report r WHERE r.reporter_id = $1 ORDER BY r.created_at DESC LIMIT 50`,
    [userId],
  );
  return rows.map(toReport);
}

/** The latest 50 actions on the user. */
export async function actionsOn(q: Queryable, userId: string): Promise<ActionRow[]> {
  const rows = await q.query<ActionRecord>(`SELECT ${ACTION_NAMES_SQL} WHERE a.user_id = $1 ORDER BY a.created_at DESC LIMIT 50`, [userId]);
  return rows.map(toActionRow);
}

/** One action with the names of its user and staff member (it must exist). */
export async function actionById(q: Queryable, actionId: string): Promise<ActionRow> {
  const [row] = await q.query<ActionRecord>(`SELECT ${ACTION_NAMES_SQL} WHERE a.id = $1`, [actionId]);
  return toActionRow(row);
}

/** The latest 50 appeals by the user. */
export async function appealsBy(q: Queryable, userId: string): Promise<UserAppealRow[]> {
  const rows = await q.query<AppealRecord>(
    `SELECT ap.id, ap.action_id, a.action, ap.status, ap.text, ap.created_at, ap.decided_at
           FROM appeal ap JOIN moderation_action a ON a.id = ap.action_id WHERE ap.user_id = $1 ORDER BY ap.created_at DESC LIMIT 50`,
    [userId],
  );
  return rows.map((a) => ({
    id: a.id,
    actionId: a.action_id,
    action: a.action,
    status: a.status,
    text: a.text,
    createdAt: iso(a.created_at),
    decidedAt: iso(a.decided_at),
  }));
}

/** The spam scorer's counters for the user as a sender; undefined if they have none. */
export async function senderStats(q: Queryable, userId: string): Promise<SenderStatsRow | undefined> {
  const [s] = await q.query<SenderStatsRecord>('SELECT * FROM sender_stats WHERE sender_id = $1', [userId]);
  return (
    s && {
      requestsSent: s.requests_sent,
      declined: s.declined,
      reported: s.reported,
      duplicateTexts: s.duplicate_texts,
      score: Number(s.score),
      sample: s.sample ?? [],
      lastAt: iso(s.last_at),
    }
  );
}

/** The latest 20 conversations the user opened that went out as requests, with their first words. */
export async function requestsSentBy(q: Queryable, userId: string): Promise<SentRequestRow[]> {
  const rows = await q.query<SentRequestRecord>(
    `SELECT c.id, c.created_at, c.context, ${conversationLockedSql('c')} AS locked,
                (SELECT json_agg(json_build_object('userId', m.user_id, 'handle', au.handle, 'state', m.state) ORDER BY m.joined_at)
                   FROM conversation_member m JOIN app_user au ON au.id = m.user_id
                  WHERE m.conversation_id = c.id AND m.user_id <> $1) AS recipients,
                (SELECT x.text FROM message x WHERE x.conversation_id = c.id AND x.sender_id = $1 ORDER BY x.seq LIMIT 1) AS first_text
           FROM conversation c
          WHERE c.creator_id = $1 AND c.kind <> 'room'
            AND (c.request_msgs > 0 OR EXISTS (SELECT 1 FROM conversation_member m
                   WHERE m.conversation_id = c.id AND m.user_id <> $1 AND m.state IN ('pending', 'declined', 'held')))
          ORDER BY c.created_at DESC LIMIT 20`,
    [userId],
  );
  return rows.map((r) => ({
    conversationId: r.id,
    createdAt: iso(r.created_at),
    context: r.context ?? null,
    recipients: r.recipients ?? [],
    firstText: r.first_text,
    locked: r.locked,
  }));
}

/** A time the pile-on breaker switched this person's Limits on. */
export interface PileOnTripRow {
  id: string;
  at: string;
  requests: number;
  threshold: number;
  windowMinutes: number;
  /** The threshold was halved: they had been on the stage of a room that had just ended. */
  halved: boolean;
  limitsUntil: string;
}

/** The person's pile-on breaker trips, newest first (the last 50). */
export async function pileOnTripsOf(q: Queryable, userId: string): Promise<PileOnTripRow[]> {
  const rows = await q.query<{
    id: string;
    created_at: Date;
    requests: number;
    threshold: number;
    window_minutes: number;
    halved: boolean;
    limits_until: Date;
  }>(`SELECT * FROM pile_on_trip WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50`, [userId]);
  return rows.map((r) => ({
    id: r.id,
    at: iso(r.created_at)!,
    requests: r.requests,
    threshold: r.threshold,
    windowMinutes: r.window_minutes,
    halved: r.halved,
    limitsUntil: iso(r.limits_until)!,
  }));
}
