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

/** What filing a report needs to know of its reporter: a trusted flagger now, a reporting suspension running. */
export async function reporterFiling(
  q: Queryable,
  userId: string,
): Promise<{ trustedFlagger: boolean; reportingSuspendedUntil: Date | null } | undefined> {
  // A reporting suspension is a `suspend_reporting` action in force (lifting it ends it, like any action).
  const [u] = await q.query<{ trusted_flagger: boolean; reporting_suspended_until: Date | string | null }>(
    `SELECT u.trusted_flagger,
            (SELECT max(a.expires_at) FROM moderation_action a
              WHERE a.user_id = u.id AND a.action = 'suspend_reporting' AND a.lifted_at IS NULL AND a.expires_at > now()) AS reporting_suspended_until
       FROM app_user u WHERE u.id = $1`,
    [userId],
  );
  return (
    u && {
      trustedFlagger: u.trusted_flagger,
      reportingSuspendedUntil: u.reporting_suspended_until === null ? null : new Date(u.reporting_suspended_until),
    }
  );
}

export interface TrustedFlaggerRow {
  userId: string;
  name: string | null;
  since: string | null;
}

/** Designates (name: a string) or ends (name: null) a trusted flagger; the caller holds the user's row lock. */
export async function setTrustedFlagger(q: Queryable, userId: string, name: string | null): Promise<TrustedFlaggerRow> {
  const [r] = await q.query<{ id: string; trusted_flagger_name: string | null; trusted_flagger_since: Date | string | null }>(
    `UPDATE app_user SET trusted_flagger = $2::text IS NOT NULL, trusted_flagger_name = $2,
            trusted_flagger_since = CASE WHEN $2::text IS NULL THEN NULL ELSE coalesce(trusted_flagger_since, now()) END
      WHERE id = $1 RETURNING id, trusted_flagger_name, trusted_flagger_since`,
    [userId, name],
  );
  return {
    userId: r.id,
    name: r.trusted_flagger_name,
    since: r.trusted_flagger_since === null ? null : new Date(r.trusted_flagger_since).toISOString(),
  };
}

/** A warning under the unfounded_reports policy that still stands (not lifted): what a reporting suspension needs first. */
export async function hasUnfoundedReportsWarning(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM moderation_action WHERE user_id = $1 AND action = 'warn' AND policy = 'unfounded_reports' AND lifted_at IS NULL LIMIT 1`,
    [userId],
  );
  return rows.length > 0;
}
