import type { Queryable } from '../../db/db.service';
import { deliveredToMemberSql } from '../../policy/visibility';
import { iso } from '../../db/row-values';
import { runList, type ListPage, type ListQuery, type ListSpec } from '../../db/staff-list';
import { REPORT_SOURCES, REPORT_STATUSES, SUBJECT_TYPES, type ReportSource, type ReportStatus, type SubjectType } from '../vocabulary';
import type { Evidence } from './case-snapshot';
import { EFFECTIVE_PRIORITY_SQL } from './report-priority';

/**
 * The reports' SQL (STYLE.md §9, §12): filing, the staff queue's reads, the locks a decision
 * takes and the resolution it stores, the deadline flags. Functions take a Queryable, so they
 * run on the pool or inside `db.tx`, and hand back typed camelCase rows; the rules (who may
 * report what, who may resolve) are in ReportsService.
 */

/** Timestamps as the driver gives them. */
type Timestamp = Date | string;

/** A report as the staff queue and the console show it. */
export interface ReportRow {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  subjectUserId: string | null;
  /** The case this report belongs to (every report about a user has one). */
  caseId: string | null;
  conversationId: string | null;
  reason: string;
  note: string | null;
  source: ReportSource;
  reporterId: string | null;
  /** The contract's two states: an escalated report is still open. */
  status: 'open' | 'resolved';
  /** The review state (Ozone's vocabulary): open, escalated or resolved. */
  reviewState: 'open' | 'escalated' | 'resolved';
  escalated: boolean;
  priority: number;
  assigneeId: string | null;
  claimedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  firstResponseAt: string | null;
  escalatedAt: string | null;
  escalatedBy: string | null;
  escalationNote: string | null;
  /** The frozen case snapshot; only GET one returns it (a staff read of content, audited). */
  evidence: Evidence | Record<string, unknown> | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  subjectHandle: string | null;
  subjectDisplayName: string | null;
  reporterHandle: string | null;
  assigneeName: string | null;
  resolvedByName: string | null;
}

/** A report row as stored, read under its row lock for a decision (claim, escalate, resolve). */
export interface StoredReport {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  subjectUserId: string | null;
  caseId: string | null;
  conversationId: string | null;
  reason: string;
  note: string | null;
  source: ReportSource;
  reporterId: string | null;
  status: ReportStatus;
  priority: number;
  assigneeId: string | null;
  claimedAt: Timestamp | null;
  dueAt: Timestamp | null;
  overdue: boolean;
  firstResponseAt: Timestamp | null;
  escalatedAt: Timestamp | null;
  escalatedBy: string | null;
  escalationNote: string | null;
  createdAt: Timestamp;
  resolvedAt: Timestamp | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
}

/** A message as its reporter may see it (or not), for filing a report about it. */
export interface ReportableMessage {
  id: string;
  conversationId: string;
  senderId: string;
  seq: number;
  roomId: string | null;
  /** The reporter's member state in the conversation (null when not a member). */
  myState: string | null;
  couldSee: boolean;
}

/** A conversation the reporter is a member of, for filing a report about it. */
export interface ReportableConversation {
  id: string;
  kind: string;
  creatorId: string | null;
  roomId: string | null;
  myState: string;
  /** Some other member (the other side of a direct chat). */
  otherId: string | null;
}

/** A question and the reporter's role in its room (null when not a member). */
export interface ReportableQuestion {
  id: string;
  roomId: string;
  authorId: string;
  status: string;
  role: string | null;
}

interface ReportRecord {
  id: string;
  subject_type: SubjectType;
  subject_id: string;
  subject_user_id: string | null;
  case_id: string | null;
  conversation_id: string | null;
  reason: string;
  note: string | null;
  source: ReportSource;
  reporter_id: string | null;
  status: ReportStatus;
  priority: number | string;
  assignee_id: string | null;
  claimed_at: Timestamp | null;
  due_at: Timestamp | null;
  overdue: boolean;
  first_response_at: Timestamp | null;
  escalated_at: Timestamp | null;
  escalated_by: string | null;
  escalation_note: string | null;
  created_at: Timestamp;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution: Record<string, unknown> | null;
}

