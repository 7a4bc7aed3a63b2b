import type { Queryable } from '../db/queryable';
import type { LinkView } from '../views/message-view';
import type { QuestionRow } from '../views/question-view';

/**
 * What a scan's verdict sets off above links (issue #27's layers: links sits below rooms and
 * safety). Links declares what it needs here; the higher layers provide the implementations
 * under these tokens (safety/rule-consequences.ts, rooms/question-link-updates.ts), so the
 * scanner imports neither.
 */

/** A message or question a malicious link removed. */
export interface RemovedContent {
  kind: 'message' | 'question';
  id: string;
  authorId: string;
  conversationId: string | null;
  malicious: LinkView[];
}

export const LINK_REMOVALS = Symbol('LINK_REMOVALS');

export interface LinkRemovals {
  /**
   * Before the removal blanks it: one system report for staff, its evidence frozen with the
   * verdicts in it (a repeat is a no-op). Returns the outbox id to publish after commit.
   */
  reportRemoval(q: Queryable, removed: RemovedContent): Promise<string | null>;
  /**
   * After the removal: an automated, appealable remove_content action with its statement of
   * reasons, and the author's notice. Returns the outbox id to publish after commit.
   */
  enforceRemoval(q: Queryable, removed: RemovedContent): Promise<string | null>;
}

export const QUESTION_LINK_UPDATES = Symbol('QUESTION_LINK_UPDATES');

export interface QuestionLinkUpdates {
  /** A question's links changed (or it was removed): `question.updated` to who hears of it. Returns the outbox id. */
  questionUpdated(q: Queryable, question: QuestionRow): Promise<string | null>;
}
