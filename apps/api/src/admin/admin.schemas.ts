import { Appeal, Statement } from '../v1/safety.schemas';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REPORT_REASONS, REPORT_SOURCES, SUBJECT_TYPES } from '@app/messaging/safety/vocabulary';
import { STATEMENT_CATEGORIES } from '@app/messaging/safety/enforcement/dsa-vocabulary';

/** Response shapes of the staff API (/admin/v1): react-admin rows and the action results. */

const STAFF_ROLES = ['admin', 'moderator', 'triage'];
const ID = { type: String, format: 'uuid' } as const;
const ID_OR_NULL = { type: String, format: 'uuid', nullable: true } as const;
const TIME = { type: String, format: 'date-time' } as const;
const TIME_OR_NULL = { type: String, format: 'date-time', nullable: true } as const;
const TEXT_OR_NULL = { type: String, nullable: true } as const;
/** Free-form JSON kept as it was recorded (evidence, audit before/after, resolutions). */
const JSON_OBJECT = { type: 'object', additionalProperties: true, nullable: true } as const;
const JSON_ROWS = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;

export class StaffSummary {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) email!: string;
  @ApiProperty({ enum: STAFF_ROLES }) role!: string;
  @ApiProperty({ type: String }) displayName!: string;
}

export class StaffSession {
  @ApiProperty({ type: StaffSummary }) staff!: StaffSummary;
  @ApiProperty({ type: String, description: 'Staff-audience bearer token; never valid on /v1' }) accessToken!: string;
}

export class StaffMember {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) email!: string;
  @ApiProperty({ type: String }) displayName!: string;
  @ApiProperty({ enum: STAFF_ROLES }) role!: string;
  @ApiProperty({ type: Boolean }) disabled!: boolean;
  @ApiProperty(TIME) createdAt!: string;
}

export class Report {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ enum: SUBJECT_TYPES }) subjectType!: string;
  @ApiProperty({ type: String }) subjectId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The subject user's handle (the reported user, or the sender of the reported content)" })
  subjectHandle!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The subject user's display name" }) subjectDisplayName!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The reporter's handle (null for system reports)" }) reporterHandle!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Name of the staff member who claimed it' }) assigneeName!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Name of the staff member who resolved it' }) resolvedByName!: string | null;
  @ApiProperty(ID_OR_NULL) subjectUserId!: string | null;
  @ApiProperty({ ...ID_OR_NULL, description: 'The case this report belongs to (every report about a user has one)' }) caseId!:
    string | null;
  @ApiProperty(ID_OR_NULL) conversationId!: string | null;
  @ApiProperty({ enum: REPORT_REASONS }) reason!: string;
  @ApiProperty(TEXT_OR_NULL) note!: string | null;
  @ApiProperty({ enum: REPORT_SOURCES, description: 'trusted_flagger: filed by a trusted flagger (DSA Art. 22)' }) source!: string;
  @ApiProperty(ID_OR_NULL) reporterId!: string | null;
  @ApiProperty({ enum: ['open', 'resolved'], description: 'An escalated report is still open' }) status!: string;
  @ApiProperty({ enum: ['open', 'escalated', 'resolved'] }) reviewState!: string;
  @ApiProperty({ type: Boolean }) escalated!: boolean;
  @ApiProperty({ type: Number }) priority!: number;
  @ApiProperty(ID_OR_NULL) assigneeId!: string | null;
  @ApiProperty(TIME_OR_NULL) claimedAt!: string | null;
  @ApiProperty(TIME_OR_NULL) dueAt!: string | null;
  @ApiProperty({ type: Boolean }) overdue!: boolean;
  @ApiProperty(TIME_OR_NULL) firstResponseAt!: string | null;
  @ApiProperty(TIME_OR_NULL) escalatedAt!: string | null;
  @ApiProperty(ID_OR_NULL) escalatedBy!: string | null;
  @ApiProperty(TEXT_OR_NULL) escalationNote!: string | null;
  @ApiProperty({ ...JSON_OBJECT, description: 'The frozen case snapshot (messages, participants, conversation); only GET one returns it' })
  evidence!: Record<string, unknown> | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME_OR_NULL) resolvedAt!: string | null;
  @ApiProperty(ID_OR_NULL) resolvedBy!: string | null;
  @ApiProperty({ ...JSON_OBJECT, description: 'The action taken, its note and ids' }) resolution!: Record<string, unknown> | null;
}

