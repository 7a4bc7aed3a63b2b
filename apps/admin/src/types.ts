/** Row shapes of the admin API (see the backend contract). */
import type { Identifier, RaRecord } from 'react-admin';

export type ReportStatus = 'open' | 'escalated' | 'resolved';
export type ReportReason = 'spam' | 'harassment' | 'hate' | 'violence' | 'self_harm' | 'scam' | 'other';
export type SubjectType = 'message' | 'user' | 'conversation' | 'question';

export const REPORT_STATUSES: ReportStatus[] = ['open', 'escalated', 'resolved'];
export const REPORT_REASONS: ReportReason[] = ['spam', 'harassment', 'hate', 'violence', 'self_harm', 'scam', 'other'];
export const REPORT_SOURCES = ['user', 'system'];
export const USER_STATUSES = ['active', 'suspended', 'banned'];
export const LINK_VERDICTS = ['pending', 'safe', 'suspicious', 'malicious'];
export const BLOCKLIST_KINDS = ['domain', 'url'];
export const APPEAL_STATUSES = ['open', 'upheld', 'denied'];
export const STAFF_ROLES = ['admin', 'moderator', 'triage'];

export interface Report extends RaRecord {
    subjectType: SubjectType;
    subjectId: string;
    subjectUserId: string | null;
    reason: ReportReason;
    note: string | null;
    source: 'user' | 'system';
    reporterId: string | null;
    reporterHandle?: string | null;
    /** The contract's status: escalated reports are still `open`. */
    status: 'open' | 'resolved';
    /** The review state the queue works with. */
    reviewState?: ReportStatus;
    escalated?: boolean;
    priority: number;
    assigneeId: string | null;
    claimedAt: string | null;
    dueAt: string | null;
    overdue: boolean;
    evidence: unknown;
    createdAt: string;
    resolvedAt: string | null;
    resolution: unknown;
}

export interface UserHistory {
    user?: Record<string, unknown> | null;
    strikes?: number | null;
    suggestedAction?: unknown;
    reportsAbout?: unknown;
    reportsBy?: unknown;
    actions?: unknown;
    appeals?: unknown;
    spam?: unknown;
    recentRequests?: unknown;
}

export interface BlocklistPreview {
    matches: number;
    sample: string[];
}

export interface Stats {
    openByReason?: { reason: string; count: number }[];
    overdue?: number;
    medianFirstResponseMinutes?: number | null;
    medianResolutionMinutes?: number | null;
    topSpamSenders?: { senderId: string; handle: string; score: number }[];
    linkVerdictsPerDay?: { day: string; safe: number; suspicious: number; malicious: number }[];
}

export interface BulkOutcome {
    succeeded: Identifier[];
    failed: { id: Identifier; message: string }[];
}

/** GET /admin/v1/cases rows (API.md "Cases", v1.1). */
export interface Case {
    id: string;
    subjectUserId: string;
    reportIds: string[];
    reportCount: number;
    reasons: string[];
    priority: number;
    status: 'open' | 'resolved';
    assigneeId: string | null;
    createdAt: string;
    updatedAt: string;
    resolution: Record<string, unknown> | null;
    reporterCount: number;
    trustedFlagger: boolean;
    hostingLiveRoom: boolean;
    spamScore: number | null;
    systemReports: number;
    subjectHandle: string | null;
    subjectDisplayName: string | null;
    assigneeName: string | null;
    reports?: Report[];
}

export interface CaseMessage {
    id: string;
    caseId: string;
    recipientId: string;
    recipientRole: 'subject' | 'reporter';
    text: string;
    staffName: string | null;
    reply: string | null;
    repliedAt: string | null;
    createdAt: string;
}

/** GET /admin/v1/transparency */
export interface Transparency {
    from: string;
    to: string;
    reports: { total: number; byReason: Record<string, number>; bySource: Record<string, number> };
    actions: { total: number; byAction: Record<string, number>; automated: number };
    appeals: { total: number; upheld: number; rejected: number };
    medianHoursToAction: number | null;
}

/** POST /admin/v1/rules/test */
export interface RuleTestResult {
    matches: { ruleId: string; name: string; enabled: boolean; mode: string; action: string; kind: string; pattern: string }[];
    draft: { matched: boolean; pattern: string | null } | null;
}

export const RULE_KINDS = ['keyword', 'regex', 'domain'] as const;
export const RULE_MODES = ['live', 'dry_run'] as const;
export const RULE_ACTIONS = ['block', 'hold', 'hide', 'flag'] as const;
export const RULE_SCOPES = ['requests', 'direct', 'group', 'room', 'questions'] as const;
