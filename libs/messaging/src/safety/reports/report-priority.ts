import type { ReportSource } from '../vocabulary';

/**
 * Where a report sits in the queue. Harm comes first (a self-harm report outranks any pile
 * of spam), then corroboration (distinct people reporting the same subject), then the
 * reporter's track record, so a reporter whose reports are usually dismissed cannot push
 * their reports to the top. Age is added when the queue is read (see AGE_*), so nothing
 * waits forever behind newer severe reports.
 */
export const REASON_SEVERITY: Readonly<Record<string, number>> = {
  self_harm: 100,
  violence: 90,
  hate: 70,
  harassment: 60,
  scam: 50,
  malicious_link: 50,
  other: 30,
  spam: 20,
};
const UNKNOWN_REASON_SEVERITY = 30;

/** Each additional distinct reporter on the subject, up to CORROBORATION_CAP of them. */
export const POINTS_PER_EXTRA_REPORTER = 8;
export const CORROBORATION_CAP = 5;
/** A perfect track record adds half of this, a useless one subtracts half. */
export const ACCURACY_SPAN = 30;
/** Machine-found subjects (malicious links) are certain enough to move ahead of hearsay. */
export const SYSTEM_REPORT_POINTS = 10;
/** A trusted flagger's report (DSA Art. 22: filed while its reporter was designated by an admin) weighs this much more. */
export const TRUSTED_FLAGGER_POINTS = 100;
/**
 * A case with a trusted flagger's report goes to the front of the queue: this is added to
 * its priority, and it is more than any case without one can reach (caseWithoutTrustedCeiling).
 */
export const TRUSTED_CASE_POINTS = 1000;
/** A reporter with at least this many judged reports, few of them founded, is de-prioritised further. */
export const UNFOUNDED_MIN_JUDGED = 3;
export const UNFOUNDED_MAX_ACCURACY = 0.25;
export const UNFOUNDED_PENALTY = 20;
/** Added at read time: half a point per hour of waiting, for at most three days. */
export const AGE_POINTS_PER_HOUR = 0.5;
export const AGE_CAP_HOURS = 72;

export interface PriorityInput {
  reason: string;
  source: ReportSource;
  /** Distinct users who reported the same subject, this report's reporter included. */
  reporters: number;
  /** The reporter's past reports that were judged (resolved), and how many led to action. */
  judged: number;
  actioned: number;
  /** The reporter is muted by staff (their reports weigh nothing; a trusted flagger's never are). */
  muted?: boolean;
}

/**
 * Laplace-smoothed share of a reporter's judged reports that led to action: a newcomer
 * scores 0.5 (neutral) and one lucky report does not make anyone an oracle.
 */
export function reporterAccuracy(judged: number, actioned: number): number {
  return (actioned + 1) / (judged + 2);
}

/** The stored part of a report's priority (everything but age). */
export function basePriority(input: PriorityInput): number {
  if (input.source === 'user' && input.muted) return 0;
  const severity = REASON_SEVERITY[input.reason] ?? UNKNOWN_REASON_SEVERITY;
  const extra = Math.min(Math.max(input.reporters - 1, 0), CORROBORATION_CAP);
  const corroboration = extra * POINTS_PER_EXTRA_REPORTER;
  let accuracy = input.source === 'system' ? SYSTEM_REPORT_POINTS : (reporterAccuracy(input.judged, input.actioned) - 0.5) * ACCURACY_SPAN;
  if (input.source === 'trusted_flagger') accuracy = Math.max(accuracy, 0) + TRUSTED_FLAGGER_POINTS;
  else if (
    input.source === 'user' &&
    input.judged >= UNFOUNDED_MIN_JUDGED &&
    reporterAccuracy(input.judged, input.actioned) <= UNFOUNDED_MAX_ACCURACY
  ) {
    accuracy -= UNFOUNDED_PENALTY;
  }
  return Math.round((severity + corroboration + accuracy) * 100) / 100;
}

/** The SQL expression for the effective priority of `report` alias `r` (stored + age). */
export const EFFECTIVE_PRIORITY_SQL = `round((r.priority + least(extract(epoch from (coalesce(r.resolved_at, now()) - r.created_at)) / 3600, ${AGE_CAP_HOURS}) * ${AGE_POINTS_PER_HOUR})::numeric, 2)::float8`;

/** A case in the queue: its most urgent report, corroborated by distinct people, and the subject hosting a live room now. */
export const CASE_PEOPLE_POINTS = POINTS_PER_EXTRA_REPORTER;
export const LIVE_HOST_POINTS = 25;

/**
 * The SQL expression for the priority of `moderation_case` alias `c`:
 *   max(effective priority of its reports)                       (severity, reporter accuracy, trusted flaggers, age)
 * + TRUSTED_CASE_POINTS when a trusted flagger's report is among them (the front of the queue)
 * + CASE_PEOPLE_POINTS × min(distinct unmuted reporters − 1, CORROBORATION_CAP)   (people, across all the subjects)
 * + LIVE_HOST_POINTS when the subject is hosting a live room.
 * An open case weighs its open reports; a resolved one, all of them (as they were).
 */
export const CASE_PRIORITY_SQL = `(coalesce((SELECT max(${EFFECTIVE_PRIORITY_SQL})
      + ${CASE_PEOPLE_POINTS} * least(greatest(count(DISTINCT r.reporter_id) FILTER (WHERE NOT coalesce(rp.reports_muted, false)) - 1, 0), ${CORROBORATION_CAP})
    FROM report r LEFT JOIN app_user rp ON rp.id = r.reporter_id
   WHERE r.case_id = c.id AND (c.status = 'resolved' OR r.status <> 'resolved')), 0)
  + CASE WHEN EXISTS (SELECT 1 FROM room lr WHERE lr.host_id = c.subject_user_id AND lr.status = 'live') THEN ${LIVE_HOST_POINTS} ELSE 0 END
  + CASE WHEN EXISTS (SELECT 1 FROM report tr WHERE tr.case_id = c.id AND tr.source = 'trusted_flagger'
                        AND (c.status = 'resolved' OR tr.status <> 'resolved')) THEN ${TRUSTED_CASE_POINTS} ELSE 0 END)::float8`;

/**
 * The most a case without a trusted flagger's report can reach: the most urgent report
 * (severity, corroboration, a perfect reporter or a system report, the age cap) plus the
 * case's people and a live host. TRUSTED_CASE_POINTS is above it (report-priority.spec.ts).
 */
export function caseWithoutTrustedCeiling(): number {
  const severity = Math.max(UNKNOWN_REASON_SEVERITY, ...Object.values(REASON_SEVERITY));
  const corroboration = CORROBORATION_CAP * POINTS_PER_EXTRA_REPORTER;
  const standing = Math.max(SYSTEM_REPORT_POINTS, 0.5 * ACCURACY_SPAN);
  const age = AGE_CAP_HOURS * AGE_POINTS_PER_HOUR;
  return severity + corroboration + standing + age + CASE_PEOPLE_POINTS * CORROBORATION_CAP + LIVE_HOST_POINTS;
}
