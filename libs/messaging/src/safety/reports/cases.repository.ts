import type { Queryable } from '../../db/db.service';
import { toNotice, type Notice, type NoticeRecord } from '../enforcement/notices.repository';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import { conversationLockedSql } from '../../policy/write-policy';
import { CASE_PRIORITY_SQL } from './report-priority';
import type { ReportRow } from './reports.repository';

/**
 * The cases' SQL (STYLE.md §9, §12): the queue by subject user, a case's resolution and its
 * mod mail. Functions take a Queryable, so they run on the pool or inside `db.tx`, and hand
 * back typed camelCase rows; the rules (who may write to whom, one answer per message) are in
 * CasesService. The locks and writes the report paths share are in case-queue.sql.ts.
 */

/** The queue by subject user (API.md "Cases", v1.1). */
export interface CaseRow {
  id: string;
  subjectUserId: string;
  /** An open case: its open reports; a resolved one: every report it resolved. */
  reportIds: string[];
  reportCount: number;
  reasons: string[];
  priority: number;
  status: 'open' | 'resolved';
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  /** Distinct people among the reporters (muted reporters not counted). */
  reporterCount: number;
  /** A trusted flagger reported this user. */
  trustedFlagger: boolean;
  /** The subject is hosting a live room right now. */
  hostingLiveRoom: boolean;
  /** The subject's spam signal (the spam-requests score), null when they sent no requests. */
  spamScore: number | null;
  /** System reports (malicious links, rules) among the reports. */
  systemReports: number;
  subjectHandle: string | null;
  subjectDisplayName: string | null;
  assigneeName: string | null;
}

/** A conversation a case's reports are about (reported, or holding a reported message), as staff may lock it. */
export interface CaseConversation {
  id: string;
  /** Staff locked it: nobody may send, edit, react or add members there. */
  locked: boolean;
  lockedAt: string | null;
}

/** A case with its reports, for the console's case view. */
export interface CaseDetail extends CaseRow {
  reports: ReportRow[];
  /** The conversations of its reports with their lock state now, so the page offers the action that applies. */
  conversations: CaseConversation[];
}

/** Mod mail: a staff message to the subject or a reporter, sent from the team (no staff name shown to users). */
export interface CaseMessageRow {
  id: string;
  caseId: string;
  recipientId: string;
  recipientRole: 'subject' | 'reporter';
  text: string;
  staffId: string;
  staffName: string | null;
  noticeId: string;
  reply: string | null;
  repliedAt: string | null;
  createdAt: string;
}

/** A user's own notice, with the staff message it carries when it is one. */
export interface NoticeForReply {
  notice: Notice;
  /** The case message behind the notice; null when the notice is not a staff message. */
  messageId: string | null;
  caseId: string | null;
}

type Timestamp = Date | string;

interface CaseViewRecord {
  id: string;
  subject_user_id: string;
  status: 'open' | 'resolved';
  assignee_id: string | null;
  claimed_at: Timestamp | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution: Record<string, unknown> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  priority: number | string;
  report_ids: string[] | null;
  reasons: string[] | null;
  system_reports: number | null;
  reporter_count: number | null;
  trusted_flagger: boolean;
  hosting_live_room: boolean;
  spam_score: number | string | null;
  subject_handle: string | null;
  subject_display_name: string | null;
  assignee_name: string | null;
}

interface CaseMessageRecord {
  id: string;
  case_id: string;
  recipient_id: string;
  recipient_role: 'subject' | 'reporter';
  text: string;
  staff_id: string;
  staff_name?: string | null;
  notice_id: string;
  reply_text: string | null;
  replied_at: Timestamp | null;
  created_at: Timestamp;
}

/** The reports a case shows: open ones while open, all of them once resolved. */
const CASE_REPORTS = `FROM report r WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved')`;

