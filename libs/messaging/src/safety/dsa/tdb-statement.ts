import { groundFor, reasonWords } from '../enforcement/statements';
import { isStatementCategory } from '../enforcement/dsa-vocabulary';
import type { AutomatedDecision, SourceType, StatementCategory } from './tdb-vocabulary';

/**
 * One statement of reasons in the EU DSA Transparency Database's submission format (API.md
 * v1.2 "statements the EU database accepts"). Built from the decision's facts only: no
 * handle, name, message text, URL, note or id of a person reaches any field, so nothing
 * personal can leak; `decision_facts` is worded here from those facts, not copied from the
 * person's notice (which may quote a link or a template with their handle).
 */
export interface TdbStatement {
  decision_visibility?: string[];
  decision_visibility_other?: string;
  decision_account?: string;
  decision_provision?: string;
  decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT';
  incompatible_content_ground: string;
  incompatible_content_explanation: string;
  content_type: ['CONTENT_TYPE_TEXT'];
  category: StatementCategory;
  decision_facts: string;
  source_type: SourceType;
  automated_detection: 'Yes' | 'No';
  automated_decision: AutomatedDecision;
  content_date: string;
  application_date: string;
  end_date_account_restriction?: string;
  end_date_service_restriction?: string;
  puid: string;
}

/** What the export knows of one decision (one moderation_action row and what led to it). */
export interface DecisionFacts {
  actionId: string;
  /** warn | remove_content | restrict_messaging | suspend | ban | suspend_reporting */
  action: string;
  /** The report reason, or how the platform came to it: rule, malicious_link, direct. */
  reason: string | null;
  automated: boolean;
  takenAt: Date;
  expiresAt: Date | null;
  subjectType: string | null;
  /** When the content decided on was posted; else when the conduct was first reported. */
  contentAt: Date | null;
  /** The notices the decision answers: a trusted flagger's, a user's, or only the platform's own. */
  notice: 'trusted_flagger' | 'user' | 'system' | null;
  /** The decision followed an automated detection (a rule held or flagged it, a link scan found it). */
  detectedAutomatically: boolean;
  /** The policy it was taken under, once decisions name one. */
  policy: { key: string; title: string; description: string; category: string | null; severity: string | null } | null;
}

/** The category of a reason, for a decision that names no policy (none is recorded without one since policies exist). */
const REASON_CATEGORY: Readonly<Record<string, StatementCategory>> = {
  spam: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  harassment: 'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  hate: 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  violence: 'STATEMENT_CATEGORY_VIOLENCE',
  self_harm: 'STATEMENT_CATEGORY_SELF_HARM',
  scam: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  malicious_link: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
};
export const categoryOfReason = (reason: string | null): StatementCategory =>
  REASON_CATEGORY[reason ?? ''] ?? 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC';

/** The puid: the decision's own id, so the same statement always exports with the same puid. */
export const puidOf = (actionId: string) => `backchannel-action-${actionId}`;

const ymd = (d: Date) => d.toISOString().slice(0, 10);

const SUBJECT: Readonly<Record<string, string>> = {
  message: 'a private message',
  question: 'a question asked in an audio room',
  conversation: 'a conversation',
  user: 'an account',
};

const OUTCOME: Readonly<Record<string, string>> = {
  warn: 'The account holder was given a formal warning; no content or account was restricted.',
  remove_content: 'The content was removed for everyone.',
  restrict_messaging: 'The account may not start conversations or send messages until the restriction ends.',
  suspend: 'The account was suspended until the suspension ends.',
  ban: 'The account was terminated.',
  suspend_reporting: 'The account may not file reports until the suspension ends (Art. 23 DSA).',
};

