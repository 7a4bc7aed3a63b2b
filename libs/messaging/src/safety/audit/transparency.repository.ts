import type { Queryable } from '../../db/db.service';

/**
 * The transparency report's SQL (STYLE.md §9, §12): counts over a period, `from` inclusive
 * and `to` exclusive. What the counts mean is documented on TransparencyService.
 */

export interface Period {
  from: Date;
  to: Date;
}

export interface ReportCountRow {
  reason: string;
  source: string;
  n: number;
}

export interface ActionCountRow {
  action: string;
  automated: boolean;
  n: number;
}

export interface AppealCountsRow {
  total: number;
  upheld: number;
  rejected: number;
}

const range = (p: Period) => [p.from.toISOString(), p.to.toISOString()];

/** Reports filed in the period, by reason and source. */
export async function reportCounts(q: Queryable, p: Period): Promise<ReportCountRow[]> {
  const rows = await q.query<ReportCountRow>(
    `SELECT reason, source, count(*)::int AS n FROM report WHERE created_at >= $1 AND created_at < $2 GROUP BY reason, source`,
    range(p),
  );
  return rows.map((r) => ({ reason: r.reason, source: r.source, n: r.n }));
}

/** Actions taken in the period, by action and whether automated. */
export async function actionCounts(q: Queryable, p: Period): Promise<ActionCountRow[]> {
  const rows = await q.query<ActionCountRow>(
    `SELECT action, automated, count(*)::int AS n FROM moderation_action WHERE created_at >= $1 AND created_at < $2 GROUP BY action, automated`,
    range(p),
  );
  return rows.map((r) => ({ action: r.action, automated: r.automated, n: r.n }));
}

/** Appeals filed in the period, and those upheld or denied in it. */
export async function appealCounts(q: Queryable, p: Period): Promise<AppealCountsRow> {
  const [row] = await q.query<AppealCountsRow>(
    `SELECT (SELECT count(*) FROM appeal WHERE created_at >= $1 AND created_at < $2)::int AS total,
                (SELECT count(*) FROM appeal WHERE status = 'upheld' AND decided_at >= $1 AND decided_at < $2)::int AS upheld,
                (SELECT count(*) FROM appeal WHERE status = 'denied' AND decided_at >= $1 AND decided_at < $2)::int AS rejected`,
    range(p),
  );
  return { total: row.total, upheld: row.upheld, rejected: row.rejected };
}

/** The median hours from filing to a decision that took action, over reports decided in the period; null when there is none. */
export async function medianHoursToAction(q: Queryable, p: Period): Promise<number | null> {
  const [row] = await q.query<{ hours: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600) AS hours
           FROM report WHERE resolved_at >= $1 AND resolved_at < $2 AND coalesce(resolution ->> 'action', 'dismiss') <> 'dismiss'`,
    range(p),
  );
  return row?.hours ?? null;
}

export interface DailyCountRow {
  /** A UTC day, YYYY-MM-DD. */
  day: string;
  key: string;
  n: number;
}

export interface DailyMedianRow {
  day: string;
  hours: number;
  decided: number;
}

/** Reports filed in the period, by UTC day and reason. */
export async function dailyReportCounts(q: Queryable, p: Period): Promise<DailyCountRow[]> {
  const rows = await q.query<DailyCountRow>(
    `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, reason AS key, count(*)::int AS n
       FROM report WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2`,
    range(p),
  );
  return rows.map((r) => ({ day: r.day, key: r.key, n: r.n }));
}

/** Actions taken in the period, by UTC day and action. */
export async function dailyActionCounts(q: Queryable, p: Period): Promise<DailyCountRow[]> {
  const rows = await q.query<DailyCountRow>(
    `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, action AS key, count(*)::int AS n
       FROM moderation_action WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2`,
    range(p),
  );
  return rows.map((r) => ({ day: r.day, key: r.key, n: r.n }));
}

/** medianHoursToAction's figure per UTC day of the decision, with how many decisions it is the median of. */
export async function dailyMedianHoursToAction(q: Queryable, p: Period): Promise<DailyMedianRow[]> {
  const rows = await q.query<DailyMedianRow>(
    `SELECT to_char((resolved_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, count(*)::int AS decided,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600) AS hours
       FROM report WHERE resolved_at >= $1 AND resolved_at < $2 AND coalesce(resolution ->> 'action', 'dismiss') <> 'dismiss'
      GROUP BY 1`,
    range(p),
  );
  return rows.map((r) => ({ day: r.day, hours: Number(r.hours), decided: r.decided }));
}
