import type { Queryable } from '../../db/db.service';

/** The moderation dashboard's SQL: one statement per number (STYLE.md §9, §12). */

export interface OpenReasonRow {
  reason: string;
  count: number;
}

/** Overdue open reports, and the medians (in minutes, as PostgreSQL computes them) over the window. */
export interface ResponseTimesRow {
  overdue: number;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
}

export interface SpamSenderRow {
  senderId: string;
  handle: string;
  score: number;
}

export interface VerdictDayRow {
  day: string;
  safe: number;
  suspicious: number;
  malicious: number;
}

/** Open reports by reason, the largest first. */
export async function openByReason(q: Queryable): Promise<OpenReasonRow[]> {
  const rows = await q.query<{ reason: string; count: number }>(
    `SELECT reason, count(*)::int AS count FROM report WHERE status <> 'resolved' GROUP BY reason ORDER BY count DESC, reason`,
  );
  return rows.map((r) => ({ reason: r.reason, count: r.count }));
}

/** Over reports filed in the last `windowDays` days; undefined only if PostgreSQL returned no row. */
export async function responseTimes(q: Queryable, windowDays: number): Promise<ResponseTimesRow | undefined> {
  const [row] = await q.query<{ overdue: number; first_response: number | null; resolution: number | null }>(
    `SELECT
           (SELECT count(*)::int FROM report WHERE status <> 'resolved' AND (overdue OR (first_response_at IS NULL AND due_at <= now()))) AS overdue,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at) / 60)
             FILTER (WHERE first_response_at IS NOT NULL) AS first_response,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 60)
             FILTER (WHERE resolved_at IS NOT NULL) AS resolution
         FROM report WHERE created_at > now() - make_interval(days => $1)`,
    [windowDays],
  );
  return row && { overdue: row.overdue, firstResponseMinutes: row.first_response, resolutionMinutes: row.resolution };
}

/** The ten highest spam scores at or above the threshold. */
export async function topSpamSenders(q: Queryable, threshold: number): Promise<SpamSenderRow[]> {
  const rows = await q.query<{ sender_id: string; handle: string; score: number | string }>(
    `SELECT s.sender_id, u.handle, s.score FROM sender_stats s JOIN app_user u ON u.id = s.sender_id
          WHERE s.score >= $1 ORDER BY s.score DESC, s.sender_id LIMIT 10`,
    [threshold],
  );
  return rows.map((r) => ({ senderId: r.sender_id, handle: r.handle, score: Number(r.score) }));
}

/** Link verdicts per UTC day over the last `days` days, today included, a row for every day. */
export async function linkVerdictsPerDay(q: Queryable, days: number): Promise<VerdictDayRow[]> {
  const rows = await q.query<VerdictDayRow>(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
                count(l.id) FILTER (WHERE l.verdict = 'safe')::int AS safe,
                count(l.id) FILTER (WHERE l.verdict = 'suspicious')::int AS suspicious,
                count(l.id) FILTER (WHERE l.verdict = 'malicious')::int AS malicious
           FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($1::int - 1), (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d(day)
           LEFT JOIN link l ON l.scanned_at IS NOT NULL AND (l.scanned_at AT TIME ZONE 'UTC')::date = d.day::date
          GROUP BY d.day ORDER BY d.day`,
    [days],
  );
  return rows.map((r) => ({ day: r.day, safe: r.safe, suspicious: r.suspicious, malicious: r.malicious }));
}

/** Pile-on breaker trips per UTC day over the last `days` days, today included, a row for every day. */
export async function pileOnTripsPerDay(q: Queryable, days: number): Promise<Array<{ day: string; trips: number }>> {
  const rows = await q.query<{ day: string; trips: number }>(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(t.id)::int AS trips
           FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($1::int - 1), (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d(day)
           LEFT JOIN pile_on_trip t ON (t.created_at AT TIME ZONE 'UTC')::date = d.day::date
          GROUP BY d.day ORDER BY d.day`,
    [days],
  );
  return rows.map((r) => ({ day: r.day, trips: r.trips }));
}