export class BulkFailure {
  @ApiProperty({ type: String }) id!: string;
  @ApiProperty({ type: String }) code!: string;
  @ApiProperty({ type: String }) message!: string;
}

export class BulkResolveResult {
  @ApiProperty({ type: [String] }) succeeded!: string[];
  @ApiProperty({ type: [BulkFailure] }) failed!: BulkFailure[];
  @ApiProperty({ type: [String], description: 'The enforcement actions created' }) actionIds!: string[];
}

export class LegalHold {
  @ApiProperty({ type: String }) note!: string;
  @ApiProperty(TIME) createdAt!: string;
}

export class UserRecord {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once the account is deleted' }) handle!: string | null;
  @ApiProperty({ type: String, description: '"Deleted account" once deleted' }) displayName!: string;
  @ApiProperty({ type: String, nullable: true, description: "The host app's id for this account (platform API); null for native accounts" })
  externalId!: string | null;
  @ApiProperty({ enum: ['active', 'suspended', 'banned'] }) status!: string;
  @ApiProperty(TIME_OR_NULL) restrictedUntil!: string | null;
  @ApiProperty(TIME_OR_NULL) suspendedUntil!: string | null;
  @ApiProperty({ ...TIME_OR_NULL, description: 'Since when staff switched off starting conversations (dm-access); null while on' })
  dmAccessRevokedAt!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) strikes!: number;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({ ...TIME_OR_NULL, description: 'When the person deleted the account; null while it exists' }) deletedAt!: string | null;
  @ApiProperty({ type: LegalHold, nullable: true, description: "A legal hold keeping the account's evidence past its retention" })
  legalHold!: LegalHold | null;
  @ApiProperty({ type: [String], description: "Ids of the account's open cases" }) openCaseIds!: string[];
}

export class UserHistoryUser extends UserRecord {
  @ApiProperty({ enum: ['all', 'following', 'none'] }) allowIncoming!: string;
  @ApiProperty({ type: Number, description: 'Multiplier of the message-request budget (below 1 for flagged senders)' })
  requestLimitFactor!: number;
}

export class SuggestedAction {
  @ApiProperty({
    enum: ['none', 'remove_content', 'warn', 'restrict_messaging', 'suspend', 'ban'],
    description: 'none: nothing on the ladder is harsher than what is in force',
  })
  action!: string;
  @ApiPropertyOptional({ type: Number }) durationHours?: number;
  @ApiPropertyOptional({ type: String, description: 'Why the ladder step was adjusted for actions in force' }) because?: string;
}