const COLUMNS = `c.*, ${CASE_PRIORITY_SQL} AS priority,
  coalesce((SELECT array_agg(r.id ORDER BY r.created_at, r.id) ${CASE_REPORTS}), '{}') AS report_ids,
  coalesce((SELECT array_agg(DISTINCT r.reason ORDER BY r.reason) ${CASE_REPORTS}), '{}') AS reasons,
  (SELECT count(*) FILTER (WHERE r.source = 'system') ${CASE_REPORTS})::int AS system_reports,
  (SELECT count(DISTINCT r.reporter_id) FROM report r JOIN app_user rp ON rp.id = r.reporter_id
    WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved') AND NOT rp.reports_muted)::int AS reporter_count,
  EXISTS (SELECT 1 ${CASE_REPORTS} AND r.source = 'trusted_flagger') AS trusted_flagger,
  EXISTS (SELECT 1 FROM room lr WHERE lr.host_id = c.subject_user_id AND lr.status = 'live') AS hosting_live_room,
  (SELECT ss.score FROM sender_stats ss WHERE ss.sender_id = c.subject_user_id) AS spam_score,
  su.handle AS subject_handle, su.display_name AS subject_display_name,
  (SELECT s.display_name FROM staff s WHERE s.id = c.assignee_id) AS assignee_name`;
const FROM = `FROM moderation_case c LEFT JOIN app_user su ON su.id = c.subject_user_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'c.id' },
    status: { kind: 'enum', sql: 'c.status', values: ['open', 'resolved'] },
    subjectUserId: { kind: 'uuid', sql: 'c.subject_user_id' },
    assigneeId: { kind: 'uuid', sql: 'c.assignee_id' },
    subjectQ: { kind: 'search', columns: ['su.handle', 'su.display_name'] },
  },
  sorts: {
    priority: CASE_PRIORITY_SQL,
    createdAt: 'c.created_at',
    updatedAt: 'c.updated_at',
    status: 'c.status',
    assigneeId: 'c.assignee_id',
    resolvedAt: 'c.resolved_at',
    id: 'c.id',
  },
  tiebreak: 'c.created_at ASC, c.id ASC',
};

const toCase = (r: CaseViewRecord): CaseRow => ({
  id: r.id,
  subjectUserId: r.subject_user_id,
  reportIds: r.report_ids ?? [],
  reportCount: (r.report_ids ?? []).length,
  reasons: r.reasons ?? [],
  priority: Number(r.priority),
  status: r.status,
  assigneeId: r.assignee_id,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  claimedAt: iso(r.claimed_at),
  resolvedAt: iso(r.resolved_at),
  resolvedBy: r.resolved_by ?? null,
  resolution: r.resolution ?? null,
  reporterCount: Number(r.reporter_count ?? 0),
  trustedFlagger: r.trusted_flagger === true,
  hostingLiveRoom: r.hosting_live_room === true,
  spamScore: r.spam_score === null || r.spam_score === undefined ? null : Number(r.spam_score),
  systemReports: Number(r.system_reports ?? 0),
  subjectHandle: r.subject_handle ?? null,
  subjectDisplayName: r.subject_display_name ?? null,
  assigneeName: r.assignee_name ?? null,
});

const toMessage = (r: CaseMessageRecord): CaseMessageRow => ({
  id: r.id,
  caseId: r.case_id,
  recipientId: r.recipient_id,
  recipientRole: r.recipient_role,
  text: r.text,
  staffId: r.staff_id,
  staffName: r.staff_name ?? null,
  noticeId: r.notice_id,
  reply: r.reply_text ?? null,
  repliedAt: iso(r.replied_at),
  createdAt: iso(r.created_at)!,
});

// ---- the queue ------------------------------------------------------------------------------

/** A page of the case queue (react-admin filters and sort). */
export function listCases(q: Queryable, query: ListQuery): Promise<ListPage<CaseRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total ${FROM} ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n ${FROM} ${c.where}`,
    }),
    toCase,
  );
}

export async function caseView(q: Queryable, id: string): Promise<CaseRow | undefined> {
  const [row] = await q.query<CaseViewRecord>(`SELECT ${COLUMNS} ${FROM} WHERE c.id = $1`, [id]);
  return row && toCase(row);
}

/** The conversations of these reports (reported ones and those of reported messages) with their lock state now. */
export async function conversationsOfReports(q: Queryable, reportIds: string[]): Promise<CaseConversation[]> {
  const rows = await q.query<{ id: string; locked: boolean; locked_at: Timestamp | null }>(
    `SELECT c.id, ${conversationLockedSql('c')} AS locked, c.locked_at
       FROM conversation c
      WHERE c.id IN (SELECT r.conversation_id FROM report r WHERE r.id = ANY($1::uuid[]) AND r.conversation_id IS NOT NULL)
      ORDER BY c.id`,
    [reportIds],
  );
  return rows.map((r) => ({ id: r.id, locked: r.locked, lockedAt: iso(r.locked_at) }));
}

