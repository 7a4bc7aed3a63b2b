import type { Queryable } from '../db/db.service';
import type { UserEvent } from '../events/event-types';
import type { OutboxJob } from '../queues';

/**
 * What a rule's decision sets off in trust and safety, which sits above rules (messages →
 * rules → safety → messages would be a circle). Rules declares what it needs here; the
 * safety module provides the implementations under these tokens, so rules never imports
 * safety. Two tokens, because the send path (messages → rules) needs only the first, and
 * the second's implementation (enforcement) itself depends on messages.
 */
export interface RuleFlagReports {
  /**
   * A live `flag` rule matched a stored message or question: open a system report, inside
   * the caller's transaction. The caller publishes `outboxId` after commit.
   */
  fileFlagReport(
    q: Queryable,
    flag: {
      subjectType: 'message' | 'question';
      subjectId: string;
      subjectUserId: string;
      ruleName: string;
      ruleReason: string;
      /** The rule's policy: the report's reason when it is one (its resolve then defaults to that policy). */
      rulePolicy?: string | null;
    },
  ): Promise<{ outboxId: string | null }>;
}

export interface HeldRejections {
  /**
   * Staff rejected a held message (already removed in this transaction): record the removal
   * as an appealable action with the sender's statement of reasons and notice. The caller
   * appends `events` and `jobs` and publishes every outbox id after commit.
   */
  enforceHeldRejection(
    q: Queryable,
    rejection: {
      staffId: string;
      senderId: string;
      messageId: string;
      conversationId: string;
      note: string | null;
      /** The policy and severity staff named (either may be left out). */
      policy?: string | null;
      severity?: string | null;
      /** The rules that held it, with the policy and severity each names (the default when staff name none). */
      rules: Array<{ id: string | null; name: string; policy?: string | null; severity?: string | null }>;
    },
  ): Promise<{ events: UserEvent[]; jobs: OutboxJob[]; outboxIds: Array<string | null> }>;
}

/** The policies a rule may name (they live in safety, above rules). */
export interface RulePolicies {
  /**
   * The policy and severity keys a rule's write names: named ones must exist (else 400
   * invalid_request), a policy without a severity takes its first, and none named is
   * `other` at its first severity. The policy's row stays share-locked for the transaction,
   * so it cannot be deleted while the rule is saved naming it.
   */
  choose(q: Queryable, asked: { policy?: string | null; severity?: string | null }): Promise<{ policy: string; severity: string }>;
}

/** The injection tokens (provided by SafetyModule). */
export const RULE_FLAG_REPORTS = Symbol('RuleFlagReports');
export const HELD_REJECTIONS = Symbol('HeldRejections');
export const RULE_POLICIES = Symbol('RulePolicies');

/** What rules needs to know of the staff member acting: who (the audit entry's staffId). */
export interface RuleStaff {
  id: string;
}
