import type { Queryable } from '../../db/db.service';
import { JobName, type OutboxJob } from '../../queues';
import { basePriority } from './report-priority';

/**
 * The report queue's writes that filing (by users and by the system) and resolving share:
 * the per-subject lock, the stored priority and the first-response deadline job.
 */

/** Serialises reports about one subject, so counting its reporters is exact under concurrency. */
export const lockSubject = (q: Queryable, type: string, id: string) =>
  q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7302114))', [`report:${type}:${id}`]);

/** The delayed job that flags a report overdue when nobody responded by its deadline. */
export function deadlineJob(reportId: string, dueAt: Date): OutboxJob {
  return {
    name: JobName.ReportDeadline,
    data: { reportId },
    jobId: `report-deadline-${reportId}`,
    delayMs: Math.max(0, new Date(dueAt).getTime() - Date.now()),
  };
}

/**
 * Recomputes the stored priority of unresolved reports about a subject (more reporters)
 * or filed by some reporters (their track record changed).
 */
export async function reprioritize(
  q: Queryable,
  where: { subjectType: string; subjectId: string } | { reporterIds: string[] },
): Promise<void> {
  const bySubject = 'subjectId' in where;
  if (!bySubject && where.reporterIds.length === 0) return;
  const rows = await q.query(
    `SELECT r.id, r.reason, r.source, r.priority,
            (SELECT count(DISTINCT s.reporter_id) FROM report s
              WHERE s.subject_type = r.subject_type AND s.subject_id = r.subject_id AND s.reporter_id IS NOT NULL)::int AS reporters,
            (SELECT count(*) FROM report p WHERE p.reporter_id = r.reporter_id AND p.status = 'resolved')::int AS judged,
            (SELECT count(*) FROM report p WHERE p.reporter_id = r.reporter_id AND p.status = 'resolved'
                AND coalesce(p.resolution ->> 'action', 'dismiss') <> 'dismiss')::int AS actioned,
            coalesce(ru.reports_muted, false) AS muted
       FROM report r LEFT JOIN app_user ru ON ru.id = r.reporter_id
      WHERE r.status <> 'resolved' AND ${bySubject ? 'r.subject_type = $1 AND r.subject_id = $2' : 'r.reporter_id = ANY($1::uuid[])'}
      ORDER BY r.id FOR UPDATE OF r`,
    bySubject ? [where.subjectType, where.subjectId] : [where.reporterIds],
  );
  const changed = rows
    .map((r) => ({
      id: r.id,
      p: basePriority({
        reason: r.reason,
        source: r.source,
        reporters: r.reporters,
        judged: r.judged,
        actioned: r.actioned,
        muted: r.muted,
      }),
      old: Number(r.priority),
    }))
    .filter((r) => Math.abs(r.p - r.old) > 1e-6);
  if (changed.length === 0) return;
  await q.query(`UPDATE report r SET priority = x.p FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, p real) WHERE r.id = x.id`, [
    JSON.stringify(changed.map(({ id, p }) => ({ id, p }))),
  ]);
}

/** A staff member takes a report (their first response, if it is the first). */
export async function claimReport(q: Queryable, id: string, staffId: string): Promise<void> {
  await q.query(
    `UPDATE report SET assignee_id = $2, claimed_at = now(), first_response_at = coalesce(first_response_at, now()) WHERE id = $1`,
    [id, staffId],
  );
}

/** Hands a report up: escalated and unassigned, so a senior moderator can claim it. */
export async function escalateReport(q: Queryable, id: string, staffId: string, note: string | null): Promise<void> {
  await q.query(
    `UPDATE report SET status = 'escalated', escalated_at = now(), escalated_by = $2, escalation_note = $3,
            assignee_id = NULL, claimed_at = NULL, first_response_at = coalesce(first_response_at, now())
      WHERE id = $1`,
    [id, staffId, note],
  );
}