export class ModerationAction {
  @ApiProperty(ID) id!: string;
  @ApiProperty(ID) userId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The user's handle" }) userHandle!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The user's display name" }) userDisplayName!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Name of the staff member who took it' }) staffName!: string | null;
  @ApiProperty({ type: String, example: 'suspend' }) action!: string;
  @ApiProperty(TEXT_OR_NULL) reason!: string | null;
  @ApiProperty(TEXT_OR_NULL) note!: string | null;
  @ApiProperty(ID_OR_NULL) staffId!: string | null;
  @ApiProperty(ID_OR_NULL) reportId!: string | null;
  @ApiProperty(TEXT_OR_NULL) subjectType!: string | null;
  @ApiProperty(TEXT_OR_NULL) subjectId!: string | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME_OR_NULL) expiresAt!: string | null;
  @ApiProperty(TIME_OR_NULL) liftedAt!: string | null;
  @ApiProperty(TEXT_OR_NULL) liftedReason!: string | null;
  @ApiProperty({ type: Boolean, description: 'Not lifted and not expired' }) active!: boolean;
  @ApiProperty({ type: Boolean, description: 'Taken by the platform (malicious link, rule), not by staff' })
  automated!: boolean;
  @ApiProperty({ ...TIME_OR_NULL, description: 'The end of the appeal window stated to the person' }) appealUntil!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The policy's key (null only for actions older than policies)", example: 'spam' })
  policy!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'The severity key within the policy', example: 'low' }) severity!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The policy's EU DSA category when the action was taken" }) category!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Strikes it gave (they stop counting when it is lifted or they expire)' })
  strikes!: number;
  @ApiProperty({ ...TIME_OR_NULL, description: 'When its strikes expire' }) strikesExpireAt!: string | null;
}

export class Strike {
  @ApiProperty(ID) actionId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The policy's key", example: 'spam' }) policy!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'The severity key', example: 'low' }) severity!: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Strikes this action gave' }) count!: number;
  @ApiProperty(TIME) expiresAt!: string;
}

export class UserStanding {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The sum of the strikes in force' }) activeStrikes!: number;
  @ApiProperty({ type: [Strike], description: 'The strikes in force, the soonest to expire first' }) strikes!: Strike[];
  @ApiProperty({ type: SuggestedAction, description: 'What the ladder suggests for the next violation' })
  suggestedAction!: SuggestedAction;
}

export class PolicySeverity {
  @ApiProperty({ type: String, pattern: '^[a-z0-9_]{1,40}$', example: 'low' }) key!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, description: 'Strikes a decision at this severity gives', example: 1 })
  strikes!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 3650, description: 'Days until those strikes expire', example: 90 })
  expiryDays!: number;
  @ApiProperty({
    enum: ['remove_content', 'warn', 'restrict_messaging', 'suspend', 'ban'],
    description: 'The least the ladder suggests for a decision at this severity',
  })
  suggestedAction!: string;
}

export class Policy {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String, pattern: '^[a-z0-9_]{2,40}$', example: 'harassment' }) key!: string;
  @ApiProperty({ type: String, maxLength: 100, example: 'Harassment and bullying' }) title!: string;
  @ApiProperty({ type: String, maxLength: 2000 }) description!: string;
  @ApiProperty({ enum: STATEMENT_CATEGORIES, description: "The EU DSA Transparency Database's category" }) category!: string;
  @ApiProperty({ type: [PolicySeverity], minItems: 1, description: 'Mildest first; a decision naming no severity takes the first' })
  severities!: PolicySeverity[];
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty(ID_OR_NULL) updatedBy!: string | null;
}

export class PileOnTrip {
  @ApiProperty(ID) id!: string;
  @ApiProperty(TIME) at!: string;
  @ApiProperty({ type: 'integer', description: 'Requests in the window when it tripped' }) requests!: number;
  @ApiProperty({ type: 'integer' }) threshold!: number;
  @ApiProperty({ type: 'integer' }) windowMinutes!: number;
  @ApiProperty({ type: Boolean, description: 'Threshold halved: they had been on the stage of a room that ended within the hour' })
  halved!: boolean;
  @ApiProperty(TIME) limitsUntil!: string;
}

/** One person a sent request went to, and where it stands with them. */
export class SentRequestRecipient {
  @ApiProperty(ID) userId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'null once their account is deleted' }) handle!: string | null;
  @ApiProperty({ type: String, description: 'Their membership: pending, declined, held, active or left' }) state!: string;
}

