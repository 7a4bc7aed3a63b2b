/**
 * The admin API's wire types (/admin/v1), named: aliases of the types generated from the
 * server's OpenAPI document (generated/api.ts, `npm run client:types`), and the enumerations
 * the console lists, taken from the same document. The console (apps/admin) imports these as
 * `@backchannel/client/admin`; it restates none of them.
 */
import type { components, paths } from './generated/api';
import {
  appealStatusValues,
  blocklistEntryKindValues,
  caseStatusValues,
  linkLabelDtoVerdictValues,
  linkRecordVerdictValues,
  policyCategoryValues,
  policySeveritySuggestedActionValues,
  reportReasonValues,
  reportReviewStateValues,
  reportSourceValues,
  reportStatusValues,
  reportSubjectTypeValues,
  resolveDtoActionValues,
  ruleActionValues,
  ruleAppliesToValues,
  ruleKindValues,
  ruleModeValues,
  staffMemberRoleValues,
  userActionDtoActionValues,
  userRecordStatusValues,
} from './generated/api';

type Schemas = components['schemas'];

/** The JSON body of a 200 answer to `GET <path>`. */
export type AdminGet<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

// Rows of the react-admin resources (each has an `id`).
export type Report = Schemas['Report'];
export type Case = Schemas['Case'];
export type CaseDetail = Schemas['CaseDetail'];
/** A conversation of a case's reports with its lock state (the case page's lock reads it). */
export type CaseConversation = Schemas['CaseConversation'];
export type CaseMessage = Schemas['CaseMessage'];
export type CaseMessagePage = Schemas['CaseMessagePage'];
export type NoticeTemplate = Schemas['NoticeTemplate'];
export type UserRecord = Schemas['UserRecord'];
export type SpamRequest = Schemas['SpamRequest'];
export type LinkRecord = Schemas['LinkRecord'];
export type BlocklistEntry = Schemas['BlocklistEntry'];
export type ModerationAction = Schemas['ModerationAction'];
export type StaffAppeal = Schemas['StaffAppeal'];
export type AuditEntry = Schemas['AuditEntry'];
export type StaffMember = Schemas['StaffMember'];
export type Rule = Schemas['Rule'];
export type RuleHit = Schemas['RuleHit'];
export type HeldMessage = Schemas['HeldMessage'];
export type HeldRule = Schemas['HeldRule'];
export type Policy = Schemas['Policy'];
export type PolicySeverity = Schemas['PolicySeverity'];

// Answers of the workflow calls.
export type StaffSession = Schemas['StaffSession'];
export type StaffSummary = Schemas['StaffSummary'];
export type UserHistory = Schemas['UserHistory'];
/** GET /admin/v1/users/:id/dm-stats (v1.2): the last 30 UTC days, byDay with every day. */
export type DmStats = Schemas['DmStats'];
export type DmAccessState = Schemas['DmAccessState'];
export type ConversationLockState = Schemas['ConversationLockState'];
export type UserStanding = Schemas['UserStanding'];
/** POST /admin/v1/cases/:id/statement-preview: what a resolve would tell its subject. */
export type StatementPreview = Schemas['StatementPreview'];
export type Strike = Schemas['Strike'];
export type UserHistoryUser = Schemas['UserHistoryUser'];
/** A request the person sent lately (UserHistory.recentRequests). */
export type SentRequest = Schemas['SentRequest'];
export type FanOutBurst = Schemas['FanOutBurst'];
export type SettledHeldRequests = Schemas['SettledHeldRequests'];
export type SuggestedAction = Schemas['SuggestedAction'];
export type UserActionResult = Schemas['UserActionResult'];
export type BulkResolveResult = Schemas['BulkResolveResult'];
export type BlocklistPreview = Schemas['BlocklistPreview'];
export type ModerationStats = Schemas['ModerationStats'];
export type Transparency = Schemas['Transparency'];
export type TransparencyDaily = Schemas['TransparencyDaily'];
export type TransparencyDay = Schemas['TransparencyDay'];
export type QueueStats = Schemas['QueueStats'];
export type RuleTestResult = Schemas['RuleTestResult'];
export type ReporterStanding = Schemas['ReporterStanding'];
export type ReporterPrecision = Schemas['ReporterPrecision'];
export type TdbStatements = Schemas['TdbStatements'];
export type TdbStatement = Schemas['TdbStatement'];
export type AuditVerification = Schemas['AuditVerification'];
export type ErrorBody = Schemas['ErrorBody'];

