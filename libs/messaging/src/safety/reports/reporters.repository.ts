import type { Queryable } from '../../db/db.service';

/**
 * Reporter standing's SQL (STYLE.md §9, §12): a user's flags as a reporter and their track
 * record. Functions take a Queryable, so they run on the pool or inside `db.tx`; the rules
 * (who may set what, accuracy, re-weighing) are in ReportersService.
 */

/** The flags staff set on a reporter. */
export interface ReporterFlags {
  trustedFlagger: boolean;
  muted: boolean;
}

/** A reporter's flags and the counts of their reports. */
export interface ReporterRecordRow extends ReporterFlags {
  userId: string;
  /** Their reports that were decided, and how many of those were founded (led to an action). */
  judged: number;
  founded: number;
  openReports: number;
}

interface FlagsRecord {
  trusted_flagger: boolean;
  reports_muted: boolean;
}

interface StandingRecord extends FlagsRecord {
  id: string;
  judged: number;
  founded: number;
  open_reports: number;
}

const toFlags = (r: FlagsRecord): ReporterFlags => ({ trustedFlagger: r.trusted_flagger, muted: r.reports_muted });

export async function reporterRecord(q: Queryable, userId: string): Promise<ReporterRecordRow | undefined> {
  const [r] = await q.query<StandingRecord>(
    `SELECT u.id, u.trusted_flagger, u.reports_muted,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status = 'resolved')::int AS judged,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status = 'resolved'
                  AND coalesce(p.resolution ->> 'action', 'dismiss') <> 'dismiss')::int AS founded,
              (SELECT count(*) FROM report p WHERE p.reporter_id = u.id AND p.status <> 'resolved')::int AS open_reports
         FROM app_user u WHERE u.id = $1`,
    [userId],
  );
  return r && { userId: r.id, ...toFlags(r), judged: r.judged, founded: r.founded, openReports: r.open_reports };
}

/** Locks the user's row (call inside `db.tx`) and reads their reporter flags. */
export async function lockReporterFlags(q: Queryable, userId: string): Promise<ReporterFlags | undefined> {
  const [u] = await q.query<FlagsRecord>('SELECT trusted_flagger, reports_muted FROM app_user WHERE id = $1 FOR UPDATE', [userId]);
  return u && toFlags(u);
}

export async function setReporterFlags(q: Queryable, userId: string, flags: ReporterFlags): Promise<void> {
  await q.query('UPDATE app_user SET trusted_flagger = $2, reports_muted = $3 WHERE id = $1', [userId, flags.trustedFlagger, flags.muted]);
}