/** A conversation this person started with people who had not accepted them (newest first, at most 20). */
export class SentRequest {
  @ApiProperty(ID) conversationId!: string;
  @ApiProperty(TIME_OR_NULL) createdAt!: string | null;
  @ApiProperty({ ...JSON_OBJECT, description: 'Where they met (a room), when known' }) context!: Record<string, unknown> | null;
  @ApiProperty({ type: [SentRequestRecipient] }) recipients!: SentRequestRecipient[];
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Their first message in it' }) firstText!: string | null;
  @ApiProperty({ type: Boolean, description: 'Staff locked the conversation' }) locked!: boolean;
}

export class UserHistory {
  @ApiProperty({ type: UserHistoryUser }) user!: UserHistoryUser;
  @ApiProperty({ type: 'integer', minimum: 0 }) strikes!: number;
  @ApiProperty({ type: SuggestedAction, description: "The enforcement ladder's next step" }) suggestedAction!: SuggestedAction;
  @ApiProperty(JSON_ROWS) reportsAbout!: Record<string, unknown>[];
  @ApiProperty(JSON_ROWS) reportsBy!: Record<string, unknown>[];
  @ApiProperty({ type: [ModerationAction] }) actions!: ModerationAction[];
  @ApiProperty(JSON_ROWS) appeals!: Record<string, unknown>[];
  @ApiProperty({ ...JSON_OBJECT, description: 'Spam-score signals, when any' }) spam!: Record<string, unknown> | null;
  @ApiProperty({ type: [SentRequest], description: 'Requests they sent lately, newest first' }) recentRequests!: SentRequest[];
  @ApiProperty({ type: [PileOnTrip], description: 'Times the pile-on breaker switched their Limits on, newest first' })
  pileOnTrips!: PileOnTrip[];
}

export class Standing {
  @ApiProperty({ enum: ['active', 'suspended', 'banned'] }) status!: string;
  @ApiProperty(TIME_OR_NULL) suspendedUntil!: string | null;
  @ApiProperty(TIME_OR_NULL) restrictedUntil!: string | null;
}

export class UserActionResult {
  @ApiProperty({ type: ModerationAction }) action!: ModerationAction;
  @ApiProperty({ type: Standing }) standing!: Standing;
}

export class FanOutBurst {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Conversations with strangers started within the window' }) count!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) windowMinutes!: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the burst last held a request' }) at!: string;
}

export class SpamRequest {
  @ApiProperty({ ...ID, description: "The sender's id: one row per sender" }) id!: string;
  @ApiProperty(ID) senderId!: string;
  @ApiProperty({ type: String }) senderHandle!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) requestsSent!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) declined!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) reported!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) duplicateTexts!: number;
  @ApiProperty({ type: Number }) score!: number;
  @ApiProperty({ type: [String], description: 'Texts of recent requests' }) sample!: string[];
  @ApiProperty(TIME_OR_NULL) lastAt!: string | null;
  @ApiProperty({ enum: ['active', 'suspended', 'banned'] }) senderStatus!: string;
  @ApiProperty(TIME_OR_NULL) restrictedUntil!: string | null;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Requests held for review by the fan-out check: their recipients see nothing until staff release them',
  })
  heldRequests!: number;
  @ApiProperty({
    type: FanOutBurst,
    nullable: true,
    description: 'The burst that held them: conversations with strangers started within the window',
  })
  burst!: FanOutBurst | null;
}

export class SettledHeldRequests {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Held requests released (or declined)' }) requests!: number;
}

export class LinkRecord {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) url!: string;
  @ApiProperty({ type: String }) host!: string;
  @ApiProperty({ enum: ['pending', 'safe', 'suspicious', 'malicious'] }) verdict!: string;
  @ApiProperty(TEXT_OR_NULL) reason!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'blocklist, default, heuristic:<reason>, or a staff label' }) rule!: string | null;
  @ApiProperty({
    type: [String],
    example: ['blocklist', 'heuristics', 'feed:urlhaus'],
    description:
      'The sources the verdict consulted, in the order asked: staff (an override), blocklist, heuristics (offline), feed:<format> (a loaded reputation feed: urlhaus, phishtank, openphish), provider:<name> (an online lookup that answered). Empty while pending',
  })
  sources!: string[];
  @ApiProperty({ type: Boolean, description: 'A staff label decides the verdict' }) overridden!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0 }) seenCount!: number;
  @ApiProperty(TIME) firstSeenAt!: string;
  @ApiProperty(TIME) lastSeenAt!: string;
  @ApiProperty(TIME_OR_NULL) scannedAt!: string | null;
}

