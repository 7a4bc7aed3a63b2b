import type { Queryable } from '../../db/db.service';
import type { DecisionFacts } from './tdb-statement';

/**
 * The statements export's SQL (STYLE.md §9, §12): every decision (moderation_action row)
 * taken in a period, with what the EU database asks about it and nothing about the people.
 * The reports a decision answers are the one it names (report_id) and every report whose
 * resolution names it (a case or bulk resolve answers several); read among the reports
 * about the same user, which the index on subject_user_id finds.
 */

/** Timestamps arrive as text (the pool's type parsers keep them exact). */
interface DecisionRecord {
  id: string;
  action: string;
  reason: string | null;
  automated: boolean;
  created_at: Date | string;
  expires_at: Date | string | null;
  subject_type: string | null;
  content_at: Date | string | null;
  trusted: boolean | null;
  user_notice: boolean | null;
  system_notice: boolean | null;
  policy: string | null;
  severity: string | null;
  category: string | null;
  policy_title: string | null;
  policy_description: string | null;
}

const DECISIONS_SQL = `
  SELECT a.id, a.action, a.reason, a.automated, a.created_at, a.expires_at, a.subject_type,
         coalesce(m.created_at, qn.created_at, n.first_at) AS content_at,
         n.trusted, n.user_notice, n.system_notice,
         a.policy, a.severity, a.category, p.title AS policy_title, p.description AS policy_description
    FROM moderation_action a
    LEFT JOIN policy p ON p.key = a.policy
    LEFT JOIN LATERAL (SELECT x.created_at FROM message x WHERE a.subject_type = 'message' AND x.id = a.subject_id LIMIT 1) m ON true
    LEFT JOIN LATERAL (SELECT x.created_at FROM question x WHERE a.subject_type = 'question' AND x.id = a.subject_id) qn ON true
    LEFT JOIN LATERAL (
      SELECT bool_or(r.source = 'trusted_flagger') AS trusted, bool_or(r.source = 'user') AS user_notice,
             bool_or(r.source = 'system') AS system_notice, min(r.created_at) AS first_at
        FROM report r
       WHERE r.id = a.report_id
          OR (r.subject_user_id = a.user_id AND r.resolution ->> 'actionId' = a.id::text)) n ON true`;

const toFacts = (r: DecisionRecord): DecisionFacts => ({
  actionId: r.id,
  action: r.action,
  reason: r.reason,
  automated: r.automated,
  takenAt: new Date(r.created_at),
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
  subjectType: r.subject_type,
  contentAt: r.content_at === null ? null : new Date(r.content_at),
  notice: r.trusted ? 'trusted_flagger' : r.user_notice ? 'user' : r.system_notice ? 'system' : null,
  detectedAutomatically: r.automated || r.system_notice === true || r.reason === 'rule' || r.reason === 'malicious_link',
  // The category is the one stored with the decision (its policy's when it was taken), so it exports the same later.
  policy: r.policy
    ? {
        key: r.policy,
        title: r.policy_title ?? r.policy,
        description: r.policy_description ?? '',
        category: r.category,
        severity: r.severity,
      }
    : null,
});

/** Decisions taken in [from, to), oldest first. */
export async function decisionsIn(q: Queryable, from: Date, to: Date): Promise<DecisionFacts[]> {
  const rows = await q.query<DecisionRecord>(
    `${DECISIONS_SQL} WHERE a.created_at >= $1 AND a.created_at < $2 ORDER BY a.created_at, a.id`,
    [from.toISOString(), to.toISOString()],
  );
  return rows.map(toFacts);
}

/** Decisions the submitter has not settled yet (no tdb_submission row), oldest first. */
export async function unsubmittedDecisions(q: Queryable, limit: number): Promise<DecisionFacts[]> {
  const rows = await q.query<DecisionRecord>(
    `${DECISIONS_SQL} WHERE NOT EXISTS (SELECT 1 FROM tdb_submission s WHERE s.action_id = a.id) ORDER BY a.created_at, a.id LIMIT $1`,
    [limit],
  );
  return rows.map(toFacts);
}

export interface SubmissionRecord {
  actionId: string;
  puid: string;
  status: 'accepted' | 'existing' | 'rejected';
  tdbUuid?: string | null;
  errors?: unknown;
}

/** Records what the database answered; a decision settled twice (two runs overlapping) keeps its first record. */
export async function recordSubmissions(q: Queryable, rows: SubmissionRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO tdb_submission (action_id, puid, status, tdb_uuid, errors)
     SELECT x.action_id, x.puid, x.status, x.tdb_uuid, x.errors
       FROM jsonb_to_recordset($1::jsonb) AS x(action_id uuid, puid text, status text, tdb_uuid text, errors jsonb)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({ action_id: r.actionId, puid: r.puid, status: r.status, tdb_uuid: r.tdbUuid ?? null, errors: r.errors ?? null })),
      ),
    ],
  );
}

/** How many statements the submitter settled, by status. */
export async function submissionCounts(q: Queryable): Promise<Record<string, number>> {
  const rows = await q.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM tdb_submission GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
