import type { Queryable } from '../../db/db.service';

/** The queue-statistics panel's SQL (STYLE.md §9): what is waiting now, and who handled what lately. */

export interface QueueNowRow {
  openCases: number;
  openReports: number;
  escalatedReports: number;
  oldestOpenAt: Date | null;
  oldestOpenCaseId: string | null;
}

export interface HandledRow {
  day: string;
  staffId: string;
  displayName: string;
  handled: number;
}

/** Open cases, unresolved reports (open or escalated), and the one that has waited longest. */
export async function queueNow(q: Queryable): Promise<QueueNowRow> {
  const [row] = await q.query<{
    open_cases: number;
    open_reports: number;
    escalated_reports: number;
    oldest_at: Date | null;
    oldest_case_id: string | null;
  }>(
    `SELECT (SELECT count(*) FROM moderation_case WHERE status = 'open')::int AS open_cases,
            (SELECT count(*) FROM report WHERE status <> 'resolved')::int AS open_reports,
            (SELECT count(*) FROM report WHERE status = 'escalated')::int AS escalated_reports,
            o.created_at AS oldest_at, o.case_id AS oldest_case_id
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT created_at, case_id FROM report WHERE status <> 'resolved' ORDER BY created_at, id LIMIT 1) o ON true`,
  );
  return {
    openCases: row.open_cases,
    openReports: row.open_reports,
    escalatedReports: row.escalated_reports,
    oldestOpenAt: row.oldest_at ? new Date(row.oldest_at) : null,
    oldestOpenCaseId: row.oldest_case_id,
  };
}

/** Reports each staff member resolved, per UTC day, over the last `days` days (today included); only non-zero rows. */
export async function handledPerDay(q: Queryable, days: number): Promise<HandledRow[]> {
  const rows = await q.query<{ day: string; staff_id: string; display_name: string; handled: number }>(
    `SELECT to_char((r.resolved_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, s.id AS staff_id, s.display_name,
            count(*)::int AS handled
       FROM report r JOIN staff s ON s.id = r.resolved_by
      WHERE r.resolved_at >= ((now() AT TIME ZONE 'UTC')::date - ($1::int - 1))::timestamp AT TIME ZONE 'UTC'
      GROUP BY 1, 2, 3`,
    [days],
  );
  return rows.map((r) => ({ day: r.day, staffId: r.staff_id, displayName: r.display_name, handled: r.handled }));
}