export class RescanProgress {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'link occurrences to walk' }) total!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'link occurrences walked so far' }) done!: number;
}

export class BlocklistEntry {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) pattern!: string;
  @ApiProperty({ enum: ['domain', 'url'] }) kind!: string;
  @ApiProperty(TEXT_OR_NULL) reason!: string | null;
  @ApiProperty(ID_OR_NULL) createdBy!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The author's name" }) createdByName!: string | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({
    type: RescanProgress,
    nullable: true,
    description: 'The re-scan of the last 7 days this entry started; null until it starts',
  })
  rescan!: RescanProgress | null;
}

export class BlocklistPreview {
  @ApiProperty({ type: String }) pattern!: string;
  @ApiProperty({ enum: ['domain', 'url'] }) kind!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Link occurrences of the last 7 days the entry would catch' }) matches!: number;
  @ApiProperty({ type: [String] }) sample!: string[];
}

export class AuditEntry {
  @ApiProperty({ type: String, pattern: '^\\d{1,18}$', description: 'Increasing with time' }) id!: string;
  @ApiProperty(ID_OR_NULL) staffId!: string | null;
  @ApiProperty(TEXT_OR_NULL) staffEmail!: string | null;
  @ApiProperty({ type: String, example: 'report.resolve' }) action!: string;
  @ApiProperty(TEXT_OR_NULL) subjectType!: string | null;
  @ApiProperty(TEXT_OR_NULL) subjectId!: string | null;
  @ApiProperty(JSON_OBJECT) before!: Record<string, unknown> | null;
  @ApiProperty(JSON_OBJECT) after!: Record<string, unknown> | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The staff member's name" }) staffName!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'The subject user handle, when the subject is a user' }) subjectHandle!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'The subject user or staff display name' }) subjectName!: string | null;
  @ApiProperty({
    ...TEXT_OR_NULL,
    description: 'A subject that is not a person, in words (e.g. `Rule "spam words"`, `Case about @bob`, `Harassment report about @bob`)',
  })
  subjectLabel!: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Position in the hash chain: 1, 2, 3… without gaps' }) seq!: number;
  @ApiProperty({ type: String, pattern: '^[0-9a-f]{64}$', description: 'hash of the entry before (64 zeros for the first)' })
  prevHash!: string;
  @ApiProperty({ type: String, pattern: '^[0-9a-f]{64}$', description: 'SHA-256 over prevHash, seq and every column of this entry' })
  hash!: string;
}

export class AuditVerification {
  @ApiProperty({ type: Boolean, description: 'true when every stored entry matches the chain and its anchor' }) ok!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'entries checked' }) entries!: number;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'the first entry that does not match (when ok is false)' })
  firstBrokenId?: string | null;
  @ApiPropertyOptional({
    enum: ['hash_mismatch', 'broken_link', 'gap', 'truncated', 'anchor_mismatch'],
    description: 'why the chain is broken (when ok is false)',
  })
  reason?: string;
}

class ReasonCount {
  @ApiProperty({ type: String }) reason!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) count!: number;
}
class SpamSender {
  @ApiProperty(ID) senderId!: string;
  @ApiProperty({ type: String }) handle!: string;
  @ApiProperty({ type: Number }) score!: number;
}
class VerdictDay {
  @ApiProperty({ type: String, format: 'date' }) day!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) safe!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) suspicious!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) malicious!: number;
}

export class TripDay {
  @ApiProperty({ type: String, example: '2026-12-06' }) day!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) trips!: number;
}