/** The staff member a case would be assigned to, for the assign rule. */
export async function assigneeCandidate(q: Queryable, staffId: string): Promise<{ role: string; disabled: boolean } | undefined> {
  const [s] = await q.query<{ role: string; disabled: boolean }>('SELECT role, disabled FROM staff WHERE id = $1', [staffId]);
  return s && { role: s.role, disabled: s.disabled };
}

/** Stores the case's resolution; a case nobody claimed counts as the resolving staff member's. */
export async function storeCaseResolution(q: Queryable, id: string, staffId: string, resolution: Record<string, unknown>): Promise<void> {
  await q.query(
    `UPDATE moderation_case SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = $3::jsonb, updated_at = now(),
            assignee_id = coalesce(assignee_id, $2)
      WHERE id = $1`,
    [id, staffId, JSON.stringify(resolution)],
  );
}

/** The case changed (a message, an answer): it moves in the updatedAt sort. */
export async function touchCase(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE moderation_case SET updated_at = now() WHERE id = $1', [id]);
}

// ---- mod mail -------------------------------------------------------------------------------

/** The case's staff messages with the people's answers, oldest first. */
export async function caseMessages(q: Queryable, caseId: string): Promise<CaseMessageRow[]> {
  const rows = await q.query<CaseMessageRecord>(
    `SELECT m.*, s.display_name AS staff_name FROM case_message m LEFT JOIN staff s ON s.id = m.staff_id WHERE m.case_id = $1 ORDER BY m.created_at, m.id`,
    [caseId],
  );
  return rows.map(toMessage);
}

/** Whether this user filed a report in the case. */
export async function isReporterInCase(q: Queryable, caseId: string, userId: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM report WHERE case_id = $1 AND reporter_id = $2 LIMIT 1', [caseId, userId]);
  return rows.length > 0;
}

/** Stores a staff message (without the staff member's name: staffDisplayName). */
export async function insertCaseMessage(
  q: Queryable,
  m: {
    id: string;
    caseId: string;
    staffId: string;
    recipientId: string;
    recipientRole: 'subject' | 'reporter';
    text: string;
    noticeId: string;
  },
): Promise<CaseMessageRow> {
  const [row] = await q.query<CaseMessageRecord>(
    `INSERT INTO case_message (id, case_id, staff_id, recipient_id, recipient_role, text, notice_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [m.id, m.caseId, m.staffId, m.recipientId, m.recipientRole, m.text, m.noticeId],
  );
  return toMessage(row);
}

export async function staffDisplayName(q: Queryable, staffId: string): Promise<string | null> {
  const [named] = await q.query<{ display_name: string }>('SELECT display_name FROM staff WHERE id = $1', [staffId]);
  return named?.display_name ?? null;
}

/** The user's own notice (else undefined) with the staff message it carries, if any. */
export async function noticeForReply(q: Queryable, noticeId: string, userId: string): Promise<NoticeForReply | undefined> {
  const [n] = await q.query<NoticeRecord & { message_id: string | null; case_id: string | null }>(
    `SELECT n.*, m.id AS message_id, m.case_id FROM notice n LEFT JOIN case_message m ON m.notice_id = n.id WHERE n.id = $1 AND n.user_id = $2`,
    [noticeId, userId],
  );
  return n && { notice: toNotice(n), messageId: n.message_id, caseId: n.case_id };
}

/** Stores the answer to a staff message unless it has one already (one conditional UPDATE: two racing answers store one). */
export async function storeReply(q: Queryable, messageId: string, text: string): Promise<{ text: string; repliedAt: string } | undefined> {
  const [m] = await q.query<{ reply_text: string; replied_at: Timestamp }>(
    `UPDATE case_message SET reply_text = $2, replied_at = now() WHERE id = $1 AND replied_at IS NULL RETURNING reply_text, replied_at`,
    [messageId, text],
  );
  return m && { text: m.reply_text, repliedAt: iso(m.replied_at)! };
}
