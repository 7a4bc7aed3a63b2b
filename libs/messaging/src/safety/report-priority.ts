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
/** Added at read time: half a point per hour of waiting, for at most three days. */
export const AGE_POINTS_PER_HOUR = 0.5;
export const AGE_CAP_HOURS = 72;

export interface PriorityInput {
  reason: string;
  source: 'user' | 'system';
  /** Distinct users who reported the same subject, this report's reporter included. */
  reporters: number;
  /** The reporter's past reports that were judged (resolved), and how many led to action. */
  judged: number;
  actioned: number;
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
  const severity = REASON_SEVERITY[input.reason] ?? UNKNOWN_REASON_SEVERITY;
  const extra = Math.min(Math.max(input.reporters - 1, 0), CORROBORATION_CAP);
  const corroboration = extra * POINTS_PER_EXTRA_REPORTER;
  const accuracy = input.source === 'system' ? SYSTEM_REPORT_POINTS : (reporterAccuracy(input.judged, input.actioned) - 0.5) * ACCURACY_SPAN;
  return Math.round((severity + corroboration + accuracy) * 100) / 100;
}

/** The SQL expression for the effective priority of `report` alias `r` (stored + age). */
export const EFFECTIVE_PRIORITY_SQL = `round((r.priority + least(extract(epoch from (coalesce(r.resolved_at, now()) - r.created_at)) / 3600, ${AGE_CAP_HOURS}) * ${AGE_POINTS_PER_HOUR})::numeric, 2)::float8`;