export class ModerationStats {
  @ApiProperty({ type: [ReasonCount] }) openByReason!: ReasonCount[];
  @ApiProperty({ type: 'integer', minimum: 0 }) overdue!: number;
  @ApiProperty({ type: Number, nullable: true }) medianFirstResponseMinutes!: number | null;
  @ApiProperty({ type: Number, nullable: true }) medianResolutionMinutes!: number | null;
  @ApiProperty({ type: [SpamSender] }) topSpamSenders!: SpamSender[];
  @ApiProperty({ type: [VerdictDay] }) linkVerdictsPerDay!: VerdictDay[];
  @ApiProperty({ type: [TripDay], description: 'Times the pile-on breaker switched Limits on, per UTC day (last 14 days)' })
  pileOnTripsPerDay!: TripDay[];
}

/** An appeal as staff see it: the appellant and the deciding staff member named beside their ids. */
export class StaffAppeal extends Appeal {
  @ApiProperty({ type: String, nullable: true, description: "The appellant's handle" }) userHandle!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The appellant's display name" }) userDisplayName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Name of the staff member who decided it' }) decidedByName!: string | null;
}

export class Case {
  @ApiProperty(ID) id!: string;
  @ApiProperty(ID) subjectUserId!: string;
  @ApiProperty({ type: [String], description: 'Open case: its open reports; resolved case: the reports it resolved' }) reportIds!: string[];
  @ApiProperty({ type: 'integer', minimum: 0 }) reportCount!: number;
  @ApiProperty({ type: [String], description: 'Distinct reasons of its reports' }) reasons!: string[];
  @ApiProperty({ type: Number, description: 'See docs/API.md "Cases": top report priority + distinct reporters + live host' })
  priority!: number;
  @ApiProperty({ enum: ['open', 'resolved'] }) status!: string;
  @ApiProperty(ID_OR_NULL) assigneeId!: string | null;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty(TIME_OR_NULL) claimedAt!: string | null;
  @ApiProperty(TIME_OR_NULL) resolvedAt!: string | null;
  @ApiProperty(ID_OR_NULL) resolvedBy!: string | null;
  @ApiProperty({ ...JSON_OBJECT, description: 'The decision: action, durationHours, note, actionId, templateId' }) resolution!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Distinct reporters (muted reporters not counted)' }) reporterCount!: number;
  @ApiProperty({ type: Boolean, description: 'A trusted flagger reported this user' }) trustedFlagger!: boolean;
  @ApiProperty({ type: Boolean, description: 'The subject is hosting a live room now' }) hostingLiveRoom!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: "The subject's spam signal (spam-requests score)" }) spamScore!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'System reports (malicious links, rules) among its reports' })
  systemReports!: number;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The subject's handle" }) subjectHandle!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The subject's display name" }) subjectDisplayName!: string | null;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Name of the staff member holding it' }) assigneeName!: string | null;
}

/** A conversation a case's reports are about, with its lock state now. */
export class CaseConversation {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: Boolean, description: 'Staff locked it: nobody may send, edit, react or add members there' }) locked!: boolean;
  @ApiProperty({ ...TIME_OR_NULL, description: 'Since when it is locked; null while open' }) lockedAt!: string | null;
}

export class CaseDetail extends Case {
  @ApiProperty({ type: [Report], description: 'The reports of the case (without evidence: open a report to read it, audited)' })
  reports!: Report[];
  @ApiProperty({
    type: [CaseConversation],
    description:
      'The conversations of its reports (reported conversations and those of reported messages) with their lock state when read; lock or unlock with expectLocked set to it',
  })
  conversations!: CaseConversation[];
}

