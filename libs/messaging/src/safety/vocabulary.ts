/**
 * The moderation vocabulary (after Bluesky's Ozone): subjects are what a report is about,
 * reports move open → escalated → resolved, and a resolution applies one action.
 */
export const SUBJECT_TYPES = ['message', 'user', 'conversation', 'question'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'violence', 'self_harm', 'scam', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Who filed a report: a user, a trusted flagger (DSA Art. 22, stamped as they file), or the platform itself. */
export const REPORT_SOURCES = ['user', 'trusted_flagger', 'system'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];
/** A trusted flagger's report is due for a first response in this share of the usual time. */
export const TRUSTED_FLAGGER_DEADLINE_FACTOR = 0.25;

export const REPORT_STATUSES = ['open', 'escalated', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** What a report resolution can do, mildest first. */
export const RESOLVE_ACTIONS = ['dismiss', 'remove_content', 'warn', 'restrict_messaging', 'suspend', 'ban'] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

/** What staff can do to an account outside of a report (e.g. from the spam queue). */
export const USER_ACTIONS = ['warn', 'restrict_messaging', 'suspend', 'ban'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

/** Every action except dismiss is enforced against an account and counts as a strike. */
export type EnforcementAction = Exclude<ResolveAction, 'dismiss'> | 'suspend_reporting';
/** A reporting suspension (DSA Art. 23, POST /admin/v1/users/:id/reporting-suspension) needs a prior warning under this policy. */
export const UNFOUNDED_REPORTS_POLICY = 'unfounded_reports';

export const TIMED_ACTIONS: ReadonlySet<string> = new Set(['restrict_messaging', 'suspend', 'suspend_reporting']);
/** Used when staff leave the duration out: the ladder's own steps. */
export const DEFAULT_DURATION_HOURS: Record<string, number> = { restrict_messaging: 24, suspend: 72 };
/** A year: longer than that is a ban, and should say so. */
export const MAX_DURATION_HOURS = 24 * 365;

export const APPEAL_DECISIONS = ['upheld', 'denied'] as const;
export type AppealDecision = (typeof APPEAL_DECISIONS)[number];

export const LINK_LABELS = ['safe', 'suspicious', 'malicious'] as const;
export const BLOCKLIST_KINDS = ['domain', 'url'] as const;
export type BlocklistKind = (typeof BLOCKLIST_KINDS)[number];

/** Notice kinds a user can receive (GET /v1/notices). */
export const NOTICE_KINDS = [
  'report_received',
  'report_outcome',
  'warning',
  'enforcement',
  'appeal_decision',
  'content_removed',
  'action_lifted',
  'action_ended',
  'case_message',
  /** The pile-on breaker switched Limits on (data.action: limits_enabled); not an action against the person. */
  'protection',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * What staff can lift (POST /admin/v1/actions/:id/lift): a restriction, suspension or ban ends
 * early, and (v1.2) a warning stops counting its strikes; a removal has nothing left to undo.
 */
export const LIFTABLE_ACTIONS: ReadonlySet<string> = new Set(['warn', 'restrict_messaging', 'suspend', 'ban']);