/** The queue's view: a report with the names beside its ids (some reads select fewer of them). */
type ReportViewRecord = ReportRecord & {
  evidence?: Evidence | Record<string, unknown> | null;
  subject_handle?: string | null;
  subject_display_name?: string | null;
  reporter_handle?: string | null;
  assignee_name?: string | null;
  resolved_by_name?: string | null;
};

const toStoredReport = (r: ReportRecord): StoredReport => ({
  id: r.id,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  subjectUserId: r.subject_user_id,
  caseId: r.case_id ?? null,
  conversationId: r.conversation_id,
  reason: r.reason,
  note: r.note,
  source: r.source,
  reporterId: r.reporter_id,
  status: r.status,
  priority: Number(r.priority),
  assigneeId: r.assignee_id,
  claimedAt: r.claimed_at,
  dueAt: r.due_at,
  overdue: r.overdue,
  firstResponseAt: r.first_response_at,
  escalatedAt: r.escalated_at,
  escalatedBy: r.escalated_by,
  escalationNote: r.escalation_note,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
});

function toReportRow(r: ReportViewRecord): ReportRow {
  return {
    id: r.id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectUserId: r.subject_user_id,
    caseId: r.case_id ?? null,
    conversationId: r.conversation_id,
    reason: r.reason,
    note: r.note,
    source: r.source,
    reporterId: r.reporter_id,
    status: r.status === 'resolved' ? 'resolved' : 'open',
    reviewState: r.status,
    escalated: r.status === 'escalated',
    priority: Number(r.priority),
    assigneeId: r.assignee_id,
    claimedAt: iso(r.claimed_at),
    dueAt: iso(r.due_at),
    overdue: r.overdue === true,
    firstResponseAt: iso(r.first_response_at),
    escalatedAt: iso(r.escalated_at),
    escalatedBy: r.escalated_by ?? null,
    escalationNote: r.escalation_note ?? null,
    evidence: r.evidence ?? null,
    createdAt: iso(r.created_at)!,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by ?? null,
    resolution: r.resolution ?? null,
    subjectHandle: r.subject_handle ?? null,
    subjectDisplayName: r.subject_display_name ?? null,
    reporterHandle: r.reporter_handle ?? null,
    assigneeName: r.assignee_name ?? null,
    resolvedByName: r.resolved_by_name ?? null,
  };
}

// ---- filing ---------------------------------------------------------------------------------

/** The report this reporter already filed about this subject, if any. */
export async function reportIdOf(q: Queryable, reporterId: string, subjectType: string, subjectId: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>('SELECT id FROM report WHERE reporter_id = $1 AND subject_type = $2 AND subject_id = $3', [
    reporterId,
    subjectType,
    subjectId,
  ]);
  return row?.id;
}

/**
 * Stores a user's report with its deadline and frozen evidence; undefined when the same
 * reporter's report about the same subject won a race (the unique index decides).
 */
export async function insertUserReport(
  q: Queryable,
  r: {
    id: string;
    subjectType: string;
    subjectId: string;
    subjectUserId: string | null;
    conversationId: string | null;
    reason: string;
    note: string | null;
    reporterId: string;
    /** `trusted_flagger` when the reporter is one as they file it. */
    source: 'user' | 'trusted_flagger';
    firstResponseHours: number;
    evidence: unknown;
  },
): Promise<{ id: string; dueAt: Date } | undefined> {
  const [row] = await q.query<{ id: string; due_at: Date }>(
    `INSERT INTO report (id, subject_type, subject_id, subject_user_id, conversation_id, reason, note, source, reporter_id,
                         priority, due_at, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $11, $8, 0, now() + $9::float8 * interval '1 hour', $10::jsonb)
     ON CONFLICT (reporter_id, subject_type, subject_id) WHERE reporter_id IS NOT NULL DO NOTHING
     RETURNING id, due_at`,
    [
      r.id,
      r.subjectType,
      r.subjectId,
      r.subjectUserId,
      r.conversationId,
      r.reason,
      r.note,
      r.reporterId,
      r.firstResponseHours,
      JSON.stringify(r.evidence),
      r.source,
    ],
  );
  return row && { id: row.id, dueAt: row.due_at };
}