export class CaseMessage {
  @ApiProperty(ID) id!: string;
  @ApiProperty(ID) caseId!: string;
  @ApiProperty(ID) recipientId!: string;
  @ApiProperty({ enum: ['subject', 'reporter'] }) recipientRole!: string;
  @ApiProperty({ type: String }) text!: string;
  @ApiProperty(ID) staffId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: 'Shown to staff only; users see the team identity' }) staffName!: string | null;
  @ApiProperty(ID) noticeId!: string;
  @ApiProperty({ ...TEXT_OR_NULL, description: "The person's one answer" }) reply!: string | null;
  @ApiProperty(TIME_OR_NULL) repliedAt!: string | null;
  @ApiProperty(TIME) createdAt!: string;
}

export class CaseMessagePage {
  @ApiProperty({ type: [CaseMessage], description: 'Oldest first' }) items!: CaseMessage[];
}

export class NoticeTemplate {
  @ApiProperty(ID) id!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: String, description: 'Text with {{variables}}: handle, displayName, action, endsAt, reason, ground, appealUntil' })
  body!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The statement of reasons' facts it words (same {{variables}}); null: the standard wording",
  })
  facts!: string | null;
  @ApiProperty({ type: [String], description: 'The variables the body and facts use' }) variables!: string[];
  @ApiProperty({ type: Boolean, description: 'Shipped with the install (admins may still edit or delete it)' }) builtIn!: boolean;
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty(ID_OR_NULL) updatedBy!: string | null;
}

/** What a resolve would tell its subject (POST /admin/v1/cases/:id/statement-preview). */
export class StatementPreview {
  @ApiProperty({ enum: ['warn', 'remove_content', 'restrict_messaging', 'suspend', 'ban'] }) action!: string;
  @ApiProperty({ type: String, description: 'The policy (key) the decision would name', example: 'spam' }) policy!: string;
  @ApiProperty({ type: String, description: 'Its severity (key)', example: 'low' }) severity!: string;
  @ApiProperty({
    type: Statement,
    description: 'The statement of reasons, as the notice will carry it (endsAt and appeal.until counted from now)',
  })
  statement!: Statement;
  @ApiProperty({ type: String, description: "The notice's text" }) notice!: string;
}

export class ReporterStanding {
  @ApiProperty(ID) userId!: string;
  @ApiProperty({ type: Boolean, description: 'Set by admins: their reports go first' }) trustedFlagger!: boolean;
  @ApiProperty({ type: Boolean, description: 'Set by staff: their reports weigh nothing in the queue' }) muted!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Their reports that were decided' }) judged!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Of those, founded (resolved with an action)' }) founded!: number;
  @ApiProperty({ type: Number, description: '(founded + 1) / (judged + 2)' }) accuracy!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) openReports!: number;
}

const COUNTS = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } } as const;
class TransparencyReports {
  @ApiProperty({ type: 'integer', minimum: 0 }) total!: number;
  @ApiProperty({ ...COUNTS, description: 'reason → count' }) byReason!: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'user | system → count' }) bySource!: Record<string, number>;
}
class TransparencyActions {
  @ApiProperty({ type: 'integer', minimum: 0 }) total!: number;
  @ApiProperty({ ...COUNTS, description: 'action → count' }) byAction!: Record<string, number>;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Taken by the platform (malicious links, rules)' }) automated!: number;
}
class TransparencyAppeals {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Filed in the period' }) total!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Decided in the period: upheld (action lifted)' }) upheld!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Decided in the period: rejected (denied)' }) rejected!: number;
}
export class Transparency {
  @ApiProperty({ ...TIME, description: 'Inclusive' }) from!: string;
  @ApiProperty({ ...TIME, description: 'Exclusive' }) to!: string;
  @ApiProperty({ type: TransparencyReports }) reports!: TransparencyReports;
  @ApiProperty({ type: TransparencyActions }) actions!: TransparencyActions;
  @ApiProperty({ type: TransparencyAppeals }) appeals!: TransparencyAppeals;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Median hours from a report to a decision that took action, over reports decided in the period',
  })
  medianHoursToAction!: number | null;
}