function trigger(f: DecisionFacts): string {
  if (f.notice === 'trusted_flagger') return 'Following a notice from a trusted flagger (Art. 22 DSA)';
  if (f.notice === 'user') return 'Following a notice from a user (Art. 16 DSA)';
  if (f.reason === 'malicious_link') return 'On its own initiative, after its link scanner classified a link in it as malicious';
  if (f.detectedAutomatically) return 'On its own initiative, after one of its automated safety rules detected it';
  if (f.action === 'suspend_reporting') return 'On its own initiative, after repeated manifestly unfounded reports and a prior warning';
  return 'On its own initiative';
}

function factsOf(f: DecisionFacts, groundTitle: string): string {
  const who = f.automated ? 'the platform decided automatically' : 'a moderator reviewed';
  const what = SUBJECT[f.subjectType ?? 'user'] ?? 'an account';
  const severity = f.policy?.severity ? ` (severity: ${f.policy.severity})` : '';
  const decided = f.automated
    ? `${who} that ${what} breaks the rule "${groundTitle}"${severity}`
    : `${who} ${what} and found it breaks the rule "${groundTitle}"${severity}`;
  return `${trigger(f)}, ${decided}. ${OUTCOME[f.action] ?? ''}`.trim();
}

/** The statement for one decision. */
export function tdbStatementOf(f: DecisionFacts): TdbStatement {
  const groundTitle = f.policy ? f.policy.title : groundFor(f.reason);
  const named = groundFor(f.reason) !== groundFor(null);
  const explanation =
    f.policy?.description?.trim() ||
    (named ? `Our rules do not allow ${reasonWords(f.reason)}.` : 'The conduct breaks our Community Guidelines.');
  const s: TdbStatement = {
    decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
    incompatible_content_ground: clip(groundTitle, 500),
    incompatible_content_explanation: clip(explanation, 2000),
    content_type: ['CONTENT_TYPE_TEXT'],
    category: isStatementCategory(f.policy?.category) ? f.policy.category : categoryOfReason(f.reason),
    decision_facts: clip(factsOf(f, groundTitle), 5000),
    source_type: f.notice === 'trusted_flagger' ? 'SOURCE_TRUSTED_FLAGGER' : f.notice === 'user' ? 'SOURCE_ARTICLE_16' : 'SOURCE_VOLUNTARY',
    automated_detection: f.detectedAutomatically || f.automated ? 'Yes' : 'No',
    automated_decision: f.automated ? 'AUTOMATED_DECISION_FULLY' : 'AUTOMATED_DECISION_NOT_AUTOMATED',
    content_date: ymd(clampDate(f.contentAt ?? f.takenAt)),
    application_date: ymd(f.takenAt),
    puid: puidOf(f.actionId),
  };
  switch (f.action) {
    case 'remove_content':
      s.decision_visibility = ['DECISION_VISIBILITY_CONTENT_REMOVED'];
      break;
    case 'warn':
      // A warning restricts nothing; the database needs one decision field, so it is named as what it is.
      s.decision_visibility = ['DECISION_VISIBILITY_OTHER'];
      s.decision_visibility_other = 'Formal warning to the account holder, without restricting the content or the account.';
      break;
    case 'restrict_messaging':
    case 'suspend_reporting':
      s.decision_provision = 'DECISION_PROVISION_PARTIAL_SUSPENSION';
      if (f.expiresAt) s.end_date_service_restriction = ymd(f.expiresAt);
      break;
    case 'suspend':
      s.decision_account = 'DECISION_ACCOUNT_SUSPENDED';
      if (f.expiresAt) s.end_date_account_restriction = ymd(f.expiresAt);
      break;
    case 'ban':
      s.decision_account = 'DECISION_ACCOUNT_TERMINATED';
      break;
  }
  return s;
}

const clip = (text: string, max: number) => ([...text].length <= max ? text : [...text].slice(0, max - 1).join('') + '…');
/** The database takes content dates from 2000-01-01. */
const clampDate = (d: Date) => (d.getTime() < Date.UTC(2000, 0, 1) ? new Date(Date.UTC(2000, 0, 1)) : d);