/** One more distinct person calling this sender a spammer (a reporter's earlier spam or scam report about them counts once). */
export async function countSpamReport(q: Queryable, senderId: string, reporterId: string, reportId: string): Promise<void> {
  await q.query(
    `INSERT INTO sender_stats (sender_id, reported, last_at) VALUES ($1, 1, now())
     ON CONFLICT (sender_id) DO UPDATE SET
       reported = sender_stats.reported + CASE WHEN EXISTS (
         SELECT 1 FROM report p WHERE p.reporter_id = $2 AND p.subject_user_id = $1 AND p.reason IN ('spam', 'scam') AND p.id <> $3)
       THEN 0 ELSE 1 END,
       updated_at = now()`,
    [senderId, reporterId, reportId],
  );
}

/**
 * A message and whether this reporter could see it, read FOR SHARE: an unsend (removeIn locks
 * the row FOR UPDATE) commits wholly before this read or waits until the report is written,
 * so the snapshot freezes either the original text or its retained copy. Could see: an active
 * or pending member who was in the conversation when it was sent (after their
 * visible_from_seq; a pending member: the first messages they could read, and not one held
 * from them for its links, HeldLinks), and the room backchannel shows its whole history to
 * every current moderator.
 */
export async function reportableMessage(q: Queryable, id: string, reporterId: string): Promise<ReportableMessage | undefined> {
  const [m] = await q.query<{
    id: string;
    conversation_id: string;
    sender_id: string;
    seq: string | number;
    room_id: string | null;
    my_state: string | null;
    could_see: boolean;
  }>(
    `SELECT m.id, m.conversation_id, m.sender_id, m.seq, c.room_id, cm.state AS my_state,
            (c.kind = 'room' OR ${deliveredToMemberSql('cm', 'm')}) AS could_see
       FROM message m JOIN conversation c ON c.id = m.conversation_id
       LEFT JOIN conversation_member cm ON cm.conversation_id = m.conversation_id AND cm.user_id = $2
      WHERE m.id = $1
        FOR SHARE OF m`,
    [id, reporterId],
  );
  return (
    m && {
      id: m.id,
      conversationId: m.conversation_id,
      senderId: m.sender_id,
      seq: Number(m.seq),
      roomId: m.room_id,
      myState: m.my_state,
      couldSee: m.could_see,
    }
  );
}

/** A conversation the reporter is a member of, with its other member. */
export async function reportableConversation(q: Queryable, id: string, reporterId: string): Promise<ReportableConversation | undefined> {
  const [c] = await q.query<{
    id: string;
    kind: string;
    creator_id: string | null;
    room_id: string | null;
    my_state: string;
    other_id: string | null;
  }>(
    `SELECT c.id, c.kind, c.creator_id, c.room_id, cm.state AS my_state,
            (SELECT o.user_id FROM conversation_member o WHERE o.conversation_id = c.id AND o.user_id <> $2 LIMIT 1) AS other_id
       FROM conversation c JOIN conversation_member cm ON cm.conversation_id = c.id AND cm.user_id = $2
      WHERE c.id = $1`,
    [id, reporterId],
  );
  return c && { id: c.id, kind: c.kind, creatorId: c.creator_id, roomId: c.room_id, myState: c.my_state, otherId: c.other_id };
}

export async function userExists(q: Queryable, id: string): Promise<boolean> {
  const [u] = await q.query<{ id: string }>('SELECT id FROM app_user WHERE id = $1', [id]);
  return u !== undefined;
}

/** A question with the reporter's role in its room. */
export async function reportableQuestion(q: Queryable, id: string, reporterId: string): Promise<ReportableQuestion | undefined> {
  const [qn] = await q.query<{ id: string; room_id: string; author_id: string; status: string; role: string | null }>(
    `SELECT qn.id, qn.room_id, qn.author_id, qn.status, rm.role
       FROM question qn LEFT JOIN room_member rm ON rm.room_id = qn.room_id AND rm.user_id = $2
      WHERE qn.id = $1`,
    [id, reporterId],
  );
  return qn && { id: qn.id, roomId: qn.room_id, authorId: qn.author_id, status: qn.status, role: qn.role };
}