// Request bodies.
export type ResolveBody = Schemas['ResolveDto'];
export type BulkResolveBody = Schemas['BulkResolveDto'];
export type UserActionBody = Schemas['UserActionDto'];
export type AppealDecisionBody = Schemas['AppealDecisionDto'];
export type LinkLabelBody = Schemas['LinkLabelDto'];
export type RuleTestBody = Schemas['RuleTestDto'];
export type HeldRejectBody = Schemas['HeldRejectDto'];

// Enumerations.
export type ReportReason = Report['reason'];
export type ReportSource = Report['source'];
export type ReportSubjectType = Report['subjectType'];
/** The contract's report status: escalated reports are still `open`. */
export type ReportStatus = Report['status'];
export type CaseStatus = Case['status'];
/** The queue's review state (the contract's `status` keeps escalated reports `open`). */
export type ReportReviewState = Report['reviewState'];
export type UserStatus = UserRecord['status'];
export type LinkVerdict = LinkRecord['verdict'];
/** The verdicts staff may set (not `pending`). */
export type LinkLabel = LinkLabelBody['verdict'];
export type BlocklistKind = BlocklistEntry['kind'];
export type AppealStatus = StaffAppeal['status'];
export type AppealDecision = AppealDecisionBody['decision'];
export type StaffRole = StaffMember['role'];
export type RuleKind = Rule['kind'];
export type RuleMode = Rule['mode'];
export type RuleAction = Rule['action'];
export type RuleScope = Rule['appliesTo'][number];
/** The report resolution actions, mildest first. */
export type ResolveAction = ResolveBody['action'];
/** The actions staff may take on a user outside of a report, mildest first. */
export type UserAction = UserActionBody['action'];

export const REPORT_REASONS: readonly ReportReason[] = reportReasonValues;
export const REPORT_SOURCES: readonly ReportSource[] = reportSourceValues;
export const REPORT_STATUSES: readonly ReportStatus[] = reportStatusValues;
export const CASE_STATUSES: readonly CaseStatus[] = caseStatusValues;
export const REPORT_SUBJECT_TYPES: readonly ReportSubjectType[] = reportSubjectTypeValues;
export const REPORT_REVIEW_STATES: readonly ReportReviewState[] = reportReviewStateValues;
export const USER_STATUSES: readonly UserStatus[] = userRecordStatusValues;
export const LINK_VERDICTS: readonly LinkVerdict[] = linkRecordVerdictValues;
export const LINK_LABELS: readonly LinkLabel[] = linkLabelDtoVerdictValues;
export const BLOCKLIST_KINDS: readonly BlocklistKind[] = blocklistEntryKindValues;
export const APPEAL_STATUSES: readonly AppealStatus[] = appealStatusValues;
export const STAFF_ROLES: readonly StaffRole[] = staffMemberRoleValues;
export const RULE_KINDS: readonly RuleKind[] = ruleKindValues;
export const RULE_MODES: readonly RuleMode[] = ruleModeValues;
export const RULE_ACTIONS: readonly RuleAction[] = ruleActionValues;
export const RULE_SCOPES: readonly RuleScope[] = ruleAppliesToValues;
export const RESOLVE_ACTIONS: readonly ResolveAction[] = resolveDtoActionValues;
export const USER_ACTIONS: readonly UserAction[] = userActionDtoActionValues;
/** The EU DSA Transparency Database's STATEMENT_CATEGORY_* values a policy may take. */
export const POLICY_CATEGORIES: readonly Policy['category'][] = policyCategoryValues;
/** What a policy severity may suggest. */
export const SEVERITY_SUGGESTED_ACTIONS: readonly PolicySeverity['suggestedAction'][] = policySeveritySuggestedActionValues;

/** A link verdict's sources, parsed (link-sources.ts, shared with the web app). */
export { parseLinkSource, reputationSourceName, type LinkSource } from './link-sources';