class TransparencyDayReports {
  @ApiProperty({ type: 'integer', minimum: 0 }) total!: number;
  @ApiProperty({ ...COUNTS, description: 'reason → count' }) byReason!: Record<string, number>;
}
class TransparencyDayActions {
  @ApiProperty({ type: 'integer', minimum: 0 }) total!: number;
  @ApiProperty({ ...COUNTS, description: 'action → count' }) byAction!: Record<string, number>;
}
export class TransparencyDay {
  @ApiProperty({ type: String, format: 'date', example: '2026-12-06', description: 'A UTC day' }) day!: string;
  @ApiProperty({ type: TransparencyDayReports, description: 'Reports filed that day' }) reports!: TransparencyDayReports;
  @ApiProperty({ type: TransparencyDayActions, description: 'Actions taken that day' }) actions!: TransparencyDayActions;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Reports decided with an action that day' }) decidedWithAction!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Median hours from filing to that decision, over the reports decided with an action that day; null when none',
  })
  medianHoursToAction!: number | null;
}
export class TransparencyDaily {
  @ApiProperty({ ...TIME, description: 'Inclusive' }) from!: string;
  @ApiProperty({ ...TIME, description: 'Exclusive' }) to!: string;
  @ApiProperty({
    type: [TransparencyDay],
    description: 'Every UTC day the period touches, oldest first; the days add up to GET /admin/v1/transparency for the same period',
  })
  days!: TransparencyDay[];
}

class HandledDay {
  @ApiProperty({ type: String, format: 'date', example: '2026-12-06', description: 'A UTC day' }) day!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Reports this staff member resolved that day' }) handled!: number;
}
class ModeratorHandled {
  @ApiProperty(ID) staffId!: string;
  @ApiProperty({ type: String }) displayName!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Reports resolved over the days' }) total!: number;
  @ApiProperty({ type: [HandledDay], description: 'One entry per day of `days`' }) perDay!: HandledDay[];
}
export class QueueStats {
  @ApiProperty({ type: 'integer', minimum: 0 }) openCases!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Reports not resolved (open or escalated)' }) openReports!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) escalatedReports!: number;
  @ApiProperty({ ...TIME_OR_NULL, description: 'When the unresolved report that has waited longest was filed' }) oldestOpenAt!:
    string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How many hours it has waited' }) oldestOpenHours!: number | null;
  @ApiProperty({ ...ID_OR_NULL, description: 'Its case' }) oldestOpenCaseId!: string | null;
  @ApiProperty({ type: [String], description: 'The last 14 UTC days (today included), oldest first', example: ['2026-12-06'] })
  days!: string[];
  @ApiProperty({
    type: [ModeratorHandled],
    description: 'Staff who resolved at least one report in those days, most first (automated resolutions are left out)',
  })
  moderators!: ModeratorHandled[];
}

export class DmAccessState {
  @ApiProperty(ID) userId!: string;
  @ApiProperty({ type: Boolean, description: 'false while staff have switched off starting conversations and adding members' })
  dmAccess!: boolean;
  @ApiProperty({ ...TIME_OR_NULL, description: 'Since when DM access is off; null while on' }) revokedAt!: string | null;
}

export class ConversationLockState {
  @ApiProperty(ID) conversationId!: string;
  @ApiProperty({ type: Boolean }) locked!: boolean;
}

export class DmStatsDay {
  @ApiProperty({ type: String, format: 'date', example: '2026-12-06', description: 'A UTC day' }) day!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) sent!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) requestsSent!: number;
}

export class DmStats {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Messages sent in direct and group conversations' }) sent!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Messages others sent them that reached them' }) received!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) conversationsStarted!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Conversations they started that were message requests' })
  requestsSent!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) requestsDeclined!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Requests someone reported (the conversation or their message in it)' })
  requestsReported!: number;
  @ApiProperty({
    type: [DmStatsDay],
    description: 'Every one of the 30 UTC days, oldest first, today last, days without activity as zeros',
  })
  byDay!: DmStatsDay[];
}