// ---- the staff queue ------------------------------------------------------------------------

/**
 * Overdue: no first response (claim, escalate, resolve) by the deadline, or a late one.
 * Computed when read as well as flagged by the deadline job, so the queue is right even
 * when a job was lost.
 */
const OVERDUE_SQL = `(r.overdue OR (r.due_at IS NOT NULL AND (
    (r.first_response_at IS NULL AND r.status <> 'resolved' AND r.due_at <= now()) OR coalesce(r.first_response_at > r.due_at, false))))`;

const COLUMNS = `r.id, r.subject_type, r.subject_id, r.subject_user_id, r.case_id, r.conversation_id, r.reason, r.note, r.source, r.reporter_id,
  r.status, ${EFFECTIVE_PRIORITY_SQL} AS priority, r.assignee_id, r.claimed_at, r.due_at, ${OVERDUE_SQL} AS overdue, r.first_response_at,
  r.escalated_at, r.escalated_by, r.escalation_note, r.created_at, r.resolved_at, r.resolved_by, r.resolution,
  su.handle AS subject_handle, su.display_name AS subject_display_name, ru.handle AS reporter_handle,
  (SELECT s.display_name FROM staff s WHERE s.id = r.assignee_id) AS assignee_name,
  (SELECT s.display_name FROM staff s WHERE s.id = r.resolved_by) AS resolved_by_name`;
/** Names for the console beside the ids (the ids stay the contract's fields). */
const NAMES = `LEFT JOIN app_user su ON su.id = r.subject_user_id LEFT JOIN app_user ru ON ru.id = r.reporter_id`;

const LIST: ListSpec = {
  filters: {
    id: { kind: 'uuid', sql: 'r.id' },
    // The contract's status is open|resolved; escalated reports count as open.
    status: { kind: 'enum', sql: "(CASE WHEN r.status = 'resolved' THEN 'resolved' ELSE 'open' END)", values: ['open', 'resolved'] },
    reviewState: { kind: 'enum', sql: 'r.status', values: REPORT_STATUSES },
    escalated: { kind: 'bool', sql: "r.status = 'escalated'" },
    reason: { kind: 'text', sql: 'r.reason' },
    source: { kind: 'enum', sql: 'r.source', values: REPORT_SOURCES },
    assigneeId: { kind: 'uuid', sql: 'r.assignee_id' },
    overdue: { kind: 'bool', sql: OVERDUE_SQL },
    subjectId: { kind: 'uuid', sql: 'r.subject_id' },
    subjectUserId: { kind: 'uuid', sql: 'r.subject_user_id' },
    caseId: { kind: 'uuid', sql: 'r.case_id' },
    subjectType: { kind: 'enum', sql: 'r.subject_type', values: SUBJECT_TYPES },
    reporterId: { kind: 'uuid', sql: 'r.reporter_id' },
    conversationId: { kind: 'uuid', sql: 'r.conversation_id' },
  },
  sorts: {
    priority: EFFECTIVE_PRIORITY_SQL,
    createdAt: 'r.created_at',
    dueAt: 'r.due_at',
    status: 'r.status',
    reason: 'r.reason',
    subjectType: 'r.subject_type',
    source: 'r.source',
    assigneeId: 'r.assignee_id',
    claimedAt: 'r.claimed_at',
    resolvedAt: 'r.resolved_at',
    id: 'r.id',
  },
  tiebreak: 'r.created_at ASC, r.id ASC',
};

/** A page of the staff queue (react-admin filters and sort). */
export function listReports(q: Queryable, query: ListQuery): Promise<ListPage<ReportRow>> {
  return runList(
    q,
    LIST,
    query,
    (c) => ({
      sql: `SELECT ${COLUMNS}, count(*) OVER () AS _total FROM report r ${NAMES} ${c.where} ${c.orderBy}`,
      countSql: `SELECT count(*)::int AS n FROM report r ${c.where}`,
    }),
    toReportRow,
  );
}

/** One report as the queue shows it, with its frozen evidence. */
export async function reportWithEvidence(q: Queryable, id: string): Promise<ReportRow | undefined> {
  const [row] = await q.query<ReportViewRecord>(`SELECT ${COLUMNS}, r.evidence FROM report r ${NAMES} WHERE r.id = $1`, [id]);
  return row && toReportRow(row);
}

/** One report as the queue shows it (without evidence); the caller knows it exists. */
export async function reportView(q: Queryable, id: string): Promise<ReportRow> {
  const [row] = await q.query<ReportViewRecord>(`SELECT ${COLUMNS} FROM report r ${NAMES} WHERE r.id = $1`, [id]);
  return toReportRow(row);
}

/** The reports a case shows, highest priority first (without evidence, nor the subject's names). */
export async function reportsOfCaseView(q: Queryable, reportIds: string[]): Promise<ReportRow[]> {
  const rows = await q.query<ReportViewRecord>(
    `SELECT r.id, r.subject_type, r.subject_id, r.subject_user_id, r.case_id, r.conversation_id, r.reason, r.note, r.source, r.reporter_id,
            r.status, r.priority, r.assignee_id, r.claimed_at, r.due_at, r.overdue, r.first_response_at, r.escalated_at, r.escalated_by,
            r.escalation_note, r.created_at, r.resolved_at, r.resolved_by, r.resolution, ru.handle AS reporter_handle
       FROM report r LEFT JOIN app_user ru ON ru.id = r.reporter_id
      WHERE r.id = ANY($1::uuid[]) ORDER BY r.priority DESC, r.created_at`,
    [reportIds],
  );
  return rows.map(toReportRow);
}

// ---- decisions ------------------------------------------------------------------------------

/** Locks one report for a staff event (the caller's transaction holds it). */
export async function lockReport(q: Queryable, id: string): Promise<StoredReport | undefined> {
  const [row] = await q.query<ReportRecord>('SELECT * FROM report WHERE id = $1 FOR UPDATE', [id]);
  return row && toStoredReport(row);
}

/** Locks these reports in id order (after their cases: lockCasesOfReports). */
export async function lockReports(q: Queryable, ids: string[]): Promise<StoredReport[]> {
  const rows = await q.query<ReportRecord>('SELECT * FROM report WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
  return rows.map(toStoredReport);
}

/** Locks a case's unresolved reports in id order (the case itself is locked first). */
/** The case's open reports, unlocked (a preview reads them). */
export async function openReportsOfCase(q: Queryable, caseId: string): Promise<StoredReport[]> {
  const rows = await q.query<ReportRecord>(`SELECT * FROM report WHERE case_id = $1 AND status <> 'resolved' ORDER BY id`, [caseId]);
  return rows.map(toStoredReport);
}

export async function lockOpenReportsOfCase(q: Queryable, caseId: string): Promise<StoredReport[]> {
  const rows = await q.query<ReportRecord>(`SELECT * FROM report WHERE case_id = $1 AND status <> 'resolved' ORDER BY id FOR UPDATE`, [
    caseId,
  ]);
  return rows.map(toStoredReport);
}

/**
 * Closes these reports, each with its resolution; a report nobody responded to or claimed
 * counts as responded to and claimed by the resolving staff member.
 */
export async function storeResolutions(
  q: Queryable,
  resolutions: Array<{ id: string; resolution: Record<string, unknown> }>,
  staffId: string,
): Promise<void> {
  await q.query(
    `UPDATE report r SET status = 'resolved', resolved_at = now(), resolved_by = $2, resolution = x.resolution,
            first_response_at = coalesce(r.first_response_at, now()), assignee_id = coalesce(r.assignee_id, $2),
            claimed_at = coalesce(r.claimed_at, now())
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, resolution jsonb) WHERE r.id = x.id`,
    [JSON.stringify(resolutions), staffId],
  );
}

/** A notice template as a decision uses it: the notice's text and the statement's facts (null: the standard wording). */
export interface NoticeTemplate {
  id: string;
  body: string;
  facts: string | null;
}

export async function noticeTemplate(q: Queryable, id: string): Promise<NoticeTemplate | undefined> {
  const [t] = await q.query<{ id: string; body: string; facts: string | null }>(
    'SELECT id, body, facts FROM notice_template WHERE id = $1',
    [id],
  );
  return t && { id: t.id, body: t.body, facts: t.facts ?? null };
}

// ---- deadlines ------------------------------------------------------------------------------

/** Flags the report overdue if nobody responded by its deadline; whether it did. */
export async function flagOverdue(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE report SET overdue = true
      WHERE id = $1 AND NOT overdue AND status <> 'resolved' AND first_response_at IS NULL AND due_at <= now()
      RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/** Flags every report past its deadline; how many. */
export async function flagAllOverdue(q: Queryable): Promise<number> {
  const rows = await q.query(
    `UPDATE report SET overdue = true
      WHERE NOT overdue AND status <> 'resolved' AND first_response_at IS NULL AND due_at <= now()
      RETURNING id`,
  );
  return rows.length;
}

// ---- reports the platform files itself (SystemReports) ------------------------------------------

/** The system report about this subject for this reason, if one exists (one per subject and reason). */
export async function systemReportId(q: Queryable, subjectType: string, subjectId: string, reason: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>(
    `SELECT id FROM report WHERE source = 'system' AND subject_type = $1 AND subject_id = $2 AND reason = $3`,
    [subjectType, subjectId, reason],
  );
  return row?.id;
}

/** Inserts a system report; undefined when a racing call inserted it first (the partial unique index). */
export async function insertSystemReport(
  q: Queryable,
  r: {
    id: string;
    subjectType: string;
    subjectId: string;
    subjectUserId: string | null;
    conversationId: string | null;
    reason: string;
    note: string | null;
    firstResponseHours: number;
    evidence: unknown;
  },
): Promise<{ dueAt: Date } | undefined> {
  const [row] = await q.query<{ due_at: Date }>(
    `INSERT INTO report (id, subject_type, subject_id, subject_user_id, conversation_id, reason, note, source, priority, due_at, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'system', 0, now() + make_interval(hours => $8), $9::jsonb)
     ON CONFLICT (subject_type, subject_id, reason) WHERE source = 'system' DO NOTHING
     RETURNING id, due_at`,
    [
      r.id,
      r.subjectType,
      r.subjectId,
      r.subjectUserId,
      r.conversationId,
      r.reason,
      r.note,
      r.firstResponseHours,
      JSON.stringify(r.evidence),
    ],
  );
  return row && { dueAt: row.due_at };
}

/** What a system report needs of its subject without any viewer: its conversation, room, author and (a message) seq. */
export async function subjectFacts(
  q: Queryable,
  type: string,
  id: string,
): Promise<{ authorId: string | null; conversationId: string | null; roomId: string | null; messageSeq?: number } | undefined> {
  if (type === 'message') {
    const [m] = await q.query<{ conversation_id: string; sender_id: string; seq: string; room_id: string | null }>(
      'SELECT m.conversation_id, m.sender_id, m.seq, c.room_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.id = $1',
      [id],
    );
    return m && { authorId: m.sender_id, conversationId: m.conversation_id, roomId: m.room_id, messageSeq: Number(m.seq) };
  }
  if (type === 'conversation') {
    const [c] = await q.query<{ id: string; creator_id: string | null; room_id: string | null }>(
      'SELECT id, creator_id, room_id FROM conversation WHERE id = $1',
      [id],
    );
    return c && { authorId: c.creator_id, conversationId: c.id, roomId: c.room_id };
  }
  if (type === 'question') {
    const [qn] = await q.query<{ author_id: string; room_id: string }>('SELECT author_id, room_id FROM question WHERE id = $1', [id]);
    return qn && { authorId: qn.author_id, conversationId: null, roomId: qn.room_id };
  }
  return undefined;
}
